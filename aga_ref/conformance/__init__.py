"""The conformance kit: check another AgA implementation (PyTorch, JAX, ...) against aga-ref,
quantity by quantity, on fixed cases (docs/verify.md).

Modules, each importing only those above it (no cycle):

    loading      the data files (``aga_ref/data/``), their JSON Schemas, coverage
    comparison   the tolerance rule ``max|o - e| <= atol + rtol S``, ``Report``, the hints
    scales       the sizes ``S`` behind the tolerance, matrix-free
    families     the kit's games rebuilt from their JSON specs (``game_from_spec``)
    games        the games' cases: ``QUANTITIES``, ``reference_outputs``, ``reference_scales``
    ppo          the PPO minibatches' cases
    dynamics     the game-dynamics cases (LA, LOLA, SOS, EG, CGD, LSS)
    checking     ``check`` and ``check_all`` over every kit's case ids
    tags         what each case tag points at when a case fails
    report       the report: table, coverage, failures with tags, float32 line, warning
    verify       the ``aga-ref verify`` command
    formulas     the games and PPO surrogates over a framework's array operations
    runner       the kits' cases as framework objects; a user's function on all of them

and the framework adapters ``aga_ref.conformance.torch`` and ``aga_ref.conformance.jax``
(``formulas`` and ``runner`` with PyTorch's or JAX's operations), imported on their own:
they need PyTorch or JAX. The games' names are this package's too
(``aga_ref.conformance.cases()``, ``check``, ``QUANTITIES``, ...), as they were before the
kit became a package; the old modules ``aga_ref.conformance_ppo``,
``aga_ref.conformance_dynamics``, ``aga_ref.families``, ``aga_ref.scales`` and
``aga_ref.verify`` are the modules ``ppo``, ``dynamics``, ``families``, ``scales``, ``verify``
here.
"""

from aga_ref.conformance import (  # noqa: F401  (the modules are attributes of the package)
    checking,
    comparison,
    dynamics,
    families,
    games,
    loading,
    ppo,
    report,
    scales,
    tags,
    verify,
)
from aga_ref.conformance.checking import _cases_by_id, check, check_all  # noqa: F401
from aga_ref.conformance.comparison import (  # noqa: F401
    ATOL,
    RTOL,
    RTOL_FLOAT32,
    SIGNS,
    Report,
    _compare,
    _mismatch,
    _numeric,
    check_tolerance,
)
from aga_ref.conformance.games import (  # noqa: F401
    ALIGNED_LAMS,
    BASELINE_LAM,
    DATA_PATH,
    QUANTITIES,
    SIGN_RULES,
    UNALIGNED_LAMS,
    VERSION,
    cases,
    coverage,
    load,
    reference_outputs,
    reference_scales,
)
from aga_ref.conformance.loading import SCHEMA_PATH, SUBMISSION_SCHEMA_PATH  # noqa: F401
