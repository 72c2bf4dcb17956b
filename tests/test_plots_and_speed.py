"""Issue 18, items 11 and 12: what the figures say (checked through matplotlib's objects)
and the speed benchmarks' arithmetic (the update's FLOPs per env-step against a hand count
and against every matrix product the update really computes)."""

import os
import subprocess
import sys

import autograd.numpy as anp
import numpy as np
import pytest
from matplotlib.colors import to_hex

from aga_ref.rl import ppo
from aga_ref.rl.config import Config
from aga_ref.rl.train import experience, init_state
from benchmarks.speed import actor_macs, critic_macs, matmul_gflops, update_flops
from figures.cli import main
from figures.protocol import Protocol, PublicGoodsProtocol
from games import gridworld, smac
from tests.mmm2_setup import A_MARINE, A_MEDIVAC, E_MARINE, placed

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = ["--env", "harvest", "--num-envs", "2", "--num-steps", "8", "--num-minibatches", "2",
        "--hidden", "8", "--max-steps", "12", "--num-agents", "3", "--no-plot",
        "--env-steps", "48"]  # fmt: skip


@pytest.fixture
def figures_made(monkeypatch):
    """Every figure a module saves through ``save_figure``: {name: figure}, kept open."""
    made = {}

    def keep(fig, out_dir, name):
        made[name] = fig
        return os.path.join(out_dir, f"{name}.png")

    import figures.diagnostics_plot
    import figures.lambda_sweep
    import figures.public_goods_scatter
    import figures.train_plot

    for module in (figures.train_plot, figures.diagnostics_plot, figures.lambda_sweep,
                   figures.public_goods_scatter):  # fmt: skip
        monkeypatch.setattr(module, "save_figure", keep)
    yield made
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Tiny Harvest runs: AgA with seeds 0, 1 and 2, Simul-Ind with seed 0."""
    root = tmp_path_factory.mktemp("runs")
    for method, seed in (("aga", 0), ("aga", 1), ("aga", 2), ("simul-ind", 0)):
        out = root / f"{method}-s{seed}"
        argv = ["train", *TINY, "--method", method, "--seed", str(seed), "--out", str(out)]
        assert main(argv) == 0
    return root


# 11. Plots


def test_a_one_seed_plot_claims_no_interval_and_its_legend_is_below_the_panels(
    runs, tmp_path, figures_made
):
    assert main(["plot", str(runs / "simul-ind-s0"), "--out", str(tmp_path), "--no-gif"]) == 0
    fig = figures_made["harvest_curves"]
    title = fig._suptitle.get_text()
    assert title.startswith("Harvest: one run (seed) per method")
    assert "95%" not in title and "mean over seeds" not in title
    assert not any(ax.collections for ax in fig.axes)  # no shaded band for one seed
    assert [ax.get_legend() for ax in fig.axes] == [None] * len(fig.axes)  # in no panel
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["simul-ind (1 seed)"]
    panels = [ax for ax in fig.axes if ax.axison]
    fig.canvas.draw()
    box = legend.get_window_extent()
    assert all(box.y1 <= ax.get_window_extent().y0 for ax in panels)  # below every panel


def test_mixed_seed_counts_say_which_methods_have_an_interval(runs, tmp_path, figures_made):
    folders = [str(runs / f) for f in ("aga-s0", "aga-s1", "aga-s2", "simul-ind-s0")]
    assert main(["plot", *folders, "--out", str(tmp_path), "--no-gif"]) == 0
    fig = figures_made["harvest_curves"]
    title = fig._suptitle.get_text()
    assert "95% t interval for methods with 3 seeds or more; thin lines: each run" in title
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["aga lam=0.1 (3 seeds)", "simul-ind (1 seed)"]
    # one band per panel: AgA's, none for the single Simul-Ind run (tests/test_plot_style.py:
    # none for 2 seeds either)
    assert all(len(ax.collections) == 1 for ax in fig.axes if ax.axison)


def test_the_diagnostics_legend_sits_below_the_panels(runs, tmp_path, figures_made):
    folders = [str(runs / f) for f in ("aga-s0", "aga-s1", "simul-ind-s0")]
    assert main(["plot", "--diagnostics", *folders, "--out", str(tmp_path)]) == 0
    fig = figures_made["harvest_diagnostics"]
    assert [ax.get_legend() for ax in fig.axes] == [None] * len(fig.axes)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["aga lam=0.1 (2 seeds, single runs)", "simul-ind (1 seed)"]
    fig.canvas.draw()
    bottom = min(ax.get_window_extent().y0 for ax in fig.axes if ax.axison)
    assert fig.legends[0].get_window_extent().y1 <= bottom


def test_curves_title_for_equal_seed_counts():
    from figures.train_plot import curves_title

    assert curves_title("mmm2", [3, 3]) == (
        "Selfish-MMM2: mean over 3 seeds; shaded: 95% t interval over seeds"
    )
    assert curves_title("cleanup", [1, 1]) == "Cleanup: one run (seed) per method; no interval"


def _tiny_protocol():
    return Protocol(public_goods=PublicGoodsProtocol(num_runs=3, max_steps=5, sweep=(0.1, 1.0)))


def test_lambda_sweep_uses_the_papers_words_and_names_its_game(tmp_path, figures_made):
    from figures import lambda_sweep

    lambda_sweep.make(str(tmp_path), _tiny_protocol())
    fig = figures_made["lambda_sweep"]
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == r"Social welfare vs $|\lambda|$"
    assert titles[1].startswith(r"Equality vs $|\lambda|$")
    assert "public goods game" in fig._suptitle.get_text()
    words = titles + [fig._suptitle.get_text()] + [ax.get_xlabel() for ax in fig.axes]
    words += [ax.get_ylabel() for ax in fig.axes]
    words += [t.get_text() for ax in fig.axes for t in ax.get_legend().get_texts()]
    assert not any("SW" in w or "lam" in w.replace(r"\lambda", "") for w in words), words
    # AgA and Simul-Co in their colours of the toy figures (AgA was matplotlib's first, blue)
    colours = {to_hex(line.get_color()) for ax in fig.axes for line in ax.lines}
    assert colours == {to_hex("tab:red"), to_hex("tab:green")}


def test_public_goods_panels_mark_the_nash_point_and_the_optimum(tmp_path, figures_made):
    from figures import public_goods_scatter
    from figures.public_goods_runs import METHODS, run_all

    protocol = _tiny_protocol()
    public_goods_scatter.make(str(tmp_path), protocol, run_all(protocol))
    fig = figures_made["public_goods_scatter"]
    assert len(fig.axes) == len(METHODS)
    for ax in fig.axes:
        marks = {line.get_label(): tuple(np.ravel(line.get_xydata())) for line in ax.lines}
        assert marks["Nash equilibrium (0, 0)"] == (0.0, 0.0)
        assert marks["social optimum (1, 1)"] == (1.0, 1.0)
        x0, x1 = ax.get_xlim()
        assert x0 < 0 and x1 > 1  # both points inside the panel, not on its frame
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Nash equilibrium (0, 0)" in labels and "social optimum (1, 1)" in labels


def test_heal_lines_do_not_look_like_health_bars():
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgba

    from games.smac.render import draw, legend_handles

    battles = placed({A_MEDIVAC: (10.0, 15.0), A_MARINE: (14.0, 15.0), E_MARINE: (18.0, 15.0)})
    battles.target[0, A_MEDIVAC] = A_MARINE  # a level heal line, like a bar
    battles.target[0, A_MARINE] = E_MARINE
    fig, ax = plt.subplots()
    draw(ax, battles, 0)
    kinds = {k: [line for line in ax.lines if line.get_gid() == k] for k in ("hp", "heal")}
    assert len(kinds["hp"]) == 2 * 3 and kinds["heal"]  # a bar (grey and green) per unit
    heal = kinds["heal"][0]
    assert np.allclose(heal.get_xydata(), [(10.0, 15.0), (14.0, 15.0)])  # Medivac -> patient
    hp_colours = {to_rgba(line.get_color()) for line in kinds["hp"]}
    assert to_rgba(heal.get_color()) not in hp_colours
    assert heal.get_linestyle() != "-" and all(b.get_linestyle() == "-" for b in kinds["hp"])
    styles = {h.get_label(): (to_rgba(h.get_color()), h.get_linestyle()) for h in legend_handles()}
    assert styles["Medivac heals"] == (to_rgba(heal.get_color()), heal.get_linestyle())
    assert to_rgba(styles["HP left (bar)"][0]) in hp_colours
    plt.close(fig)


# 12. Speed: FLOPs of the update and the machine's matrix-product rate


def test_flops_of_a_tiny_network_by_hand():
    actor = [(3, 4), (4,), (4, 4), (4,), (4, 2), (2,)]  # 3 inputs, 4 hidden, 2 actions
    critic = [(5, 4), (4,), (4, 4), (4,), (4, 6), (6,)]  # MAPPO: 5 state features, 2 N heads
    # multiply-adds per sample: actor 12, 16, 8; critic 20, 16, 24
    # Simul-Ind: forward 36 + two VJPs (xi, entropy) of 12 + 32 + 16 = 60 each
    assert actor_macs(actor, vjps=2, hvp=False) == 36 + 2 * 60
    # AgA: three VJPs (xi, xi_c, entropy), then grad Ham_c: 12 + 64 + 32 back through the
    # traced VJP, 60 through the forward pass
    assert actor_macs(actor, vjps=3, hvp=True) == 36 + 3 * 60 + 108 + 60
    assert critic_macs(critic) == 2 * 20 + 3 * 16 + 3 * 24  # value and its gradient
    for method, actors in (("simul-ind", 156), ("aga", 384)):
        config = Config(method=method, update_epochs=2)
        assert update_flops(config, actor, critic, num_agents=3) == 2 * 2 * (3 * actors + 160)
    ippo = Config(method="simul-ind", critic="ippo", update_epochs=1)
    assert update_flops(ippo, actor, critic, num_agents=3) == 2 * (3 * 156 + 3 * 160)


@pytest.fixture
def counted_matmuls():
    """Counts 2 x multiply-adds of every matrix product autograd computes, values and
    derivatives alike (they all call the ``np.matmul`` inside ``autograd.numpy.matmul``)."""
    cell = next(c for c in anp.matmul.__closure__ if c.cell_contents is np.matmul)
    count = [0]

    def counting(a, b, **kwargs):
        out = np.matmul(a, b, **kwargs)
        count[0] += 2 * out.size * np.shape(a)[-1]
        return out

    cell.cell_contents = counting
    try:
        yield count
    finally:
        cell.cell_contents = np.matmul


@pytest.mark.parametrize("game", ["harvest", "mmm2"])
@pytest.mark.parametrize("critic", ["mappo", "ippo"])
def test_flops_match_every_product_the_update_computes(game, critic, counted_matmuls):
    for method in ("simul-ind", "simul-co", "aga", "cga", "fcgrad"):
        config = Config(method=method, critic=critic, num_envs=2, num_steps=8,
                        num_minibatches=2, hidden=8, env_steps=10**6)  # fmt: skip
        if game == "mmm2":
            env = smac.make_env("mmm2", num_envs=2, seed=0, record_episodes=False)
        else:
            env = gridworld.make_env(game, num_envs=2, num_agents=3, seed=0,
                                     record_episodes=False)  # fmt: skip
        state = init_state(env, config)
        data, _ = experience(env, state, config)
        counted_matmuls[0] = 0
        ppo.update(state, data, config, 1e-4, np.random.default_rng(0))
        expected = update_flops(config, state["actor_shapes"], state["critic_shapes"],
                                data["actions"].shape[0])  # fmt: skip
        assert counted_matmuls[0] == expected * config.batch_steps, method


def test_matmul_rate_is_a_rate():
    rate = matmul_gflops(n=64, repeats=2)
    assert np.isfinite(rate) and 0.01 < rate < 1e5  # GFLOP/s of one CPU, not FLOP/s


def test_train_benchmark_reports_the_fraction_of_the_measured_peak():
    command = [sys.executable, os.path.join(ROOT, "benchmarks", "train.py"), "--quick",
               "--games", "harvest", "--critics", "mappo"]  # fmt: skip
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    assert out.startswith("machine: ") and "OPENBLAS_NUM_THREADS=1" in out.splitlines()[0]
    assert "GFLOP/s (peak, before)" in out and "GFLOP/s (peak, after)" in out
    assert "| fraction of the matrix-product peak |" in out
    rows = {line.split(" | ")[2]: line for line in out.splitlines()
            if line.startswith("| harvest | mappo | ") and " M | " in line}  # fmt: skip
    assert set(rows) == {"simul-ind", "aga"}
    config = Config(method="aga", num_envs=2, num_steps=8, num_minibatches=2, hidden=8)
    env = gridworld.make_env("harvest", num_envs=2, seed=0, record_episodes=False)
    state = init_state(env, config)
    flops = update_flops(config, state["actor_shapes"], state["critic_shapes"], 5)
    assert f"| {flops / 1e6:.2f} M |" in rows["aga"]


@pytest.mark.slow
def test_train_benchmark_against_a_commit_before_the_presets():
    # the reference 4bb68b1 has no aga_ref.rl.presets: its worker must still start
    have = subprocess.run(["git", "-C", ROOT, "cat-file", "-e", "4bb68b1^{commit}"],
                          capture_output=True).returncode == 0  # fmt: skip
    if not have:
        pytest.skip("this checkout's history lacks 4bb68b1")
    command = [sys.executable, os.path.join(ROOT, "benchmarks", "train.py"), "--quick",
               "--games", "harvest", "--critics", "mappo", "--against", "4bb68b1"]  # fmt: skip
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    out = subprocess.run(command, capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "| harvest | mappo | aga | " in out.stdout and "4bb68b1 env-steps/s" in out.stdout
