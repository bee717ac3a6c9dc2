"""The SQL store: custmodel's data in SQLite, PostgreSQL or MariaDB, through SQLAlchemy Core.

:class:`SqlStore` implements :class:`custmodel.storage.CustomerStore` with exactly the meaning of
:class:`custmodel.storage.memory.MemoryStore`; the shared contract suite holds both to it. This
package is the only part of custmodel that imports SQLAlchemy (install ``custmodel[sql]``).

What each engine needs, and gets here:

* SQLite: write transactions start with ``BEGIN IMMEDIATE``, so two writers queue on the
  database lock up front instead of failing half-way; reads use a deferred ``BEGIN``. Files run
  in WAL mode (readers never block the writer) with foreign keys and ``secure_delete`` on, so
  the content of overwritten personal data does not linger in free pages.
* PostgreSQL and MariaDB: the customer number counter row is locked in the transaction that
  uses the numbers (``UPDATE ... RETURNING`` or ``SELECT ... FOR UPDATE``), so concurrent
  registrations never share a number and a rolled-back one leaves no gap. Merge records and
  erasure requests take their running ids from counter rows the same way.

Host references (columns of the host application's tables that hold customer numbers, made
with :func:`customer_number_column`) are registered on the store at start-up with
:meth:`SqlStore.register_reference`; a merge moves them in its own transaction, and refuses
while a foreign key to the customers is unregistered.
The host writes such a row in its own transaction after :meth:`SqlStore.hold_customer`, which
locks the customer against merges until that transaction ends.

Driver exceptions are translated where they cross into custmodel; the custmodel error's
message names numbers and columns only, and its cause (and context) is a :class:`DriverError`
that keeps the driver's error class and code but neither its text, nor the statement, nor its
parameters, all of which can hold personal data. Engines this package creates hide statement
parameters from SQLAlchemy's own log lines and messages, and drop SQLAlchemy's DEBUG records
(which print whole result rows).

The parts, each a private module re-exported here: ``_rows`` (rows <-> domain objects),
``_queries`` (the selection clause, the statistics statement, prebuilt statements),
``_errors`` (driver error translation), ``_transaction`` and ``_records`` (one transaction),
``_engine`` (URLs, SQLite tuning, checkpoints, the migration lock), ``_hosts`` (host
references and what :meth:`SqlStore.hold_customer` needs), ``_store`` (:class:`SqlStore`),
``_schema`` (the tables) and ``migrations`` (Alembic's scripts for them).
"""

from custmodel.storage.sql._errors import DriverError
from custmodel.storage.sql._hosts import DriverConnection, HostReference, customer_number_column
from custmodel.storage.sql._queries import selection_clause as selection_clause

# The row conversions are no part of ``__all__``; they stay importable from here as they were
# before the package was split (``name as name`` marks them re-exported).
from custmodel.storage.sql._rows import (
    _customer_from_table_row as _customer_from_table_row,
)
from custmodel.storage.sql._rows import (
    booking_from_row as booking_from_row,
)
from custmodel.storage.sql._rows import (
    booking_to_row as booking_to_row,
)
from custmodel.storage.sql._rows import (
    customer_to_row as customer_to_row,
)
from custmodel.storage.sql._rows import (
    kind_settings_from_row as kind_settings_from_row,
)
from custmodel.storage.sql._rows import (
    kind_settings_to_row as kind_settings_to_row,
)
from custmodel.storage.sql._rows import (
    merge_record_from_row as merge_record_from_row,
)
from custmodel.storage.sql._rows import (
    merge_record_to_row as merge_record_to_row,
)
from custmodel.storage.sql._rows import (
    request_from_row as request_from_row,
)
from custmodel.storage.sql._statistics import statistics_statement
from custmodel.storage.sql._store import SqlStore
from custmodel.storage.sql._transaction import SqlTransaction

# In the order docs/reference/storage.md lists them (members_order: __all__), not sorted.
__all__ = [  # noqa: RUF022 - the reference's order
    "DriverError",
    "HostReference",
    "DriverConnection",
    "SqlTransaction",
    "SqlStore",
    "customer_number_column",
    "statistics_statement",
]
