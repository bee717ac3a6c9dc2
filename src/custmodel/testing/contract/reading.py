"""Reading: lookups, exact round trips, paging, letters and profiles."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import ClassVar

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from custmodel.book import CustomerBook
from custmodel.errors import (
    CustomerNotFoundError,
    InvalidInputError,
    LetterTemplateError,
)
from custmodel.model import (
    Booking,
    Customer,
    CustomerProfile,
    CustomerType,
    KindSettings,
    LabelledCode,
    Letter,
    MergeDataWritten,
    ProfileFlag,
    Selection,
    Settings,
    StatusFlags,
)
from custmodel.testing import strategies as cst
from custmodel.testing.contract._base import _ContractBase
from custmodel.testing.contract._shared import (
    AGENCY,
    CORPORATE,
    OFFER,
    PRIVATE,
    SETTINGS,
    _booking,
    _customer,
    _draft,
    _examples,
    _full_draft,
    _numbers,
    _population_selections,
)

__all__ = ["ReadingContract"]


class ReadingContract(_ContractBase):
    """What a store holds reads back exactly, page by page, into letters and profiles."""

    __test__: ClassVar[bool] = False

    # -- lookups -----------------------------------------------------------------------------

    def test_get_returns_the_customer_as_registered(self) -> None:
        """get returns the customer exactly as registration returned it."""
        book = self.book(SETTINGS)
        customer = book.register(CORPORATE, "Firma", company="Firma GmbH", category="A")
        assert customer == book.get(customer.number)

    def assert_not_found(self, lookup: Callable[[CustomerBook], object]) -> None:
        """With customer 1 registered, ``lookup`` raises CustomerNotFoundError."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        with pytest.raises(CustomerNotFoundError):
            lookup(book)

    def test_get_of_an_unknown_number_raises_customer_not_found(self) -> None:
        """get of a number nobody has raises CustomerNotFoundError."""
        self.assert_not_found(lambda book: book.get(2))

    def test_get_of_a_merged_number_returns_its_tombstone(self) -> None:
        """get of a merged duplicate returns its tombstone, pointing to the master."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        book.merge(1, [2])
        assert 1 == book.get(2).merged_into

    def test_resolve_of_an_active_customer_returns_it(self) -> None:
        """resolve of an active customer returns that customer."""
        book = self.book(SETTINGS)
        customer = book.register(PRIVATE, "Eins")
        assert customer == book.resolve(customer.number)

    def test_resolve_follows_a_merge_to_the_master(self) -> None:
        """resolve of a merged duplicate returns its master."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        book.merge(1, [2])
        assert book.get(1) == book.resolve(2)

    def merged_chain_book(self) -> CustomerBook:
        """A book of A (1), B (2) and C (3), where A was merged into B and then B into C."""
        book = self.book(SETTINGS)
        book.register_many([_draft(last_name=name) for name in ("A", "B", "C")])
        book.merge(2, [1])
        book.merge(3, [2])
        return book

    def test_resolve_follows_a_chain_of_merges(self) -> None:
        """After A was merged into B and B into C, resolve of A returns C."""
        book = self.merged_chain_book()
        assert book.get(3) == book.resolve(1)

    def test_resolve_of_an_unknown_number_raises_customer_not_found(self) -> None:
        """resolve of a number nobody has raises CustomerNotFoundError."""
        with pytest.raises(CustomerNotFoundError):
            self.book(SETTINGS).resolve(1)

    def test_resolve_debtor_account_finds_its_holder(self) -> None:
        """resolve_debtor_account returns the customer holding the account."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        customer = book.register(CORPORATE, "Zwei")
        assert customer == book.resolve_debtor_account(30002)

    def test_resolve_debtor_account_follows_a_chain_of_merges(self) -> None:
        """The account of A, merged into B and B into C, resolves to C."""
        book = self.merged_chain_book()
        assert book.get(3) == book.resolve_debtor_account(10001)

    def test_resolve_debtor_account_of_an_unknown_account_raises(self) -> None:
        """An account nobody ever held raises CustomerNotFoundError."""
        self.assert_not_found(lambda book: book.resolve_debtor_account(10002))

    # -- exact round trips --------------------------------------------------------------------

    def test_money_round_trips_exactly(self) -> None:
        """Open amounts keep every cent and their two decimals."""
        book = self.deposit_book()
        amounts = ["0.00", "0.01", "0.10", "19.99", "1234567.89", "99999999.99"]
        for i, amount in enumerate(amounts):
            book.record_booking(_booking(f"B-{i}", 1, open_amount=Decimal(amount)))
        assert amounts == [str(b.open_amount) for b in book.bookings(1)]

    def test_dunning_fees_round_trip_exactly(self) -> None:
        """A dunning fee keeps its cents and two decimals through the store."""
        self.book(SETTINGS).update_kind_settings(PRIVATE, dunning_fee=Decimal("0.10"))
        assert "0.10" == str(self.book().settings.kind(PRIVATE).dunning_fee)

    def test_dates_round_trip_exactly(self) -> None:
        """Birth dates and departures read back as the same dates."""
        book = self.book(SETTINGS)
        days = [date(1900, 1, 1), date(1960, 2, 29), date(2099, 12, 31)]
        book.register_many(_draft(birth_date=day) for day in days)
        for number, day in enumerate(days, start=1):
            book.record_booking(_booking(f"B-{number}", number, departure=day))
        assert (days, days) == (
            [c.birth_date for c in book.select()],
            [book.get_booking(f"B-{n}").departure for n in (1, 2, 3)],
        )

    def test_aware_datetimes_round_trip_exactly(self) -> None:
        """Timestamps keep their instant to the microsecond and stay timezone-aware."""
        created = datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=UTC)
        updated = datetime(
            2026, 10, 25, 2, 30, 0, 1, tzinfo=timezone(timedelta(hours=5, minutes=30))
        )
        anonymized = datetime(2031, 1, 1, 0, 0, 0, 123456, tzinfo=timezone(-timedelta(hours=8)))
        customer = _customer(1, created_at=created, updated_at=updated, anonymized_at=anonymized)
        self.insert(customer)
        stored = self.book().get(1)
        assert (created, updated, anonymized) == (
            stored.created_at,
            stored.updated_at,
            stored.anonymized_at,
        )
        stamps = (stored.created_at, stored.updated_at, stored.anonymized_at)
        assert [True, True, True] == [t is not None and t.utcoffset() is not None for t in stamps]

    def test_texts_round_trip_exactly(self) -> None:
        """Umlauts, ß, other scripts, emoji, edge spaces and multi-line notes stay exact."""
        book = self.book(SETTINGS)
        customer = book.register(
            PRIVATE,
            "  Müller-Lüdenscheidt ",
            first_name="Łukasz Żółć",
            company="Straße & Söhne 👍",
            city="Ἀθῆναι",
            notes="Zeile 1\nZeile 2\n\tEingerückt " + "ä" * 2000,
            code1=" K 1 ",
            code2="日本",
        )
        assert customer == book.get(1)

    def test_text_that_is_not_unicode_is_refused(self) -> None:
        """A name holding a lone surrogate, which no store can encode, is refused."""
        book = self.book(SETTINGS)
        self.assert_refused(InvalidInputError, lambda: book.register(PRIVATE, "M\ud800ller"))

    def test_a_search_for_text_no_customer_can_hold_is_refused(self) -> None:
        """Searching Code1 for a lone surrogate is InvalidInputError, as writing it is."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins", code1="K-1")
        with pytest.raises(InvalidInputError):
            book.find_by_code1("K\ud800")
        with pytest.raises(InvalidInputError):
            book.select(Selection(code1="K\ud800"))

    def test_every_status_bit_round_trips(self) -> None:
        """A customer carrying all 32 flags reads them back, bit 32 included."""
        self.insert(_customer(1, status=StatusFlags((1 << 32) - 1)))
        assert StatusFlags((1 << 32) - 1) == self.book().get(1).status

    def test_any_customer_round_trips(self) -> None:
        """Any customer the strategies generate reads back equal through the port."""
        self.insert(_customer(1))

        @_examples(30)
        @given(drawn=cst.customers())
        def round_trip(drawn: Customer) -> None:
            with self.store.transaction() as tx:
                number = tx.allocate_numbers(1)
                customer = attrs.evolve(
                    drawn,
                    number=number,
                    debtor_account=1_000_000_000 + number,
                    merged_into=None if drawn.merged_into is None else 1,
                )
                tx.insert_customers([customer])
            with self.store.transaction(write=False) as tx:
                assert customer == tx.get_customer(number)

        round_trip()

    def test_any_booking_round_trips(self) -> None:
        """Any booking the strategies generate reads back equal through the port."""
        self.insert(_customer(1))

        @_examples(30)
        @given(booking=cst.bookings(customer=1))
        def round_trip(booking: Booking) -> None:
            with self.store.transaction() as tx:
                tx.put_booking(booking)
            with self.store.transaction(write=False) as tx:
                assert booking == tx.get_booking(booking.reference)

        round_trip()

    def test_any_settings_round_trip(self) -> None:
        """Any settings the strategies generate read back equal through the port."""

        @_examples(30)
        @given(settings=cst.settings())
        def round_trip(settings: Settings) -> None:
            with self.store.transaction() as tx:
                tx.put_settings(settings)
            with self.store.transaction(write=False) as tx:
                assert settings == tx.get_settings()

        round_trip()

    # -- letters and profiles (R2, R3, R6, R10) -------------------------------------------------

    #: Settings of the letter and profile tests: labelled flags and codes, and dunning fees of
    #: 5,00 € (private) and 7,50 € (corporate).
    LETTER_SETTINGS: ClassVar[Settings] = Settings(
        kinds={
            PRIVATE: KindSettings(
                categories=("A", "B"),
                status_labels={1: "VIP", 2: "Weihnachtskarte", 5: "Kreuzfahrt"},
                code1_label="Mitgliedsnummer",
                code2_label="Akquisiteur",
                dunning_fee=Decimal("5.00"),
            ),
            CORPORATE: KindSettings(
                status_labels={1: "Reiserichtlinien"},
                code1_label="Akquisiteur",
                code2_label="Branche",
                dunning_fee=Decimal("7.50"),
            ),
        }
    )

    #: A dunning letter naming most fields; ``{{Stand}}`` is literal text.
    DUNNING_TEMPLATE: ClassVar[str] = (
        "{Kunde-Briefanrede},\n"
        "Kunde {Kunde-Nummer}, Konto {Kunde-Debitorkonto}, {Kunde-Code1}\n"
        "offen {OP-Betrag} + Mahngebühr {Kunde-Mahngebühr} = {OP-Betrag+Mahngebühr} {{Stand}}"
    )

    def letters_book(self) -> CustomerBook:
        """Customers of the letter tests, registered with :attr:`LETTER_SETTINGS`.

        1 Frau Dr. Müller (private, flags 1 and 5, category A): firm bookings with 1.000,00 €
        and 229,50 € open, and an offer with 300,00 € open. 2 Herr Weiß (private): nothing
        open. 3 Reisebüro Sonne GmbH (corporate): 80,00 € open. 4: a duplicate of 1, merged
        into it. 5: anonymized.
        """
        book = self.book(self.LETTER_SETTINGS)
        book.register_many(
            [
                _draft(
                    last_name="Müller",
                    first_name="Lena",
                    salutation="Frau Dr.",
                    street="Ölbergstraße 17a",
                    postal_code="79098",
                    city="Freiburg",
                    category="A",
                    status=StatusFlags.of([1, 5]),
                    code1="M-4711",
                    code2="ST",
                ),
                _draft(last_name="Weiß", first_name="Jörg", salutation="Herr", code1="M-0815"),
                _draft(
                    CORPORATE,
                    last_name="Reisebüro Sonne GmbH",
                    salutation="Firma",
                    company="Reisebüro Sonne GmbH",
                    status=StatusFlags.of([1]),
                    code2="Tourismus",
                ),
                _draft(last_name="Müller", first_name="Lena", email="lena@example.org"),
                attrs.evolve(_full_draft(), status=StatusFlags.of([2])),
            ]
        )
        for booking in (
            _booking("VG-1", 1, open_amount=Decimal("1000.00")),
            _booking("VG-2", 1, open_amount=Decimal("229.50")),
            _booking("AN-1", 1, OFFER, open_amount=Decimal("300.00")),
            _booking("VG-3", 3, open_amount=Decimal("80.00")),
        ):
            book.record_booking(booking)
        book.merge(1, [4])
        book.anonymize(5, AGENCY)
        return book

    def test_select_page_pages_a_selection_by_number(self) -> None:
        """select_page returns selected customers numbered above ``after``, at most ``limit``."""
        self.insert(*(_customer(n) for n in range(1, 6)))
        self.insert(_customer(6, merged_into=1), _customer(7))
        with self.store.transaction(write=False) as tx:
            pages = [_numbers(tx.select_page(Selection(), after, 2)) for after in (0, 2, 5, 7)]
        assert [[1, 2], [3, 4], [7], []] == pages

    def test_select_page_with_a_limit_below_one_is_empty(self) -> None:
        """A limit of 0 (or less) selects nobody."""
        self.insert(_customer(1))
        with self.store.transaction(write=False) as tx:
            found = [tx.select_page(Selection(), 0, limit) for limit in (0, -1)]
        assert [[], []] == found

    def test_select_page_returns_customers_as_stored(self) -> None:
        """A page holds the same customers, field for field, as select."""
        self.letters_book()
        with self.store.transaction(write=False) as tx:
            selection = Selection(include_merged=True)
            assert tx.select(selection) == tx.select_page(selection, 0, 100)

    def test_select_with_a_limit_reads_one_page_after_a_number(self) -> None:
        """book.select with limit and after pages a selection by number, the last page short."""
        self.insert(*(_customer(n) for n in range(1, 6)))
        self.insert(_customer(6, merged_into=1), _customer(7))
        book = self.book()

        pages = [_numbers(book.select(limit=2, after=after)) for after in (0, 2, 4, 7)]

        assert [[1, 2], [3, 4], [5, 7], []] == pages
        assert [[1, 2], [4, 5, 7]] == [
            _numbers(book.select(limit=2)),
            _numbers(book.select(after=3)),
        ]

    def test_select_pages_follow_the_selection(self) -> None:
        """A page of a selection holds only its customers; merged ones when it includes them."""
        self.insert(*(_customer(n) for n in range(1, 4)), _customer(4, merged_into=1))
        book = self.book()

        found = book.select(Selection(include_merged=True), limit=2, after=2)

        assert [3, 4] == _numbers(found)
        assert book.select(Selection(include_merged=True))[2:] == found

    @pytest.mark.parametrize(
        ("limit", "after"),
        [(0, None), (-1, 0), (True, 0), (1.5, 0), ("2", 0), (None, -1), (2, "1"), (2, 2**63)],
    )
    def test_select_refuses_a_bad_limit_or_after(self, limit: object, after: object) -> None:
        """A limit below 1 or an after below 0, or either no whole number, is refused."""
        book = self.book()
        book.register(PRIVATE, "Eins")
        with pytest.raises(InvalidInputError):
            book.select(limit=limit, after=after)  # type: ignore[arg-type]

    def test_pages_of_any_selection_add_up_to_the_selection(self) -> None:
        """Reading page after page gives exactly what select gives, for any page size."""
        self.register_population()

        @given(selection=_population_selections(), limit=st.integers(1, 4))
        @_examples(40)
        def check(selection: Selection, limit: int) -> None:
            with self.store.transaction(write=False) as tx:
                pages, after = [], 0
                while page := tx.select_page(selection, after, limit):
                    pages.extend(page)
                    after = page[-1].number
                assert tx.select(selection) == pages

        check()

    def test_profile_shows_flags_and_codes_under_the_kinds_labels(self) -> None:
        """The profile is Jack's "Attribute" card: every labelled flag, codes under labels."""
        book = self.letters_book()
        expected = CustomerProfile(
            number=1,
            kind=PRIVATE,
            customer_type=CustomerType.WALK_IN,
            debtor_account=10001,
            category="A",
            flags=(
                ProfileFlag(1, "VIP", is_set=True),
                ProfileFlag(2, "Weihnachtskarte", is_set=False),
                ProfileFlag(5, "Kreuzfahrt", is_set=True),
            ),
            code1=LabelledCode("code1", "Mitgliedsnummer", "M-4711"),
            code2=LabelledCode("code2", "Akquisiteur", "ST"),
        )
        assert expected == book.profile(1)

    def test_profile_uses_the_labels_of_the_customers_kind(self) -> None:
        """A corporate customer's codes and flags carry the corporate kind's labels."""
        profile = self.letters_book().profile(3)
        labels = (profile.code1.label, profile.code2.label, profile.flags)
        assert ("Akquisiteur", "Branche", (ProfileFlag(1, "Reiserichtlinien", True),)) == labels

    def test_profile_shows_a_flag_whose_label_was_deleted_by_number(self) -> None:
        """A flag the customer still carries after its label was deleted shows, unlabelled."""
        book = self.letters_book()
        book.rename_status_label(PRIVATE, 5, None)
        assert ProfileFlag(5, None, is_set=True) == book.profile(1).flags[-1]

    def test_profile_of_a_merged_number_is_its_masters(self) -> None:
        """A merged number's profile is its master's, as resolve follows merges."""
        book = self.letters_book()
        assert book.profile(1) == book.profile(4)

    def test_profile_of_an_anonymized_customer_shows_only_what_is_kept(self) -> None:
        """Number, kind, type and account stay; category, flags and codes are blank."""
        profile = self.letters_book().profile(5)
        kept = (profile.number, profile.debtor_account, profile.anonymized, profile.category)
        blank = (profile.set_flags, profile.code1.value, profile.code2.value)
        assert ((5, 10005, True, None), ((), "", "")) == (kept, blank)

    def test_profile_of_an_unknown_number_is_refused(self) -> None:
        """No customer, no profile."""
        book = self.letters_book()
        self.assert_refused(CustomerNotFoundError, lambda: book.profile(99))

    def test_letters_render_the_dunning_example(self) -> None:
        """Open 1.229,50 € plus a 5,00 € fee prints as 1.234,50 € (Jack's mail-merge fields)."""
        letters = list(self.letters_book().letters(None, self.DUNNING_TEMPLATE))
        assert [
            Letter(
                1,
                10001,
                "Sehr geehrte Frau Dr. Müller,\n"
                "Kunde 1, Konto 10001, M-4711\n"
                "offen 1.229,50 € + Mahngebühr 5,00 € = 1.234,50 € {Stand}",
            ),
            Letter(
                2,
                10002,
                "Sehr geehrter Herr Weiß,\n"
                "Kunde 2, Konto 10002, M-0815\n"
                "offen 0,00 € + Mahngebühr 5,00 € = 5,00 € {Stand}",
            ),
            Letter(
                3,
                10003,
                "Sehr geehrte Damen und Herren,\n"
                "Kunde 3, Konto 10003, \n"
                "offen 80,00 € + Mahngebühr 7,50 € = 87,50 € {Stand}",
            ),
        ] == letters

    def test_letters_never_reach_anonymized_customers_even_when_selected(self) -> None:
        """A selection asking for anonymized customers only gets no letters at all."""
        book = self.letters_book()
        assert [] == list(book.letters(Selection(anonymized=True), "{Kunde-Nummer}"))

    def test_letters_never_reach_merged_duplicates_even_when_selected(self) -> None:
        """A selection that includes tombstones still gets letters for active customers only."""
        book = self.letters_book()
        letters = book.letters(Selection(include_merged=True, anonymized=None), "{Kunde-Nummer}")
        assert ["1", "2", "3"] == [letter.text for letter in letters]

    def test_letters_follow_the_selection(self) -> None:
        """Only the selected customers receive letters (here: private ones with flag 5)."""
        book = self.letters_book()
        letters = book.letters(Selection(kind=PRIVATE, status_all=[5]), "{Kunde-Name}")
        assert [(1, "Müller")] == [(letter.customer, letter.text) for letter in letters]

    def test_letters_take_open_amounts_from_the_caller(self) -> None:
        """Given open amounts replace the bookings' sums; a customer not listed owes 0,00 €."""
        book = self.letters_book()
        amounts: dict[int, Decimal | str] = {2: Decimal("1229.50"), 3: "10.00"}
        letters = book.letters(None, "{OP-Betrag+Mahngebühr}", open_amounts=amounts)
        assert ["5,00 €", "1.234,50 €", "17,50 €"] == [letter.text for letter in letters]

    def test_the_open_amount_of_a_merged_number_goes_to_its_master(self) -> None:
        """Accounting may still list a duplicate's number: its amount adds to the master's,
        a number no customer has counts for nobody, and the run says which were which."""
        book = self.letters_book()
        amounts: dict[int, Decimal | str] = {1: "100.00", 4: "20.50", 99: "7.00"}
        run = book.letters(None, "{Kunde-Nummer}: {OP-Betrag}", open_amounts=amounts)
        assert run.credited is not None
        assert (((4, 1),), (99,)) == (run.credited.merged, run.credited.unknown)
        assert ["1: 120,50 €", "2: 0,00 €", "3: 0,00 €"] == [letter.text for letter in run]
        sink = io.StringIO(newline="")
        written = book.write_merge_data(
            None, sink, fields=["Kunde-Nummer", "OP-Betrag"], open_amounts=amounts
        )
        assert (((4, 1),), (99,)) == (written.merged, written.unknown)
        assert "1;120,50 €" in sink.getvalue()

    def test_letters_to_owing_customers_only(self) -> None:
        """owing_only leaves out customers whose open amount is zero."""
        book = self.letters_book()
        letters = book.letters(None, "{Kunde-Nummer}: {OP-Betrag}", owing_only=True)
        assert ["1: 1.229,50 €", "3: 80,00 €"] == [letter.text for letter in letters]

    def test_letters_read_in_small_batches_equal_those_read_in_one(self) -> None:
        """The batch size changes how customers are read, never which letters come out."""
        book = self.letters_book()
        one = list(book.letters(None, self.DUNNING_TEMPLATE, batch_size=500))
        assert one == list(book.letters(None, self.DUNNING_TEMPLATE, batch_size=1))

    def test_an_unknown_placeholder_is_refused_when_letters_are_asked_for(self) -> None:
        """The call itself raises, naming the placeholder, before any letter is rendered."""
        book = self.letters_book()
        error = self.assert_refused(
            LetterTemplateError, lambda: book.letters(None, "Hallo {Kunde-Nmae}")
        )
        assert "Kunde-Nmae" == error.placeholder

    def test_merge_data_file_comes_out_byte_for_byte(self) -> None:
        """The data file: BOM, header of field names, a row per recipient, CRLF, semicolons."""
        book = self.letters_book()
        target = self.request.getfixturevalue("tmp_path") / "serienbrief.csv"
        fields = ["Kunde-Nummer", "Kunde-Anrede", "Kunde-Name", "Kunde-Strasse", "Kunde-Ort"]
        rows = book.write_merge_data(None, target, fields=[*fields, "OP-Betrag+Mahngebühr"])
        expected = (
            "\ufeffKunde-Nummer;Kunde-Anrede;Kunde-Name;Kunde-Strasse;Kunde-Ort;"
            "OP-Betrag+Mahngebühr\r\n"
            "1;Frau Dr.;Müller;Ölbergstraße 17a;Freiburg;1.234,50 €\r\n"
            "2;Herr;Weiß;;;5,00 €\r\n"
            "3;Firma;Reisebüro Sonne GmbH;;;87,50 €\r\n"
        )
        assert (MergeDataWritten(3, 0), expected.encode()) == (rows, target.read_bytes())

    def test_merge_data_file_has_every_field_by_default(self) -> None:
        """Without a field list, every mail-merge field is a column, in the documented order."""
        book = self.letters_book()
        target = self.request.getfixturevalue("tmp_path") / "alle.csv"
        book.write_merge_data(Selection(code1="M-4711"), target)
        header, row, end = target.read_bytes().decode("utf-8-sig").split("\r\n")
        assert (
            "Kunde-Nummer;Kunde-Debitorkonto;Kunde-Anrede;Kunde-Briefanrede;Kunde-Vorname;"
            "Kunde-Name;Kunde-Firma;Kunde-Strasse;Kunde-PLZ;Kunde-Ort;Kunde-Land;"
            "Kunde-E-Mail;Kunde-Telefon;Kunde-Geburtsdatum;Kunde-Kategorie;Kunde-Code1;"
            "Kunde-Code2;Kunde-Mahngebühr;OP-Betrag;OP-Betrag+Mahngebühr",
            "1;10001;Frau Dr.;Sehr geehrte Frau Dr. Müller;Lena;Müller;;Ölbergstraße 17a;79098;"
            "Freiburg;;;;;A;M-4711;ST;5,00 €;1.229,50 €;1.234,50 €",
            "",
        ) == (header, row, end)

    def test_merge_data_file_never_holds_anonymized_or_merged_customers(self) -> None:
        """Asked for anonymized customers and tombstones, the data file has a header only."""
        book = self.letters_book()
        target = self.request.getfixturevalue("tmp_path") / "leer.csv"
        selection = Selection(anonymized=True, include_merged=True)
        rows = book.write_merge_data(selection, target, fields=["Kunde-Nummer"])
        assert (MergeDataWritten(0, 0), "\ufeffKunde-Nummer\r\n".encode()) == (
            rows,
            target.read_bytes(),
        )

    def test_merge_data_file_with_an_unknown_field_is_refused_before_writing(self) -> None:
        """An unknown field name is refused and no file is created."""
        book = self.letters_book()
        folder = self.request.getfixturevalue("tmp_path") / "export"
        folder.mkdir()
        with pytest.raises(LetterTemplateError):
            book.write_merge_data(None, folder / "nie.csv", fields=["Kunde-Nummer", "Kunde-Hobby"])
        assert [] == list(folder.iterdir())
