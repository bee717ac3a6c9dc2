"""The demo: a German data set made from a seed, and the manuals' walkthrough played on it."""

from __future__ import annotations

import builtins
import csv
import functools
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest

from custmodel import (
    BookingKind,
    CustomerBook,
    CustomerKind,
    CustomerType,
    DeparturePeriod,
    InvalidInputError,
    MemoryStore,
    ProfileFlag,
    Selection,
    Statistics,
    StatisticsDimension,
    StatisticsRow,
)
from custmodel._demodata import (
    _PHONE_BLOCKS,
    _PLACES,
    MEMBER_NUMBER,
    TODAY,
    DemoData,
    PlannedBooking,
    generate,
)
from custmodel.demo import DEFAULT_CUSTOMERS, DEFAULT_SEED, MERGE_DATA_FILE, run
from custmodel.rules import format_eur
from custmodel.storage import CustomerStore

T = TypeVar("T")

#: Small enough to keep the tests fast, large enough for every scenario.
SMALL = 400


@pytest.fixture(scope="module")
def data() -> DemoData:
    """The default data set (making it takes well under a second)."""
    return generate(DEFAULT_SEED, DEFAULT_CUSTOMERS)


def play(store: CustomerStore | None = None, **options: Any) -> str:
    """Run the walkthrough on a small data set and return the report."""
    out = io.StringIO()
    run(out, store if store is not None else MemoryStore(), **{"customers": SMALL, **options})
    return out.getvalue()


# -- the data set ---------------------------------------------------------------------------------


def test_the_same_seed_makes_the_same_data_set() -> None:
    """Two data sets from one seed are equal, customer for customer and booking for booking."""
    assert generate(7, SMALL) == generate(7, SMALL)


def test_another_seed_makes_other_customers() -> None:
    """Seeds 7 and 8 give different customers."""
    assert generate(7, SMALL).customers != generate(8, SMALL).customers


def test_the_data_set_has_the_size_asked_for() -> None:
    """`customers` is the number of customers made, cast included."""
    assert [SMALL, 1234] == [len(generate(1, n).customers) for n in (SMALL, 1234)]


def test_every_kind_and_type_is_present(data: DemoData) -> None:
    """Private, corporate, travel agency and prospect; regular, walk-in, operator, VIP."""
    present = {(c.kind, c.customer_type) for c in data.customers}
    assert set(CustomerKind) == {kind for kind, _ in present}
    assert set(CustomerType) == {kind_type for _, kind_type in present}


def test_kinds_come_in_plausible_proportions(data: DemoData) -> None:
    """About two thirds private customers, then prospects, companies and travel agencies."""
    share = Counter(c.kind for c in data.customers)
    total = len(data.customers)
    assert 0.6 < share[CustomerKind.PRIVATE] / total < 0.75
    assert 0.09 < share[CustomerKind.CORPORATE] / total < 0.15
    assert 0.03 < share[CustomerKind.TRAVEL_AGENCY] / total < 0.07
    assert 0.1 < share[CustomerKind.PROSPECT] / total < 0.2
    assert share[CustomerKind.PRIVATE] > share[CustomerKind.PROSPECT]


def test_walk_in_is_the_most_common_type_of_private_customers(data: DemoData) -> None:
    """Laufkundschaft outnumbers Stammkunden, who outnumber VIPs."""
    types = Counter(c.customer_type for c in data.customers if c.kind is CustomerKind.PRIVATE)
    assert (
        types[CustomerType.WALK_IN]
        > types[CustomerType.REGULAR]
        > types[CustomerType.VIP_INCENTIVE]
    )


def test_postal_codes_are_five_digits_of_the_customers_city(data: DemoData) -> None:
    """Every PLZ has five digits and belongs to the customer's Ort in the curated list."""
    places = {code: city for city, codes, _ in _PLACES for code in codes}
    with_code = [c for c in data.customers if c.postal_code]
    assert len(with_code) > len(data.customers) * 0.9
    assert [] == [c.postal_code for c in with_code if not re.fullmatch(r"\d{5}", c.postal_code)]
    # One seeded duplicate spells its city without umlaut, as people type it.
    assert [("40212", "Duesseldorf")] == [
        (c.postal_code, c.city) for c in with_code if c.city and places[c.postal_code] != c.city
    ]


