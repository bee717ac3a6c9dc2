"""Finding duplicates: German-aware normalization, phonetic blocking, explained matches."""

from __future__ import annotations

import builtins
import itertools
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from custmodel import (
    Customer,
    CustomerBook,
    CustomerKind,
    MemoryStore,
    MissingExtraError,
    NewCustomer,
    Selection,
)
from custmodel.dedupe import (
    FIELDS,
    MAX_BLOCK,
    WINDOW,
    CandidateKeys,
    candidate_keys,
    find_duplicate_groups,
    likely_duplicates,
    normalize_name,
)
from custmodel.dedupe._blocking import candidate_pairs
from custmodel.dedupe._compare import BIRTH, Comparer
from custmodel.dedupe._finder import _profiles
from custmodel.dedupe._model import _M0, _U0, _em, _with_missing, estimate
from custmodel.dedupe._profile import Profile

PRIVATE = CustomerKind.PRIVATE


@pytest.fixture
def book() -> CustomerBook:
    """An empty book on the memory store."""
    return CustomerBook(MemoryStore())


def groups(book: CustomerBook) -> list[tuple[int, ...]]:
    """The customer numbers of every duplicate group, best first."""
    return [g.customers for g in book.find_duplicates()]


def test_eight_test_testine_records_form_one_group(book: CustomerBook) -> None:
    """TSmart's eight records "Test, Testine" come back as one group."""
    numbers = [book.register(PRIVATE, "Test", first_name="Testine").number for _ in range(8)]
    assert [tuple(numbers)] == groups(book)


def test_umlaut_and_its_spelling_out_match(book: CustomerBook) -> None:
    """ "Müller" and "Mueller" are one name."""
    a = book.register(PRIVATE, "Müller", first_name="Hans").number
    b = book.register(PRIVATE, "Mueller", first_name="Hans").number
    assert [(a, b)] == groups(book)


def test_names_that_sound_alike_match_and_say_so(book: CustomerBook) -> None:
    """ "Meier" and "Mayer" match through Kölner Phonetik, and the reason names it."""
    book.register(PRIVATE, "Meier", first_name="Karl")
    book.register(PRIVATE, "Mayer", first_name="Karl")
    [group] = book.find_duplicates()
    assert "last names sound alike (67)" in group.pairs[0].reasons


def test_different_first_names_are_different_people(book: CustomerBook) -> None:
    """ "Test, Testine" and "Test, Thomas" are not duplicates."""
    book.register(PRIVATE, "Test", first_name="Testine")
    book.register(PRIVATE, "Test", first_name="Thomas")
    assert [] == groups(book)


def test_first_names_one_letter_apart_are_different_people(book: CustomerBook) -> None:
    """ "Jan" and "Jana" Fischer are two people, even with a shared e-mail address."""
    book.register(PRIVATE, "Fischer", first_name="Jan", email="familie@example.org")
    book.register(PRIVATE, "Fischer", first_name="Jana", email="familie@example.org")
    assert [] == groups(book)


def test_different_birth_dates_are_different_people(book: CustomerBook) -> None:
    """Same name, birth dates more than one typo apart: not duplicates."""
    book.register(PRIVATE, "Schulz", first_name="Petra", birth_date=date(1970, 3, 12))
    book.register(PRIVATE, "Schulz", first_name="Petra", birth_date=date(1982, 7, 25))
    assert [] == groups(book)


@pytest.mark.parametrize(
    "other",
    [date(1980, 1, 1), date(1970, 1, 10), date(1970, 10, 1)],
    ids=["one digit wrong", "two digits swapped", "day and month swapped"],
)
def test_a_birth_date_one_typo_off_still_matches(book: CustomerBook, other: date) -> None:
    """A birth date one typo (or a day/month swap) away is evidence, not a veto."""
    book.register(PRIVATE, "Schulz", first_name="Petra", birth_date=date(1970, 1, 1))
    book.register(PRIVATE, "Schulz", first_name="Petra", birth_date=other)
    [group] = book.find_duplicates()
    assert "birth dates one typo apart" in group.pairs[0].reasons


