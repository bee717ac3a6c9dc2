"""Teach hypothesis custmodel's types, so ``st.from_type(Customer)`` works without an import.

custmodel declares this hook under hypothesis' ``hypothesis`` entry point group, and hypothesis
calls every such hook when it is imported. With ``custmodel[testing]`` installed,
``st.from_type(T)`` (and ``@given`` with type annotations, and ``st.builds`` filling in fields)
draws every public attrs class and enum ``T`` of custmodel from
:mod:`custmodel.testing.strategies`: valid by construction, every field generated.

The hook stays thin: it registers one resolver per type, and the strategies module is imported
only when a resolver first runs. Importing hypothesis therefore does not import the strategies,
and when the strategies module is what imports hypothesis first, the hook does not import it
back half-initialized.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

__all__: list[str] = []

#: Public type (by name in :mod:`custmodel.model` or :mod:`custmodel.letters`) -> how to get its
#: strategy from the strategies module ``cst``.
_STRATEGIES: dict[str, Callable[[Any], SearchStrategy[Any]]] = {
    "AnonymizationReport": lambda cst: cst.anonymization_reports(),
    "BlockReason": lambda cst: cst.block_reasons,
    "Blocker": lambda cst: cst.blockers(),
    "HostVeto": lambda cst: cst.host_vetoes(),
    "Booking": lambda cst: cst.bookings(),
    "BookingKind": lambda cst: cst.booking_kinds,
    "DistinctMark": lambda cst: cst.distinct_marks(),
    "BookingMoved": lambda cst: cst.bookings_moved(),
    "BookingRecorded": lambda cst: cst.bookings_recorded(),
    "ContactChannel": lambda cst: cst.contact_channels,
    # Under drawn settings, so that categories and status flags occur.
    "Customer": lambda cst: cst.settings().flatmap(lambda s: cst.customers(settings=s)),
    "CustomerKind": lambda cst: cst.customer_kinds,
    "CustomerProfile": lambda cst: cst.customer_profiles(),
    "CustomerType": lambda cst: cst.customer_types,
    "DeparturePeriod": lambda cst: cst.departure_periods(),
    "FieldChange": lambda cst: cst.field_changes(),
    "FieldShape": lambda cst: cst.field_shapes,
    "HistoryAction": lambda cst: cst.history_actions,
    "HistoryEntry": lambda cst: cst.history_entries(),
    "HistoryQuery": lambda cst: cst.history_queries(),
    "HistoryStamp": lambda cst: cst.history_stamps(),
    "EffectiveRules": lambda cst: cst.effective_rules(),
    "Eligibility": lambda cst: cst.eligibilities(),
    "AccessReport": lambda cst: cst.access_reports(),
    "RequestKind": lambda cst: cst.request_kinds,
    "RequestRecorded": lambda cst: cst.requests_recorded(),
    "RequestStatus": lambda cst: cst.request_statuses(),
    "SubjectRequest": lambda cst: cst.subject_requests(),
    "ErasureRequestRecorded": lambda cst: cst.erasure_requests_recorded(),
    "ErasureState": lambda cst: cst.erasure_states,
    "ErasureStatus": lambda cst: cst.erasure_statuses(),
    "ErasureSweep": lambda cst: cst.erasure_sweeps(),
    "KindChange": lambda cst: cst.kind_changes(),
    # Template customer and debtor range too, so that every field is generated.
    "KindSettings": lambda cst: _kind_settings(cst),
    "LabelledCode": lambda cst: cst.labelled_codes(),
    "Letter": lambda cst: cst.letters(),
    "MarketingChoice": lambda cst: cst.marketing_choices(),
    "MarketingChoiceKind": lambda cst: cst.marketing_choice_kinds,
    "MarketingChoicesRecorded": lambda cst: cst.marketing_choices_recorded(),
    "MergeDataWritten": lambda cst: cst.merge_data_written(),
    "LetterTemplate": lambda cst: cst.letter_templates(),
    "MergePlan": lambda cst: cst.merge_plans(),
    "MergeRecord": lambda cst: cst.merge_records(),
    "MergeReport": lambda cst: cst.merge_reports(),
    "MoneyField": lambda cst: cst.money_fields(),
    "NewCustomer": lambda cst: cst.settings().flatmap(lambda s: cst.new_customers(settings=s)),
    "ProfileFlag": lambda cst: cst.profile_flags(),
    "Purpose": lambda cst: cst.purposes,
    "Registration": lambda cst: cst.registrations(),
    "RetentionBasis": lambda cst: cst.retention_bases,
    "RetentionReason": lambda cst: cst.retention_reasons(),
    "RetentionRule": lambda cst: cst.retention_rules(min_size=1).map(lambda rules: rules[0]),
    "RetentionScan": lambda cst: cst.retention_scans(),
    "RuleOrigin": lambda cst: cst.rule_origins,
    "RuleSource": lambda cst: cst.rule_sources(),
    "SalesChannel": lambda cst: cst.sales_channels(),
    "Selection": lambda cst: cst.selections(),
    "Settings": lambda cst: cst.settings(),
    "Statistics": lambda cst: cst.statistics(),
    "StatisticsDimension": lambda cst: cst.statistics_dimensions,
    "StatisticsKey": lambda cst: cst.statistics_keys(),
    "StatisticsRow": lambda cst: cst.statistics_rows(),
    "StatusFlags": lambda cst: cst.status_flags(),
    "SweepItem": lambda cst: cst.sweep_items(),
}


def _kind_settings(cst: Any) -> SearchStrategy[Any]:
    from hypothesis import strategies as st

    templates = st.none() | st.integers(1, 10_000_000)
    return templates.flatmap(
        lambda number: cst.kind_settings(template_customer=number, debtor_ranges=True)
    )


def _resolve(cls: type[Any]) -> SearchStrategy[Any]:
    """Return the strategy for ``cls``, importing the strategies module on first use."""
    from custmodel.testing import strategies

    return _STRATEGIES[cls.__name__](strategies)


def _hypothesis_setup_hook() -> None:
    """Register a resolver for every public attrs class and enum of custmodel.

    Called by hypothesis on import, through the ``hypothesis`` entry point.
    """
    from hypothesis import strategies as st

    import custmodel
    from custmodel import letters, model

    for name in _STRATEGIES:
        # A type that a later custmodel renames or drops is skipped: this hook runs on every
        # import of hypothesis and must never break it.
        cls = (
            getattr(model, name, None)
            or getattr(letters, name, None)
            or getattr(custmodel, name, None)
        )
        if isinstance(cls, type):
            st.register_type_strategy(cls, _resolve)
