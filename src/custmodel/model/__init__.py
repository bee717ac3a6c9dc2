"""Domain objects: customers, bookings, settings and the values rules return.

Everything here is an immutable ``attrs`` class; change one with :func:`attrs.evolve`. Nothing
here does input/output or reads a clock. Validation of single values (flag numbers, money,
timestamps) happens in the classes' validators, so an invalid object cannot be built; rules
that need more than one object (is this category in the kind's list?) live in
:mod:`custmodel.rules`.

Every name is imported from here; the private modules hold one capability each: ``_checks``
(values, limits and their checks), ``_kinds`` (kinds and types), ``_flags`` (status flags),
``_settings`` (settings per kind), ``_customer`` (the customer's fields, declared once in
``CustomerFields``, the draft and the stored customer), ``_booking`` (bookings and sales
channels), ``_selection``, ``_statistics``, ``_profile`` (effective rules, kind changes, the
profile, letters), ``_merge``, ``_erasure`` (eligibility, anonymization, erasure states),
``_requests`` (data-subject requests of every kind), ``_access`` (request states and the
access report), ``_retention`` (retention rules and why a sweep found a customer due),
``_channels`` (contact channels), ``_marketing`` (advertising objections and consents) and
``_history`` (the change history).
"""

from __future__ import annotations

from custmodel.model import (
    _access,
    _booking,
    _channels,
    _checks,
    _customer,
    _erasure,
    _flags,
    _history,
    _kinds,
    _marketing,
    _merge,
    _profile,
    _requests,
    _retention,
    _selection,
    _settings,
    _statistics,
)
from custmodel.model._access import *  # noqa: F403
from custmodel.model._booking import *  # noqa: F403
from custmodel.model._channels import *  # noqa: F403
from custmodel.model._checks import *  # noqa: F403

# Public helpers the package's own modules use, importable from here as before.
from custmodel.model._checks import shown as shown
from custmodel.model._checks import to_enum as to_enum
from custmodel.model._customer import *  # noqa: F403
from custmodel.model._erasure import *  # noqa: F403
from custmodel.model._flags import *  # noqa: F403
from custmodel.model._flags import check_flag_number as check_flag_number
from custmodel.model._history import *  # noqa: F403
from custmodel.model._kinds import *  # noqa: F403
from custmodel.model._marketing import *  # noqa: F403
from custmodel.model._merge import *  # noqa: F403
from custmodel.model._profile import *  # noqa: F403
from custmodel.model._requests import *  # noqa: F403
from custmodel.model._retention import *  # noqa: F403
from custmodel.model._selection import *  # noqa: F403
from custmodel.model._settings import *  # noqa: F403
from custmodel.model._statistics import *  # noqa: F403

__all__: list[str] = []
__all__ += _access.__all__
__all__ += _booking.__all__
__all__ += _channels.__all__
__all__ += _checks.__all__
__all__ += _customer.__all__
__all__ += _erasure.__all__
__all__ += _flags.__all__
__all__ += _history.__all__
__all__ += _kinds.__all__
__all__ += _marketing.__all__
__all__ += _merge.__all__
__all__ += _profile.__all__
__all__ += _requests.__all__
__all__ += _retention.__all__
__all__ += _selection.__all__
__all__ += _settings.__all__
__all__ += _statistics.__all__
