"""Each decision written down in docs/decisions.md, pinned by one test."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import attrs
import pytest

from custmodel import (
    MAX_MONEY,
    MAX_NOTES_LENGTH,
    MAX_NUMBER,
    AlreadyMergedError,
    AnonymizedCustomerError,
    Booking,
    BookingKind,
    CustomerBook,
    CustomerKind,
    CustomerType,
    InvalidCategoryError,
    InvalidInputError,
    InvalidSettingsError,
    InvalidStatusFlagError,
    KindSettings,
    MemoryStore,
    MergeRefusedError,
    NewCustomer,
    SalesChannel,
    Selection,
    Settings,
    StatusFlags,
    TemplateCustomerError,
    rules,
)
from custmodel._usecases.entry import MAX_PER_VALUE
from custmodel.dedupe import CandidateKeys

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
PRIVATE, CORPORATE, PROSPECT = CustomerKind.PRIVATE, CustomerKind.CORPORATE, CustomerKind.PROSPECT


def make_book(store: MemoryStore | None = None) -> CustomerBook:
    """A book with labelled flags and categories on private and corporate customers."""
    settings = Settings(
        kinds={
            PRIVATE: KindSettings(categories=("A", "B"), status_labels={1: "VIP", 2: "Single"}),
            CORPORATE: KindSettings(categories=("A",), status_labels={1: "Richtlinien"}),
            PROSPECT: KindSettings(renumber_on_kind_change=True, debtor_offset=90000),
        }
    )
    return CustomerBook(store or MemoryStore(), settings, clock=lambda: NOW)


def firm(reference: str, customer: int, departure: date = date(2025, 1, 1)) -> Booking:
    """A firm booking sold by AG1 through an own channel."""
    return Booking(reference, customer, BookingKind.BOOKING, departure, "AG1")


def test_settings_are_stored_and_seen_by_a_book_without_settings() -> None:
    """A second book over the same store, built without settings, uses the stored ones."""
    store = MemoryStore()
    make_book(store)
    assert ("A", "B") == CustomerBook(store).settings.kind(PRIVATE).categories


def test_offset_change_keeps_existing_debtor_accounts() -> None:
    """Changing a kind's offset changes only the accounts of customers registered later."""
    book = make_book()
    before = book.register(PRIVATE, "Alt")
    book.update_kind_settings(PRIVATE, debtor_offset=5000)
    after = book.register(PRIVATE, "Neu")
    assert (10001, 15002) == (book.get(before.number).debtor_account, after.debtor_account)


def test_removing_a_category_in_use_is_refused() -> None:
    """A category still carried by a customer cannot be removed from its kind's list."""
    book = make_book()
    book.register(PRIVATE, "Weber", category="A")
    with pytest.raises(InvalidCategoryError):
        book.update_kind_settings(PRIVATE, categories=("B",))
    assert ("A", "B") == book.settings.kind(PRIVATE).categories


def test_update_settings_refuses_to_replace_the_kinds() -> None:
    """update_settings(kinds=...) is refused: kinds change field by field through per_kind."""
    book = make_book()
    with pytest.raises(InvalidInputError):
        book.update_settings(kinds={PRIVATE: KindSettings()})
    assert ("A", "B") == book.settings.kind(PRIVATE).categories


def test_template_customer_cannot_change_kind() -> None:
    """The kind of a template customer cannot change until another template is named."""
    book = make_book()
    template = book.register(CORPORATE, "Vorlage GmbH")
    book.update_kind_settings(CORPORATE, template_customer=template.number)
    with pytest.raises(TemplateCustomerError):
        book.change_kind(template.number, PRIVATE)
    assert CORPORATE == book.get(template.number).kind


def test_template_customer_may_be_anonymized() -> None:
    """Anonymizing a template customer keeps its commission reference for the kind."""
    book = make_book()
    template = book.register(CORPORATE, "Vorlage GmbH", commission_scheme="Staffel")
    book.update_kind_settings(CORPORATE, template_customer=template.number)
    other = book.register(CORPORATE, "Vogel KG")
    book.anonymize(template.number, "AG1", date(2026, 11, 24))
    assert "Staffel" == book.effective_rules(other.number).commission_scheme.rule


