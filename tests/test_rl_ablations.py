"""The learner's ablations and instruments: ``--no-hamiltonian`` is AgA with ``H_c^T xi_c``
set to 0 (and the product is not computed), ``--optimizer sgd`` moves the actors by SGD with
momentum along the same clipped direction while the critics keep Adam, and every instrument
column equals its definition evaluated on the surrogate game built as an ``aga_ref.Game``
(an independent derivative path: autograd on one flat vector)."""

import csv

import numpy as np
import pytest
from numpy.testing import assert_allclose

import aga_ref
from aga_ref.rl import methods, ppo
from aga_ref.rl.config import Config
from aga_ref.rl.instruments import direction_instruments, layer_columns
from aga_ref.rl.optim import clip_by_global_norm, sgd_init, sgd_step
from aga_ref.rl.policy import unflatten
from aga_ref.rl.surrogate import surrogate_terms
from aga_ref.rl.train import experience, init_state, train
from games.gridworld import make_env
from tests.rl_setup import CLIP


def _exact(game, w):
    """xi, xi_c, H_c^T xi_c and H^T xi from the game's exact Hessians (D,)."""
    xi, xi_c = aga_ref.simul_ind_direction(game, w), aga_ref.simul_co_direction(game, w)
    return (xi, xi_c, aga_ref.collective_hessian(game, w).T @ xi_c,
            aga_ref.game_hessian(game, w).T @ xi)  # fmt: skip


@pytest.mark.parametrize("lam", [100.0, 0.1, 2.0])
def test_no_hamiltonian_is_aga_with_the_product_set_to_zero(problem, lam):
    theta, shapes, batch, game = problem
    xi, xi_c, g, _ = _exact(game, theta.ravel())
    hvp, need = methods.needs("aga", hamiltonian=False)
    terms = surrogate_terms(theta, shapes, batch, CLIP, hvp, need)
    assert hvp is None and terms.Hv is None  # the product is not computed
    d, chosen = methods.direction("aga", terms, Config(method="aga", lam=lam, hamiltonian=False))
    # with g = 0 every sign rule gives sign(0) = +1: the direction is xi_c + |lam| xi
    assert_allclose(d.ravel(), xi_c + abs(lam) * xi, rtol=1e-9, atol=1e-12)
    full = surrogate_terms(theta, shapes, batch, CLIP, *methods.needs("aga"))
    d_full, _ = methods.direction("aga", full, Config(method="aga", lam=lam))
    sign = aga_ref.paper_sign(xi, xi_c, g)
    # what the ablation removes is exactly lam * H_c^T xi_c (plus the sign's choice)
    assert_allclose(d_full.ravel(), xi_c + sign * abs(lam) * (xi + g), rtol=1e-8, atol=1e-12)


def test_hamiltonian_ablation_refused_outside_aga():
    with pytest.raises(ValueError, match="hamiltonian"):
        Config(method="cga", hamiltonian=False)
    with pytest.raises(TypeError, match="hamiltonian"):
        Config(method="aga", hamiltonian="no")
    with pytest.raises(ValueError, match="optimizer"):
        Config(optimizer="rmsprop")
    with pytest.raises(ValueError, match="sgd_lr"):
        Config(optimizer="sgd", sgd_lr=0.0)
    for momentum in (1.5, 1.0, -0.1):
        with pytest.raises(ValueError, match="sgd_momentum"):
            Config(optimizer="sgd", sgd_momentum=momentum)


def test_sgd_with_momentum_by_hand():
    theta = np.array([[1.0, -2.0]], np.float32)
    g = np.array([[0.5, 1.0]], np.float32)
    state = sgd_init(theta)
    for _ in range(3):
        theta, state = sgd_step(theta, g, state, lr=0.1, momentum=0.5)
    # m_1 = g, m_2 = 1.5 g, m_3 = 1.75 g; theta_3 = theta_0 - 0.1 * 4.25 g
    assert_allclose(state["m"], 1.75 * g)
    assert_allclose(theta, [[1.0 - 0.2125, -2.0 - 0.425]], rtol=1e-6)
    assert state["t"] == 3 and theta.dtype == np.float32


def _one_update(method, **kwargs):
    """One minibatch of one epoch on a small Harvest batch: (state before, data, config,
    state after, stats); the same seed and data for every optimiser."""
    env = make_env("harvest", num_envs=2, num_agents=3, seed=0, max_steps=12)
    config = Config(method=method, env_steps=64, num_envs=2, num_steps=8, hidden=8,
                    num_minibatches=1, update_epochs=1, seed=3, **kwargs)  # fmt: skip
    state = init_state(env, config)
    data, _ = experience(env, state, config)
    before = {k: np.copy(state[k]) for k in ("theta", "phi")}
    after, stats = ppo.update(state, data, config, config.lr, np.random.default_rng(0))
    return before, data, config, after, stats


