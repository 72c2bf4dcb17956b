"""The PPO-minibatch conformance cases against an independent oracle, what each case claims to
exercise, and ``aga-ref verify`` against a correct and five planted-wrong implementations.

The oracle shares no code with ``aga_ref.rl``: the actors and PPO's clipped surrogates are
written below anew (``min(rho A, clip(rho) A)``, masks as a product instead of a -1e9
logit), every derivative is a finite difference of their values, and the AgA quantities are
the formulas written out. A second implementation, as a user would write one (the same
losses in ``autograd.numpy``, ``aga_ref.Game(..., collective=l_c)``), passes ``aga-ref
verify``; each planted bug in it turns verify red on the quantities it touches."""

import json
import os

import autograd.numpy as anp
import numpy as np
import pytest

import aga_ref
from aga_ref import conformance
from aga_ref import finite_diff as fd
from aga_ref.conformance.verify import main as verify
from aga_ref.rl.reference import reference_terms

CASES = conformance.ppo.cases()
IDS = [c["id"] for c in CASES]


def sign(x):
    return 1.0 if x >= 0 else -1.0


def arrays(case):
    """The minibatch as float64 / int / bool arrays (N, S, ...)."""
    mb = {k: np.asarray(v) for k, v in case["minibatch"].items()}
    mb["avail"] = mb["avail"].astype(bool)
    return mb


def losses(case, bug=None):
    """(l_i for each agent, l_c) as functions of the flat w (D,), from the layout of
    docs/verify.md. ``bug`` plants a user's mistake in the losses."""
    net, mb, eps = case["network"], arrays(case), case["clip"]
    N, F, H, A = (net[k] for k in ("num_agents", "num_inputs", "hidden", "num_actions"))
    cuts = np.cumsum([F * H, H, H * H, H, H * A])
    weight = mb["sample_weight"]
    if bug == "inactive_counted":  # every sample counted, active or not
        weight = np.full_like(weight, 1.0 / weight.shape[1])

    def logp(w):  # (N, S): log pi_i(a | x) with the unavailable actions removed
        rows = []
        for i, theta in enumerate(anp.reshape(w, (N, -1))):
            W1, b1, W2, b2, W3, b3 = anp.split(theta, cuts)
            h = anp.tanh(anp.dot(mb["inputs"][i], anp.reshape(W1, (F, H))) + b1)
            h = anp.tanh(anp.dot(h, anp.reshape(W2, (H, H))) + b2)
            logits = anp.dot(h, anp.reshape(W3, (H, A))) + b3  # (S, A)
            taken = anp.sum(logits * (np.arange(A) == mb["actions"][i][:, None]), axis=1)
            rows.append(taken - anp.log(anp.sum(anp.exp(logits) * mb["avail"][i], axis=1)))
        return anp.stack(rows)

    def J(w, adv):  # PPO's clipped objective of every agent (N,)
        rho = anp.exp(logp(w) - mb["old_logp"])
        return anp.sum(weight * anp.minimum(rho * adv, anp.clip(rho, 1 - eps, 1 + eps) * adv), 1)

    l_i = [lambda w, i=i: -J(w, mb["adv_ind"])[i] for i in range(N)]
    collective = mb["adv_ind"] if bug == "individual_in_lc" else mb["adv_col"]
    share = 1.0 / N if bug == "mean_in_lc" else 1.0
    return l_i, lambda w: -share * anp.sum(J(w, collective))