def test_same_name_in_another_town_is_no_match(book: CustomerBook) -> None:
    """Same name at different postal codes, nothing else shared: not duplicates."""
    book.register(PRIVATE, "Bauer", first_name="Otto", postal_code="10115")
    book.register(PRIVATE, "Bauer", first_name="Otto", postal_code="80331")
    assert [] == groups(book)


def test_shared_birth_date_makes_a_first_name_typo_a_match(book: CustomerBook) -> None:
    """ "Testine"/"Tesine" with the same birth date match, and the birth date is a reason."""
    book.register(PRIVATE, "Koch", first_name="Testine", birth_date=date(1990, 1, 1))
    book.register(PRIVATE, "Koch", first_name="Tesine", birth_date=date(1990, 1, 1))
    [group] = book.find_duplicates()
    assert "same birth date" in group.pairs[0].reasons


def test_company_suffixes_are_ignored(book: CustomerBook) -> None:
    """ "Reisewelt Schmidt GmbH" and "Reisewelt Schmidt" are one company."""
    book.register(CustomerKind.CORPORATE, "Reisewelt Schmidt GmbH")
    book.register(CustomerKind.CORPORATE, "Reisewelt Schmidt")
    assert 1 == len(groups(book))


def test_matching_e_mail_counts_across_spelling(book: CustomerBook) -> None:
    """E-mail addresses are compared without case, and a match is given as a reason."""
    book.register(PRIVATE, "Weber", first_name="Anna", email="Anna@Example.org")
    book.register(PRIVATE, "Wéber", first_name="Anna", email="anna@example.org")
    [group] = book.find_duplicates()
    assert "same e-mail" in group.pairs[0].reasons


def test_focus_on_one_customer_returns_its_matches(book: CustomerBook) -> None:
    """find_duplicates(number) returns only the group of that customer."""
    a = book.register(PRIVATE, "Test", first_name="Testine").number
    b = book.register(PRIVATE, "Test", first_name="Testine").number
    book.register(PRIVATE, "Meier", first_name="Karl")
    book.register(PRIVATE, "Mayer", first_name="Karl")
    assert [(a, b)] == [g.customers for g in book.find_duplicates(a)]


def test_candidates_feed_plan_merge(book: CustomerBook) -> None:
    """A group's master and duplicates go straight into plan_merge."""
    for _ in range(3):
        book.register(PRIVATE, "Test", first_name="Testine")
    [group] = book.find_duplicates()
    plan = book.plan_merge(group.master, group.duplicates)
    assert (1, (2, 3)) == (plan.master, plan.duplicates)


def test_merged_and_anonymized_customers_are_left_out(book: CustomerBook) -> None:
    """Tombstones and anonymized customers are no candidates."""
    a, b, c = (book.register(PRIVATE, "Test", first_name="Testine").number for _ in range(3))
    book.merge(a, [b])
    book.anonymize(c, "AG1", date(2026, 1, 1))
    assert [] == groups(book)


def test_threshold_outside_zero_to_one_is_refused(book: CustomerBook) -> None:
    """A threshold of 0 or above 1 is bad input."""
    with pytest.raises(ValueError, match="threshold"):
        book.find_duplicates(threshold=1.5)