def test_emails_use_only_reserved_example_domains(data: DemoData) -> None:
    """Every e-mail address is at example.com/.org/.net or under the .example top level."""
    domains = {c.email.rsplit("@", 1)[1] for c in data.customers if c.email}
    assert set() == {
        d
        for d in domains
        if d not in ("example.com", "example.org", "example.net") and not d.endswith(".example")
    }


def test_phones_are_never_connected_film_numbers(data: DemoData) -> None:
    """Every phone number lies in a Bundesnetzagentur Drama Number block of its city."""
    blocks = {f"0{area}{block}" for area, block in _PHONE_BLOCKS.values()}
    phones = [c.phone for c in data.customers if c.phone]
    national = [re.sub(r"\D", "", p).replace("49", "0", 1) if p.startswith("+") else
                re.sub(r"\D", "", p) for p in phones]  # fmt: skip
    assert len(phones) > 500
    assert [] == [p for p in national if p[:-3] not in blocks]


def test_names_are_german_with_umlauts_sharp_s_titles_and_legal_forms(data: DemoData) -> None:
    """Names carry ä/ö/ü and ß, some people are Dr., companies are GmbH, AG, KG or e.K."""
    people = [c for c in data.customers if c.first_name]
    companies = [c.last_name for c in data.customers if c.kind is CustomerKind.CORPORATE]
    assert any(ch in c.last_name for c in people for ch in "äöü")
    assert any("ß" in c.last_name for c in people)
    assert any("Dr." in c.salutation for c in people)
    for form in (" GmbH", " AG", " KG", " e.K."):
        assert any(name.endswith(form) for name in companies), form


def test_every_person_but_test_testine_has_a_birth_date(data: DemoData) -> None:
    """Private customers and prospects have birth dates; the manual's test records do not."""
    missing = {
        (c.last_name, c.first_name) for c in data.customers if c.first_name and c.birth_date is None
    }
    assert {("Test", "Testine")} == missing


def test_the_eight_test_testine_records_are_in_the_data_set(data: DemoData) -> None:
    """TSmart's eight records "Test, Testine" are there, scattered through the file."""
    testine = [
        i
        for i, c in enumerate(data.customers)
        if (c.last_name, c.first_name) == ("Test", "Testine")
    ]
    assert (8, tuple(testine)) == (len(testine), data.cast.testine)
    assert testine[-1] - testine[0] > 8


def test_the_300th_customer_is_private(data: DemoData) -> None:
    """Jack's example needs customer 300 of the private kind (10000 + 0 + 300)."""
    assert CustomerKind.PRIVATE is data.customers[299].kind


def test_the_smallest_data_set_has_a_private_300th_customer_too() -> None:
    """At 300 customers the private customer for place 300 comes from before it (seed 2024)."""
    assert CustomerKind.PRIVATE is generate(2024, 300).customers[299].kind


def test_each_kind_has_a_template_customer_with_rules(data: DemoData) -> None:
    """Every kind names a template customer of its own kind that carries a fee schedule."""
    templates = {k: data.customers[i] for k, i in data.cast.templates.items()}
    assert set(CustomerKind) == {t.kind for t in templates.values()}
    assert all(t.fee_schedule for t in templates.values())


def test_prospects_hold_offers_only(data: DemoData) -> None:
    """No prospect has a firm booking: that would have converted it."""
    prospects = {i for i, c in enumerate(data.customers) if c.kind is CustomerKind.PROSPECT}
    kinds = {b.kind for b in data.bookings if b.customer in prospects}
    assert {BookingKind.OFFER} == kinds


def test_bookings_span_years_channels_and_points_of_sale(data: DemoData) -> None:
    """Offers and firm bookings from 2022 on, own and external channels, AG1 to AG3."""
    assert {2022, 2023, 2024, 2025, 2026, 2027} == {b.departure.year for b in data.bookings}
    assert {"Website", "Filiale", "Telefon", "Holidu", "Booking.com", "Callcenter Nord"} == {
        b.channel.name for b in data.bookings
    }
    assert {True, False} == {b.channel.is_external for b in data.bookings}
    assert {"AG1", "AG2", "AG3"} == {b.point_of_sale for b in data.bookings}
    assert set(BookingKind) == {b.kind for b in data.bookings}
    assert len(data.bookings) > len(data.customers)


def test_open_amounts_belong_to_firm_bookings(data: DemoData) -> None:
    """Offers owe nothing; some firm bookings have an open amount, some of them overdue."""
    assert all(not b.open_amount for b in data.bookings if b.kind is BookingKind.OFFER)
    open_items = [b for b in data.bookings if b.open_amount]
    assert any(b.departure.year <= 2025 for b in open_items)
    assert any(b.departure.year == 2027 for b in open_items)