def quantities(case, xi, xi_c, g, Ht_xi, bug=None):
    """Every quantity of the kit from ``xi``, ``xi_c``, ``g = H_c^T xi_c`` and ``H^T xi``,
    the formulas of docs/verify.md written out (``bug="sign_xi_xi"``: the paper's sign
    with ``<xi, xi>`` in place of ``<xi, g>``)."""
    N, P = len(case["sizes"]), case["sizes"][0]
    blocks = [slice(i * P, (i + 1) * P) for i in range(N)]
    adj = xi + g

    def paper(b):
        inner = xi[b] @ xi[b] if bug == "sign_xi_xi" else xi[b] @ g[b]
        return sign(xi_c[b] @ g[b] * (inner + g[b] @ g[b]))

    s = {"paper": paper(slice(None)),
         "exact": sign(xi_c @ g * (adj @ g * (xi_c @ xi_c) - xi_c @ g * (xi_c @ adj)))}  # fmt: skip
    per_agent = np.array([paper(b) for b in blocks])
    s["per_agent"] = np.repeat(per_agent, P)
    out = {"xi": xi, "xi_c": xi_c, "Hc_xic": g, "Ht_xi": Ht_xi, "xic_g": xi_c @ g,
           "xi_g": xi @ g, "g_g": g @ g, "xic_xic": xi_c @ xi_c, "xic_adj": xi_c @ adj,
           "sign_paper": s["paper"], "sign_exact": s["exact"], "sign_per_agent": per_agent,
           "cga[lam=1.0]": xi + Ht_xi}  # fmt: skip
    for rule in ("paper", "exact", "per_agent"):
        for lam in (0.1, 1.0):
            out[f"xi_tilde[sign_rule={rule},lam={lam}]"] = xi_c + s[rule] * lam * adj
    for lam in (0.1, -0.5):
        out[f"xi_tilde[align=False,lam={lam}]"] = xi_c + lam * adj
    fcgrad = []  # Kim & Sycara (2025), Algorithm 1, agent by agent
    v_ind, v_col = (np.asarray(case["values"][k]) for k in ("v_ind", "v_col"))
    for i, b in enumerate(blocks):
        gi, gc = xi[b], xi_c[b]
        if gi @ gc >= 0:
            fcgrad.append(0.2 * gi + 0.8 * gc)
        elif v_col[i] / (1 if bug == "fcgrad_no_one_over_n" else N) >= v_ind[i]:
            fcgrad.append(gi - (gi @ gc) / (gc @ gc) * gc)
        else:
            fcgrad.append(gc - (gc @ gi) / (gi @ gi) * gi)
    out["fcgrad[beta=0.8]"] = np.concatenate(fcgrad)
    return out


def flat_w(case):
    N = len(case["sizes"])
    layers = [np.reshape(case["weights"][k], (N, -1)) for k in ("W1", "b1", "W2", "b2", "W3", "b3")]
    return np.concatenate(layers, axis=1).ravel()


def fd_oracle(case):
    """Every quantity from finite differences of the loss values."""
    l_i, l_c = losses(case)
    w, P = flat_w(case), case["sizes"][0]
    blocks = [range(i * P, (i + 1) * P) for i in range(len(l_i))]
    xi = np.concatenate([fd.fd_gradient(loss, w, indices=b) for loss, b in zip(l_i, blocks)])
    xi_c = fd.fd_gradient(l_c, w)
    g = fd.fd_hvp(l_c, w, xi_c)  # H_c is a Hessian, so H_c^T xi_c = H_c xi_c
    own = [np.where(np.isin(np.arange(w.size), b), xi, 0.0) for b in blocks]
    Ht_xi = sum(fd.fd_hvp(loss, w, v) for loss, v in zip(l_i, own))  # sum_i hess(l_i) P_i xi
    return quantities(case, xi, xi_c, g, Ht_xi)


def near(value, oracle):
    """Within the finite differences' accuracy (as tests/test_conformance.py allows)."""
    e = np.asarray(oracle)
    return np.max(np.abs(np.asarray(value) - e)) <= 1e-5 * max(np.max(np.abs(e)), 1e-3)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_expected_values_match_the_finite_difference_oracle(case):
    expected = fd_oracle(case)
    assert set(expected) == set(case["expected"]) == set(conformance.ppo.QUANTITIES)
    for name, value in expected.items():
        e, stored = np.asarray(value), np.asarray(case["expected"][name])
        if name.startswith("sign"):
            np.testing.assert_array_equal(stored, e, err_msg=name)
        else:
            assert near(stored, e), name


