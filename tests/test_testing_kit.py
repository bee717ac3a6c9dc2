"""The testing kit as applications get it: strategies, ``from_type``, the pytest plugin, and a
contract suite that catches broken stores."""

from __future__ import annotations

import enum
import os
import re
import subprocess
import sys
import textwrap
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import custmodel
from custmodel import BookingKind, CustomerKind, model
from custmodel.book import CustomerBook
from custmodel.model import Booking, ErasureState, ErasureStatus, MergeReport, NewCustomer
from custmodel.storage.memory import MemoryStore
from custmodel.testing import _hypothesis
from custmodel.testing import strategies as cst

ROOT = Path(__file__).resolve().parent.parent


def _public_types() -> list[type[Any]]:
    """Every attrs class and enum that custmodel or custmodel.model exports, by name."""
    exported = [getattr(custmodel, n) for n in custmodel.__all__]
    exported += [getattr(model, n) for n in model.__all__]
    found = {
        obj
        for obj in exported
        if isinstance(obj, type) and (attrs.has(obj) or issubclass(obj, enum.Enum))
    }
    return sorted(found, key=lambda cls: cls.__name__)


PUBLIC_TYPES = _public_types()


def _default(field: attrs.Attribute[Any]) -> Any:
    """The value ``field`` holds when it is not given."""
    value: Any = field.default
    if hasattr(value, "factory") and hasattr(value, "takes_self"):  # an attrs.Factory
        value = value.factory()
    return value if field.converter is None else field.converter(value)  # type: ignore[operator]


DEFAULTED_FIELDS = [
    (cls, field)
    for cls in PUBLIC_TYPES
    if attrs.has(cls)
    for field in attrs.fields(cls)
    if field.default is not attrs.NOTHING
]


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter of this environment."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, **env},
    )