def _clipped_direction(theta, shapes, data, config):
    """The learner's clipped actor direction on the whole batch, rebuilt from its parts."""
    weight = data["live"].astype(np.float32)
    weight = weight / weight.sum(axis=1, keepdims=True)
    adv = [ppo._normalise(data[k], weight) for k in ("adv_ind", "adv_col")]
    batch = ppo.Batch(data["x"], data["actions"], data["avail"], data["logp"], *adv, weight)
    terms = surrogate_terms(theta, shapes, batch, config.clip,
                            *methods.needs(config.method, config.hamiltonian))  # fmt: skip
    d, _ = methods.direction(config.method, terms, config)
    d = clip_by_global_norm(d + config.ent_coef * terms.ent_grad, config.max_grad_norm)[0]
    return d, terms


@pytest.mark.parametrize("method", ["aga", "simul-ind"])
def test_sgd_moves_the_actors_along_the_clipped_direction_and_keeps_adam_for_critics(method):
    before, data, config, after, stats = _one_update(method, optimizer="sgd", sgd_lr=0.3)
    d, terms = _clipped_direction(before["theta"], after["actor_shapes"], data, config)
    assert np.linalg.norm(d) > 0
    # first step of SGD with momentum: m = d, theta <- theta - sgd_lr * d
    assert_allclose(after["theta"], before["theta"] - 0.3 * d, rtol=1e-5, atol=1e-7)

    def cos(a, b):
        return np.sum(a * b) / np.linalg.norm(a) / np.linalg.norm(b)

    for k, cols in enumerate(_layer_views(after["actor_shapes"]), start=1):
        assert_allclose(stats[f"step_l{k}"], np.mean(np.abs(0.3 * d[:, cols])), rtol=1e-4)
        # the step is -0.3 d: its cosine with xi is d's
        assert_allclose(stats[f"cos_step_xi_l{k}"], cos(d[:, cols], terms.xi[:, cols]),
                        rtol=1e-4)  # fmt: skip
        if method == "aga":
            assert_allclose(stats[f"cos_step_hvp_l{k}"], cos(d[:, cols], terms.Hv[:, cols]),
                            rtol=1e-4)  # fmt: skip
    _, _, _, adam_after, _ = _one_update(method)  # the same batch under Adam
    assert_allclose(adam_after["phi"], after["phi"])  # critics: Adam either way
    adam_step = np.abs(adam_after["theta"] - before["theta"])
    # Adam's first step is lr * d / (|d| + eps) per coordinate: ~lr wherever |d| >> eps
    big = np.abs(d) > 1e-3
    assert_allclose(adam_step[big], config.lr, rtol=2e-2)