def test_control_characters_are_refused_in_names() -> None:
    """A control character in a name is refused; notes may hold line breaks."""
    book = make_book()
    with pytest.raises(InvalidInputError):
        book.register(PRIVATE, "Weber\x00")
    assert "a\nb" == book.register(PRIVATE, "Weber", notes="a\nb").notes


def test_get_returns_the_tombstone_of_a_merged_customer() -> None:
    """get on a merged number returns its tombstone, which names the master."""
    book = make_book()
    master, dup = book.register(PRIVATE, "Test"), book.register(PRIVATE, "Test")
    book.merge(master.number, [dup.number])
    assert master.number == book.get(dup.number).merged_into


def test_update_cannot_change_the_kind() -> None:
    """update refuses a changed kind; change_kind is the command for it."""
    book = make_book()
    customer = book.register(PRIVATE, "Weber")
    with pytest.raises(InvalidInputError):
        book.update(attrs.evolve(customer, kind=CORPORATE))
    assert PRIVATE == book.get(customer.number).kind


def test_update_can_change_the_type() -> None:
    """update may change the customer type."""
    book = make_book()
    customer = book.register(PRIVATE, "Weber")
    updated = book.update(attrs.evolve(customer, customer_type=CustomerType.REGULAR))
    assert CustomerType.REGULAR == updated.customer_type


def test_setting_a_flag_needs_a_label_on_every_kind_of_the_selection() -> None:
    """Flag 2 is labelled on private only, so setting it on all customers is refused."""
    book = make_book()
    book.register(PRIVATE, "Weber")
    book.register(CORPORATE, "Firma")
    with pytest.raises(InvalidStatusFlagError):
        book.set_status(Selection(), 2)
    assert 0 == book.count(Selection(status_any=frozenset({2})))


def test_clearing_an_unlabelled_flag_works() -> None:
    """After its label was deleted, a flag can still be cleared from customers."""
    book = make_book()
    book.register(PRIVATE, "Weber", status=[2])
    book.rename_status_label(PRIVATE, 2, None)
    assert 1 == book.set_status(Selection(kind=PRIVATE), 2, on=False)


def test_set_status_skips_anonymized_customers() -> None:
    """Status setzen never gives a flag to an anonymized customer."""
    book = make_book()
    customer = book.register(PRIVATE, "Weber")
    book.anonymize(customer.number, "AG1", date(2026, 11, 24))
    assert 0 == book.set_status(Selection(kind=PRIVATE), 1)


def test_keep_status_keeps_flags_unlabelled_on_the_new_kind() -> None:
    """keep_status keeps flag 2 although the corporate kind has no label for it."""
    book = make_book()
    customer = book.register(PRIVATE, "Weber", status=[1, 2])
    change = book.change_kind(customer.number, CORPORATE, keep_status=True)
    assert StatusFlags.of([1, 2]) == change.customer.status


def test_manual_change_away_from_prospect_renumbers() -> None:
    """With renumber_on_kind_change, a manual kind change of a prospect renumbers too."""
    book = make_book()
    prospect = book.register(PROSPECT, "Becker")
    change = book.change_kind(prospect.number, PRIVATE)
    assert (100001, 10001) == (change.old_debtor_account, change.new_debtor_account)


def test_iter_customers_shows_a_change_made_before_its_page_is_read() -> None:
    """Customer 2, changed after customer 1 was taken, comes with the change (no snapshot)."""
    book = make_book()
    for name in ("Eins", "Zwei"):
        book.register(PRIVATE, name)
    customers = book.iter_customers(batch_size=1)
    next(customers)
    book.update(attrs.evolve(book.get(2), city="Köln"))
    assert "Köln" == next(customers).city


def test_iter_bookings_batch_size_counts_customers_not_bookings() -> None:
    """With batch_size=1 a customer's three bookings come together from one read."""
    book = make_book()
    customer = book.register(PRIVATE, "Weber")
    for n in range(3):
        book.record_booking(firm(f"VG-{n}", customer.number))
    assert ["VG-0", "VG-1", "VG-2"] == [b.reference for b in book.iter_bookings(batch_size=1)]