def _pytest(
    directory: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run pytest in a fresh interpreter on ``directory``, as an application's test run."""
    environment = {k: v for k, v in os.environ.items() if k != "CUSTMODEL_TEST_STORE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args, str(directory)],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**environment, **(env or {})},
    )


# -- from_type ----------------------------------------------------------------------------------


def test_every_public_type_has_a_registered_strategy() -> None:
    """The hypothesis hook registers exactly the public attrs classes and enums."""
    assert {cls.__name__ for cls in PUBLIC_TYPES} == set(_hypothesis._STRATEGIES)


@pytest.mark.parametrize("cls", PUBLIC_TYPES, ids=lambda cls: cls.__name__)
@given(data=st.data())
def test_from_type_draws_valid_values_of_every_public_type(
    cls: type[Any], data: st.DataObject
) -> None:
    """from_type(T) draws instances of T that pass T's validators again."""
    value = data.draw(st.from_type(cls))

    assert isinstance(value, cls)
    if attrs.has(cls):
        assert value == attrs.evolve(value)


@pytest.mark.parametrize(
    ("cls", "field"), DEFAULTED_FIELDS, ids=[f"{c.__name__}.{f.name}" for c, f in DEFAULTED_FIELDS]
)
def test_from_type_generates_every_field(cls: type[Any], field: attrs.Attribute[Any]) -> None:
    """Every field with a default also gets other values from from_type(T)."""
    default = _default(field)

    find(
        st.from_type(cls),
        lambda value: getattr(value, field.name) != default,
        settings=settings(max_examples=2000, database=None, phases=[Phase.generate]),
    )


def test_from_type_needs_no_import_in_a_fresh_interpreter() -> None:
    """In a new interpreter, from_type(Customer) draws customers from the kit's strategy,
    registered by the entry point; importing hypothesis imports neither strategies nor pytest."""
    result = _run(
        """
        import sys
        from hypothesis import given, settings, strategies as st
        lazy = [m for m in ("custmodel.testing.strategies", "pytest") if m in sys.modules]
        from custmodel import Customer
        print(repr(st.from_type(Customer)), lazy)

        @settings(max_examples=20, database=None)
        @given(st.from_type(Customer))
        def check(customer):
            assert isinstance(customer, Customer)

        check()
        """
    )

    expected = "settings().flatmap(lambda s: cst.customers(settings=s)) []"
    assert (0, expected) == (result.returncode, result.stdout.strip()), result.stderr


def test_without_the_entry_point_hypothesis_knows_no_custmodel_strategy() -> None:
    """With hypothesis' plugins switched off, from_type(Customer) falls back to builds()."""
    result = _run(
        """
        from hypothesis import strategies as st
        from custmodel import Customer
        print(repr(st.from_type(Customer)))
        """,
        HYPOTHESIS_NO_PLUGINS="1",
    )

    assert result.stdout.startswith("builds(Customer"), result.stderr


# -- the strategies on the testing page ---------------------------------------------------------


def test_the_testing_page_lists_every_public_strategy() -> None:
    """docs/testing.md names everything custmodel.testing.strategies exports."""
    page = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")

    assert [] == [name for name in cst.__all__ if not re.search(rf"`{name}[(`]", page)]


# -- the strategies' parameters -----------------------------------------------------------------


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(cst.duplicate_groups())
def test_duplicate_groups_are_found_as_one_group(group: tuple[NewCustomer, ...]) -> None:
    """custmodel's duplicate finder puts every member of a drawn group into one group."""
    book = CustomerBook(MemoryStore())
    numbers = tuple(c.number for c in book.register_many(group))

    assert [numbers] == [g.customers for g in book.find_duplicates()]


@given(cst.duplicate_groups())
def test_duplicate_group_members_share_more_than_a_name(group: tuple[NewCustomer, ...]) -> None:
    """Every member carries an address, e-mail address, phone number or birth date, and every
    other member shares one of them with the first: no two members of a group are linked by a
    name alone (the party's keys are one value each, in other spellings)."""

    def keys(member: NewCustomer) -> set[str]:
        carried = {
            "address": member.postal_code,
            "email": member.email,
            "phone": member.phone,
            "birth": member.birth_date,
        }
        return {key for key, value in carried.items() if value}

    first, *others = group
    assert keys(first)
    assert all(keys(member) & keys(first) for member in others)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(cst.duplicate_groups(kind=CustomerKind.PRIVATE, min_size=2, max_size=4))
def test_groups_of_persons_are_found_as_one_group(group: tuple[NewCustomer, ...]) -> None:
    """Persons' groups, whose names vary the most, are found as one group, as the example of
    docs/testing.md draws them (before every member shared a key with the first, a member with
    only a birth date and one with only a phone number, "Müller, Dr. Sigrid" and "Muller,
    Dr. ẞigrid", were drawn as one group)."""
    book = CustomerBook(MemoryStore())
    numbers = tuple(c.number for c in book.register_many(group))

    assert [numbers] == [g.customers for g in book.find_duplicates()]


@given(st.data(), cst.customer_kinds)
def test_duplicate_groups_are_of_the_kind_asked_for(
    data: st.DataObject, kind: CustomerKind
) -> None:
    """duplicate_groups(kind=K) draws members of kind K only, as many as asked."""
    group = data.draw(cst.duplicate_groups(kind=kind, min_size=3, max_size=5))

    assert 3 <= len(group) <= 5
    assert {kind} == {member.kind for member in group}


def test_duplicate_groups_refuse_groups_of_one() -> None:
    """A group has at least two members."""

    @given(cst.duplicate_groups(min_size=1))
    def draw(group: tuple[NewCustomer, ...]) -> None:
        pass

    with pytest.raises(InvalidArgument):
        draw()


@given(
    cst.bookings(
        kind=BookingKind.BOOKING,
        external=False,
        point_of_sale="AG7",
        min_departure=date(2026, 1, 1),
        max_departure=date(2026, 1, 31),
    )
)
def test_bookings_keep_kind_channel_point_of_sale_and_departures_asked_for(
    booking: Booking,
) -> None:
    """Pinned booking kind, own channel, point of sale and departure range are kept."""
    assert (BookingKind.BOOKING, False, "AG7") == (
        booking.kind,
        booking.channel.is_external,
        booking.point_of_sale,
    )
    assert date(2026, 1, 1) <= booking.departure <= date(2026, 1, 31)


def test_bookings_refuse_around_together_with_a_departure_range() -> None:
    """around= and a departure bound contradict each other."""

    @given(cst.bookings(around=date(2026, 1, 1), min_departure=date(2025, 1, 1)))
    def draw(booking: Booking) -> None:
        pass

    with pytest.raises(InvalidArgument):
        draw()


@given(
    cst.customers_with_bookings(
        kind=CustomerKind.CORPORATE,
        point_of_sale="AG2",
        min_departure=date(2030, 6, 1),
        max_departure=date(2030, 6, 30),
    )
)
def test_customers_with_bookings_keep_kind_point_of_sale_and_departures_asked_for(
    population: list[tuple[NewCustomer, tuple[Booking, ...]]],
) -> None:
    """Every customer has the pinned kind; every booking the point of sale and month."""
    bookings = [b for _, of_one in population for b in of_one]

    assert {CustomerKind.CORPORATE} == {draft.kind for draft, _ in population}
    assert all(b.point_of_sale == "AG2" for b in bookings)
    assert all(date(2030, 6, 1) <= b.departure <= date(2030, 6, 30) for b in bookings)


@given(cst.erasure_statuses())
def test_erasure_statuses_agree_with_their_request_and_eligibility(status: ErasureStatus) -> None:
    """DONE exactly for completed requests; DUE when eligible; WAITING until eligible_from;
    BLOCKED with no date; the answer is due within a month of receipt."""
    expected = {
        ErasureState.DONE: (not status.request.is_open, None),
        ErasureState.DUE: (status.eligibility.eligible, status.due_on),
        ErasureState.WAITING: (status.eligibility.eligible_from is not None, status.due_on),
        ErasureState.BLOCKED: (status.eligibility.eligible_from is None, None),
    }

    assert (True, status.due_on) == expected[status.state]
    assert status.request.is_open is (status.state is not ErasureState.DONE)
    received = status.request.received_on
    assert received < status.answer_by <= received + timedelta(days=31)


@given(cst.merge_reports())
def test_merge_reports_agree_with_their_audit_record(report: MergeReport) -> None:
    """The record a report carries names the report's master, duplicates, counts and time."""
    if report.record is not None:
        record = report.record
        assert (report.plan.master, report.plan.duplicates, report.bookings_moved) == (
            record.master,
            record.duplicates,
            record.bookings_moved,
        )
        assert (report.merged_at, report.references_moved) == (
            record.merged_at,
            record.references_moved,
        )


# -- the pytest plugin --------------------------------------------------------------------------

_PLUGIN_TESTS = """
import os

from custmodel import CustomerBook, CustomerKind


def test_the_store_is_the_one_configured(custmodel_store):
    assert os.environ["EXPECTED_STORE"] == type(custmodel_store).__name__


def test_a_store_is_new_for_each_test(custmodel_store):
    book = CustomerBook(custmodel_store)
    assert 1 == book.register(CustomerKind.PRIVATE, "Eins").number


def test_another_test_starts_empty_again(custmodel_store):
    book = CustomerBook(custmodel_store)
    assert 1 == book.register(CustomerKind.PRIVATE, "Eins").number


def test_the_book_works_on_the_store_with_the_settings(custmodel_book, custmodel_store):
    assert custmodel_book.store is custmodel_store
    assert 5001 == custmodel_book.register(CustomerKind.PRIVATE, "Eins").debtor_account


def test_tmp_path_in_the_url_names_the_tests_directory(custmodel_store, tmp_path):
    if os.environ.get("EXPECTED_FILE"):
        assert (tmp_path / os.environ["EXPECTED_FILE"]).exists()
"""

_PLUGIN_CONFTEST = """
import pytest
from custmodel import Settings


@pytest.fixture
def custmodel_settings():
    return Settings(debtor_base=5000)
"""


@pytest.fixture
def plugin_tests(tmp_path: Path) -> Path:
    """A directory with an application's tests of the plugin's fixtures."""
    (tmp_path / "test_fixtures.py").write_text(_PLUGIN_TESTS, encoding="utf-8")
    (tmp_path / "conftest.py").write_text(_PLUGIN_CONFTEST, encoding="utf-8")
    return tmp_path


def test_custmodel_store_is_a_new_memory_store_by_default(plugin_tests: Path) -> None:
    """Without a URL the fixtures give a new MemoryStore per test and a book over it."""
    result = _pytest(plugin_tests, env={"EXPECTED_STORE": "MemoryStore"})

    assert "5 passed" in result.stdout, result.stdout + result.stderr


def test_the_command_line_option_chooses_the_store(plugin_tests: Path) -> None:
    """--custmodel-store=sqlite:// gives a new in-memory SQLite store per test, and the header
    says so without the rest of the URL."""
    result = _pytest(
        plugin_tests, "--custmodel-store=sqlite://", env={"EXPECTED_STORE": "SqlStore"}
    )

    assert "5 passed" in result.stdout, result.stdout + result.stderr
    assert "custmodel_store: sqlite store (from --custmodel-store)" in result.stdout


def test_the_environment_chooses_the_store_with_the_tests_own_directory(
    plugin_tests: Path,
) -> None:
    """CUSTMODEL_TEST_STORE_URL with {tmp_path} puts each test's database into its tmp_path."""
    env = {
        "CUSTMODEL_TEST_STORE_URL": "sqlite:///{tmp_path}/customers.sqlite",
        "EXPECTED_STORE": "SqlStore",
        "EXPECTED_FILE": "customers.sqlite",
    }
    result = _pytest(plugin_tests, env=env)

    assert "5 passed" in result.stdout, result.stdout + result.stderr


def test_the_plugin_imports_no_sql_and_no_hypothesis() -> None:
    """Loading the plugin, as every pytest run does, imports no SQL store and no hypothesis;
    nor does its store factory on the memory store.

    (``custmodel.open_store`` is top-level API and its factory module is light: it imports the
    SQL store only for SQL URLs.)
    """
    result = _run(
        """
        import sys
        import custmodel.testing.plugin
        from custmodel.testing.stores import StoreFactory
        with StoreFactory(None).fresh() as store:  # a memory store
            pass
        heavy = ("hypothesis", "sqlalchemy", "custmodel.storage.sql")
        heavy += tuple(f"custmodel.testing.{m}" for m in ("strategies", "stateful", "snapshots"))
        print(sorted(m for m in sys.modules if m.startswith(heavy)))
        """
    )

    assert "[]" == result.stdout.strip(), result.stderr


# -- broken stores fail the shipped contract suite ----------------------------------------------


def _run_pytest(
    cwd: Path, path: str, selected: str, *options: str
) -> subprocess.CompletedProcess[str]:
    """Run the tests of ``path`` that ``selected`` names (``-k``) in a pytest of their own."""
    return subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options),
            *("-k", selected, path),
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@pytest.fixture(scope="module")
def contract_outcomes() -> dict[str, dict[str, str]]:
    """Run the contract's merge, move, rollback and refusal tests on tests/broken_stores.py:
    test class -> test -> PASSED or FAILED."""
    selected = "merge or move_bookings or moving or raising or refused or failed_operation"
    result = _run_pytest(ROOT, "tests/broken_stores.py", selected, "-rA")
    outcomes: dict[str, dict[str, str]] = {}
    for line in result.stdout.splitlines():
        outcome, _, node = line.partition(" ")
        if outcome in ("PASSED", "FAILED") and "::" in node:
            _module, cls, test = node.split(" - ")[0].split("::")
            outcomes.setdefault(cls, {})[test] = outcome
    return outcomes


