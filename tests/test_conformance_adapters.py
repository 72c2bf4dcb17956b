"""The framework adapters (``aga_ref.conformance.torch`` and ``.jax``): the ten-line checks
that open docs/verify.md run as they stand and catch planted bugs, and the adapters' games
and PPO surrogates (``aga_ref.conformance.formulas``, a second implementation) equal the
NumPy ones on every case of the three kits, in value and gradient. Skipped without torch
or JAX."""

import io
import os
import re

import numpy as np
import pytest
from autograd import grad

from aga_ref.conformance import families
from aga_ref.rl import surrogate_game

PAGE = os.path.join(os.path.dirname(__file__), "..", "docs", "verify.md")
SNIPPETS = re.findall(r"^```py\n(.*?)^```", open(PAGE, encoding="utf-8").read(), re.S | re.M)
KITS = ("games", "ppo", "dynamics")


def snippet(framework, function="def aga("):
    """The block of docs/verify.md that imports this framework's adapter and defines
    ``function`` ("In ten lines": ``aga``; "A direction from an optimiser")."""
    adapter = f"from aga_ref.conformance import {framework} as"
    [code] = [s for s in SNIPPETS if adapter in s and function in s]
    return code


def run(code):
    exec(compile(code, "docs/verify.md", "exec"), {"__name__": "docs"})


def numpy_game(case, to_numpy):
    """The NumPy game and point of an adapter case: ``families`` or the learner's surrogate."""
    if case.spec["family"] == "ppo_minibatch":
        weights = {k: np.stack([to_numpy(w[k]) for w in case.weights]) for k in case.weights[0]}
        minibatch = {k: to_numpy(v) for k, v in case.minibatch.items()}
        return surrogate_game(weights, minibatch, case.clip)
    w = np.concatenate([to_numpy(p) for p in case.params])  # (D,)
    return families.game_from_spec(case.spec), w


def assert_same_as_numpy(case, value_and_grads, to_numpy):
    """Each l_i and l_c of ``case``, value and gradient over all parameters: ours vs NumPy."""
    game, w = numpy_game(case, to_numpy)
    collective = game.explicit_collective or (lambda v: sum(loss(v) for loss in game.losses))
    for name, ours, theirs in [*((f"l_{i}", l, n) for i, (l, n) in
                                 enumerate(zip(case.losses, game.losses))),
                               ("l_c", case.l_c, collective)]:  # fmt: skip
        value, gradient = value_and_grads(ours, case.params)
        scale = 1.0 + float(np.max(np.abs(grad(theirs)(w))))
        assert abs(value - theirs(w)) <= 1e-12 * (1 + abs(theirs(w))), (case.id, name)
        assert np.max(np.abs(gradient - grad(theirs)(w))) <= 1e-12 * scale, (case.id, name)


# PyTorch ---------------------------------------------------------------------------------


def torch_value_and_grads(loss, params):
    import torch

    value = loss(params)  # l_i depends on its own block only on the PPO minibatches
    gradient = torch.autograd.grad(value, params, allow_unused=True, materialize_grads=True)
    return value.item(), torch.cat(gradient).numpy()


@pytest.mark.parametrize("kit", KITS)
def test_the_torch_games_equal_the_numpy_games(kit):
    pytest.importorskip("torch")
    from aga_ref.conformance import torch as adapter

    for case in adapter.cases(kit):
        assert_same_as_numpy(case, torch_value_and_grads, adapter.to_numpy)


def test_the_torch_ten_lines_pass_and_a_planted_bug_fails(capsys):
    pytest.importorskip("torch")
    code = snippet("torch")
    run(code)
    assert "RESULT: PASS (57 cases checked)" in capsys.readouterr().out
    planted = code.replace("xi_c @ g * (xi @ g + g @ g)", "(xi @ g + g @ g)")  # <xi_c, g> lost
    assert planted != code
    with pytest.raises(AssertionError):
        run(planted)
    out = capsys.readouterr().out
    assert "ppo/1  xi_tilde[sign_rule=paper,lam=0.1]: MISMATCH" in out


