"""Testing kit for applications built on custmodel (install ``custmodel[testing]``).

* :mod:`custmodel.testing.strategies`: hypothesis strategies for every public type; with the
  kit installed, ``hypothesis.strategies.from_type(Customer)`` uses them without an import.
* :mod:`custmodel.testing.contract`: the contract suite every store must pass.
* :mod:`custmodel.testing.stateful`: a state machine comparing any store with the memory store.
* :mod:`custmodel.testing.snapshots`: everything a store holds, as one comparable value.
* :mod:`custmodel.testing.plugin`: the pytest plugin with the ``custmodel_store``,
  ``custmodel_store_factory`` and ``custmodel_book`` fixtures, active wherever the kit is
  installed.
* :mod:`custmodel.testing.stores`: the ``StoreFactory`` behind them: a new store per call, on
  PostgreSQL and MariaDB in a schema or database of its own, removed afterwards.
"""

import sys

# The suites use plain asserts; pytest explains them only in modules it rewrites, and it
# rewrites only test modules unless told before the import. Under pytest, pytest is imported
# before anything imports this package; elsewhere nothing rewrites, so pytest is not imported
# here: hypothesis loads this package on every import through its entry point.
_pytest = sys.modules.get("pytest")
if _pytest is not None:
    _pytest.register_assert_rewrite("custmodel.testing.contract", "custmodel.testing.stateful")
