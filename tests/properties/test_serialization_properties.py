"""Property: every public type survives a JSON round trip, ``loads(dumps(x), type(x)) == x``."""

from __future__ import annotations

import inspect
import json
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from custmodel import (
    AnonymizationReport,
    Blocker,
    Booking,
    BookingMoved,
    BookingRecorded,
    ContactChannel,
    Customer,
    CustomerProfile,
    DistinctMark,
    EffectiveRules,
    Eligibility,
    HostVeto,
    KindChange,
    KindSettings,
    LabelledCode,
    Letter,
    LetterTemplate,
    MarketingChoice,
    MarketingChoicesRecorded,
    MergeDataWritten,
    MergePlan,
    MergeReport,
    MoneyField,
    NewCustomer,
    ProfileFlag,
    RetentionReason,
    RetentionRule,
    RetentionScan,
    RuleSource,
    SalesChannel,
    Selection,
    Settings,
    StatusFlags,
    SweepItem,
    model,
)
from custmodel.model import (
    AccessReport,
    DeparturePeriod,
    ErasureRequestRecorded,
    ErasureStatus,
    ErasureSweep,
    FieldChange,
    HistoryEntry,
    HistoryQuery,
    HistoryStamp,
    MergeRecord,
    RequestRecorded,
    RequestStatus,
    Statistics,
    StatisticsKey,
    StatisticsRow,
    SubjectRequest,
)
from custmodel.serialization import dumps, loads
from custmodel.testing import strategies as cst

#: Every public domain type and the strategy that generates it.
STRATEGIES: dict[type[Any], st.SearchStrategy[Any]] = {
    Customer: cst.customers(),
    NewCustomer: cst.new_customers(),
    Booking: cst.bookings(),
    SalesChannel: cst.sales_channels(),
    Settings: cst.settings(),
    KindSettings: st.integers(1, 10_000_000).flatmap(
        lambda n: cst.kind_settings(template_customer=n, debtor_ranges=True)
    ),
    StatusFlags: cst.status_flags(),
    Selection: cst.selections(),
    Eligibility: cst.eligibilities(),
    Blocker: cst.blockers(),
    HostVeto: cst.host_vetoes(),
    MergePlan: cst.merge_plans(),
    MergeReport: cst.merge_reports(),
    EffectiveRules: cst.effective_rules(),
    RuleSource: cst.rule_sources(),
    KindChange: cst.kind_changes(),
    BookingMoved: cst.bookings_moved(),
    BookingRecorded: cst.bookings_recorded(),
    AnonymizationReport: cst.anonymization_reports(),
    MoneyField: cst.money_fields(),
    MergeRecord: cst.merge_records(),
    SubjectRequest: cst.subject_requests(),
    RequestRecorded: cst.requests_recorded(),
    RequestStatus: cst.request_statuses(),
    AccessReport: cst.access_reports(),
    ErasureRequestRecorded: cst.erasure_requests_recorded(),
    ErasureStatus: cst.erasure_statuses(),
    ErasureSweep: cst.erasure_sweeps(),
    RetentionRule: cst.retention_rules(min_size=1).map(lambda rules: rules[0]),
    RetentionScan: cst.retention_scans(),
    RetentionReason: cst.retention_reasons(),
    SweepItem: cst.sweep_items(),
    CustomerProfile: cst.customer_profiles(),
    ProfileFlag: cst.profile_flags(),
    LabelledCode: cst.labelled_codes(),
    Letter: cst.letters(),
    DeparturePeriod: cst.departure_periods(),
    StatisticsKey: cst.statistics_keys(),
    StatisticsRow: cst.statistics_rows(),
    Statistics: cst.statistics(),
    MarketingChoice: cst.marketing_choices(),
    MarketingChoicesRecorded: cst.marketing_choices_recorded(),
    MergeDataWritten: cst.merge_data_written(),
    FieldChange: cst.field_changes(),
    HistoryEntry: cst.history_entries(),
    HistoryQuery: cst.history_queries(),
    HistoryStamp: cst.history_stamps(),
}


def test_every_public_attrs_type_has_a_strategy() -> None:
    """A new public domain type needs a strategy here (and in the strategies module)."""
    public = {
        obj
        for name in model.__all__
        if inspect.isclass(obj := getattr(model, name)) and attrs.has(obj)
    }

    assert public == set(STRATEGIES)


@pytest.mark.parametrize(
    ("cls", "values"), STRATEGIES.items(), ids=[cls.__name__ for cls in STRATEGIES]
)
@given(data=st.data())
def test_json_round_trip_gives_an_equal_object(
    cls: type[Any], values: st.SearchStrategy[Any], data: st.DataObject
) -> None:
    """loads(dumps(x), type(x)) == x."""
    value = data.draw(values)

    assert value == loads(dumps(value), cls)


@given(cst.distinct_marks())
def test_a_distinct_mark_round_trips(mark: DistinctMark) -> None:
    """A "not a duplicate" mark survives a JSON round trip."""
    assert mark == loads(dumps(mark), DistinctMark)


@given(cst.letter_templates())
def test_a_letter_template_round_trips(template: LetterTemplate) -> None:
    """A parsed template survives a JSON round trip (it lives beside the model types)."""
    assert template == loads(dumps(template), LetterTemplate)


@given(cst.customers())
def test_serialized_timestamps_are_aware_iso_text(customer: Customer) -> None:
    """Timestamps are written as ISO 8601 text with their UTC offset."""
    data = json.loads(dumps(customer))

    assert (customer.created_at.isoformat(), customer.updated_at.isoformat()) == (
        data["created_at"],
        data["updated_at"],
    )


@given(cst.kind_settings())
def test_serialized_dunning_fee_is_a_decimal_string(kind_settings: KindSettings) -> None:
    """The dunning fee is written as its exact two-decimal text."""
    data = json.loads(dumps(kind_settings))

    assert str(kind_settings.dunning_fee) == data["dunning_fee"]


@given(cst.customers())
def test_serialized_objections_are_channel_values_in_declared_order(customer: Customer) -> None:
    """A customer's advertising_objections become the channels' values, always in one order."""
    data = json.loads(dumps(customer))

    assert [c.value for c in ContactChannel if c in customer.advertising_objections] == data[
        "advertising_objections"
    ]