def test_name_search_folds_case_with_unicode_rules() -> None:
    """ "STRASSE" finds a customer whose name contains "Straße"."""
    book = make_book()
    book.register(PRIVATE, "Straßmann", company="Hauptstraße Reisen")
    assert 1 == book.count(Selection(name="STRASSE"))


def test_code1_lookup_is_case_sensitive_and_exact() -> None:
    """find_by_code1 matches exactly: no other case, no prefix."""
    book = make_book()
    book.register(PRIVATE, "Weber", code1="Abc-1")
    assert ([], [], 1) == (
        book.find_by_code1("abc-1"),
        book.find_by_code1("Abc"),
        len(book.find_by_code1("Abc-1")),
    )


def test_recording_a_known_reference_changes_the_booking() -> None:
    """Recording an offer again as a firm booking turns it into one."""
    book = make_book()
    customer = book.register(PRIVATE, "Weber")
    offer = Booking("VG-1", customer.number, BookingKind.OFFER, date(2027, 1, 1), "AG1")
    book.record_booking(offer)
    book.record_booking(attrs.evolve(offer, kind=BookingKind.BOOKING))
    assert [BookingKind.BOOKING] == [b.kind for b in book.bookings(customer.number)]


def test_offer_upgraded_to_firm_booking_is_a_first_capture() -> None:
    """An offer that becomes a firm booking prompts for a deposit; a later change does not."""
    book = make_book()
    book.update_kind_settings(PRIVATE, deposit_prompt=True)
    customer = book.register(PRIVATE, "Weber")
    offer = Booking("VG-1", customer.number, BookingKind.OFFER, date(2027, 1, 1), "AG1")
    prompts = [
        book.record_booking(offer).deposit_prompt,
        book.record_booking(attrs.evolve(offer, kind=BookingKind.BOOKING)).deposit_prompt,
        book.record_booking(
            attrs.evolve(offer, kind=BookingKind.BOOKING, open_amount=Decimal("10.00"))
        ).deposit_prompt,
    ]
    assert [False, True, False] == prompts


def test_a_mark_follows_its_duplicate_to_the_master() -> None:
    """A mark of duplicate 2 against 3 names master 1 after the merge; one of 1 and 2 goes."""
    book = make_book()
    for _ in range(3):
        book.register(PRIVATE, "Test")
    book.mark_distinct(2, 3)
    book.mark_distinct(1, 2)

    book.merge(1, [2])

    assert [(1, 3)] == [m.pair for m in book.distinct_marks()]


def test_the_entry_check_skips_a_value_too_many_customers_share() -> None:
    """An e-mail 21 customers share finds none of them; shared by 20 it finds all 20."""
    book = make_book()
    book.register_many(
        NewCustomer(kind=PRIVATE, last_name=f"Kunde{n}", email="info@example.org")
        for n in range(20)
    )
    keys = CandidateKeys(emails=("info@example.org",))

    def found() -> int:
        with book.store.transaction(write=False) as tx:
            return len(tx.duplicate_candidates(keys, MAX_PER_VALUE))

    twenty = found()
    book.register(PRIVATE, "Kunde20", email="info@example.org")

    assert (20, 0) == (twenty, found())


def test_merged_customer_takes_no_new_booking() -> None:
    """A booking for a merged number is refused with the master named."""
    book = make_book()
    master, dup = book.register(PRIVATE, "Test"), book.register(PRIVATE, "Test")
    book.merge(master.number, [dup.number])
    with pytest.raises(AlreadyMergedError) as refused:
        book.record_booking(firm("VG-9", dup.number))
    assert master.number == refused.value.master


def test_anonymized_customer_takes_no_new_booking() -> None:
    """A booking for an anonymized customer is refused."""
    book = make_book()
    customer = book.register(PRIVATE, "Weber")
    book.anonymize(customer.number, "AG1", date(2026, 11, 24))
    with pytest.raises(AnonymizedCustomerError):
        book.record_booking(firm("VG-9", customer.number))
    assert [] == book.bookings(customer.number)