def test_the_intact_memory_store_passes_the_selected_contract_tests(
    contract_outcomes: dict[str, dict[str, str]],
) -> None:
    """The memory store as shipped passes every one of them."""
    intact = contract_outcomes["TestIntactStore"]

    assert len(intact) > 50
    assert {"PASSED"} == set(intact.values())


def test_a_store_that_moves_no_bookings_fails_the_merge_tests(
    contract_outcomes: dict[str, dict[str, str]],
) -> None:
    """A store whose merges leave the bookings behind fails the merge and move tests."""
    broken = contract_outcomes["TestStoreThatMovesNoBookings"]
    caught = {
        "test_merge_moves_every_booking_to_the_master",
        "test_a_merge_chain_collects_every_booking_at_the_end",
        "test_move_bookings_moves_and_counts",
    }

    assert {"FAILED"} == {broken[test] for test in caught}


def test_a_store_that_keeps_failed_writes_fails_the_rollback_tests(
    contract_outcomes: dict[str, dict[str, str]],
) -> None:
    """A store whose failed transactions keep their writes fails the all-or-nothing tests."""
    broken = contract_outcomes["TestStoreThatKeepsFailedWrites"]
    caught = {
        "test_a_raising_transaction_leaves_the_store_unchanged",
        "test_a_failed_operation_leaves_the_store_unchanged",
        "test_a_refused_registration_does_not_use_up_its_number",
    }

    assert {"FAILED"} == {broken[test] for test in caught}


def test_the_contract_lets_go_of_each_tests_store_when_the_test_ends(tmp_path: Path) -> None:
    """pytest keeps every test's instance until the run ends; the store it made does not stay.

    A run of the whole contract suite against a SQL store kept 1.4 GB of stores otherwise.
    """
    (tmp_path / "test_kept.py").write_text(
        textwrap.dedent(
            """
            import gc
            import weakref

            from custmodel.storage.memory import MemoryStore
            from custmodel.testing.contract import StoreContract

            MADE = []


            class TestStores(StoreContract):
                def make_store(self):
                    store = MemoryStore()
                    MADE.append(weakref.ref(store))
                    return store


            def test_no_store_outlives_its_test():
                gc.collect()
                assert (2, []) == (len(MADE), [made for made in MADE if made() is not None])
            """
        ),
        encoding="utf-8",
    )
    selected = "numbers_consecutively or get_of_an_unknown_number or outlives"
    result = _run_pytest(tmp_path, "test_kept.py", selected, "-p", "no:xdist")

    assert "3 passed" in result.stdout, result.stdout[-3000:]
