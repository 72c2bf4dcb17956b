"""A new user's trial of ``aga-ref verify`` and the adapters from docs/verify.md alone:
adapter cases read by key as the core's cases are, the path from the ten-line check to an
``outputs.json`` for ``aga-ref verify``, likely causes that name the tag of a planted bug
first (and no tag the submitted quantities cannot fail on), and the Python adapters naming
their own argument, not the CLI flag. Exit status 2 for unreadable values is in
tests/test_verify_report.py."""

import io
import json
import re

import numpy as np
import pytest

from aga_ref import conformance
from aga_ref.conformance.runner import Case
from figures.cli import main
from tests.test_conformance_adapters import SNIPPETS, snippet

GAMES, PPO = conformance.cases(), conformance.ppo.cases()
PAPER = [f"xi_tilde[sign_rule=paper,lam={lam}]" for lam in (0.1, 1.0)]


def causes(tmp_path, capsys, outputs):
    """``aga-ref verify`` on ``outputs``: (exit status, the likely-causes lines up to the
    cause, ``tag (counts; p)``)."""
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    status = main(["verify", str(path)])
    out = capsys.readouterr().out
    section = out.split("(likely causes)")[1].split("\n\n")[0] if "(likely causes)" in out else ""
    return status, [line.strip().split("): ")[0] + ")" for line in section.splitlines()[1:]]


# 1. cases read by attribute and by key ----------------------------------------------------


def test_a_case_reads_by_attribute_and_by_key():
    case = Case(id="toy/0", tags=["generic"])
    assert case["id"] == case.id == "toy/0" and "tags" in case and "w" not in case
    assert list(case.keys()) == ["id", "tags"]
    with pytest.raises(KeyError, match="a case holds id, tags"):
        case["w"]


def test_the_torch_cases_read_by_key_as_the_core_cases_do():
    pytest.importorskip("torch")
    from aga_ref.conformance import torch as kit

    games, ppo = kit.cases("games")[0], kit.cases("ppo")[0]
    for case, core in ((games, GAMES[0]), (ppo, PPO[0])):
        assert case["id"] == core["id"] and case["losses"] is case.losses
        assert case["l_c"](case["params"]).item() == case.l_c(case.params).item()
    assert "actors" in ppo and "actors" not in games


# 2. from the ten lines to outputs.json to aga-ref verify ----------------------------------


def test_the_documented_outputs_file_passes_verify_and_a_planted_bug_fails(
    tmp_path, capsys, monkeypatch
):
    pytest.importorskip("torch")
    monkeypatch.chdir(tmp_path)
    [write] = [s for s in SNIPPETS if "kit.write_direction_outputs(aga" in s]
    ten_lines = re.sub(r"^assert kit\.check_direction.*$", "", snippet("torch"), flags=re.M)
    planted = ten_lines.replace("xi_c @ g * (xi @ g", "(xi @ g")  # the trial's bug
    assert planted != ten_lines
    for code, status in ((ten_lines, 0), (planted, 1)):
        exec(compile(code + write, "docs/verify.md", "exec"), {"__name__": "docs"})
        assert main(["verify", "outputs.json"]) == status
        out = capsys.readouterr().out
        assert "RESULT: " + ("PASS" if status == 0 else "FAIL") + " (57 cases checked)" in out
    assert "ppo/1  xi_tilde[sign_rule=paper,lam=0.1]: MISMATCH" in out


def test_write_outputs_writes_what_check_reads_and_refuses_a_bad_path(tmp_path):
    torch = pytest.importorskip("torch")
    from aga_ref.conformance import torch as kit

    def xi(case):
        return {"xi": torch.cat([torch.autograd.grad(loss(case["params"]), case["params"][i])[0]
                                 for i, loss in enumerate(case["losses"])])}  # fmt: skip

    path = kit.write_outputs(xi, tmp_path / "xi.json", kits=("games", "dynamics"))
    written = json.loads(path.read_text())
    assert len(written) == 81 and main(["verify", str(path)]) == 0
    with pytest.raises(TypeError, match="path must be a file path .* got int"):
        kit.write_outputs(xi, 3)


def test_the_jax_outputs_file_passes_verify(tmp_path):
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    from aga_ref.conformance import jax as kit

    def xi(case):
        return {"xi": np.concatenate([jax.grad(loss)(case["params"])[i]
                                      for i, loss in enumerate(case["losses"])])}  # fmt: skip

    path = kit.write_outputs(xi, str(tmp_path / "xi.json"))
    assert len(json.loads(open(path).read())) == 31 and main(["verify", path]) == 0


