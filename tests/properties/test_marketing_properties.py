"""Properties of the objection rules: the latest choice decides, merges and anonymization keep
the ledger and the objections in agreement."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from custmodel import ContactChannel, MarketingChoice, MarketingChoiceKind, rules

NOW = datetime(2026, 11, 24, tzinfo=UTC)


@st.composite
def ledgers(draw: st.DrawFn) -> list[MarketingChoice]:
    """Entries of customers 1..3 with running ids."""
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(1, 3),
                st.sampled_from(list(ContactChannel)),
                st.sampled_from(list(MarketingChoiceKind)),
                st.dates(date(2026, 1, 1), date(2026, 1, 10)),
            ),
            max_size=12,
        )
    )
    return [
        MarketingChoice(i + 1, customer, channel, choice, day, NOW, "Brief")
        for i, (customer, channel, choice, day) in enumerate(rows)
    ]


@given(ledgers())
def test_the_latest_choice_per_channel_decides(ledger: list[MarketingChoice]) -> None:
    """A channel is objected to exactly when its latest entry (day, then id) is an objection."""
    for channel in ContactChannel:
        entries = [c for c in ledger if c.channel is channel]
        latest = max(entries, key=lambda c: (c.given_on, c.id), default=None)
        objected = latest is not None and latest.choice is MarketingChoiceKind.OBJECTION
        assert objected == (channel in rules.current_objections(ledger))


@given(ledgers())
def test_a_merge_unites_the_objections_and_keeps_the_ledger_in_agreement(
    ledger: list[MarketingChoice],
) -> None:
    """After a merge into 1 the master objects wherever a party did, as its ledger says."""
    objections, added = rules.merged_objections(1, ledger, NOW)
    parties = [rules.current_objections([c for c in ledger if c.customer == n]) for n in (1, 2, 3)]
    assert frozenset().union(*parties) == objections
    last = len(ledger)
    stored = [
        MarketingChoice(last + i + 1, 1, c.channel, c.choice, c.given_on, NOW, c.source)
        for i, c in enumerate(added)
    ]
    assert objections == rules.current_objections([*ledger, *stored])


@given(ledgers())
def test_anonymization_keeps_what_proves_the_objections(ledger: list[MarketingChoice]) -> None:
    """The kept entries give the same objections, and only objections are kept."""
    mine = [c for c in ledger if c.customer == 1]
    keep, drop = rules.anonymized_ledger(mine)
    kept = [c for c in mine if c.id in keep]
    assert rules.current_objections(mine) == rules.current_objections(kept)
    assert all(c.choice is MarketingChoiceKind.OBJECTION for c in kept)
    assert {c.id for c in mine} == set(keep) | set(drop)