def test_missing_extra_is_named(book: CustomerBook, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without rapidfuzz installed, the error names the extra to install."""
    real_import = builtins.__import__

    def refuse_rapidfuzz(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("rapidfuzz"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse_rapidfuzz)
    with pytest.raises(MissingExtraError, match=r"custmodel\[dedupe\]"):
        book.find_duplicates()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Dr. Jürgen Müller-Lüdenscheidt", "juergen mueller luedenscheidt"),
        ("  STRAUSS  ", "strauss"),
        ("Straß", "strass"),
        ("Sonnenschein e. K.", "sonnenschein"),
        ("Reise GmbH & Co. KG", "reise"),
        ("Frau Prof. Dr. Zoë Ñúñez", "zoe nunez"),
    ],
)
def test_normalize_name(raw: str, expected: str) -> None:
    """Case, umlauts, ß, accents, titles and company suffixes fold away."""
    assert expected == normalize_name(raw)


def test_a_pair_marked_distinct_is_never_paired(book: CustomerBook) -> None:
    """Two customers marked "not a duplicate" form no group."""
    a = book.register(PRIVATE, "Test", first_name="Testine").number
    b = book.register(PRIVATE, "Test", first_name="Testine").number
    customers = book.select(Selection())
    assert [] == find_duplicate_groups(customers, distinct=[(b, a)])


def test_a_group_holding_a_marked_pair_is_split(book: CustomerBook) -> None:
    """A chain a-b-c with a and c marked distinct loses its weakest link, not a pair."""
    a = book.register(PRIVATE, "Test", first_name="Testine", birth_date=date(1990, 1, 1))
    b = book.register(PRIVATE, "Test", first_name="Testine", birth_date=date(1990, 1, 1))
    c = book.register(PRIVATE, "Test", first_name="Testine")
    found = find_duplicate_groups(book.select(Selection()), distinct=[(a.number, c.number)])
    assert [(a.number, b.number)] == [g.customers for g in found]


def test_likely_duplicates_of_a_draft_are_the_matching_customers(book: CustomerBook) -> None:
    """An entry check finds the customer a draft repeats, and not the customer itself."""
    existing = book.register(PRIVATE, "Müller", first_name="Hans", birth_date=date(1970, 5, 1))
    book.register(PRIVATE, "Schulz", first_name="Petra")
    draft = NewCustomer(PRIVATE, "Mueller", first_name="Hans", birth_date=date(1970, 5, 1))
    customers = book.select(Selection())
    assert [existing.number] == [c.number for c in likely_duplicates(draft, customers)]
    assert [] == likely_duplicates(existing, [existing])


def test_candidate_keys_name_both_names_folded() -> None:
    """The keys of a draft hold its e-mail lower-cased and each name folded on its own."""
    draft = NewCustomer(
        PRIVATE,
        "STRAUSS",
        first_name="Jürgen",
        email="J.Strauss@Example.org",
        phone="030 1234",
        postal_code="10115",
        birth_date=date(1970, 5, 1),
    )
    assert CandidateKeys(
        emails=("j.strauss@example.org",),
        birth_dates=(date(1970, 5, 1),),
        postal_codes=("10115",),
        name_keys=("strauss", "jürgen"),
        phones=("030 1234",),
    ) == candidate_keys(draft)


def test_swapped_first_and_last_names_match_and_say_so(book: CustomerBook) -> None:
    """ "Jürgen, Müller" with the same birth date is "Müller, Jürgen" keyed the other way round."""
    a = book.register(PRIVATE, "Müller", first_name="Jürgen", birth_date=date(1970, 5, 1))
    b = book.register(PRIVATE, "Jürgen", first_name="Müller", birth_date=date(1970, 5, 1))
    [group] = book.find_duplicates()
    assert (a.number, b.number) == group.customers
    assert "first and last name swapped" in group.pairs[0].reasons


@pytest.mark.parametrize(
    ("typo", "other"),
    [("Boucesin", "Boucsein"), ("Kirzmann", "Kitzmann")],
)
def test_a_typo_that_changes_the_phonetic_code_still_matches(
    book: CustomerBook, typo: str, other: str
) -> None:
    """The issue's lost pairs: a typo in the last name, identical address and birth date."""
    for last_name in (other, typo):
        book.register(
            PRIVATE,
            last_name,
            first_name="Anke",
            street="Lindenweg 4",
            postal_code="24103",
            birth_date=date(1961, 2, 3),
        )
    assert [(1, 2)] == groups(book)


def test_a_changed_last_name_matches_on_the_rest(book: CustomerBook) -> None:
    """A new surname (marriage) with first name, birth date and address unchanged is found."""
    for last_name in ("Schulz", "Hoffmann"):
        book.register(
            PRIVATE,
            last_name,
            first_name="Katrin",
            street="Gartenstraße 12",
            postal_code="04109",
            city="Leipzig",
            birth_date=date(1985, 9, 30),
        )
    assert [(1, 2)] == groups(book)


@pytest.mark.parametrize(
    "births",
    [(date(1970, 3, 12), date(1972, 8, 30)), (None, None)],
    ids=["different birth dates", "no birth dates"],
)
def test_a_household_is_not_one_party(
    book: CustomerBook, births: tuple[date | None, date | None]
) -> None:
    """Same address, e-mail and last name, different first names: a couple, not a duplicate."""
    for first_name, birth_date in zip(("Hans", "Petra"), births, strict=True):
        book.register(
            PRIVATE,
            "Zwetschgenbaum",
            first_name=first_name,
            street="Hauptstr. 1",
            postal_code="10115",
            city="Berlin",
            email="familie@example.org",
            birth_date=birth_date,
        )
    assert [] == groups(book)


def test_a_partner_with_the_surname_in_the_first_name_column_is_not_one_party(
    book: CustomerBook,
) -> None:
    """ "Frederic" keyed as last name, "Kostolzin" as first: the partner "Wanda Kostolzin" at
    the same address shares only the surname, crosswise; that is no swap of both names."""
    for last_name, first_name, birth_date in (
        ("Frederic", "Kostolzin", date(1940, 1, 1)),
        ("Kostolzin", "Wanda", date(1949, 7, 1)),
    ):
        book.register(
            PRIVATE,
            last_name,
            first_name=first_name,
            street="Lindenweg 2",
            postal_code="63077",
            phone="02211 22598",
            birth_date=birth_date,
        )
    assert [] == groups(book)


@pytest.mark.parametrize(
    ("first_names", "births"),
    [
        (("Berit", "Berndt"), (date(1953, 6, 5), date(1976, 1, 1))),
        (("Johan", "Joana"), (date(2004, 9, 16), None)),
    ],
    ids=["different birth dates", "one birth date missing"],
)
def test_first_names_that_only_sound_alike_are_a_household(
    book: CustomerBook, first_names: tuple[str, str], births: tuple[date | None, date | None]
) -> None:
    """ "Berit" and "Berndt" sound alike but are more than a typo apart: at one address, with
    birth dates that do not agree, they are a couple."""
    for first_name, birth_date in zip(first_names, births, strict=True):
        book.register(
            PRIVATE,
            "Caspar",
            first_name=first_name,
            street="Hillerallee 5",
            postal_code="47231",
            phone="0421 555123",
            birth_date=birth_date,
        )
    assert [] == groups(book)


def test_a_first_name_typo_matches_without_a_birth_date(book: CustomerBook) -> None:
    """ "Jarod"/"Jatod" is one letter wrong, not another first name: no birth date needed."""
    for first_name, birth_date in (("Jarod", date(1940, 5, 29)), ("Jatod", None)):
        book.register(
            PRIVATE,
            "Mccarthy",
            first_name=first_name,
            street="Hentystraße 44",
            postal_code="23700",
            birth_date=birth_date,
        )
    [group] = book.find_duplicates()
    assert "first names similar" in group.pairs[0].reasons


def test_household_pairs_do_not_teach_the_model() -> None:
    """Many partners (same address and surname, another first name and birth date) among the
    candidates must not teach that one party often has another birth date."""
    partners = (1, 4, 3, 1, 1, 0, 1, 1)
    same = (1, 1, 1, 1, 1, 0, 1, 1)
    m, _prior = _em(
        Counter({partners: 5_000, same: 500}), _with_missing(_M0), _with_missing(_U0), 10**9
    )
    assert m[BIRTH][3] < _M0[BIRTH][2]


def _profile(number: int, last: str, first: str, **fields: str) -> Profile:
    codes = {
        "white": "32",
        "whitbe": "321",
        "alexa": "048",
        "glass": "458",
        "glaws": "4538",
        "charlotte": "4752",
    }
    values: dict[str, Any] = {
        "birth": "",
        "street": "",
        "postal": "",
        "city": "",
        "email": "",
        "phone": "",
    }
    return Profile(
        number, last, first, codes.get(last, ""), codes.get(first, ""), **{**values, **fields}
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("white", "alexa", "19160822"), ("alexa", "whitbe", "19300526")),
        (("glaws", "", "19670317"), ("glass", "charlotte", "19510713")),
    ],
    ids=["swapped names with a typo", "no first name and a typo"],
)
def test_the_same_address_compares_swapped_or_missing_names(
    a: tuple[str, str, str], b: tuple[str, str, str]
) -> None:
    """At one address, names swapped with a typo, or a missing first name with a typo in the
    last name (each changes the phonetic code), and other birth dates: still compared."""
    address = {"street": "22warregocircuit", "postal": "3040"}
    profiles = [
        _profile(n, last, first, birth=birth, **address)
        for n, (last, first, birth) in enumerate((a, b), start=1)
    ]
    assert {1} == candidate_pairs(profiles)