def user_outputs(case, bug=None):
    """A user's implementation: autograd through the losses above, ``aga_ref.Game`` with
    an explicit collective loss; ``bug`` plants one mistake."""
    l_i, l_c = losses(case, bug)
    game = aga_ref.Game(l_i, case["sizes"], collective=l_c)
    lin = aga_ref.linearize(game, flat_w(case))
    g = lin.Hc_v(lin.xi if bug == "product_on_xi" else lin.xi_c)
    out = quantities(case, lin.xi, lin.xi_c, g, lin.Ht_v(lin.xi), bug)
    return {k: (np.asarray(v).tolist() if np.ndim(v) else float(v)) for k, v in out.items()}


def run_verify(tmp_path, capsys, outputs, *flags):
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    status = verify([str(path), *flags])
    return status, capsys.readouterr().out


def failed(text):
    """{(case id, quantity)} of the failure lines of verify's output."""
    lines = text.split("\nFailures:\n")[1].split("\n\n")[0].splitlines() if (
        "\nFailures:\n" in text) else []  # fmt: skip
    return {tuple(line.split(":")[0].split()) for line in lines}


def test_a_users_autograd_implementation_passes_verify(tmp_path, capsys):
    outputs = {c["id"]: user_outputs(c) for c in CASES}
    status, text = run_verify(tmp_path, capsys, outputs, "--require-all")
    assert status == 0, text
    assert f"Coverage: {len(CASES)} of {len(CASES)} cases" in text and "(PPO minibatches)" in text


TAGGED = {t: {c["id"] for c in CASES if t in c["tags"]}
          for t in ("xi_g_plus_g_g_negative", "fcgrad_one_over_n")}  # fmt: skip
BUGS = {  # bug: quantities that must fail on some case, quantities that must pass on all
    "sign_xi_xi": ({"sign_paper", "xi_tilde[sign_rule=paper,lam=0.1]"}, {"xi", "xi_c", "Hc_xic"}),
    "individual_in_lc": ({"xi_c", "Hc_xic", "xic_g"}, {"xi", "Ht_xi", "cga[lam=1.0]"}),
    "product_on_xi": ({"Hc_xic", "xic_g", "xi_tilde[align=False,lam=0.1]"}, {"xi", "xi_c"}),
    "mean_in_lc": ({"xi_c", "Hc_xic", "fcgrad[beta=0.8]"}, {"xi", "Ht_xi"}),
    "inactive_counted": ({"xi", "xi_c", "Hc_xic", "Ht_xi"}, set()),
    "fcgrad_no_one_over_n": ({"fcgrad[beta=0.8]"}, {"xi", "xi_c", "sign_paper"}),
}


@pytest.mark.parametrize("bug", BUGS)
def test_each_planted_bug_fails_verify_naming_the_quantity(bug, tmp_path, capsys):
    outputs = {c["id"]: user_outputs(c, bug) for c in CASES}
    status, text = run_verify(tmp_path, capsys, outputs)
    must_fail, must_pass = BUGS[bug]
    bad = failed(text)
    assert status == 1 and "RESULT: FAIL" in text
    assert must_fail <= {q for _, q in bad}, (must_fail, bad)
    assert not must_pass & {q for _, q in bad}, bad
    if bug == "sign_xi_xi":  # caught exactly where <xi, g> + ||g||^2 < 0
        assert {c for c, q in bad if q == "sign_paper"} == TAGGED["xi_g_plus_g_g_negative"]
    if bug == "mean_in_lc":
        assert "(1/n for n = 2 players): a mean where the kit sums?" in text
        assert "(1/n for n = 3 players): a mean where the kit sums?" in text
    if bug == "fcgrad_no_one_over_n":  # issue 28, item 3: it passed all 8 cases of v1
        assert {c for c, _ in bad} == TAGGED["fcgrad_one_over_n"] != set()
        assert "fcgrad_one_over_n: FCGrad's branch is decided by the 1/N" in text


