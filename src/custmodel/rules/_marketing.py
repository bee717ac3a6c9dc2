"""Advertising objections and consents (GDPR Art. 21, 7): what holds now, after a merge and
after anonymization."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from custmodel.model._channels import ContactChannel
from custmodel.model._marketing import MarketingChoice, MarketingChoiceKind

__all__ = ["anonymized_ledger", "current_objections", "merged_objections"]

#: The source of the entries a merge adds to the master's ledger.
MERGE_SOURCE = "merge"


def _latest(choices: Iterable[MarketingChoice]) -> dict[ContactChannel, MarketingChoice]:
    """The entry that decides each channel: the latest by ``given_on``, then by ``id``."""
    latest: dict[ContactChannel, MarketingChoice] = {}
    for choice in choices:
        held = latest.get(choice.channel)
        if held is None or (choice.given_on, choice.id) > (held.given_on, held.id):
            latest[choice.channel] = choice
    return latest


def current_objections(choices: Iterable[MarketingChoice]) -> frozenset[ContactChannel]:
    """Return the channels a ledger says the person objects to now.

    Per channel the latest entry (by the day it was given, then by id: the later recorded of
    two on one day) decides: an objection keeps advertising off the channel, a consent lets
    it on again. A channel without entries is not objected to.
    """
    return frozenset(
        channel
        for channel, choice in _latest(choices).items()
        if choice.choice is MarketingChoiceKind.OBJECTION
    )


def merged_objections(
    master: int, choices: Sequence[MarketingChoice], recorded_at: datetime
) -> tuple[frozenset[ContactChannel], tuple[MarketingChoice, ...]]:
    """Decide the master's objections after a merge: the strictest choice wins per channel.

    Args:
        master: The master's number.
        choices: The ledgers of the master and the duplicates, each entry still naming the
            customer it was recorded for.
        recorded_at: When the merge records the entries it adds.

    Returns:
        The master's objections (every party's objections united), and the OBJECTION entries
        to add to the master's ledger (id 0, source "merge"): one for each channel a
        duplicate objected to and the master did not, and one for each objected channel
        whose latest entry in the merged ledger is a consent of another party. Each is given
        on the latest day a party objected on the channel, or on the latest day of the merged
        ledger's entries for it if that is later, so that :func:`current_objections` of the
        merged ledger with the added entries equals the master's objections.
    """
    parties: dict[int, list[MarketingChoice]] = {}
    for choice in choices:
        parties.setdefault(choice.customer, []).append(choice)
    own = current_objections(parties.get(master, ()))
    # Per channel objected to by any party: the latest day one of them objected.
    objected: dict[ContactChannel, date] = {}
    from_duplicates: set[ContactChannel] = set()
    for customer, ledger in parties.items():
        latest = _latest(ledger)
        for channel in current_objections(ledger):
            day = latest[channel].given_on
            objected[channel] = max(day, objected.get(channel, day))
            if customer != master:
                from_duplicates.add(channel)
    whole = _latest(choices)
    # A duplicate's later consent would outvote the master's objection in the moved ledger:
    # those channels get an entry too.
    outvoted = frozenset(objected) - current_objections(choices)
    added = tuple(
        MarketingChoice(
            id=0,
            customer=master,
            channel=channel,
            choice=MarketingChoiceKind.OBJECTION,
            given_on=max(day, whole[channel].given_on),
            recorded_at=recorded_at,
            source=MERGE_SOURCE,
        )
        for channel, day in sorted(objected.items())
        if (channel in from_duplicates and channel not in own) or channel in outvoted
    )
    return frozenset(objected), added


def anonymized_ledger(
    choices: Iterable[MarketingChoice],
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Decide what of a customer's ledger anonymization keeps.

    Kept, with source and note blanked, is the entry that makes each currently objected
    channel objected (the proof that advertising must stay off it, as numbers and dates
    only); every other entry (consents, superseded choices) is deleted. The kept entries
    still give :func:`current_objections` the same answer.

    Returns:
        The ids to keep and blank, and the ids to delete, each ascending.
    """
    entries = list(choices)
    keep = {
        choice.id
        for choice in _latest(entries).values()
        if choice.choice is MarketingChoiceKind.OBJECTION
    }
    drop = {choice.id for choice in entries} - keep
    return tuple(sorted(keep)), tuple(sorted(drop))