def test_the_direction_taken_from_an_optimiser_step_passes(capsys):
    """docs/verify.md, "A direction from an optimiser": the parameter change over lr."""
    pytest.importorskip("torch")
    code = snippet("torch", "def direction_from_step(")
    run(code)
    assert "RESULT: PASS (57 cases checked)" in capsys.readouterr().out
    with pytest.raises(AssertionError):  # the change without the minus sign: caught
        run(code.replace("(b - p.detach())", "(p.detach() - b)"))


def test_the_torch_actors_hold_the_case_weights():
    torch = pytest.importorskip("torch")
    from aga_ref.conformance import torch as adapter
    from aga_ref.conformance.formulas import actor_logits

    case = adapter.cases("ppo")[0]
    x = case.minibatch["inputs"][0]  # (S, F)
    ops = adapter.ops()
    with torch.no_grad():
        ours = actor_logits(case.params[0], x, case.network, ops)
        assert torch.allclose(case.actors[0](x), ours, rtol=0, atol=1e-14)


def test_torch_float32_outputs_are_flagged_where_float64_was_asked():
    pytest.importorskip("torch")
    from aga_ref.conformance import torch as adapter

    def xi_c_in_float32(case):
        import torch

        return {"xi_c": torch.cat(torch.autograd.grad(case.l_c(case.params), case.params)).float()}

    out = io.StringIO()
    assert not adapter.check(xi_c_in_float32, out=out)
    assert "float32 values where float64 was asked for (xi_c)" in out.getvalue()


def test_torch_float32_on_purpose_passes_at_the_float32_tolerance():
    torch = pytest.importorskip("torch")
    from aga_ref.conformance import torch as adapter

    def xi(case):  # every kit has xi
        blocks = [torch.autograd.grad(loss(case.params), case.params[i])[0]
                  for i, loss in enumerate(case.losses)]  # fmt: skip
        assert blocks[0].dtype == torch.float32
        return {"xi": torch.cat(blocks)}

    out = io.StringIO()
    assert adapter.check(xi, kits=KITS, dtype=torch.float32, out=out), out.getvalue()


def test_the_runner_refuses_unknown_kits_and_sign_rules():
    pytest.importorskip("torch")
    from aga_ref.conformance import torch as adapter

    with pytest.raises(ValueError, match="kits must be names among"):
        adapter.check(lambda case: {}, kits="game")
    with pytest.raises(ValueError, match="sign_rules must be among"):
        adapter.check_direction(lambda *a: None, sign_rules=["exakt"])


# JAX -------------------------------------------------------------------------------------


def jax_value_and_grads(loss, params):
    import jax

    value, gradient = jax.value_and_grad(loss)(params)
    return float(value), np.concatenate([np.asarray(g) for g in gradient])


@pytest.fixture
def jax64():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    yield jax


@pytest.mark.parametrize("kit", KITS)
def test_the_jax_games_equal_the_numpy_games(kit, jax64):
    from aga_ref.conformance import jax as adapter

    for case in adapter.cases(kit):
        assert_same_as_numpy(case, jax_value_and_grads, np.asarray)


# About 50 s on the busy 2-core machine, nearly all of it XLA compiling each new shape (a
# subset of the cases costs as much: their shapes differ). In the default suite the same
# runner and cases are checked by test_the_torch_ten_lines_pass_and_a_planted_bug_fails, the
# JAX cases by test_the_jax_games_equal_the_numpy_games, the JAX check by the next test.
@pytest.mark.slow
def test_the_jax_ten_lines_pass(jax64, capsys):
    run(snippet("jax"))
    assert "RESULT: PASS (57 cases checked)" in capsys.readouterr().out


def test_jax_without_float64_is_flagged(jax64):
    from aga_ref.conformance import jax as adapter

    def xi(case):  # as a user who forgot jax_enable_x64 would compute it
        return {"xi": np.concatenate([np.float32(jax64.grad(loss)(case.params)[i])
                                      for i, loss in enumerate(case.losses)])}  # fmt: skip

    out = io.StringIO()
    assert not adapter.check(xi, out=out)
    assert "float32 values where float64 was asked for (xi)" in out.getvalue()
