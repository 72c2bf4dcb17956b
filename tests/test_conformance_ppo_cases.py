"""The PPO-minibatch conformance cases exercise what they claim (advantages normalised per
agent, reset steps and inactive samples, masks, the clip binding, sign rules that agree and
disagree, FCGrad's 1/N), their scales bound their values, and the data file follows its
schema and docs/verify.md names every quantity and case. The values against an oracle and
``aga-ref verify``: ``test_conformance_ppo.py``."""

import json
import os

import numpy as np
import pytest

from aga_ref import conformance
from tests.ppo_oracle import CASES, IDS, arrays, flat_w, losses


def test_the_cases_exercise_what_they_claim():
    """Advantages normalised per agent over its active samples, a reset step and inactive
    samples (with non-zero advantages, so counting them shows), masks that change the
    log-probabilities, the clip binding on active samples for both advantages, and sign
    rules that agree and that disagree."""
    tags = [set(c["tags"]) for c in CASES]
    for case in CASES:
        mb, eps = arrays(case), case["clip"]
        w = mb["sample_weight"]
        active = w > 0
        for i in range(len(w)):
            assert np.allclose(w[i][active[i]], 1 / active[i].sum(), rtol=1e-6)
            for adv in (mb["adv_ind"][i], mb["adv_col"][i]):
                mean = w[i] @ adv
                assert abs(mean) < 1e-5 and abs(w[i] @ (adv - mean) ** 2 - 1) < 1e-5
        assert not active[:, 0].any() and (~active[:, 1:]).any()  # reset step, inactive
        assert np.all(np.abs(mb["adv_ind"][~active]) + np.abs(mb["adv_col"][~active]) > 0)
        assert (~mb["avail"][active]).any()
        l_i, _ = losses(case)
        masked = losses({**case, "minibatch": {**case["minibatch"], "avail": np.ones_like(
            mb["avail"]).tolist()}})[0]  # fmt: skip
        assert all(abs(a(flat_w(case)) - b(flat_w(case))) > 1e-6 for a, b in zip(l_i, masked))
        rho = ratios(case)
        for adv in (mb["adv_ind"], mb["adv_col"]):
            binding = active & (((adv >= 0) & (rho > 1 + eps)) | ((adv < 0) & (rho < 1 - eps)))
            assert binding.any() and not binding[active].all()
    e = [c["expected"] for c in CASES]
    paper_vs_exact = [x["sign_paper"] != x["sign_exact"] for x in e]
    per_agent = [any(s != x["sign_paper"] for s in x["sign_per_agent"]) for x in e]
    assert any(paper_vs_exact) and not all(paper_vs_exact)
    assert any(per_agent) and not all(per_agent)
    assert any(a and b for a, b in zip(paper_vs_exact, per_agent))
    assert any(x["xic_g"] < 0 for x in e) and any(x["xic_g"] > 0 for x in e)
    assert any(x["xi_g"] + x["g_g"] < 0 for x in e)
    assert {"fcgrad_agree", "fcgrad_behind", "fcgrad_ahead"} <= set().union(*tags)
    for N in (2, 3):  # the 1/N decides behind at some agent, and ahead at another
        for branch_with_n in (True, False):
            assert any(one_over_n_decides(c, branch_with_n) for c in CASES if len(c["sizes"]) == N)
    assert {len(c["sizes"]) for c in CASES} == {2, 3}
    for t, x in zip(tags, e):  # the tags say what the values show
        assert ("xic_g_negative" in t) == (x["xic_g"] < 0)
        assert ("xi_g_plus_g_g_negative" in t) == (x["xi_g"] + x["g_g"] < 0)


def one_over_n_decides(case, behind):
    """True when at some agent of ``case`` with conflicting gradients FCGrad's test
    ``v_col / N >= v_ind`` gives ``behind`` and ``v_col >= v_ind`` the opposite."""
    N, v = len(case["sizes"]), case["values"]
    xi, xi_c = (np.reshape(case["expected"][k], (N, -1)) for k in ("xi", "xi_c"))
    return any(xi[i] @ xi_c[i] < 0 and (v["v_col"][i] / N >= v["v_ind"][i]) == behind
               and (v["v_col"][i] >= v["v_ind"][i]) != behind for i in range(N))  # fmt: skip


def ratios(case):
    """rho (N, S) from the loss functions: exp(logp - old_logp), by its own forward pass."""
    mb, N = arrays(case), len(case["sizes"])
    theta = flat_w(case).reshape(N, -1)
    F, H, A = (case["network"][k] for k in ("num_inputs", "hidden", "num_actions"))
    rows = []
    for i in range(N):
        W1, b1, W2, b2, W3, b3 = np.split(theta[i], np.cumsum([F * H, H, H * H, H, H * A]))
        h = np.tanh(np.tanh(mb["inputs"][i] @ W1.reshape(F, H) + b1) @ W2.reshape(H, H) + b2)
        logits = np.where(mb["avail"][i], h @ W3.reshape(H, A) + b3, -np.inf)
        logp = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
        rows.append(logp[np.arange(len(logp)), mb["actions"][i]])
    return np.exp(np.array(rows) - mb["old_logp"])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_scale_bounds_its_value(case):
    for name, value in case["expected"].items():
        if name in conformance.SIGNS:
            assert name not in case["scale"]
        else:
            assert case["scale"][name] >= np.max(np.abs(value)) > 0


def test_the_data_file_follows_its_schema():
    import jsonschema

    schema = json.load(open(conformance.ppo.SCHEMA_PATH, encoding="utf-8"))
    data = conformance.ppo.load()
    jsonschema.validate(data, schema)
    broken = conformance.ppo.load()
    del broken["cases"][0]["minibatch"]["sample_weight"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_the_verify_page_documents_every_ppo_quantity_and_case():
    with open(
        os.path.join(os.path.dirname(__file__), "..", "docs", "verify.md"), encoding="utf-8"
    ) as f:
        page = f.read()
    for name in conformance.ppo.QUANTITIES:
        assert f"`{name.split('[')[0]}" in page, name
    assert all(f"`{case_id}`" in page for case_id in IDS)