def test_float_money_is_refused() -> None:
    """A float amount is refused rather than rounded."""
    with pytest.raises(InvalidInputError):
        rules.dunning_fields(Decimal("5.00"), 12.5)  # type: ignore[arg-type]


def test_sub_cent_money_is_refused() -> None:
    """An amount with fractions of a cent is refused rather than rounded."""
    with pytest.raises(InvalidInputError):
        rules.dunning_fields(Decimal("5.00"), Decimal("12.345"))


def test_euro_text_uses_a_plain_space() -> None:
    """The de_DE text separates amount and euro sign with an ordinary space."""
    assert "1.234,50 €" == rules.format_eur(Decimal("1234.50"))


def test_dunning_fields_include_the_open_amount() -> None:
    """Besides the two R6 fields, OP-Betrag itself is given."""
    fields = rules.dunning_fields(Decimal("5.00"), Decimal("100.00"))
    assert "100,00 €" == fields["OP-Betrag"].text


def test_anonymized_customer_receives_no_dunning_letter() -> None:
    """dunning_fields refuses an anonymized customer."""
    book = make_book()
    customer = book.register(PRIVATE, "Weber")
    book.anonymize(customer.number, "AG1", date(2026, 11, 24))
    with pytest.raises(AnonymizedCustomerError):
        book.dunning_fields(customer.number, Decimal("10.00"))


def test_anonymized_duplicate_cannot_be_merged() -> None:
    """Merging an anonymized duplicate into a named master is refused."""
    book = make_book()
    master, dup = book.register(PRIVATE, "Test"), book.register(PRIVATE, "Test")
    book.anonymize(dup.number, "AG1", date(2026, 11, 24))
    with pytest.raises(MergeRefusedError):
        book.merge(master.number, [dup.number])
    assert book.get(dup.number).is_active


def test_tombstone_keeps_no_rule_references() -> None:
    """A tombstone keeps neither personal fields nor commission and fee references."""
    book = make_book()
    master = book.register(PRIVATE, "Test")
    dup = book.register(PRIVATE, "Test", email="t@example.org", commission_scheme="S")
    book.merge(master.number, [dup.number])
    tombstone = book.get(dup.number)
    assert ("", "", None) == (tombstone.last_name, tombstone.email, tombstone.commission_scheme)


def test_unite_status_takes_flags_of_the_same_kind_only() -> None:
    """unite_status ignores the flags of a duplicate of another kind."""
    book = make_book()
    master = book.register(PRIVATE, "Test")
    same = book.register(PRIVATE, "Test", status=[2])
    other = book.register(CORPORATE, "Test", status=[1])
    report = book.merge(master.number, [same.number, other.number], unite_status=True)
    assert StatusFlags.of([2]) == report.master.status


def test_fill_blanks_takes_the_first_duplicate_that_has_a_value() -> None:
    """fill_blanks fills an empty master field from the first duplicate, in the order given."""
    book = make_book()
    master = book.register(PRIVATE, "Test")
    first = book.register(PRIVATE, "Test", city="Berlin")
    second = book.register(PRIVATE, "Test", city="Köln")
    report = book.merge(master.number, [second.number, first.number], fill_blanks=True)
    assert "Köln" == report.master.city


def test_every_blocking_reason_is_listed() -> None:
    """One booking at another POS through a partner, departed yesterday, lists three reasons."""
    booking = Booking(
        "VG-1",
        1,
        BookingKind.BOOKING,
        date(2026, 11, 23),
        "AG2",
        SalesChannel.external("Booking.com"),
    )
    answer = rules.anonymization_eligibility([booking], "AG1", date(2026, 11, 24))
    assert ("not_point_of_sale", "external_channel", "too_recent") == answer.blockers[0].reasons


def test_eligible_from_is_none_when_time_alone_does_not_help() -> None:
    """Another point of sale is no matter of time, so no date is promised."""
    booking = Booking("VG-1", 1, BookingKind.BOOKING, date(2026, 11, 23), "AG2")
    answer = rules.anonymization_eligibility([booking], "AG1", date(2026, 11, 24))
    assert answer.eligible_from is None


