"""The rules of custmodel as pure functions: no input/output, no clock, no storage.

Each function decides one rule of the specification. "Today" and "now" are parameters, so every
rule can be tested for any day. The :class:`custmodel.CustomerBook` facade loads what a rule
needs from the store, asks the rule, and stores the outcome.

Every function is imported from here; each private module holds the rules of one part of the
specification (docs/concepts.md maps each rule to its function, use case, store methods and
contract tests): ``_classification`` (R1, R2, and the prospect's conversion of R4),
``_numbering`` (R4 debtor accounts), ``_templates`` (R5), ``_dunning`` (R6), ``_deposit`` (R7),
``_merge`` (R8), ``_erasure`` (R9), ``_statistics`` and ``_profile`` (R10).
"""

from __future__ import annotations

from custmodel.rules._classification import (
    change_kind,
    check_category,
    check_new_flags,
    check_status,
    convert_prospect,
)
from custmodel.rules._deposit import needs_deposit_prompt
from custmodel.rules._dunning import (
    DUNNING_FEE_FIELD,
    OPEN_AMOUNT_FIELD,
    OPEN_AMOUNT_WITH_FEE_FIELD,
    dunning_fields,
    format_eur,
)
from custmodel.rules._erasure import (
    ANONYMIZED_NAME,
    anonymization_eligibility,
    anonymized,
    due_for_erasure,
    erasure_due,
    erasure_status,
)
from custmodel.rules._merge import (
    check_merge_numbers,
    filled_master,
    folded_erasure_requests,
    plan_merge,
    tombstone,
)
from custmodel.rules._numbering import check_debtor_range, debtor_account
from custmodel.rules._profile import customer_profile
from custmodel.rules._statistics import count_statistics, label_statistics, statistics_dimensions
from custmodel.rules._templates import check_template_customer, effective_rules

__all__ = [
    "ANONYMIZED_NAME",
    "DUNNING_FEE_FIELD",
    "OPEN_AMOUNT_FIELD",
    "OPEN_AMOUNT_WITH_FEE_FIELD",
    "anonymization_eligibility",
    "anonymized",
    "change_kind",
    "check_category",
    "check_debtor_range",
    "check_merge_numbers",
    "check_new_flags",
    "check_status",
    "check_template_customer",
    "convert_prospect",
    "count_statistics",
    "customer_profile",
    "debtor_account",
    "due_for_erasure",
    "dunning_fields",
    "effective_rules",
    "erasure_due",
    "erasure_status",
    "filled_master",
    "folded_erasure_requests",
    "format_eur",
    "label_statistics",
    "needs_deposit_prompt",
    "plan_merge",
    "statistics_dimensions",
    "tombstone",
]
