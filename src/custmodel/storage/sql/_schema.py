"""The SQL schema of custmodel, defined once as SQLAlchemy metadata.

Every table is prefixed ``custmodel_`` so the schema can live in a host application's database
beside its own tables; a host points its foreign keys at ``custmodel_customers.number``. The
shipped Alembic migrations (``custmodel/storage/sql/migrations``) create exactly this schema; a
test compares them with :func:`alembic.autogenerate.compare_metadata`.

Portability decisions, each for one engine's quirk:

* Money is integer cents (BIGINT): exact on every engine, no NUMERIC scale surprises.
* Datetimes are stored in UTC: ``timestamptz`` on PostgreSQL, ``DATETIME(6)`` on MariaDB (the
  default there drops microseconds), ISO text on SQLite.
* MariaDB tables use ``utf8mb4_nopad_bin``: its default collations ignore case, accents and
  trailing spaces, which would make ``code1 = 'abc'`` find ``'ABC '`` where Python's ``==``
  does not.
* Indexed text columns stay within 191 characters, the utf8mb4 key prefix every InnoDB row
  format accepts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

import attrs
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.types import TypeEngine

from custmodel._entrycheck import KEY_LENGTH
from custmodel.model._booking import Booking, SalesChannel
from custmodel.model._checks import max_length
from custmodel.model._customer import FieldShape, customer_fields
from custmodel.model._marketing import MarketingChoice
from custmodel.model._merge import MergeRecord
from custmodel.model._settings import KindSettings
from custmodel.storage.sql.migrations._support import (
    MYSQL_TABLE_OPTIONS as _MIGRATED_TABLE_OPTIONS,
)

__all__ = [
    "CUSTOMER_NUMBER_COUNTER",
    "ERASURE_REQUEST_COUNTER",
    "HEAD_REVISION",
    "MARKETING_CHOICE_COUNTER",
    "MERGE_RECORD_COUNTER",
    "MYSQL_TABLE_OPTIONS",
    "REQUEST_COUNTER",
    "VERSION_TABLE",
    "bookings",
    "counters",
    "customers",
    "distinct_marks",
    "history",
    "kind_settings",
    "marketing_choices",
    "merge_duplicates",
    "merges",
    "metadata",
    "requests",
    "settings",
]

#: Alembic's version table for custmodel's own history, apart from the host application's.
VERSION_TABLE: Final = "custmodel_alembic_version"
#: The newest revision of the shipped migrations. A store whose version table holds it opens
#: without loading Alembic; tests/sql/test_migrations.py pins it to Alembic's own head, so a
#: new migration cannot be shipped without raising it.
HEAD_REVISION: Final = "0011_statistics_indexes"

#: The columns of the customers' kind index, of their bookings' customer index and of the
#: bookings' departure index (revision 0011): what statistics count and group by, so that they
#: read indexes, not rows. SQLite's secondary indexes hold the rowid, not the customer number:
#: it is a column of its own.
STATISTICS_CUSTOMER_COLUMNS: Final = (
    "kind",
    "merged_into",
    "customer_type",
    "category",
    "status",
    "number",
)
STATISTICS_BOOKING_COLUMNS: Final = ("customer", "departure", "kind", "revenue_cents")
STATISTICS_PERIOD_COLUMNS: Final = (
    "departure",
    "customer",
    "kind",
    "revenue_cents",
    "travel_type",
    "destination",
)

#: Room for a kind's retention rules as JSON: one rule of each basis fits several times over.
RETENTION_TEXT_LENGTH: Final = 255

#: The row of ``custmodel_counters`` that hands out customer numbers.
CUSTOMER_NUMBER_COUNTER: Final = "customer_number"
#: The rows that hand out the running ids of merge records and requests. A counter row (not an
#: autoincrement column) gives them back on rollback, as the memory store does, so the ids run
#: without gaps on every engine. The request counter keeps the name it had when erasure was
#: the only kind of request (ERASURE_REQUEST_COUNTER, its old name, stays).
MERGE_RECORD_COUNTER: Final = "merge_record"
REQUEST_COUNTER: Final = "erasure_request"
ERASURE_REQUEST_COUNTER: Final = REQUEST_COUNTER
MARKETING_CHOICE_COUNTER: Final = "marketing_choice"

#: Table options for MySQL/MariaDB; see the module docstring for the collation. The migrations
#: created the tables with the same options (one definition, in the migrations' support module).
MYSQL_TABLE_OPTIONS: Final[dict[str, Any]] = _MIGRATED_TABLE_OPTIONS

#: Constraint names are spelled out so migrations, error translation and host applications can
#: refer to them on every engine.
NAMING_CONVENTION: Final = {
    "pk": "pk_%(table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _text(model: type, field: str) -> String:
    """The column type of a limited text field: as long as the model's limit (``max_length``).

    The model declares every limit and refuses longer text on every store; the schema follows
    it, never the other way round.
    """
    return String(max_length(model, field))


def _customer_key(name: str) -> Column[int]:
    """A primary-key column that names a customer: its number, a foreign key."""
    return Column(
        name,
        BigInteger,
        ForeignKey("custmodel_customers.number"),
        primary_key=True,
        autoincrement=False,
    )


def utc_datetime() -> TypeEngine[datetime]:
    """Return the column type for a UTC timestamp with microseconds on every engine."""
    return DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def _own_column(field: attrs.Attribute[Any]) -> Column[Any]:
    """The column of one of the customer's own fields, derived from its declaration.

    Text is ``String`` as long as the model's limit; long text is ``Text`` (the model keeps it
    short enough for MariaDB's TEXT, see ``MAX_NOTES_LENGTH``); status flags are 32 bits in a
    BIGINT, so that bit 32 never turns a value negative on any engine. A field whose blank is
    None may be NULL.
    """
    shape = field.metadata["shape"]
    kind: TypeEngine[Any]
    if shape is FieldShape.TEXT:
        kind = String(field.metadata["max_length"])
    elif shape is FieldShape.LONG_TEXT:
        kind = Text()
    elif shape is FieldShape.DATE:
        kind = Date()
    else:
        kind = BigInteger()
    return Column(field.name, kind, nullable=field.metadata["blank"] is None)


def own_columns() -> list[Column[Any]]:
    """The columns of the customer's own fields (:class:`custmodel.model.CustomerFields`), in
    their declared order: a field declared there gets its column here, with no line of its own.
    """
    return [_own_column(field) for field in customer_fields()]


customers = Table(
    "custmodel_customers",
    metadata,
    Column("number", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(32), nullable=False),
    Column("customer_type", String(32), nullable=False),
    Column("debtor_account", BigInteger, nullable=False),
    *own_columns(),
    Column("created_at", utc_datetime(), nullable=False),
    Column("updated_at", utc_datetime(), nullable=False),
    Column(
        "merged_into",
        BigInteger,
        ForeignKey("custmodel_customers.number"),
        nullable=True,
    ),
    Column("anonymized_at", utc_datetime(), nullable=True),
    Column("version", BigInteger, nullable=False),
    # Folded last name, first name and company (custmodel.model.name_search_key), kept in step
    # by every write so a name search is one LIKE on one column.
    Column("search_name", Text, nullable=False),
    # The keys of the duplicate check at entry (revision 0005), kept in step by every write:
    # the folded last name and the lower-case e-mail (custmodel._entrycheck), each indexed
    # with phone, birth date and postal code, so finding the candidates is index lookups.
    Column("search_last", String(KEY_LENGTH), nullable=False, server_default=""),
    Column("search_email", String(KEY_LENGTH), nullable=False, server_default=""),
    # The channels the person objects to advertising on now (revision 0007), one bit each
    # (custmodel.model.channel_bits), derived from custmodel_marketing_choices in the same
    # transaction; a selection leaves them out with one bit test.
    Column("advertising_objections", SmallInteger, nullable=False, server_default="0"),
    UniqueConstraint("debtor_account"),
    Index(None, "code1"),
    # Statistics and selections by kind read what they group by from the index alone
    # (revision 0011): customers are counted without reading their rows.
    Index(None, *STATISTICS_CUSTOMER_COLUMNS),
    Index(None, "search_last"),
    Index(None, "search_email"),
    Index(None, "phone"),
    Index(None, "birth_date"),
    Index(None, "postal_code"),
    **MYSQL_TABLE_OPTIONS,
)

bookings = Table(
    "custmodel_bookings",
    metadata,
    Column("reference", _text(Booking, "reference"), primary_key=True),
    Column(
        "customer",
        BigInteger,
        ForeignKey("custmodel_customers.number"),
        nullable=False,
    ),
    Column("kind", String(32), nullable=False),
    Column("departure", Date, nullable=False),
    Column("point_of_sale", _text(Booking, "point_of_sale"), nullable=False),
    Column("channel_name", _text(SalesChannel, "name"), nullable=False),
    Column("channel_external", Boolean, nullable=False),
    Column("open_amount_cents", BigInteger, nullable=False),
    # Statistics fields (revision 0003); NULL while unknown. Revenue in cents like all money.
    Column("revenue_cents", BigInteger, nullable=True),
    Column("travel_type", _text(Booking, "travel_type"), nullable=True),
    Column("destination", _text(Booking, "destination"), nullable=True),
    # A customer's bookings, and for statistics what they count, without reading the rows
    # (revision 0011).
    Index(None, *STATISTICS_BOOKING_COLUMNS),
    # Statistics restricted to a departure period read one range of it, and what they count
    # and group by from the index alone (revision 0011).
    Index(None, *STATISTICS_PERIOD_COLUMNS),
    **MYSQL_TABLE_OPTIONS,
)

counters = Table(
    "custmodel_counters",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", BigInteger, nullable=False),
    **MYSQL_TABLE_OPTIONS,
)

settings = Table(
    "custmodel_settings",
    metadata,
    # Always 1: the settings are one row; a key keeps it addressable and unique.
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("debtor_base", BigInteger, nullable=False),
    Column("anonymization_delay_days", BigInteger, nullable=False),
    **MYSQL_TABLE_OPTIONS,
)

kind_settings = Table(
    "custmodel_kind_settings",
    metadata,
    Column("kind", String(32), primary_key=True),
    Column("categories", Text, nullable=False),
    Column("status_labels", Text, nullable=False),
    Column("code1_label", _text(KindSettings, "code1_label"), nullable=False),
    Column("code2_label", _text(KindSettings, "code2_label"), nullable=False),
    Column("debtor_offset", BigInteger, nullable=False),
    Column("debtor_min", BigInteger, nullable=True),
    Column("debtor_max", BigInteger, nullable=True),
    Column("template_customer", BigInteger, nullable=True),
    Column("dunning_fee_cents", BigInteger, nullable=False),
    Column("deposit_prompt", Boolean, nullable=False),
    Column("renumber_on_kind_change", Boolean, nullable=False),
    # The retention rules as JSON (custmodel.storage.sql._rows.retention_to_text); a row
    # stored before them has none.
    Column("retention", String(RETENTION_TEXT_LENGTH), nullable=False, server_default="[]"),
    **MYSQL_TABLE_OPTIONS,
)

merges = Table(
    "custmodel_merges",
    metadata,
    # From the counter row MERGE_RECORD_COUNTER, so a rolled-back merge leaves no gap.
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("merged_at", utc_datetime(), nullable=False),
    Column("master", BigInteger, ForeignKey("custmodel_customers.number"), nullable=False),
    # The duplicates in the order given, as a JSON list of numbers; custmodel_merge_duplicates
    # indexes them for lookups by duplicate.
    Column("duplicates", Text, nullable=False),
    Column("bookings_moved", BigInteger, nullable=False),
    # Host reference "table.column" -> rows moved, as a JSON object.
    Column("references_moved", Text, nullable=False),
    Column("actor", _text(MergeRecord, "actor"), nullable=True),
    Index(None, "master"),
    **MYSQL_TABLE_OPTIONS,
)

merge_duplicates = Table(
    "custmodel_merge_duplicates",
    metadata,
    Column(
        "merge_id",
        BigInteger,
        ForeignKey("custmodel_merges.id"),
        primary_key=True,
        autoincrement=False,
    ),
    _customer_key("customer"),
    # The key leads with merge_id (its foreign key's index); lookups by duplicate use this one.
    Index(None, "customer"),
    **MYSQL_TABLE_OPTIONS,
)

requests = Table(
    "custmodel_requests",
    metadata,
    # From the counter row REQUEST_COUNTER, like the merge records' ids: one sequence for
    # every kind of request.
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("customer", BigInteger, ForeignKey("custmodel_customers.number"), nullable=False),
    # A RequestKind value: access, erasure or objection.
    Column("kind", String(20), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("recorded_at", utc_datetime(), nullable=False),
    Column("completed_at", utc_datetime(), nullable=True),
    # The requests of a customer, of a kind, open ones first in the range (and the foreign
    # key's index on MariaDB): a customer's open access requests are one index range.
    Index("ix_custmodel_requests_customer", "customer", "kind", "completed_at"),
    # The open requests of a kind by customer, for the keyset-paginated sweep: kind = 'erasure'
    # AND completed_at IS NULL AND customer > :after ORDER BY customer is one range of it.
    Index("ix_custmodel_requests_open", "kind", "completed_at", "customer"),
    **MYSQL_TABLE_OPTIONS,
)

distinct_marks = Table(
    "custmodel_distinct_marks",
    metadata,
    # The pair, lower number first: one row per pair however it was given.
    _customer_key("low"),
    _customer_key("high"),
    Column("marked_at", utc_datetime(), nullable=False),
    Column("actor", String(100), nullable=True),
    # The key leads with low; the marks of a customer are "low = n" plus "high = n".
    Index(None, "high"),
    **MYSQL_TABLE_OPTIONS,
)

marketing_choices = Table(
    "custmodel_marketing_choices",
    metadata,
    # From the counter row MARKETING_CHOICE_COUNTER, like the merge records' ids.
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("customer", BigInteger, ForeignKey("custmodel_customers.number"), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("choice", String(16), nullable=False),
    Column("given_on", Date, nullable=False),
    Column("recorded_at", utc_datetime(), nullable=False),
    Column("source", _text(MarketingChoice, "source"), nullable=False),
    Column("note", _text(MarketingChoice, "note"), nullable=False),
    # The ledger of a customer (and the foreign key's index on MariaDB).
    Index(None, "customer"),
    **MYSQL_TABLE_OPTIONS,
)


#: A history entry's details as JSON: up to MEDIUMTEXT on MariaDB, whose TEXT holds 64 KiB (a
#: registration's notes alone may fill most of that).
def _json_text() -> TypeEngine[str]:
    return Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


history = Table(
    "custmodel_history",
    metadata,
    # An autoincrement column, not a counter row: every change writes entries, and a counter
    # row would make every writer wait for every other. Ids may skip after a rollback; they
    # order the entries. INTEGER on SQLite, where only that spelling is the rowid.
    Column(
        "id",
        BigInteger().with_variant(Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("at", utc_datetime(), nullable=False),
    Column("action", String(32), nullable=False),
    # The customer changed, and whose history the entry is part of: the customer, or the
    # master it was merged into. No foreign keys: customers are never deleted, the entries of
    # bulk operations are selected from the customers, and the store checks the customers of
    # entries it is given; PostgreSQL would check a foreign key row by row with a trigger.
    Column("customer", BigInteger, nullable=True),
    Column("owner", BigInteger, nullable=True),
    Column("actor", String(100), nullable=True),
    Column("operation", BigInteger, nullable=True),
    Column("count", BigInteger, nullable=True),
    Column("flag", SmallInteger, nullable=True),
    Column("reference", _text(Booking, "reference"), nullable=True),
    Column("related", Text, nullable=False),
    # What stays after anonymization: field names, values of fields that are not personal, the
    # selection without its name and code filters.
    Column("details", _json_text(), nullable=False),
    # The personal values and filters; NULL when there are none, and once erased.
    Column("personal", _json_text(), nullable=True),
    Column("erased_at", utc_datetime(), nullable=True),
    # The history of a customer; the book's own entries (owner NULL) are found by it too. Each
    # index costs every change a write: a bulk run's entries are found by owner as well.
    Index(None, "owner"),
    **MYSQL_TABLE_OPTIONS,
)