def test_point_of_sale_comparison_is_exact() -> None:
    """ "ag1" is another agency than "AG1"."""
    booking = Booking("VG-1", 1, BookingKind.BOOKING, date(2020, 1, 1), "ag1")
    assert not rules.anonymization_eligibility([booking], "AG1", date(2026, 11, 24)).eligible


def test_today_defaults_to_the_clock_date() -> None:
    """Without today, eligibility uses the date of the book's clock."""
    book = make_book()
    customer = book.register(PRIVATE, "Weber")
    book.record_booking(firm("VG-1", customer.number, date(2026, 10, 13)))  # + 42 = 11-24
    assert book.eligibility(customer.number, "AG1").eligible


def test_dummy_data_is_constant() -> None:
    """Two different people look exactly alike after anonymization, but for number and account."""
    book = make_book()
    one = book.register(
        PRIVATE, "Weber", first_name="Anna", city="Köln", birth_date=date(1970, 1, 1)
    )
    two = book.register(PRIVATE, "Schulz", email="p@example.org", status=[1], category="B")
    a = book.anonymize(one.number, "AG1", date(2026, 11, 24)).customer
    b = book.anonymize(two.number, "AG1", date(2026, 11, 24)).customer
    keep = {"number", "debtor_account", "version", "created_at", "updated_at", "anonymized_at"}
    strip = {f.name: None for f in attrs.fields(type(a)) if f.name in keep}
    assert attrs.asdict(attrs.evolve(a, **{k: getattr(b, k) for k in strip})) == attrs.asdict(b)


def test_refused_category_is_not_repeated_in_the_error() -> None:
    """A category can describe the person, so the error does not repeat it."""
    with pytest.raises(InvalidCategoryError) as refused:
        make_book().register(PRIVATE, "Weber", category="Rentnerin mit Pflegegrad")
    assert "Rentnerin" not in str(refused.value)


# -- profiles and letters -----------------------------------------------------------------------


def _letter_book() -> CustomerBook:
    """Customers 1 (private, 100,00 € open on a firm booking), 2 (merged into 1), 3 (anonymized)."""
    book = make_book()
    for name in ("Eins", "Zwei", "Drei"):
        book.register(PRIVATE, name, salutation="Herr")
    book.record_booking(attrs.evolve(firm("VG-1", 1), open_amount=Decimal("100.00")))
    book.merge(1, [2])
    book.anonymize(3, "AG1", date(2026, 1, 1))
    return book


def test_a_merged_numbers_profile_is_its_masters() -> None:
    """profile(2) of a duplicate merged into 1 shows customer 1."""
    assert 1 == _letter_book().profile(2).number


def test_an_anonymized_customers_profile_is_shown() -> None:
    """The profile of an anonymized customer comes back, marked anonymized."""
    assert _letter_book().profile(3).anonymized


def test_templates_name_codes_by_field_not_by_label() -> None:
    """{Kunde-Code1} is the field; the kind's label (e.g. "Mitgliedsnummer") is no placeholder."""
    book = make_book()
    book.update_kind_settings(PRIVATE, code1_label="Mitgliedsnummer")

    with pytest.raises(InvalidInputError):
        book.letters(None, "{Mitgliedsnummer}")


def test_an_unknown_placeholder_is_refused_not_printed() -> None:
    """A misspelt placeholder raises instead of going out as text."""
    with pytest.raises(InvalidInputError):
        _letter_book().letters(None, "{OP-Betrag+Mahngebuehr}")


def test_offers_owe_nothing_in_letters() -> None:
    """The default open amount sums firm bookings only."""
    book = _letter_book()
    book.record_booking(
        attrs.evolve(firm("AN-1", 1), kind=BookingKind.OFFER, open_amount=Decimal("50.00"))
    )

    assert ["100,00 €"] == [letter.text for letter in book.letters(None, "{OP-Betrag}")]


def test_handed_over_amounts_of_a_merged_number_are_credited_to_the_master() -> None:
    """Open amounts keyed by a merged duplicate's number are added to its master's, and the
    run says so."""
    letters = _letter_book().letters(None, "{OP-Betrag}", open_amounts={2: Decimal("5.00")})

    assert letters.credited is not None
    assert (((2, 1),), ["5,00 €"]) == (
        letters.credited.merged,
        [letter.text for letter in letters],
    )