def test_booking_references_are_unique(data: DemoData) -> None:
    """Every Vorgangsnummer appears once."""
    references = [b.reference for b in data.bookings]
    assert len(references) == len(set(references))


def firm(data: DemoData) -> list[PlannedBooking]:
    """The data set's firm bookings."""
    return [b for b in data.bookings if b.kind is BookingKind.BOOKING]


def test_every_booking_has_a_travel_type_and_a_destination(data: DemoData) -> None:
    """Reiseart and Zielgebiet are recorded on every booking, from the agency's usual lists."""
    assert {
        "Pauschalreise", "Flug", "Hotel", "Kreuzfahrt", "Rundreise", "Ferienhaus", "Busreise"
    } == {b.travel_type for b in data.bookings}  # fmt: skip
    destinations = {b.destination for b in data.bookings}
    assert None not in destinations
    assert {
        "Mallorca", "Kanaren", "Türkei", "Griechenland", "Ägypten", "Italien", "Ostsee",
        "Nordsee", "Österreich", "Fernreise Asien", "Karibik",
    } <= destinations  # fmt: skip


def test_most_firm_bookings_record_their_revenue(data: DemoData) -> None:
    """Over 90 % of the firm bookings have a revenue; some, mostly migrated ones, have none."""
    bookings = firm(data)
    missing = [b for b in bookings if b.revenue is None]
    assert 0 < len(missing) < len(bookings) * 0.1
    migrated = [b for b in bookings if b.departure.year == 2022]
    later = [b for b in bookings if b.departure.year > 2022]
    share = {
        "2022": sum(b.revenue is None for b in migrated) / len(migrated),
        "later": sum(b.revenue is None for b in later) / len(later),
    }
    assert share["2022"] > 3 * share["later"]


def test_offers_carry_their_quoted_price(data: DemoData) -> None:
    """Every offer records the price it quoted; statistics leave it out as no revenue."""
    offers = [b for b in data.bookings if b.kind is BookingKind.OFFER]
    assert [] == [b.reference for b in offers if b.revenue is None or b.revenue <= 0]