def _pairs_by_definition(profiles: list[Profile], keys: list[list[str]]) -> set[int]:
    """The pairs candidate_pairs should find, computed the plain way: the customers holding a
    key are compared all against all up to MAX_BLOCK of them, else each with its WINDOW next
    ones in name order; a customer is never its own pair."""
    n = len(profiles)
    holders: dict[str, list[int]] = {}
    for index, held in enumerate(keys):
        for key in held:
            if index not in holders.setdefault(key, []):
                holders[key].append(index)
    pairs: set[int] = set()
    for block in holders.values():
        if len(block) > MAX_BLOCK:
            block = sorted(block, key=lambda i: (profiles[i].last, profiles[i].first, i))
            near = [(i, j) for k, i in enumerate(block) for j in block[k + 1 : k + 1 + WINDOW]]
        else:
            near = list(itertools.combinations(block, 2))
        pairs.update(min(i, j) * n + max(i, j) for i, j in near)
    return pairs


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["meier", "mayer", "schulz", "abel"]),
            st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=4),
        ),
        min_size=1,
        max_size=3 * MAX_BLOCK,
    )
)
def test_candidate_pairs_are_the_customers_sharing_a_key(
    drawn: list[tuple[str, list[str]]],
) -> None:
    """Whatever keys customers share, blocks large and small, a key given twice: the pairs
    are those of the plain definition."""
    profiles = [_profile(n, last, "") for n, (last, _keys) in enumerate(drawn, start=1)]
    keys = {p.number: held for p, (_last, held) in zip(profiles, drawn, strict=True)}

    found = candidate_pairs(profiles, lambda p: keys[p.number])

    assert _pairs_by_definition(profiles, [held for _last, held in drawn]) == found


