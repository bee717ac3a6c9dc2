"""Testing kit for applications built on custmodel (install ``custmodel[testing]``).

* :mod:`custmodel.testing.strategies`: hypothesis strategies for every public type.
* :mod:`custmodel.testing.contract`: the contract suite every store must pass.
* :mod:`custmodel.testing.stateful`: a state machine comparing any store with the memory store.
* :mod:`custmodel.testing.snapshots`: everything a store holds, as one comparable value.
"""

try:
    import pytest
except ImportError:  # pragma: no cover - the suites need pytest; the strategies do not
    pass
else:
    # The suites use plain asserts; pytest explains them only in modules it rewrites, and it
    # rewrites only test modules unless told before the import.
    pytest.register_assert_rewrite("custmodel.testing.contract", "custmodel.testing.stateful")
