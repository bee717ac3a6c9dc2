"""The contract every customer store must pass, shipped so you can test your own adapter with it.

Subclass :class:`StoreContract` in a test module and implement its one hook::

    from custmodel.storage import CustomerStore
    from custmodel.testing.contract import StoreContract

    class TestMyStore(StoreContract):
        def make_store(self) -> CustomerStore:
            return MyStore.connect("...")  # a fresh, empty store for every test

pytest then runs every ``test_*`` method of the suite against your store. The base class
carries ``__test__ = False`` so pytest does not collect it on its own;
:meth:`StoreContract.__init_subclass__` sets ``__test__ = True`` on every subclass that does not
set ``__test__`` itself, so an intermediate abstract subclass can opt out with
``__test__ = False`` in its body.

``make_store`` runs inside a pytest fixture; ``self.request`` is that fixture's request, so a
store that needs another fixture asks for it: ``self.request.getfixturevalue("tmp_path")``.
:meth:`StoreContract.close_store` (default: ``store.close()``) runs after each test.

A store made as the application runs it, with its host references registered (columns of the
application's tables that hold customer numbers), also passes the suite: name the references in
:meth:`StoreContract.host_references` (default: none), and the merge tests expect each of them,
with zero rows, in every plan, report and merge record. Likewise name the registrations that
erase the application's personal data (personal columns of references, erasers) in
:meth:`StoreContract.host_erasers`: every anonymization report lists them. The host-data tests
register vetoes and erasers of their own through :meth:`StoreContract.add_host_veto` and
:meth:`StoreContract.add_host_eraser`, which know the memory and SQL stores; another store
overrides them (or those tests are skipped)::

    class TestProductionStore(StoreContract):
        def make_store(self) -> CustomerStore:
            store = SqlStore.from_url(...)
            store.register_reference("invoices", "customer_number")
            return store

        def host_references(self) -> list[str]:
            return ["invoices.customer_number"]

The tests work through :class:`custmodel.CustomerBook` over the store and through the port
(:class:`custmodel.storage.StoreTransaction`) directly. Where time matters the book runs on a
fixed clock, :data:`NOW` (2026-11-24 12:00 UTC). "Nothing changed" is checked by comparing
:func:`custmodel.testing.snapshots.take_snapshot` before and after.

The suite is composed of one class of tests per capability, each in its own module of this
package (``RegistrationContract`` in ``registration``, ``MergeContract`` in ``merge``,
and so on); :class:`StoreContract` inherits them all. A store that offers only some capabilities
may run some of them, e.g. ``class TestMyStore(MergeContract, HostReferenceContract)``, with
the same hooks.
"""

from __future__ import annotations

from typing import ClassVar

from custmodel.testing.contract._shared import AGENCY, NOW, SETTINGS, TODAY, fixed_clock
from custmodel.testing.contract.anonymization import AnonymizationContract
from custmodel.testing.contract.bad_input import BadInputContract
from custmodel.testing.contract.bookings import BookingContract
from custmodel.testing.contract.classification import ClassificationContract
from custmodel.testing.contract.concurrency import ConcurrencyContract
from custmodel.testing.contract.distinct import DistinctContract
from custmodel.testing.contract.entry_checks import EntryCheckContract
from custmodel.testing.contract.erasure_requests import ErasureRequestContract
from custmodel.testing.contract.history import HistoryContract
from custmodel.testing.contract.host_data import HostDataContract
from custmodel.testing.contract.host_references import HostReferenceContract
from custmodel.testing.contract.marketing import MarketingContract
from custmodel.testing.contract.merge import MergeContract
from custmodel.testing.contract.port import PortContract
from custmodel.testing.contract.reading import ReadingContract
from custmodel.testing.contract.registration import RegistrationContract
from custmodel.testing.contract.requests import RequestContract
from custmodel.testing.contract.retention import RetentionContract
from custmodel.testing.contract.selections import SelectionContract
from custmodel.testing.contract.settings import SettingsContract
from custmodel.testing.contract.statistics import StatisticsContract

__all__ = [
    "AGENCY",
    "NOW",
    "SETTINGS",
    "TODAY",
    "AnonymizationContract",
    "BadInputContract",
    "BookingContract",
    "ClassificationContract",
    "ConcurrencyContract",
    "DistinctContract",
    "EntryCheckContract",
    "ErasureRequestContract",
    "HistoryContract",
    "HostDataContract",
    "HostReferenceContract",
    "MarketingContract",
    "MergeContract",
    "PortContract",
    "ReadingContract",
    "RegistrationContract",
    "RequestContract",
    "RetentionContract",
    "SelectionContract",
    "SettingsContract",
    "StatisticsContract",
    "StoreContract",
    "fixed_clock",
]


class StoreContract(
    RegistrationContract,
    EntryCheckContract,
    SettingsContract,
    ClassificationContract,
    SelectionContract,
    StatisticsContract,
    BookingContract,
    ReadingContract,
    MergeContract,
    DistinctContract,
    HostReferenceContract,
    AnonymizationContract,
    MarketingContract,
    ErasureRequestContract,
    HostDataContract,
    RequestContract,
    RetentionContract,
    HistoryContract,
    PortContract,
    BadInputContract,
    ConcurrencyContract,
):
    """The contract suite: subclass it and implement :meth:`make_store` (see module docstring).

    Attributes:
        store: The store under test, made fresh for every test.
        request: The pytest request of the fixture that made the store.
    """

    __test__: ClassVar[bool] = False