def test_every_pair_explains_each_field_with_its_weight(book: CustomerBook) -> None:
    """A pair lists every field: agreement weighs for a match, a difference against."""
    book.register(PRIVATE, "Weber", first_name="Anna", postal_code="10115", phone="030 123456")
    book.register(PRIVATE, "Weber", first_name="Anna", postal_code="10115", phone="030 654321")
    [group] = book.find_duplicates(threshold=0.5)
    comparisons = {c.field: c for c in group.pairs[0].comparisons}
    assert set(FIELDS) == set(comparisons)
    assert ("exact", "differs", "missing") == tuple(
        comparisons[f].outcome for f in ("postal_code", "phone", "email")
    )
    assert comparisons["postal_code"].weight > 0 > comparisons["phone"].weight
    assert 0 == comparisons["email"].weight


def _strangers(count: int, **fields: Any) -> list[Customer]:
    """``count`` active customers that are all different people, with ``fields`` in common."""
    rng = random.Random(count)
    syllables = ("ber", "mar", "ten", "kol", "sin", "dro", "vek", "lum", "pha", "gir", "nus")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    customers = [
        Customer(
            number=n,
            kind=PRIVATE,
            debtor_account=10_000 + n,
            last_name="".join(rng.choices(syllables, k=4)).capitalize(),
            first_name=rng.choice(("Hans", "Petra", "Jonas", "Mia", "Ali", "Olga", "Uwe")),
            birth_date=date(1940, 1, 1) + timedelta(days=rng.randrange(25_000)),
            postal_code=f"{rng.randrange(1, 99_999):05d}",
            created_at=now,
            updated_at=now,
        )
        for n in range(1, count + 1)
    ]
    return [attrs.evolve(c, **fields) for c in customers]