def test_asking_for_anonymized_customers_yields_no_letters() -> None:
    """Selection(anonymized=True) gives no letter rather than letters to everyone else."""
    assert [] == list(_letter_book().letters(Selection(anonymized=True), "x"))


def test_a_letter_run_sees_changes_made_between_its_batches() -> None:
    """A customer updated after the first batch was read shows the update in its letter."""
    book = make_book()
    book.register(PRIVATE, "Eins")
    book.register(PRIVATE, "Zwei")
    run = book.letters(None, "{Kunde-Name}", batch_size=1)
    first = next(run)
    book.update(attrs.evolve(book.get(2), last_name="Zwo"))

    assert ["Eins", "Zwo"] == [first.text, next(run).text]


def test_data_files_use_semicolons() -> None:
    """The default delimiter is the semicolon."""
    sink = io.StringIO()
    _letter_book().write_merge_data(None, sink, fields=["Kunde-Nummer", "OP-Betrag"])

    assert "\ufeffKunde-Nummer;OP-Betrag\r\n1;100,00 €\r\n" == sink.getvalue()


def test_data_file_values_are_written_as_stored() -> None:
    """A value that a spreadsheet would take for a formula is written unchanged."""
    book = make_book()
    book.register(PRIVATE, "=1+1", phone="+49 761 5550173")
    sink = io.StringIO()
    book.write_merge_data(None, sink, fields=["Kunde-Name", "Kunde-Telefon"])

    assert sink.getvalue().endswith("=1+1;+49 761 5550173\r\n")


def _statistics_book() -> CustomerBook:
    """Private customer 1 (flags 1 and 2, category A) with an offer and two firm bookings,
    private customer 2 without bookings."""
    book = make_book()
    one = book.register(PRIVATE, "Weber", category="A", status=[1, 2])
    book.register(PRIVATE, "Schulz")
    offer = Booking("AN-1", one.number, BookingKind.OFFER, date(2025, 2, 1), "AG1")
    book.record_booking(attrs.evolve(offer, revenue=Decimal("999.00"), destination="Kreta"))
    book.record_booking(attrs.evolve(firm("VG-1", one.number), revenue=Decimal("100.00")))
    book.record_booking(attrs.evolve(firm("VG-2", one.number), destination="Kreta"))
    return book


def test_offers_add_no_revenue_and_unknown_revenue_counts_as_zero() -> None:
    """The offer's 999.00 is left out; VG-2 without revenue counts as a booking with 0."""
    row = _statistics_book().statistics(group_by="kind").row(PRIVATE)
    assert row is not None
    assert (2, 1, Decimal("100.00")) == (row.firm_bookings, row.offers, row.revenue)


def test_customer_level_groupings_include_customers_without_bookings() -> None:
    """By category, customer 2 without bookings forms the row None with no bookings."""
    row = _statistics_book().statistics(group_by="category").row(None)
    assert row is not None
    assert (1, 0, 0) == (row.customers, row.firm_bookings, row.offers)


def test_booking_level_groupings_count_only_customers_with_bookings() -> None:
    """By destination, customer 2 is in no row and not in the totals."""
    stats = _statistics_book().statistics(group_by="destination")
    assert [("Kreta",), (None,)] == [row.values for row in stats.rows]
    assert 1 == stats.totals.customers


def test_a_customer_with_two_flags_counts_in_both_rows_and_once_in_the_totals() -> None:
    """Customer 1 is in rows 1 and 2, customer 2 in the row None; the totals hold two."""
    stats = _statistics_book().statistics(group_by="status_flag")
    assert [((1,), 1), ((2,), 1), ((None,), 1)] == [(r.values, r.customers) for r in stats.rows]
    assert 2 == stats.totals.customers


