"""Testing kit for applications built on custmodel (install ``custmodel[testing]``).

* :mod:`custmodel.testing.strategies`: hypothesis strategies for every public type.
* :mod:`custmodel.testing.contract`: the contract suite every store must pass.
* :mod:`custmodel.testing.stateful`: a state machine comparing any store with the memory store.
"""