def test_the_learners_own_terms_in_float32_pass_the_float32_tolerance(tmp_path, capsys):
    """The surrogate's terms in float32 (the learner's training precision) and the formulas
    in float32 are within the kit's float32 tolerance: the scales leave room for rounding."""
    from aga_ref.rl.policy import layer_shapes
    from aga_ref.rl.reference import as_batch, flatten_weights, network_sizes
    from aga_ref.rl.surrogate import surrogate_terms

    outputs = {}
    for case in CASES:
        sizes = network_sizes(case["weights"])
        b = as_batch(arrays(case), sizes)
        b32 = type(b)(*[a if a is None or a.dtype.kind != "f" else a.astype(np.float32) for a in b])
        theta = flatten_weights(case["weights"]).astype(np.float32)
        shapes = layer_shapes(*sizes[1:])
        col = surrogate_terms(theta, shapes, b32, case["clip"], hvp="collective")
        ind = surrogate_terms(theta, shapes, b32, case["clip"], hvp="individual")
        out = quantities(case, *(a.ravel() for a in (col.xi, col.xi_c, col.Hv, ind.Hv)))
        assert out["xi"].dtype == np.float32
        outputs[case["id"]] = {k: (np.asarray(v, np.float64).tolist() if np.ndim(v) else float(v))
                               for k, v in out.items()}  # fmt: skip
    status, text = run_verify(tmp_path, capsys, outputs, "--rtol", str(conformance.RTOL_FLOAT32))
    assert status == 0, text
    status, text = run_verify(tmp_path, capsys, outputs)  # the float64 default: named
    assert status == 1 and "Looks like float32: every failure has an error between" in text


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_reference_terms_gives_the_stored_values(case):
    values = (case["values"]["v_ind"], case["values"]["v_col"])
    out = reference_terms(case["weights"], arrays(case), case["clip"], values=values)
    assert conformance.check(case["id"], out), conformance.check(case["id"], out)


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


def test_one_submission_holds_both_kits_and_coverage_is_per_kit(tmp_path, capsys):
    game = conformance.cases()[0]
    outputs = {game["id"]: {"xi": game["expected"]["xi"]},
               CASES[0]["id"]: {"xi": CASES[0]["expected"]["xi"]}}  # fmt: skip
    status, text = run_verify(tmp_path, capsys, outputs)
    assert status == 0 and "(the games)" in text and "(PPO minibatches)" in text
    assert "RESULT: PASS (2 cases checked)" in text
    full = {c["id"]: c["expected"] for c in CASES}
    assert run_verify(tmp_path, capsys, full, "--require-all")[0] == 0  # the PPO kit alone
    del full[IDS[0]]["fcgrad[beta=0.8]"]
    status, text = run_verify(tmp_path, capsys, full, "--require-all")
    assert status == 1 and "not given in any case" not in text.split("Failures")[0]


def test_an_unknown_quantity_lists_the_ppo_names():
    text = str(conformance.check(IDS[0], {"H_xi": [0.0]}))
    assert "unknown quantity" in text and "fcgrad[beta=0.8]" in text and "sga[" not in text


def test_the_data_file_follows_its_schema():
    import jsonschema

    schema = json.load(open(conformance.ppo.SCHEMA_PATH, encoding="utf-8"))
    data = conformance.ppo.load()
    jsonschema.validate(data, schema)
    broken = conformance.ppo.load()
    del broken["cases"][0]["minibatch"]["sample_weight"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_the_oracle_tells_the_planted_bugs_from_the_stored_values():
    """The finite-difference oracle is no rubber stamp: on one case, each planted bug's
    values differ from it beyond the tolerance the oracle test allows."""
    case = next(
        c for c in CASES if {"xi_g_plus_g_g_negative", "fcgrad_one_over_n"} <= set(c["tags"])
    )
    expected = fd_oracle(case)

    def matches(outputs):
        return all(near(value, expected[name]) for name, value in outputs.items())

    assert matches(user_outputs(case))
    assert not any(matches(user_outputs(case, bug)) for bug in BUGS)


def test_the_verify_page_documents_every_ppo_quantity_and_case():
    with open(
        os.path.join(os.path.dirname(__file__), "..", "docs", "verify.md"), encoding="utf-8"
    ) as f:
        page = f.read()
    for name in conformance.ppo.QUANTITIES:
        assert f"`{name.split('[')[0]}" in page, name
    assert all(f"`{case_id}`" in page for case_id in IDS)
