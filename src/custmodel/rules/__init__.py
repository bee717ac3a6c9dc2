"""The rules of custmodel as pure functions: no input/output, no clock, no storage.

Each function decides one rule of the specification. "Today" and "now" are parameters, so every
rule can be tested for any day. The :class:`custmodel.CustomerBook` facade loads what a rule
needs from the store, asks the rule, and stores the outcome.

Every function is imported from here; each private module holds the rules of one part of the
specification (docs/concepts.md maps each rule to its function, use case, store methods and
contract tests): ``_classification`` (R1, R2, and the prospect's conversion of R4),
``_numbering`` (R4 debtor accounts), ``_templates`` (R5), ``_dunning`` (R6), ``_deposit`` (R7),
``_merge`` (R8), ``_erasure`` and ``_retention`` (R9), ``_requests`` (the answer deadline of
every data-subject request), ``_marketing`` (objections to advertising), ``_history`` (what a
change records), ``_statistics`` and ``_profile`` (R10).
"""

from __future__ import annotations

from custmodel.rules import (
    _classification,
    _deposit,
    _dunning,
    _erasure,
    _history,
    _marketing,
    _merge,
    _numbering,
    _profile,
    _requests,
    _retention,
    _statistics,
    _templates,
)
from custmodel.rules._classification import *  # noqa: F403
from custmodel.rules._deposit import *  # noqa: F403
from custmodel.rules._dunning import *  # noqa: F403
from custmodel.rules._erasure import *  # noqa: F403
from custmodel.rules._history import *  # noqa: F403
from custmodel.rules._marketing import *  # noqa: F403
from custmodel.rules._merge import *  # noqa: F403
from custmodel.rules._numbering import *  # noqa: F403
from custmodel.rules._profile import *  # noqa: F403
from custmodel.rules._requests import *  # noqa: F403
from custmodel.rules._retention import *  # noqa: F403
from custmodel.rules._statistics import *  # noqa: F403
from custmodel.rules._templates import *  # noqa: F403

__all__: list[str] = []
__all__ += _classification.__all__
__all__ += _deposit.__all__
__all__ += _dunning.__all__
__all__ += _erasure.__all__
__all__ += _history.__all__
__all__ += _marketing.__all__
__all__ += _merge.__all__
__all__ += _numbering.__all__
__all__ += _profile.__all__
__all__ += _requests.__all__
__all__ += _retention.__all__
__all__ += _statistics.__all__
__all__ += _templates.__all__