def test_revenue_depends_on_the_travel_type(data: DemoData) -> None:
    """Cruises and round trips cost more than package holidays, which cost more than flights."""
    by_type: dict[str | None, list[Decimal]] = {}
    for b in firm(data):
        if b.revenue is not None:
            by_type.setdefault(b.travel_type, []).append(b.revenue)
    median = {t: sorted(v)[len(v) // 2] for t, v in by_type.items()}
    assert median["Kreuzfahrt"] > median["Pauschalreise"] > median["Flug"]
    assert median["Rundreise"] > median["Pauschalreise"] > median["Hotel"]
    revenues = [r for v in by_type.values() for r in v]
    assert Decimal("100") < min(revenues)
    assert max(revenues) < Decimal("60000")


def test_open_amounts_never_exceed_the_revenue(data: DemoData) -> None:
    """A booking never owes more than its price."""
    assert [] == [
        b.reference for b in firm(data) if b.revenue is not None and b.open_amount > b.revenue
    ]


def test_destinations_follow_the_season(data: DemoData) -> None:
    """The Baltic is booked for the summer, the Canaries and Egypt for the winter."""

    def summer_share(destination: str) -> float:
        trips = [b for b in data.bookings if b.destination == destination]
        return sum(4 <= b.departure.month <= 10 for b in trips) / len(trips)

    assert summer_share("Ostsee") > 0.75
    assert summer_share("Kanaren") < 0.5
    assert summer_share("Ägypten") < 0.5


def test_companies_travel_mostly_by_air_and_hotel(data: DemoData) -> None:
    """Business customers (companies not booking incentives) mostly book flights and hotels."""
    business = {
        i
        for i, c in enumerate(data.customers)
        if c.kind is CustomerKind.CORPORATE and c.customer_type is not CustomerType.VIP_INCENTIVE
    }
    kinds = Counter(b.travel_type for b in data.bookings if b.customer in business)
    assert (kinds["Flug"] + kinds["Hotel"]) / kinds.total() > 0.7


def test_the_trip_details_follow_the_seed() -> None:
    """One seed draws the same travel types, destinations and revenue; another seed others."""

    def trips(seed: int) -> list[tuple[str | None, str | None, Decimal | None]]:
        return [(b.travel_type, b.destination, b.revenue) for b in generate(seed, SMALL).bookings]

    assert trips(7) == trips(7)
    assert trips(7) != trips(8)


# -- the walkthrough ------------------------------------------------------------------------------


def test_the_same_seed_prints_the_same_report() -> None:
    """Two runs with one seed print the same text (no wall-clock time in it)."""
    assert play(seed=11) == play(seed=11)


def test_another_seed_prints_another_report() -> None:
    """Seeds 11 and 12 make different data, so different reports."""
    assert play(seed=11) != play(seed=12)


def test_the_report_is_the_same_on_a_sqlite_file(tmp_path: Path) -> None:
    """The embedded SQLite store tells exactly the story the memory store tells."""
    from custmodel.storage.sql import SqlStore

    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    try:
        on_sqlite = play(store)
    finally:
        store.close()
    assert play() == on_sqlite


@pytest.mark.parametrize(
    "passage",
    [
        "Kunden nach Kundenart und Kundentyp",
        "customer 300 has debtor account 10300 (10000 + 0 + 300)",
        "Status setzen, flag 6 on:",
        "Mitgliedsnummer 'M-471100' finds: ",
        "(template 2)",
        "{OP-Betrag+Mahngebühr} = ",
        "prospect -> private, debtor account",
        "Ask for a deposit now (first capture, private customers' prompt on)? yes",
        "Search 'Test' finds 8 records 'Test, Testine'",
        "find_duplicates() put all 8 into one group.",
        "active 'Test, Testine' records: 1",
        "own point of sale, own channel, departed long ago: eligible",
        ": not point of sale",
        ": external channel",
        ": too recent (eligible from 2026-12-06)",
        "offers only: eligible",
        "Sweep, dry run:",
        "anonymized in 1 batch.",
        "The label of flag 5 'Individuelle Reisen' deleted",
        "Privatkunden nach Kategorie (group_by=category):",
        "Privatkunden nach Statusfeld (group_by=status_flag;",
        "Alle Kunden nach Reiseart (group_by=travel_type):",
        "Alle Kunden nach Zielgebiet (group_by=destination):",
        "letters(None, template, open_amounts=due, owing_only=True) wrote ",
        "run(letters_dir=...) writes mahnlauf.csv.",
    ],
)
def test_the_report_tells_every_scenario(passage: str) -> None:
    """Each scenario of the manuals shows up in the report."""
    assert passage in play()


def played(**options: Any) -> tuple[str, CustomerBook]:
    """Run the walkthrough on a small data set; return the report and the book."""
    out = io.StringIO()
    book = run(out, MemoryStore(), **{"customers": SMALL, **options})
    return out.getvalue(), book


def table(report: str, caption: str) -> list[list[str]]:
    """The rows of the report's table under ``caption``, cells split at two or more spaces."""
    lines = report.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(caption)) + 2
    rows = []
    for line in lines[start:]:
        if not line.startswith("  "):
            break
        rows.append(re.split(r"\s{2,}", line.strip()))
    return rows


def expected_rows(
    statistics: Statistics, label: Callable[[StatisticsRow], list[str]]
) -> list[list[str]]:
    """What a table of ``statistics`` shows: labels and figures of each row, then the totals."""

    def figures(row: StatisticsRow) -> list[str]:
        return [
            str(row.customers),
            str(row.firm_bookings),
            str(row.offers),
            format_eur(row.revenue),
        ]

    return [
        *([*label(row), *figures(row)] for row in statistics.rows),
        ["Summe", *figures(statistics.totals)],
    ]


def test_the_statistics_tables_agree_with_the_book() -> None:
    """Each statistics table of the report shows the rows book.statistics gives for 2025."""
    report, book = played()
    year = DeparturePeriod.year(2025)
    private = Selection(kind=CustomerKind.PRIVATE)
    category = book.statistics(private, StatisticsDimension.CATEGORY, year)
    flags = book.statistics(private, StatisticsDimension.STATUS_FLAG, year)
    travel = book.statistics(None, StatisticsDimension.TRAVEL_TYPE, year)
    places = book.statistics(None, StatisticsDimension.DESTINATION, year)

    def flag(row: StatisticsRow) -> list[str]:
        key = row.key[0]
        if key.value is None:
            return ["-", "(kein Status)"]
        return [str(key.value), key.label or "(ohne Bezeichnung)"]

    assert expected_rows(category, lambda r: [str(r.values[0] or "(keine)")]) == table(
        report, "Privatkunden nach Kategorie"
    )
    assert expected_rows(flags, flag) == table(report, "Privatkunden nach Statusfeld")
    assert expected_rows(travel, lambda r: [str(r.values[0])]) == table(
        report, "Alle Kunden nach Reiseart"
    )
    assert expected_rows(places, lambda r: [str(r.values[0])]) == table(
        report, "Alle Kunden nach Zielgebiet"
    )
    assert len(table(report, "Alle Kunden nach Reiseart")) == 8  # 7 travel types and the sum


def test_the_status_table_shows_labels_and_the_retired_flag_by_number() -> None:
    """Flags appear with the private customers' labels; flag 5, its label deleted, by number."""
    report, _ = played()
    rows = table(report, "Privatkunden nach Statusfeld")
    assert ["1", "VIP / Stammkunden"] == rows[0][:2]
    assert ["5", "(ohne Bezeichnung)"] == rows[4][:2]
    assert ["6", "Neujahrskarte"] == rows[5][:2]


def test_the_profile_shows_the_flag_whose_label_was_deleted_by_number() -> None:
    """The card lists flag 5, set and without a label, among the kind's labelled flags."""
    report, book = played()
    [customer] = book.find_by_code1(MEMBER_NUMBER)
    assert ProfileFlag(5, None, is_set=True) in book.profile(customer.number).flags
    assert "[x]  5 (ohne Bezeichnung)" in report
    assert "[ ]  2 Single" in report
    assert "Mitgliedsnummer  M-471100" in report


def test_the_sample_letter_prints_its_amounts_for_de_de() -> None:
    """The dunning letter shows open amount, fee and their sum as German money text."""
    report, _ = played()
    assert "für Ihre Reise ist noch ein Betrag von 1.229,50 € offen." in report
    assert "zuzüglich der Mahngebühr von 5,00 €, zusammen 1.234,50 €," in report


def due_amounts(book: CustomerBook) -> dict[int, Decimal]:
    """Per active customer, the open amounts of its firm bookings that departed by today."""
    due: dict[int, Decimal] = {}
    for customer in book.select(Selection()):
        due_items = [
            b.open_amount
            for b in book.bookings(customer.number)
            if b.is_firm and b.departure <= TODAY
        ]
        owed = sum(due_items, Decimal("0.00"))
        if owed:
            due[customer.number] = owed
    return due


def merge_data(path: Path) -> dict[int, str]:
    """Customer number -> OP-Betrag of the dunning run's mail-merge data file."""
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = csv.DictReader(file, delimiter=";")
        return {int(row["Kunde-Nummer"]): row["OP-Betrag"] for row in rows}


def test_anonymized_debtors_receive_no_letter(tmp_path: Path) -> None:
    """A customer anonymized while it still owes money is in the ledger, not in the letters."""
    report, book = played(letters_dir=tmp_path)
    anonymized = {c.number for c in book.select(Selection(anonymized=True))}
    owing = anonymized & set(due_amounts(book))
    assert owing  # the first eligibility case never paid its holiday home
    assert set() == owing & set(merge_data(tmp_path / MERGE_DATA_FILE))
    for number in owing:
        assert f"Customer {number} (anonymized, " in report


def test_every_other_debtor_gets_one_letter_for_what_is_due(tmp_path: Path) -> None:
    """The data file lists each non-anonymized customer with due open items, and its amount."""
    report, book = played(letters_dir=tmp_path)
    anonymized = {c.number for c in book.select(Selection(anonymized=True))}
    expected = {n: format_eur(a) for n, a in due_amounts(book).items() if n not in anonymized}
    assert expected == merge_data(tmp_path / MERGE_DATA_FILE)
    assert f"owing_only=True) wrote {len(expected)} letters." in report
    assert f"Wrote {MERGE_DATA_FILE} into the letters directory: {len(expected)} rows" in report


def test_without_a_letters_dir_the_demo_writes_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """By default the dunning run only tells of the data file: nothing lands on disk."""
    monkeypatch.chdir(tmp_path)
    played()
    assert [] == list(tmp_path.iterdir())


def test_a_missing_letters_dir_is_made(tmp_path: Path) -> None:
    """A letters directory that does not exist yet is created with its parents."""
    played(letters_dir=tmp_path / "out" / "mahnlauf")
    assert (tmp_path / "out" / "mahnlauf" / MERGE_DATA_FILE).is_file()


def test_a_letters_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    """A file where the directory should be is refused before anything is registered."""
    store = MemoryStore()
    (tmp_path / "letters").write_text("")
    with pytest.raises(InvalidInputError, match="is a file"):
        run(io.StringIO(), store, customers=SMALL, letters_dir=tmp_path / "letters")
    assert 0 == CustomerBook(store).count(Selection(include_merged=True))


def test_a_letters_dir_that_cannot_be_made_is_refused(tmp_path: Path) -> None:
    """A directory under a file cannot be made: refused before anything is registered."""
    store = MemoryStore()
    (tmp_path / "letters").write_text("")
    with pytest.raises(InvalidInputError, match="cannot make its letters directory"):
        run(io.StringIO(), store, customers=SMALL, letters_dir=tmp_path / "letters" / "2026")
    assert 0 == CustomerBook(store).count(Selection(include_merged=True))


def test_the_walkthrough_merges_test_testine_with_every_booking() -> None:
    """After the demo one 'Test, Testine' is active and holds the bookings of all eight."""
    data = generate(DEFAULT_SEED, SMALL)
    book = run(io.StringIO(), MemoryStore(), customers=SMALL)
    numbers = [i + 1 for i in data.cast.testine]
    [master] = book.select(Selection(name="Testine"))
    testine_bookings = [b for b in data.bookings if b.customer in data.cast.testine]
    assert (numbers[0], 8, 8) == (
        master.number,
        len(testine_bookings),
        len(book.bookings(master.number)),
    )
    assert {numbers[0]} == {book.resolve(n).number for n in numbers}


def test_the_default_data_set_hides_no_accidental_duplicates() -> None:
    """At the default size, duplicate finding finds exactly the groups put in on purpose.

    The demo merges the eight "Test, Testine"; the other seeded groups are left for review.
    """
    data = generate(DEFAULT_SEED, DEFAULT_CUSTOMERS)
    book = run(io.StringIO(), MemoryStore())
    expected = sorted(tuple(i + 1 for i in group) for group in data.cast.variants)
    assert expected == sorted(g.customers for g in book.find_duplicates())


def test_the_track_hook_sees_every_long_loop() -> None:
    """The progress hook gets each long loop with its total, and every item passes through."""
    calls: list[tuple[str, int | None, int]] = []

    def track(sequence: Iterable[T], description: str, total: int | None) -> Iterator[T]:
        seen = 0
        for item in sequence:
            seen += 1
            yield item
        calls.append((description, total, seen))

    data = generate(DEFAULT_SEED, SMALL)
    run(io.StringIO(), MemoryStore(), customers=SMALL, track=track)
    requests = len(data.cast.erasure_requests)
    assert [
        ("Registering customers", SMALL, SMALL),
        ("Importing the booking history", len(data.bookings), len(data.bookings)),
        ("Recording erasure requests", requests, requests),
    ] == calls


def test_rich_track_serves_as_the_progress_hook() -> None:
    """`rich.progress.track` fits the hook, so a command line can show progress bars."""
    from rich.console import Console
    from rich.progress import track

    screen = io.StringIO()
    out = io.StringIO()
    run(
        out,
        MemoryStore(),
        customers=SMALL,
        track=functools.partial(track, console=Console(file=screen)),
    )
    assert "Registering customers" in screen.getvalue()
    assert play() == out.getvalue()


def test_a_store_holding_customers_is_refused() -> None:
    """The demo tells its story on an empty store only, and changes nothing in another."""
    store = MemoryStore()
    book = CustomerBook(store)
    book.register(CustomerKind.PRIVATE, "Weber")
    with pytest.raises(InvalidInputError, match="holds 1 customers"):
        run(io.StringIO(), store, customers=SMALL)
    assert 1 == book.count(Selection(include_merged=True))


@pytest.mark.parametrize("customers", [299, 100_001, True, 1.5])
def test_a_size_outside_the_range_is_refused(customers: Any) -> None:
    """Fewer than 300 customers (no 300th customer), more than 100,000 or no whole number."""
    store = MemoryStore()
    with pytest.raises(InvalidInputError):
        run(io.StringIO(), store, customers=customers)
    assert 0 == CustomerBook(store).count(Selection(include_merged=True))


def test_without_the_dedupe_extra_test_testine_are_still_merged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without rapidfuzz the report says so and merges the name search's eight records."""
    real_import = builtins.__import__

    def refuse_rapidfuzz(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("rapidfuzz"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse_rapidfuzz)
    report = play()
    assert "Duplicate finding skipped: finding duplicates needs the 'dedupe' extra" in report
    assert "active 'Test, Testine' records: 1" in report