def _layer_views(shapes):
    """Column ranges of each layer, found by writing layer numbers through ``unflatten``."""
    P = sum(int(np.prod(s)) for s in shapes)
    marks = np.zeros((1, P))
    for i, view in enumerate(unflatten(marks, shapes)):
        view[...] = i // 2 + 1
    return [marks[0] == k for k in range(1, len(shapes) // 2 + 1)]


@pytest.mark.parametrize("method, lam", [("aga", 100.0), ("aga", 0.3), ("cga", 2.0)])
def test_instruments_equal_their_definitions_on_the_game(problem, method, lam):
    theta, shapes, batch, game = problem
    w = theta.ravel()
    xi, xi_c, Hc_xic, H_xi = _exact(game, w)
    product = Hc_xic if method == "aga" else H_xi
    terms = surrogate_terms(theta, shapes, batch, CLIP, *methods.needs(method, all_gradients=True))
    _, chosen = methods.direction(method, terms, Config(method=method, lam=lam))
    got = {**chosen, **direction_instruments(terms, shapes)}
    N = theta.shape[0]
    for k, cols in enumerate(_layer_views(shapes), start=1):
        for name, v in (("xi_norm", xi), ("xic_norm", xi_c), ("hvp_norm", product)):
            expected = np.linalg.norm(v.reshape(N, -1)[:, cols])
            assert_allclose(got[f"{name}_l{k}"], expected, rtol=1e-7, err_msg=f"{name}_l{k}")

    def cos(a, b):
        return a @ b / np.linalg.norm(a) / np.linalg.norm(b)

    assert_allclose(got["cos_xi_xic"], cos(xi, xi_c), rtol=1e-7)
    assert_allclose(got["cos_adj_xic"], cos(xi + product, xi_c), rtol=1e-7)
    if method == "aga":
        signed = aga_ref.paper_sign(xi, xi_c, Hc_xic) * abs(lam)
        share = np.mean(np.abs(signed * Hc_xic) > np.abs(xi_c + signed * xi))
    else:
        share = np.mean(np.abs(lam * H_xi) > np.abs(xi))
    assert 0 < share < 1  # the case tells a wrong comparison from a right one
    assert_allclose(got["hvp_dominated_share"], share)


def test_progress_file_has_the_instrument_columns_and_no_hamiltonian_skips_the_product(
    tmp_path, monkeypatch
):
    calls = []
    real = ppo.surrogate_terms

    def spy(*args, **kwargs):
        calls.append(kwargs.get("hvp"))
        return real(*args, **kwargs)

    monkeypatch.setattr(ppo, "surrogate_terms", spy)
    for name, hamiltonian in (("with", True), ("without", False)):
        env = make_env("harvest", num_envs=2, num_agents=3, seed=0, max_steps=12)
        config = Config(method="aga", lam=100.0, hamiltonian=hamiltonian, env_steps=32,
                        num_envs=2, num_steps=8, hidden=8, num_minibatches=2)  # fmt: skip
        calls.clear()
        state, _ = train(env, config, out=str(tmp_path / name), log=lambda *a: None)
        assert calls and set(calls) == {"collective" if hamiltonian else None}
        with open(tmp_path / name / "progress.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        product = {"hvp_dominated_share", "cos_adj_xic"}
        product |= {f"{name}_l{k}" for name in ("hvp_norm", "cos_step_hvp") for k in (1, 2, 3)}
        for column in layer_columns(state["actor_shapes"]) + sorted(product) + ["cos_xi_xic"]:
            # blank exactly where the product was not computed
            assert (rows[-1][column] == "") == (column in product and not hamiltonian), column


def test_resume_with_sgd_equals_an_uninterrupted_run(tmp_path):
    def run(name, **kwargs):
        env = make_env("harvest", num_envs=2, num_agents=3, seed=0, max_steps=12)
        config = Config(method="aga", lam=100.0, optimizer="sgd", env_steps=2 * 8 * 5,
                        num_envs=2, num_steps=8, hidden=8, num_minibatches=2, seed=3)  # fmt: skip
        return train(env, config, out=str(tmp_path / name), **kwargs)

    run("full", log=lambda *a: None)

    def stop_after_three(config, row, rows):
        if row["update"] == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run("cut", log=stop_after_three, checkpoint_every=2)
    run("cut", resume=True, log=lambda *a: None)
    for name in ("full", "cut"):
        with open(tmp_path / name / "progress.csv", newline="") as f:
            rows = [{k: v for k, v in r.items() if k != "wall_s"} for r in csv.DictReader(f)]
        if name == "full":
            full = rows
    assert rows == full


@pytest.mark.parametrize("method", ["simul-ind", "simul-co", "cga", "aga"])
def test_all_gradients_adds_the_unused_gradient_and_changes_no_update(method):
    plain = _one_update(method)
    full = _one_update(method, all_gradients=True)
    assert_allclose(full[3]["theta"], plain[3]["theta"])  # the same step
    assert "cos_xi_xic" in full[4]
    assert ("cos_xi_xic" in plain[4]) == (method == "aga")  # AgA uses both anyway


def test_a_checkpoint_from_before_the_optimizer_choice_still_loads(tmp_path):
    import pickle

    from aga_ref.rl.checkpoint import load_checkpoint

    env = make_env("harvest", num_envs=2, num_agents=3, seed=0, max_steps=12)
    config = Config(env_steps=32, num_envs=2, num_steps=8, hidden=8, num_minibatches=2)
    state, _ = train(env, config, out=str(tmp_path / "new"), log=lambda *a: None)
    path = tmp_path / "new" / "checkpoint.npz"
    with np.load(path) as f:  # rewrite it as the earlier format: Adam's names, no new fields
        arrays = {k.replace("actor_opt_", "actor_adam_"): f[k] for k in f.files}
    rest = pickle.loads(arrays.pop("blob").tobytes())
    rest["adam_t"] = rest.pop("optimizer_t")
    for name in ("hamiltonian", "all_gradients", "optimizer", "sgd_lr", "sgd_momentum"):
        del rest["config"][name]
    old = tmp_path / "old.npz"
    np.savez(old, blob=np.frombuffer(pickle.dumps(rest), dtype=np.uint8), **arrays)
    loaded = load_checkpoint(str(old), config)
    assert_allclose(loaded["actor_opt"]["m"], state["actor_opt"]["m"])
    assert_allclose(loaded["actor_opt"]["v"], state["actor_opt"]["v"])
    assert loaded["actor_opt"]["t"] == state["actor_opt"]["t"] > 0
    with pytest.raises(ValueError, match="optimizer"):  # a changed new field is still refused
        load_checkpoint(str(old), Config(env_steps=32, num_envs=2, num_steps=8, hidden=8,
                                         num_minibatches=2, optimizer="sgd"))  # fmt: skip
