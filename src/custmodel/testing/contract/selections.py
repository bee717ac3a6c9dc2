"""Selections of customers (R10)."""

from __future__ import annotations

from typing import ClassVar

from hypothesis import given

from custmodel.model import (
    CustomerType,
    Selection,
)
from custmodel.testing.contract._base import _ContractBase
from custmodel.testing.contract._shared import (
    CORPORATE,
    PRIVATE,
    _examples,
    _numbers,
    _population_selections,
)

__all__ = ["SelectionContract"]


class SelectionContract(_ContractBase):
    """A selection picks exactly the customers ``Selection.matches`` picks, and counts them."""

    __test__: ClassVar[bool] = False

    # -- selections (R10) -----------------------------------------------------------------------

    def test_select_without_filters_returns_every_active_customer(self) -> None:
        """``Selection()`` returns every active customer, anonymized ones included."""
        book = self.register_population()
        self.assert_selects(book, Selection(), [1, 2, 3, 4, 5, 6, 7, 9])

    def test_select_include_merged_adds_tombstones(self) -> None:
        """``include_merged`` adds merged duplicates."""
        book = self.register_population()
        self.assert_selects(book, Selection(include_merged=True), list(range(1, 10)))

    def test_select_by_kind(self) -> None:
        """A kind filter selects only that kind."""
        book = self.register_population()
        self.assert_selects(book, Selection(kind=PRIVATE), [1, 2, 7, 9])

    def test_select_by_kind_with_tombstones(self) -> None:
        """A kind filter with ``include_merged`` selects that kind's tombstones too."""
        book = self.register_population()
        self.assert_selects(book, Selection(kind=PRIVATE, include_merged=True), [1, 2, 7, 8, 9])

    def test_select_by_type(self) -> None:
        """A type filter selects only that type."""
        book = self.register_population()
        self.assert_selects(book, Selection(customer_type=CustomerType.REGULAR), [1, 5, 7])

    def test_select_by_category(self) -> None:
        """A category filter selects that category in every kind that has it."""
        book = self.register_population()
        self.assert_selects(book, Selection(category="A"), [1, 3, 6])

    def test_select_by_all_of_several_flags(self) -> None:
        """``status_all`` selects customers carrying every one of the flags."""
        book = self.register_population()
        self.assert_selects(book, Selection(status_all=frozenset({1, 2})), [1])

    def test_select_by_flag_32(self) -> None:
        """Flag 32, the highest bit, selects like any other."""
        book = self.register_population()
        self.assert_selects(book, Selection(status_all=frozenset({32})), [2])

    def test_select_by_any_of_several_flags(self) -> None:
        """``status_any`` selects customers carrying at least one of the flags."""
        book = self.register_population()
        self.assert_selects(book, Selection(status_any=frozenset({1, 3})), [1, 3, 5, 7])

    def test_select_by_all_and_any_flags(self) -> None:
        """``status_all`` and ``status_any`` combine with AND."""
        book = self.register_population()
        selection = Selection(status_all=frozenset({2}), status_any=frozenset({1, 32}))
        self.assert_selects(book, selection, [1, 2])

    def test_select_by_code1(self) -> None:
        """A Code1 filter selects exactly that Code1, never a tombstone's former one."""
        book = self.register_population()
        self.assert_selects(book, Selection(code1="K-100"), [1, 3, 7])

    def test_select_by_code1_takes_wildcards_literally(self) -> None:
        """A Code1 filter with ``_`` or ``%`` matches only those characters."""
        book = self.register_population()
        self.assert_selects(book, Selection(code1="K_100"), [4])
        self.assert_selects(book, Selection(code1="K%100"), [5])

    def test_select_by_code2_is_exact(self) -> None:
        """A Code2 filter is exact: neither case nor a trailing space is ignored."""
        book = self.register_population()
        self.assert_selects(book, Selection(code2="rot"), [1, 4])
        self.assert_selects(book, Selection(code2="rot "), [6])

    def test_select_by_empty_code2(self) -> None:
        """An empty Code2 filter selects the customers whose Code2 is empty."""
        book = self.register_population()
        self.assert_selects(book, Selection(code2=""), [5, 7, 9])

    def test_select_by_name_folds_sharp_s(self) -> None:
        """A name search for "STRASSE" finds "Straße" and "Strasse"."""
        book = self.register_population()
        self.assert_selects(book, Selection(name="STRASSE"), [1, 6])

    def test_select_by_name_with_sharp_s_finds_ss(self) -> None:
        """A name search for "ß" finds "Straße" and "Strasse"."""
        book = self.register_population()
        self.assert_selects(book, Selection(name="ß"), [1, 6])

    def test_select_by_name_ignores_case_and_normalization(self) -> None:
        """ "müller" finds "MÜLLER" and a "Müller" stored with a combining diaeresis."""
        book = self.register_population()
        self.assert_selects(book, Selection(name="müller"), [2, 5])

    def test_select_by_name_takes_percent_literally(self) -> None:
        """A ``%`` in a name search matches only a ``%``."""
        book = self.register_population()
        self.assert_selects(book, Selection(name="%"), [3])

    def test_select_by_name_takes_underscore_literally(self) -> None:
        """A ``_`` in a name search matches only a ``_``."""
        book = self.register_population()
        self.assert_selects(book, Selection(name="_"), [4])

    def test_select_by_name_takes_backslash_literally(self) -> None:
        """A backslash in a name search matches only a backslash."""
        book = self.register_population()
        self.assert_selects(book, Selection(name="\\"), [4])

    def test_select_by_name_searches_first_name_and_company(self) -> None:
        """A name search looks in first names and company names too."""
        book = self.register_population()
        self.assert_selects(book, Selection(name="anna"), [1])
        self.assert_selects(book, Selection(name="reisen gm"), [3])

    def test_select_by_name_never_matches_across_two_fields(self) -> None:
        """Last name "Xa" and first name "bY" do not make "ab" match."""
        book = self.register_population()
        self.assert_selects(book, Selection(name="ab"), [])

    def test_select_by_empty_name_selects_everyone(self) -> None:
        """An empty name search selects every active customer."""
        book = self.register_population()
        self.assert_selects(book, Selection(name=""), [1, 2, 3, 4, 5, 6, 7, 9])

    def test_select_anonymized_only(self) -> None:
        """``anonymized=True`` selects only anonymized customers."""
        book = self.register_population()
        self.assert_selects(book, Selection(anonymized=True), [9])

    def test_select_without_anonymized(self) -> None:
        """``anonymized=False`` leaves anonymized customers out."""
        book = self.register_population()
        self.assert_selects(book, Selection(anonymized=False), [1, 2, 3, 4, 5, 6, 7])

    def test_select_combines_kind_category_flags_and_name(self) -> None:
        """Kind, category, flags and name combine with AND."""
        book = self.register_population()
        selection = Selection(kind=PRIVATE, category="A", status_any=frozenset({1, 2}), name="ANNA")
        self.assert_selects(book, selection, [1])

    def test_select_combines_kind_type_and_code2(self) -> None:
        """Kind, type and Code2 combine with AND."""
        book = self.register_population()
        selection = Selection(kind=CORPORATE, customer_type=CustomerType.VIP_INCENTIVE, code2="rot")
        self.assert_selects(book, selection, [4])

    def test_select_combines_tombstones_anonymized_and_code1(self) -> None:
        """Tombstones, ``anonymized=False`` and an empty Code1 combine with AND."""
        book = self.register_population()
        selection = Selection(kind=PRIVATE, include_merged=True, anonymized=False, code1="")
        self.assert_selects(book, selection, [8])

    def test_select_combines_type_flags_and_code1(self) -> None:
        """Type, flags and Code1 combine with AND."""
        book = self.register_population()
        selection = Selection(
            customer_type=CustomerType.REGULAR, status_all=frozenset({1}), code1="K-100"
        )
        self.assert_selects(book, selection, [1])

    def test_any_selection_agrees_with_selection_matches(self) -> None:
        """For any selection, the store selects exactly what ``Selection.matches`` selects."""
        book = self.register_population()
        everyone = self.everyone()

        @_examples(60)
        @given(selection=_population_selections())
        def agrees(selection: Selection) -> None:
            expected = [c.number for c in everyone if selection.matches(c)]
            assert expected == _numbers(book.select(selection))
            assert len(expected) == book.count(selection)

        agrees()

    def test_select_include_merged_returns_every_customer(self) -> None:
        """``Selection(include_merged=True)`` returns every stored customer, by number."""
        book = self.register_population()
        assert self.everyone() == book.select(Selection(include_merged=True))
