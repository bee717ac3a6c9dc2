"""The demo's data set: a few thousand German customers with bookings, made from a seed.

Everything is drawn from one ``random.Random(seed)`` through :meth:`random.Random.random` only
(:mod:`custmodel.demo._draw`), so the same seed gives the same customers and bookings on every
supported Python. Nothing here touches a store: the data set is plain values
(:class:`~custmodel.model.NewCustomer` drafts and planned bookings), which :mod:`custmodel.demo`
registers through the public API. The people come from :mod:`custmodel.demo._people`, their
bookings from :mod:`custmodel.demo._bookings`, the customers the walkthrough talks about from
:mod:`custmodel.demo._cast`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import attrs

from custmodel.demo._bookings import PlannedBooking, _Bookings, _reference
from custmodel.demo._cast import Cast, _cast, _cast_bookings, _drafts, _templates
from custmodel.demo._constants import MAX_CUSTOMERS, MIN_CUSTOMERS, TODAY
from custmodel.demo._draw import _Draw, _Weighted
from custmodel.demo._people import _People
from custmodel.model import BookingKind, CustomerKind, NewCustomer

__all__ = ["Cast", "DemoData", "PlannedBooking", "generate"]

_KINDS = _Weighted(
    (
        (CustomerKind.PRIVATE, 68),
        (CustomerKind.CORPORATE, 12),
        (CustomerKind.TRAVEL_AGENCY, 5),
        (CustomerKind.PROSPECT, 15),
    )
)


@attrs.frozen
class DemoData:
    """The demo data set: customers in registration order, their bookings, the cast.

    Attributes:
        seed: The seed it was made from.
        customers: The drafts, registered in this order (the first gets the lowest number).
        bookings: The booking history, 2022 to the coming year, ordered by reference.
        cast: The customers the walkthrough needs.
        next_sequence: The first free running number for new booking references.
    """

    seed: int
    customers: tuple[NewCustomer, ...]
    bookings: tuple[PlannedBooking, ...]
    cast: Cast
    next_sequence: int

    def reference(self, kind: BookingKind, year: int, offset: int = 0) -> str:
        """A booking reference that the history does not use, ``offset`` after the last one."""
        return _reference(kind, year, self.next_sequence + offset)


def generate(seed: int, customers: int) -> DemoData:
    """Make the demo data set of ``customers`` customers from ``seed``.

    About 68 % private customers, 12 % companies, 5 % travel agencies and tour operators and
    15 % prospects, with the cast of the walkthrough placed among them, and a booking history
    of offers and firm bookings with departures from 2022 to the coming year, each with its
    travel type, destination and price (the revenue of a firm booking, the quote of an offer).

    Raises:
        ValueError: ``customers`` outside :data:`MIN_CUSTOMERS`..:data:`MAX_CUSTOMERS`.
    """
    if not MIN_CUSTOMERS <= customers <= MAX_CUSTOMERS:
        raise ValueError(f"the demo makes {MIN_CUSTOMERS} to {MAX_CUSTOMERS} customers")
    draw = _Draw(seed)
    people = _People(draw)
    booker = _Bookings(draw)
    templates = _templates()
    drafts = _drafts(people)
    make = {
        CustomerKind.PRIVATE: people.private,
        CustomerKind.CORPORATE: people.corporate,
        CustomerKind.TRAVEL_AGENCY: people.travel_agency,
        CustomerKind.PROSPECT: people.prospect,
    }
    bulk = [make[_KINDS.pick(draw)]() for _ in range(customers - len(templates) - len(drafts.all))]
    order, positions = _scatter(draw, list(templates.values()), bulk, drafts.all)
    _place_jacks_example(order, positions, len(templates))
    cast = _cast(list(templates), drafts, positions)
    cast_indexes = set(positions.values()) | set(cast.templates.values())
    bookings = [
        planned
        for index, customer in enumerate(order)
        if index not in cast_indexes
        for planned in booker.history(index, customer)
    ]
    bookings.extend(_cast_bookings(booker, order, cast))
    bookings.sort(key=lambda b: b.reference)
    requests = _erasure_requests(draw, order, cast, cast_indexes, customers)
    return DemoData(
        seed=seed,
        customers=tuple(order),
        bookings=tuple(bookings),
        cast=attrs.evolve(cast, erasure_requests=requests),
        next_sequence=next(booker.sequence),
    )


def _scatter(
    draw: _Draw,
    templates: list[NewCustomer],
    bulk: list[NewCustomer],
    story: list[NewCustomer],
) -> tuple[list[NewCustomer], dict[int, int]]:
    """The customers in registration order, and where each of the ``story`` drafts went.

    The story's customers were entered over the years: scatter them through the file. The
    template customers come first, as they are set up with the system.
    """
    slots = list(range(len(bulk) + len(story)))
    draw.shuffle(slots)
    story_slots = dict(zip(sorted(slots[: len(story)]), range(len(story)), strict=True))
    order = list(templates)
    positions: dict[int, int] = {}
    bulk_iter = iter(bulk)
    for slot in range(len(bulk) + len(story)):
        if slot in story_slots:
            positions[story_slots[slot]] = len(order)
            order.append(story[story_slots[slot]])
        else:
            order.append(next(bulk_iter))
    return order, positions


def _place_jacks_example(
    order: list[NewCustomer], positions: dict[int, int], templates: int
) -> None:
    """Jack's example: the 300th customer is a private customer (10000 + 0 + 300 = 10300).

    Where it is not, the nearest generated private customer (after it if there is one, else
    before it) swaps places with it; ``positions`` follows a story customer that moves.
    """
    if order[299].kind is CustomerKind.PRIVATE:
        return
    nearest = [*range(300, len(order)), *range(298, templates - 1, -1)]
    swap = next(
        i for i in nearest if order[i].kind is CustomerKind.PRIVATE and i not in positions.values()
    )
    order[299], order[swap] = order[swap], order[299]
    moved = {v: k for k, v in positions.items()}
    if 299 in moved:
        positions[moved[299]] = swap


def _erasure_requests(
    draw: _Draw,
    order: Sequence[NewCustomer],
    cast: Cast,
    cast_indexes: set[int],
    customers: int,
) -> tuple[tuple[int, date], ...]:
    """Who asked to be erased, and when.

    About one customer in 150 asked in the last four weeks (so no answer is late yet); the
    eligibility cases asked too, so every state of a request shows.
    """
    erasure: list[tuple[int, date]] = [
        (index, TODAY - timedelta(days=3 + i)) for i, index in enumerate(cast.eligibility.values())
    ]
    candidates = [
        i
        for i, c in enumerate(order)
        if c.kind in (CustomerKind.PRIVATE, CustomerKind.PROSPECT) and i not in cast_indexes
    ]
    for _ in range(max(3, customers // 150)):
        index = draw.pick(candidates)
        if all(index != e[0] for e in erasure):
            erasure.append((index, TODAY - timedelta(days=draw.between(1, 28))))
    return tuple(erasure)