def test_a_common_last_name_weighs_less_than_a_rare_one() -> None:
    """Two "Müller" say less than two "Zwetschgenbaum" in a store full of Müllers."""
    customers = _strangers(1_200)
    customers[:100] = [attrs.evolve(c, last_name="Müller") for c in customers[:100]]
    twins = [
        attrs.evolve(
            customers[i], number=n, first_name="Karl", birth_date=date(1950, 1, 1), postal_code=""
        )
        for i, n in ((0, 2_001), (1, 2_002))
    ]
    rare = [attrs.evolve(t, number=t.number + 2, last_name="Zwetschgenbaum") for t in twins]
    found = find_duplicate_groups([*customers, *twins, *rare])
    weight = {
        g.customers: next(c.weight for c in g.pairs[0].comparisons if c.field == "last_name")
        for g in found
    }
    assert weight[2_001, 2_002] < weight[2_003, 2_004]


@pytest.mark.parametrize(
    ("shared", "per_customer"),
    [
        ({"email": "keine@example.org"}, WINDOW),
        ({"phone": "0000 0000"}, WINDOW),
        ({"birth_date": date(1900, 1, 1)}, MAX_BLOCK),
    ],
    ids=["placeholder e-mail", "placeholder phone", "placeholder birth date"],
)
def test_a_value_shared_by_many_costs_linear_comparisons(
    monkeypatch: pytest.MonkeyPatch, shared: dict[str, object], per_customer: int
) -> None:
    """1,500 strangers sharing one value: no group, and a bounded number of comparisons more."""
    calls = []
    levels = Comparer.levels

    def counted(self: Comparer, a: Any, b: Any) -> Any:
        calls.append(1)
        return levels(self, a, b)

    monkeypatch.setattr(Comparer, "levels", counted)
    alone = find_duplicate_groups(_strangers(1_500))
    compared_alone = len(calls)
    calls.clear()
    together = find_duplicate_groups(_strangers(1_500, **shared))
    assert ([], []) == (alone, together)
    # All against all would be 1,124,250 comparisons more.
    assert len(calls) - compared_alone <= 1_500 * per_customer


def test_a_placeholder_e_mail_is_no_evidence() -> None:
    """Two namesakes in two towns do not match for sharing the e-mail of 25 others."""
    namesakes = [
        attrs.evolve(c, last_name="Weber", first_name="Anna", postal_code=postal_code)
        for c, postal_code in zip(_strangers(2), ("10115", "80331"), strict=True)
    ]
    customers = [
        *_strangers(MAX_BLOCK),
        *(attrs.evolve(c, number=c.number + 100) for c in namesakes),
    ]
    placeholder = [attrs.evolve(c, email="keine@example.org") for c in customers]
    assert [] == find_duplicate_groups(placeholder)


def test_no_pair_weighs_more_than_its_levels_bound() -> None:
    """The bound that spares weighing hopeless pairs one by one is never below a real total,
    for the rarest and the commonest values alike."""
    import rapidfuzz

    customers = _strangers(1_200)
    customers[:300] = [attrs.evolve(c, last_name="Müller") for c in customers[:300]]
    profiles = _profiles(customers)
    comparer = Comparer(rapidfuzz)
    compared = [(*comparer.levels(a, b), a, b) for a, b in itertools.pairwise(profiles)]
    compared += [(*comparer.levels(p, p), p, p) for p in profiles[:50]]
    model = estimate(profiles, Counter(levels for levels, *_ in compared), comparer)
    margins = [model.bound(lv) - model.total(lv, a, b, sw) for lv, sw, a, b in compared]
    assert min(margins) >= 0
    assert min(margins) < 1e-9
