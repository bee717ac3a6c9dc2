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
profile, letters), ``_merge`` and ``_erasure`` (eligibility, reports and erasure requests).
"""

from __future__ import annotations

from custmodel.model._booking import Booking, BookingMoved, BookingRecorded, SalesChannel
from custmodel.model._checks import (
    MAX_CATEGORIES,
    MAX_LABEL_LENGTH,
    MAX_MONEY,
    MAX_NOTES_LENGTH,
    MAX_NUMBER,
    cents,
    check_lookup_text,
    check_number,
    max_length,
)

# Public helpers the package's own modules use, importable from here as before.
from custmodel.model._checks import shown as shown
from custmodel.model._checks import to_enum as to_enum
from custmodel.model._customer import (
    PERSONAL_FIELDS,
    Customer,
    FieldShape,
    NewCustomer,
    blank_value,
    customer_fields,
    name_search_key,
    search_key,
)
from custmodel.model._erasure import (
    AnonymizationReport,
    Blocker,
    BlockReason,
    Eligibility,
    ErasureRequest,
    ErasureRequestRecorded,
    ErasureState,
    ErasureStatus,
    ErasureSweep,
)
from custmodel.model._flags import STATUS_FLAG_COUNT, StatusFlags
from custmodel.model._flags import check_flag_number as check_flag_number
from custmodel.model._kinds import BookingKind, CustomerKind, CustomerType
from custmodel.model._merge import (
    MAX_MERGE_DUPLICATES,
    MergePlan,
    MergeRecord,
    MergeReport,
    check_merge_duplicates,
)
from custmodel.model._profile import (
    CustomerProfile,
    EffectiveRules,
    KindChange,
    LabelledCode,
    Letter,
    MoneyField,
    ProfileFlag,
    RuleOrigin,
    RuleSource,
)
from custmodel.model._selection import Selection
from custmodel.model._settings import KindSettings, Settings
from custmodel.model._statistics import (
    DeparturePeriod,
    Statistics,
    StatisticsDimension,
    StatisticsKey,
    StatisticsRow,
    StatisticsValue,
    statistics_value,
)

__all__ = [
    "MAX_CATEGORIES",
    "MAX_LABEL_LENGTH",
    "MAX_MERGE_DUPLICATES",
    "MAX_MONEY",
    "MAX_NOTES_LENGTH",
    "MAX_NUMBER",
    "PERSONAL_FIELDS",
    "STATUS_FLAG_COUNT",
    "AnonymizationReport",
    "BlockReason",
    "Blocker",
    "Booking",
    "BookingKind",
    "BookingMoved",
    "BookingRecorded",
    "Customer",
    "CustomerKind",
    "CustomerProfile",
    "CustomerType",
    "DeparturePeriod",
    "EffectiveRules",
    "Eligibility",
    "ErasureRequest",
    "ErasureRequestRecorded",
    "ErasureState",
    "ErasureStatus",
    "ErasureSweep",
    "FieldShape",
    "KindChange",
    "KindSettings",
    "LabelledCode",
    "Letter",
    "MergePlan",
    "MergeRecord",
    "MergeReport",
    "MoneyField",
    "NewCustomer",
    "ProfileFlag",
    "RuleOrigin",
    "RuleSource",
    "SalesChannel",
    "Selection",
    "Settings",
    "Statistics",
    "StatisticsDimension",
    "StatisticsKey",
    "StatisticsRow",
    "StatisticsValue",
    "StatusFlags",
    "blank_value",
    "cents",
    "check_lookup_text",
    "check_merge_duplicates",
    "check_number",
    "customer_fields",
    "max_length",
    "name_search_key",
    "search_key",
    "statistics_value",
]