# 3. likely causes: the planted bug's tag first, nothing the quantities cannot fail on -----


def paper_sign_without_xic_g(case):
    """The bug of the trial: sign(<xi, g> + ||g||^2), the paper's sign without <xi_c, g>,
    built from the kit's correct xi, xi_c and g."""
    xi, xi_c, g = (np.array(case["expected"][k]) for k in ("xi", "xi_c", "Hc_xic"))
    s = 1.0 if xi @ g + g @ g >= 0 else -1.0
    return {q: (xi_c + s * lam * (xi + g)).tolist() for q, lam in zip(PAPER, (0.1, 1.0))}


def test_a_sign_without_xic_g_is_traced_to_its_tags_first(tmp_path, capsys):
    """docs/verify.md, "The report", quotes these lines."""
    q = PAPER[0]
    games_only = {c["id"]: paper_sign_without_xic_g(c) for c in GAMES}
    near_unstable = f"near_unstable ({q}: failed at 3 of its 3 cases, 12 of the 28 others; p = 0.1)"
    assert causes(tmp_path, capsys, games_only) == (1, [near_unstable])
    both = {c["id"]: paper_sign_without_xic_g(c) for c in GAMES + PPO}
    xic_g = f"xic_g_negative ({q}: failed at 21 of its 21 cases, 0 of the 5 others; p = 1.5e-05)"
    assert causes(tmp_path, capsys, both) == (1, [xic_g, near_unstable])  # no reset_step etc.


def sga(case, divisor):
    """SGA's direction from the kit's xi, H xi and H^T xi, its sign divided by ``divisor``."""
    xi, H_xi, Ht_xi = (np.array(case["expected"][k]) for k in ("xi", "H_xi", "Ht_xi"))
    At_xi = (Ht_xi - H_xi) / 2  # A^T xi, A = (H - H^T) / 2
    s = 1.0 if (xi @ Ht_xi) * (At_xi @ Ht_xi) / divisor + 0.1 >= 0 else -1.0
    return (xi + s * At_xi).tolist()


def test_sgas_sign_divided_by_n_is_traced_to_sga_dimension(tmp_path, capsys):
    key = "sga[lam=1.0,eps=0.1]"
    for case in GAMES:  # the formula is right when it divides by D
        e = np.array(case["expected"][key])
        assert np.allclose(sga(case, len(e)), e, rtol=1e-9, atol=1e-12), case["id"]
    outputs = {c["id"]: {**c["expected"], key: sga(c, len(c["game"]["sizes"]))} for c in GAMES}
    line = "sga_dimension (sga[lam=1.0,eps=0.1]: failed at 2 of its 3 cases, 0 of the 28 others; "
    assert causes(tmp_path, capsys, outputs) == (1, [line + "p = 0.0065)"])


def test_a_tag_on_every_failing_and_passing_case_is_not_a_cause():
    from aga_ref.conformance.tags import ranked_causes

    tags = {f"ppo/{k}": ["masked", "xic_g_negative" if k < 3 else "agree"] for k in range(6)}
    pairs = [(f"ppo/{k}", "sign_paper", k < 3) for k in range(6)]
    [line] = ranked_causes(pairs, tags)
    assert line.startswith("xic_g_negative (sign_paper: failed at 3 of its 3 cases, 0 of the 3 "
                           "others; p = 0.05)")  # fmt: skip
    assert ranked_causes([(c, "fcgrad[beta=0.8]", f) for c, _, f in pairs], tags) == []


# 4. the Python adapters name their argument, not the CLI flag ------------------------------


def test_the_adapters_warning_names_require_all_true():
    pytest.importorskip("torch")
    from aga_ref.conformance import torch as kit

    expected = {c["id"]: c["expected"]["xic_xic"] for c in GAMES}

    def xic_xic(case):  # one quantity of 23: a gap
        return {"xic_xic": expected[case.id]}

    out = io.StringIO()
    assert kit.check(xic_xic, out=out)
    assert "require_all=True to fail on a gap" in out.getvalue()
    assert "--require-all" not in out.getvalue()
    out = io.StringIO()
    assert not kit.check(xic_xic, require_all=True, out=out)
    assert "require_all=True: the submission does not cover" in out.getvalue()
