"""custmodel: customer master data for travel-agency and tour-operator back offices.

Start with :class:`CustomerBook` over a store::

    >>> from custmodel import CustomerBook, CustomerKind, MemoryStore, Settings
    >>> book = CustomerBook(MemoryStore(), Settings())
    >>> book.register(kind=CustomerKind.PRIVATE, last_name="Test", first_name="Testine").number
    1
"""

from custmodel import rules
from custmodel.book import CustomerBook, utc_now
from custmodel.errors import (
    AlreadyMergedError,
    AnonymizedCustomerError,
    BookingNotFoundError,
    ConcurrentUpdateError,
    CustmodelError,
    CustomerNotFoundError,
    DebtorAccountError,
    InvalidCategoryError,
    InvalidInputError,
    InvalidSettingsError,
    InvalidStatusFlagError,
    MergeRefusedError,
    MissingExtraError,
    NotEligibleError,
    StoreBusyError,
    StoreError,
    TemplateCustomerError,
)
from custmodel.model import (
    PERSONAL_FIELDS,
    STATUS_FLAG_COUNT,
    AnonymizationReport,
    Blocker,
    BlockReason,
    Booking,
    BookingKind,
    BookingRecorded,
    Customer,
    CustomerKind,
    CustomerType,
    EffectiveRules,
    Eligibility,
    KindChange,
    KindSettings,
    MergePlan,
    MergeReport,
    MoneyField,
    NewCustomer,
    RuleOrigin,
    RuleSource,
    SalesChannel,
    Selection,
    Settings,
    StatusFlags,
)
from custmodel.storage import CustomerStore, StoreTransaction
from custmodel.storage.memory import MemoryStore

__all__ = [
    "PERSONAL_FIELDS",
    "STATUS_FLAG_COUNT",
    "AlreadyMergedError",
    "AnonymizationReport",
    "AnonymizedCustomerError",
    "BlockReason",
    "Blocker",
    "Booking",
    "BookingKind",
    "BookingNotFoundError",
    "BookingRecorded",
    "ConcurrentUpdateError",
    "CustmodelError",
    "Customer",
    "CustomerBook",
    "CustomerKind",
    "CustomerNotFoundError",
    "CustomerStore",
    "CustomerType",
    "DebtorAccountError",
    "EffectiveRules",
    "Eligibility",
    "InvalidCategoryError",
    "InvalidInputError",
    "InvalidSettingsError",
    "InvalidStatusFlagError",
    "KindChange",
    "KindSettings",
    "MemoryStore",
    "MergePlan",
    "MergeRefusedError",
    "MergeReport",
    "MissingExtraError",
    "MoneyField",
    "NewCustomer",
    "NotEligibleError",
    "RuleOrigin",
    "RuleSource",
    "SalesChannel",
    "Selection",
    "Settings",
    "StatusFlags",
    "StoreBusyError",
    "StoreError",
    "StoreTransaction",
    "TemplateCustomerError",
    "__version__",
    "rules",
    "utc_now",
]

__version__ = "0.1.0.dev0"
