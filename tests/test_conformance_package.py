"""The conformance kit as one package (issue 28, item 5): no import cycle between its
modules, the core imports neither PyTorch nor JAX, and the names of the kit before it became
a package still work."""

import ast
import os
import subprocess
import sys

import aga_ref

FOLDER = os.path.join(os.path.dirname(aga_ref.__file__), "conformance")


def imports_within_the_kit():
    """{module: set of kit modules it imports at its top level} (``aga_ref.conformance.x``)."""
    graph = {}
    for name in sorted(os.listdir(FOLDER)):
        if not name.endswith(".py") or name == "__init__.py":
            continue
        tree = ast.parse(open(os.path.join(FOLDER, name), encoding="utf-8").read())
        found = set()
        for node in tree.body:  # top-level imports only: those can form a cycle
            if isinstance(node, ast.ImportFrom) and node.module == "aga_ref.conformance":
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "aga_ref.conformance."
            ):
                found.add(node.module.split(".")[2])
        graph[name[:-3]] = found
    return graph


def test_the_kit_has_no_import_cycle():
    graph, done = imports_within_the_kit(), []
    while graph:  # peel off modules that import nothing left: a cycle never empties
        free = sorted(m for m, deps in graph.items() if not deps - set(done))
        assert free, f"an import cycle among {sorted(graph)}"
        done += free
        graph = {m: deps for m, deps in graph.items() if m not in free}
    assert {"checking", "games", "ppo", "dynamics", "verify", "torch", "jax"} <= set(done)


def test_the_core_imports_neither_torch_nor_jax():
    code = "import sys, aga_ref; print('torch' in sys.modules, 'jax' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split() == ["False", "False"], done.stderr


def test_the_old_names_still_work():
    from aga_ref.families import game_from_spec  # noqa: F401  (the old module path)
    from aga_ref.verify import main

    assert aga_ref.conformance_ppo is aga_ref.conformance.ppo
    assert aga_ref.conformance_dynamics.cases() == aga_ref.conformance.dynamics.cases()
    assert aga_ref.scales is aga_ref.conformance.scales
    assert main is aga_ref.conformance.verify.main
    assert aga_ref.conformance.check(
        "toy/0", {"xi": aga_ref.conformance.cases()[0]["expected"]["xi"]}
    )