def test_statistics_leave_tombstones_out_and_count_anonymized_customers() -> None:
    """After a merge and an anonymization, the tombstone is gone and the anonymized customer
    counts in the row without category."""
    book = _statistics_book()
    three = book.register(PRIVATE, "Weber", category="B")
    book.merge(1, [three.number])
    book.anonymize(2, "AG1")
    stats = book.statistics(Selection(include_merged=True), "category")
    assert [(("A",), 1), ((None,), 1)] == [(r.values, r.customers) for r in stats.rows]


def test_no_code_is_the_empty_text() -> None:
    """Customers without Code1 form the row "", not None."""
    stats = _statistics_book().statistics(group_by="code1")
    assert [("",)] == [row.values for row in stats.rows]


def test_categories_of_different_kinds_share_a_row_by_text() -> None:
    """Category "A" of a private and of a corporate customer is one row of two."""
    book = make_book()
    book.register(PRIVATE, "Weber", category="A")
    book.register(CORPORATE, "Firma", category="A")
    stats = book.statistics(group_by="category")
    assert [(("A",), 2)] == [(row.values, row.customers) for row in stats.rows]


def test_statistics_rows_are_sorted_by_code_point_with_none_last() -> None:
    """Destination "Wien" sorts before "mallorca"; bookings without destination come last."""
    book = make_book()
    customer = book.register(PRIVATE, "Weber")
    for reference, destination in (("VG-1", None), ("VG-2", "mallorca"), ("VG-3", "Wien")):
        booking = firm(reference, customer.number)
        book.record_booking(attrs.evolve(booking, destination=destination))
    stats = book.statistics(group_by="destination")
    assert [("Wien",), ("mallorca",), (None,)] == [row.values for row in stats.rows]


def test_money_above_the_largest_amount_is_refused() -> None:
    """A booking's revenue one cent above MAX_MONEY is InvalidInputError."""
    with pytest.raises(InvalidInputError):
        attrs.evolve(firm("VG-1", 1), revenue=MAX_MONEY + Decimal("0.01"))


def test_statistics_revenue_may_exceed_the_largest_amount() -> None:
    """Two bookings of MAX_MONEY add up to twice MAX_MONEY in the statistics."""
    book = make_book()
    book.register(PRIVATE, "Weber")
    for reference in ("VG-1", "VG-2"):
        book.record_booking(attrs.evolve(firm(reference, 1), revenue=MAX_MONEY))
    assert 2 * MAX_MONEY == book.statistics().totals.revenue


def test_a_number_above_the_range_is_refused_not_looked_up() -> None:
    """Customer 2**63 is InvalidInputError, not CustomerNotFoundError."""
    with pytest.raises(InvalidInputError):
        make_book().get(MAX_NUMBER + 1)


def test_a_lookup_with_a_control_character_is_refused() -> None:
    """Looking up Code1 "K-1" followed by a NUL byte is InvalidInputError, not "nothing"."""
    with pytest.raises(InvalidInputError):
        make_book().find_by_code1("K-1\x00")


def test_notes_are_limited_in_characters() -> None:
    """Notes of MAX_NOTES_LENGTH four-byte characters are taken; one character more is not."""
    book = make_book()
    book.register(PRIVATE, "Weber", notes="\U0001f600" * MAX_NOTES_LENGTH)
    with pytest.raises(InvalidInputError):
        book.register(PRIVATE, "Weber", notes="x" * (MAX_NOTES_LENGTH + 1))


def test_a_label_with_a_control_character_is_refused() -> None:
    """A status flag label with a tab is InvalidSettingsError."""
    with pytest.raises(InvalidSettingsError):
        make_book().rename_status_label(PRIVATE, 3, "Golf\tClub")


def test_a_switch_must_be_a_bool() -> None:
    """``set_status(on="no")`` is InvalidInputError, not a truthy "yes"."""
    with pytest.raises(InvalidInputError):
        make_book().set_status(None, 1, on="no")  # type: ignore[arg-type]


def test_update_of_a_merged_customer_reports_the_merge_first() -> None:
    """Updating a tombstone raises AlreadyMergedError, though its last name is empty."""
    book = make_book()
    book.register(PRIVATE, "Weber")
    book.register(PRIVATE, "Weber")
    book.merge(1, [2])
    with pytest.raises(AlreadyMergedError):
        book.update(book.get(2))
