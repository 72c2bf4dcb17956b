"""The paper's qualitative claims on our documented protocol, and the main job's smoke test."""

import dataclasses
import os

import numpy as np
import pytest

from figures.protocol import Protocol
from figures.public_goods_runs import run_method, start_points, summary
from figures.reproduce import OUTPUTS, README_END, README_START, update_readme
from figures.toy_common import run
from games.toy import local_social_optimum

PROTOCOL = Protocol()


@pytest.mark.parametrize(
    "method, reaches", [("simul_co", True), ("aga", True), ("simul_ind", False)]
)
def test_toy_claim_only_simul_co_and_aga_reach_the_social_optimum(method, reaches):
    p = PROTOCOL.toy
    trajectory, error = run(
        method, p.w0, p.num_steps, p.eta, **({"lam": p.lam} if method == "aga" else {})
    )
    distance = np.linalg.norm(trajectory[-1] - local_social_optimum()[0])
    assert not error
    assert distance < 0.25 if reaches else distance > 0.5


# 10 of the protocol's 50 runs in the default suite: 2.7 s against 38 s for all 50 (pytest
# --durations, load 5.2-5.7 on 2 cores); the claim held on 10, 16 and 50 runs.
@pytest.mark.parametrize("runs", [10, pytest.param(50, marks=pytest.mark.slow)])
def test_public_goods_claim_aga_beats_simul_ind_and_simul_co(runs):
    p = dataclasses.replace(PROTOCOL.public_goods, num_runs=runs)
    starts = start_points(p, PROTOCOL.seed)
    ours = {k: summary(run_method(k, p, starts)) for k in ("Simul-Ind", "Simul-Co", "AgA")}
    assert ours["AgA"]["SW"][0] > ours["Simul-Ind"]["SW"][0]
    assert ours["AgA"]["SW"][0] > ours["Simul-Co"]["SW"][0]
    assert ours["AgA"]["Equality"][0] >= ours["Simul-Co"]["Equality"][0]


def test_reproduce_quick_writes_every_file_and_the_section_of_docs_results(tmp_path):
    from figures.cli import main

    page = tmp_path / "docs" / "results.md"  # the page the project's results live in
    page.parent.mkdir()
    page.write_text(f"intro\n{README_START}\nold\n{README_END}\nafter\n")
    out = tmp_path / "docs" / "results"
    # a reduced run onto a page needs --overwrite (tests/test_cli_first_use.py)
    assert main(["reproduce", "--quick", "--out", str(out), "--update-readme", str(page),
                 "--overwrite"]) == 0  # fmt: skip
    for name in OUTPUTS:
        assert os.path.getsize(out / name) > 0, name
    text = page.read_text()
    assert "old" not in text and text.startswith("intro") and text.endswith("after\n")
    assert "](results/toy_trajectories.png)" in text  # relative to the page, in docs/
    assert "](toy_trajectories.png)" in (out / "summary.md").read_text()


def test_the_committed_results_are_docs_results_from_a_page_in_docs_or_at_the_root(tmp_path):
    from figures.reproduce import committed_results

    (tmp_path / "docs").mkdir()
    for page in (tmp_path / "README.md", tmp_path / "docs" / "results.md"):
        page.write_text("page\n")
        committed = committed_results(str(page))
        assert os.path.abspath(committed) == str(tmp_path / "docs" / "results"), page


def test_update_readme_refuses_a_readme_without_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("no markers\n")
    with pytest.raises(ValueError, match="results:start"):
        update_readme(str(readme), str(tmp_path), "summary")


@pytest.mark.slow
def test_full_reproduction_matches_the_committed_results(tmp_path):
    """`aga-ref reproduce` regenerates every committed table (docs/results) exactly, except
    the wall-clock compute table. About two minutes: run with `pytest -m slow`."""
    from figures.reproduce import reproduce

    reproduce(str(tmp_path), log=lambda message: None)
    committed = os.path.join(os.path.dirname(__file__), "..", "docs", "results")
    for name in OUTPUTS:
        if name.endswith((".md", ".csv")) and not name.startswith(("compute_table", "summary")):
            with open(os.path.join(committed, name), encoding="utf-8") as f:
                assert (tmp_path / name).read_text() == f.read(), name


def test_update_readme_is_checked_before_the_run_and_links_the_committed_files(tmp_path, capsys):
    from figures.cli import main

    missing = tmp_path / "nowhere" / "README.md"
    assert main(["reproduce", "--quick", "--update-readme", str(missing)]) == 2
    assert "does not exist" in capsys.readouterr().err
    readme = tmp_path / "README.md"
    readme.write_text("no markers\n")
    assert main(["reproduce", "--quick", "--update-readme", str(readme)]) == 2
    assert "results:start" in capsys.readouterr().err
    readme.write_text(f"{README_START}\n{README_END}\n")
    elsewhere = str(tmp_path / "results")
    assert main(["reproduce", "--quick", "--out", elsewhere, "--update-readme", str(readme)]) == 2
    assert "committed results" in capsys.readouterr().err
    assert not os.path.exists(elsewhere)  # refused before running anything
