"""``custmodel import`` and ``custmodel export``: customers and bookings as CSV or JSON Lines.

Files are streamed: a row is read, checked and handed on, never the whole file at once.

An import reads its file twice. The first pass checks every row (field values, the kind's
categories and labelled flags; for bookings that the customer exists and can book, that no
reference is in the file twice and that none belongs to another customer) and changes
nothing; any bad row stops the import with the row numbers, and nothing is imported.
The second pass writes: customers in batches of ``--batch-size`` rows, each batch one
transaction (``CustomerBook.register_many``); bookings one transaction each
(``CustomerBook.record_booking``, which converts prospects and knows the deposit prompt). A
failure in the second pass (a debtor account taken or outside its kind's range, the store
failing, data changed by someone else meanwhile) keeps what was written before it and says
from which row on nothing was imported.
"""

from __future__ import annotations

import csv
import difflib
import enum
import functools
import itertools
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, nullcontext
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, TextIO, TypeVar

import attrs
import cattrs
import typer
from rich.progress import Progress

from custmodel import (
    Booking,
    BookingKind,
    BookingNotFoundError,
    BookingOwnerError,
    ContactChannel,
    CustmodelError,
    Customer,
    CustomerBook,
    CustomerKind,
    CustomerNotFoundError,
    CustomerType,
    InvalidInputError,
    NewCustomer,
    SalesChannel,
    Selection,
    StatusFlags,
    rules,
)
from custmodel._entrycheck import DuplicateMode, check_mode
from custmodel.cli._common import (
    EVERY,
    READABLE_FILE,
    AsJson,
    BadValue,
    CommandRefusedError,
    Output,
    book,
    escape_formula,
    left_out,
    plural,
    say_left_out,
    selection,
    selection_filters,
    subcommands,
    unescape_formula,
)
from custmodel.cli._customer_import import (
    CustomerImport,
    Incoming,
    fits,
    interrupted,
    labelled_for_now,
)
from custmodel.cli._duplicate_report import (
    REPORT_COLUMNS,
    DuplicateOption,
)
from custmodel.cli._resume import Resume
from custmodel.cli._textfiles import (
    Delimiter,
    TextLayout,
    delimiter_hint,
    encoding_of,
    sniff_delimiter,
)
from custmodel.model._channels import to_channels
from custmodel.model._customer import PERSONAL_FIELDS
from custmodel.serialization import make_converter

__all__ = [
    "BOOKING_COLUMNS",
    "CUSTOMER_COLUMNS",
    "Format",
    "Writer",
    "export_app",
    "import_app",
]

T = TypeVar("T")


class Format(enum.StrEnum):
    """File formats of import and export."""

    CSV = "csv"
    JSONL = "jsonl"


#: Customer export columns: every field of a customer, in the model's order.
CUSTOMER_COLUMNS = tuple(field.name for field in attrs.fields(Customer))
#: Booking export columns; the channel is split into its name and whether it is external.
BOOKING_COLUMNS = (
    "reference",
    "customer",
    "kind",
    "departure",
    "point_of_sale",
    "channel",
    "channel_external",
    "open_amount",
    "revenue",
    "travel_type",
    "destination",
)
_NEW_CUSTOMER_FIELDS = frozenset(field.name for field in attrs.fields(NewCustomer))
#: Columns of a customer export that an import leaves out: the book gives them anew.
_GIVEN_BY_THE_BOOK = frozenset({"number", "debtor_account", "created_at", "updated_at", "version"})
#: A column that, when set, marks a row as a merged customer (a tombstone): not imported.
_MERGED = "merged_into"
#: A column that, when set, marks a row as an anonymized customer: registered with its
#: non-personal fields only, then anonymized.
_ANONYMIZED = "anonymized_at"
_NOT_IMPORTED = (_MERGED, _ANONYMIZED)
#: Objections are recorded in the ledger (dated the import's day, the file as their source)
#: before the customer is stored with them, so that the ledger proves them.
_OBJECTIONS = "advertising_objections"
#: What an anonymized row keeps: nothing that describes the person.
_KEPT_BY_ANONYMIZATION = _NEW_CUSTOMER_FIELDS - frozenset(PERSONAL_FIELDS)
_CUSTOMER_ACCEPTED = (
    _NEW_CUSTOMER_FIELDS | _GIVEN_BY_THE_BOOK | frozenset(_NOT_IMPORTED) | {_OBJECTIONS}
)
_BOOKING_ACCEPTED = frozenset(BOOKING_COLUMNS)
#: JSON holds the channel as one object ({"name": ..., "is_external": ...}).
_BOOKING_JSON_FIELDS = _BOOKING_ACCEPTED - {"channel_external"}
#: The words an import error may repeat from a header row or a JSON object: custmodel's field
#: names and the values of its enums. Anything else there may be a person's data: a file
#: without a header row makes its first row the header.
_VOCABULARY = frozenset(
    [
        *(field.name for cls in (Customer, Booking, SalesChannel) for field in attrs.fields(cls)),
        *BOOKING_COLUMNS,
        *(str(value) for enum_ in (CustomerKind, CustomerType, BookingKind) for value in enum_),
    ]
)
#: How many bad rows an import error names; it counts them all.
_SHOWN_PROBLEMS = 5

import_app = subcommands(
    help=(
        "Import customers or bookings from CSV or JSON Lines. Every row is checked before "
        "anything is written; a bad row stops the import with its row number."
    ),
    epilog="Example: custmodel import customers kunden.csv",
)
export_app = subcommands(
    help=(
        "Export customers or bookings as CSV or JSON Lines (one JSON object per line), and "
        "the change history as JSON Lines."
    ),
    epilog="Example: custmodel export customers kunden.csv --kind private",
)

FormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format",
        case_sensitive=False,
        help="csv or jsonl; default: from the file name (.csv, .jsonl, .ndjson).",
        show_default=False,
    ),
]
ImportFile = Annotated[
    Path,
    typer.Argument(
        metavar="FILE",
        help="The file to import (a CSV file starts with a header row; see --encoding).",
        **READABLE_FILE,
    ),
]
ExportFile = Annotated[
    str,
    typer.Argument(metavar="FILE", help="Where to write; - writes to stdout."),
]
ExportRawCells = Annotated[
    bool,
    typer.Option(
        "--raw-cells",
        help=(
            "CSV: write every cell exactly as stored. By default a cell that starts with "
            "=, +, -, @, a tab or a carriage return (a spreadsheet would run it as a formula) "
            "gets a ' in front; plain numbers such as -12.50 do not."
        ),
    ),
]
ImportEncoding = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        metavar="NAME",
        help=(
            "The file's text encoding, e.g. utf-8 or cp1252 (Windows, Excel). Default: UTF-8, "
            "or Windows-1252 when the file is not UTF-8 (the import says so)."
        ),
        show_default=False,
    ),
]
ImportDelimiter = Annotated[
    Delimiter | None,
    typer.Option(
        "--delimiter",
        help="CSV: the cell separator: , or ; or tab. Default: found from the header row.",
        show_default=False,
    ),
]
ImportRawCells = Annotated[
    bool,
    typer.Option(
        "--raw-cells",
        help=(
            "CSV: take every cell exactly as written (a file exported with --raw-cells). By "
            "default the ' that an export puts in front of a formula-like cell is removed."
        ),
    ),
]


def _raw_cells_need_csv(raw_cells: bool, fmt: Format) -> None:
    if raw_cells and fmt is not Format.CSV:
        raise BadValue("--raw-cells applies to CSV; JSON Lines hold every value as it is")


def _format(name: str, given: Format | None) -> Format:
    if given is not None:
        return given
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return Format.CSV
    if suffix in (".jsonl", ".ndjson"):
        return Format.JSONL
    raise BadValue("say --format csv or --format jsonl: the file name does not tell")


# -- reading ------------------------------------------------------------------------------


class _Bad:
    """A row that cannot be read at all; ``message`` says why without repeating it."""

    def __init__(self, message: str) -> None:
        self.message = message


def _unknown_names(names: Iterable[str], accepted: frozenset[str], what: str) -> str:
    """Say which of ``names`` (a header row, a JSON object's keys) custmodel does not import.

    A name of custmodel's vocabulary is repeated; any other is named by its position (``what``
    and the number: "column 3") and the accepted field it resembles, never by itself.
    """
    described = []
    for position, name in enumerate(names, start=1):
        if name in accepted:
            continue
        if name in _VOCABULARY:
            described.append(name)
            continue
        close = difflib.get_close_matches(name.strip().lower(), sorted(accepted), n=1)
        described.append(f"{what} {position}" + (f" (perhaps {close[0]})" if close else ""))
    return ", ".join(described)


@attrs.frozen
class _Source:
    """The file an import reads and how: format, encoding, CSV delimiter and cells.

    Attributes:
        path: The file.
        fmt: CSV or JSON Lines.
        layout: Its encoding, and the note to show when it was guessed.
        delimiter: ``--delimiter``; None finds it from the CSV header row.
        raw_cells: Keep the ``'`` an export put in front of a formula-like cell.
    """

    path: Path
    fmt: Format
    layout: TextLayout
    delimiter: Delimiter | None = None
    raw_cells: bool = False


def _source(
    path: Path,
    fmt: Format | None,
    encoding: str | None,
    delimiter: Delimiter | None,
    raw_cells: bool,
) -> _Source:
    """Check the reading options of an import and find the file's encoding; say a guess."""
    chosen = _format(path.name, fmt)
    _raw_cells_need_csv(raw_cells, chosen)
    if delimiter is not None and chosen is not Format.CSV:
        raise BadValue("--delimiter applies to CSV; JSON Lines have no cells")
    layout = encoding_of(path, encoding)
    if layout.note:
        Output(stderr=True).line(f"Note: {layout.note}.")
    return _Source(path, chosen, layout, delimiter, raw_cells)


def _rows(
    source: _Source,
    progress: Progress,
    description: str,
    accepted: frozenset[str],
    required: tuple[str, ...],
) -> Iterator[tuple[str, dict[str, Any] | _Bad]]:
    """Yield ``(row label, raw row)`` for every row of the file, streaming it.

    CSV cells lose the ``'`` an export put in front of a formula-like cell, unless
    ``raw_cells``.

    Raises:
        InvalidInputError: for a file that cannot be read as a whole: a bad header, text that
            cannot be decoded, broken CSV.
    """
    label = "the start"
    path = source.path
    with progress.open(
        path, "r", encoding=source.layout.encoding, newline="", description=description
    ) as handle:
        if source.fmt is Format.CSV:
            rows = _csv_rows(handle, accepted, required, source)
        else:
            rows = _jsonl_rows(handle, accepted)
        try:
            for label, row in rows:
                yield label, row
        except UnicodeDecodeError:
            # The encoding was checked line by line before: the file changed meanwhile.
            raise InvalidInputError(
                f"{path.name} cannot be decoded after {label} (did it change?)"
            ) from None


def _csv_rows(
    handle: TextIO, accepted: frozenset[str], required: tuple[str, ...], source: _Source
) -> Iterator[tuple[str, dict[str, Any] | _Bad]]:
    header = handle.readline()
    delimiter = source.delimiter or sniff_delimiter(header)
    reader = csv.DictReader(itertools.chain([header], handle), delimiter=delimiter.character)
    try:
        names = reader.fieldnames
        if names is None:
            raise InvalidInputError("the CSV file is empty: it needs a header row")
        if not accepted.issuperset(names):
            raise InvalidInputError(
                "the header row (line 1) names columns custmodel does not import: "
                + _unknown_names(names, accepted, "column")
                + delimiter_hint(header, delimiter, accepted)
            )
        missing = [name for name in required if name not in names]
        if missing:
            raise InvalidInputError(
                f"the header row (line 1) lacks the columns {', '.join(missing)}"
                + delimiter_hint(header, delimiter, accepted)
            )
        for number, row in enumerate(reader, start=1):
            label = f"row {number} (line {reader.line_num})"
            if row.get(None):
                yield label, _Bad("more cells than the header row has columns")
                continue
            # A short row's missing cells are None: left out, like empty ones.
            yield (
                label,
                {
                    name: value if source.raw_cells else unescape_formula(value)
                    for name, value in row.items()
                    if value
                },
            )
    except csv.Error as error:
        line = reader.line_num
        raise InvalidInputError(f"the CSV file is broken near line {line}: {error}") from None


def _jsonl_rows(
    handle: TextIO, accepted: frozenset[str]
) -> Iterator[tuple[str, dict[str, Any] | _Bad]]:
    for line_number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        label = f"line {line_number}"
        try:
            value = json.loads(line)
        except ValueError:
            yield label, _Bad("not valid JSON")
            continue
        if not isinstance(value, dict):
            yield label, _Bad("not a JSON object")
            continue
        if not accepted.issuperset(value):
            unknown = _unknown_names(value, accepted, "field")
            yield label, _Bad(f"fields custmodel does not import: {unknown}")
            continue
        yield label, {name: item for name, item in value.items() if item is not None}


def _structure_message(error: BaseException, _type: type | None) -> str:
    """A structuring error in words that never repeat the value (it may be personal data)."""
    if isinstance(error, CustmodelError):
        return str(error)
    if isinstance(error, KeyError):
        return "required field missing"
    if isinstance(_type, type) and issubclass(_type, enum.Enum):
        return f"must be one of: {', '.join(str(member.value) for member in _type)}"
    return "not a valid value"


class _Reader:
    """Turns raw rows into domain objects: the format's conversion, then the cattrs converter."""

    def __init__(self, fmt: Format) -> None:
        self.fmt = fmt
        # Every CSV cell is text ("12" for a customer number): converted as Python would.
        self.converter = make_converter(strict=False)

    def structure(self, data: dict[str, Any], cls: type[T]) -> T:
        """Build ``cls`` from ``data``, or raise InvalidInputError naming the field."""
        try:
            return self.converter.structure(data, cls)
        except (cattrs.BaseValidationError, CustmodelError, ValueError, TypeError) as error:
            messages = cattrs.transform_error(error, format_exception=_structure_message)
            raise InvalidInputError(
                "; ".join(
                    f"{where.removeprefix('$.')}: {what}" if where != "$" else what
                    for what, _, where in (m.rpartition(" @ ") for m in messages)
                )
            ) from None

    def customer(self, raw: dict[str, Any]) -> Incoming:
        """The new customer a row describes, with its anonymization and objections."""
        if not _CUSTOMER_ACCEPTED.issuperset(raw):
            unknown = _unknown_names(raw, _CUSTOMER_ACCEPTED, "field")
            raise InvalidInputError(f"fields custmodel does not import: {unknown}")
        if raw.get(_MERGED):
            raise InvalidInputError(
                f"{_MERGED} is set: merged customers (tombstones) are not imported"
            )
        anonymized = bool(raw.get(_ANONYMIZED))
        objections = self._objections(raw.get(_OBJECTIONS))
        data = {
            name: value
            for name, value in raw.items()
            if name in _NEW_CUSTOMER_FIELDS and (not anonymized or name in _KEPT_BY_ANONYMIZATION)
        }
        if anonymized:
            # Its personal fields were blanked; the book anonymizes it again once registered.
            data["last_name"] = rules.ANONYMIZED_NAME
        if self.fmt is Format.CSV and "status" in data:
            data["status"] = data["status"].replace(",", " ").split()
        return Incoming(self.structure(data, NewCustomer), anonymized, objections)

    def _objections(self, value: object) -> frozenset[ContactChannel]:
        if not value:
            return frozenset()
        if self.fmt is Format.CSV and isinstance(value, str):
            value = value.replace(",", " ").split()
        try:
            return to_channels(value)
        except (CustmodelError, ValueError, TypeError):
            channels = ", ".join(c.value for c in ContactChannel)
            raise InvalidInputError(f"{_OBJECTIONS}: must be channels out of {channels}") from None

    def booking(self, raw: dict[str, Any]) -> Booking:
        """The booking a row describes."""
        accepted = _BOOKING_ACCEPTED if self.fmt is Format.CSV else _BOOKING_JSON_FIELDS
        if not accepted.issuperset(raw):
            unknown = _unknown_names(raw, accepted, "field")
            raise InvalidInputError(f"fields custmodel does not import: {unknown}")
        data = dict(raw)
        if self.fmt is Format.CSV:
            name = data.pop("channel", None)
            external = data.pop("channel_external", None)
            if name is not None or external is not None:
                data["channel"] = {"name": name or "own", "is_external": _boolean(external)}
        return self.structure(data, Booking)


def _boolean(text: str | None) -> bool:
    folded = (text or "").strip().lower()
    if folded in ("", "false", "no", "0"):
        return False
    if folded in ("true", "yes", "1"):
        return True
    raise InvalidInputError("channel_external must be true or false")


def _checked(
    rows: Iterable[tuple[str, dict[str, Any] | _Bad]], convert: Callable[[dict[str, Any]], T]
) -> Iterator[tuple[str, T | str]]:
    """Yield each row as an object, or as the message saying what is wrong with it."""
    for label, raw in rows:
        if isinstance(raw, _Bad):
            yield label, raw.message
            continue
        try:
            yield label, convert(raw)
        except CustmodelError as error:
            yield label, str(error)


def _refuse_bad_rows(name: str, problems: list[tuple[str, str]], count: int) -> None:
    if not count:
        return
    shown = "; ".join(f"{label}: {message}" for label, message in problems)
    more = f"; and {count - len(problems)} more" if count > len(problems) else ""
    bad = plural(count, "bad row")
    raise InvalidInputError(f"{bad} in {name}, nothing was imported: {shown}{more}")


def _check_all(
    name: str, rows: Iterable[tuple[str, T | str]], check: Callable[[T, str], None]
) -> int:
    """Check every row; return how many there are, or refuse the file naming the bad rows.

    ``check(item, label)`` raises a CustmodelError for a bad row.
    """
    problems: list[tuple[str, str]] = []
    bad = total = 0
    for label, item in rows:
        total += 1
        message: str | None = None
        if isinstance(item, str):
            message = item
        else:
            try:
                check(item, label)
            except CustmodelError as error:
                message = str(error)
        if message is not None:
            bad += 1
            if len(problems) < _SHOWN_PROBLEMS:
                problems.append((label, message))
    _refuse_bad_rows(name, problems, bad)
    return total


def _stopped(error: CustmodelError, label: str, done: int, what: str) -> CommandRefusedError:
    return CommandRefusedError(
        f"{error} at {label}; the {done} {what} before it were imported, nothing from there on"
    )


# -- import -------------------------------------------------------------------------------


@import_app.command(
    name="customers",
    epilog="Example: custmodel import customers kunden.csv --batch-size 500",
)
def import_customers(
    ctx: typer.Context,
    file: ImportFile,
    fmt: FormatOption = None,
    batch_size: Annotated[
        int,
        typer.Option("--batch-size", help="Customers per transaction in the writing pass."),
    ] = 1000,
    raw_cells: ImportRawCells = False,
    duplicates: Annotated[
        DuplicateOption | None,
        typer.Option(
            "--duplicates",
            help=(
                "Look for likely duplicates in the store and earlier in the file: warn "
                "imports and reports them, refuse stops at the first batch holding one. "
                "Default: off, or warn with --duplicate-report."
            ),
        ),
    ] = None,
    duplicate_report: Annotated[
        Path | None,
        typer.Option(
            "--duplicate-report",
            help="Write the likely duplicates found as CSV: rows, numbers, scores, reasons.",
            dir_okay=False,
        ),
    ] = None,
    start_row: Annotated[
        int,
        typer.Option(
            "--start-row",
            metavar="N",
            help=(
                "Go on with row N of a stopped import: the rows before it are skipped, and "
                "only if row N-1 is the customer the store holds last."
            ),
        ),
    ] = 1,
    encoding: ImportEncoding = None,
    delimiter: ImportDelimiter = None,
    keep_unlabelled: Annotated[
        bool,
        typer.Option(
            "--keep-unlabelled-flags",
            help=(
                "Import status flags that their kind has no label for (a label deleted after "
                "they were set; an export keeps them): they are labelled 'unlabelled N' while "
                "the import runs, and the labels are deleted again at its end."
            ),
        ),
    ] = False,
    agency: Annotated[
        str,
        typer.Option(
            "--agency",
            help="The agency that anonymizes the rows of anonymized customers once stored.",
        ),
    ] = "import",
    as_json: AsJson = False,
) -> None:
    """Register the customers of FILE; they get new numbers and debtor accounts.

    Columns (CSV header or JSON field names) are those of custmodel export customers: kind
    and last_name are needed, the others optional; an empty cell takes the default. number,
    debtor_account and the timestamps are given anew by the book and ignored; the numbers
    follow the order of the rows. Rows of merged customers are refused. A row of an
    anonymized customer is stored with its kind, type and rule references and anonymized.
    advertising_objections are recorded as objections dated today with the file as source.
    status holds flag numbers separated by spaces. Rows are stored in file order, a batch per
    transaction; when the import stops it says how many were stored and how to resume.
    """
    if batch_size < 1:
        raise BadValue("--batch-size must be at least 1")
    if start_row < 1:
        raise BadValue("--start-row must be at least 1")
    source = _source(file, fmt, encoding, delimiter, raw_cells)
    chosen = duplicates or (DuplicateOption.WARN if duplicate_report else DuplicateOption.OFF)
    mode: DuplicateMode = check_mode(chosen.value)
    customer_book = book(ctx)
    settings = customer_book.settings
    reader = _Reader(source.fmt)
    out = Output(as_json)
    resume = Resume(file, start_row)

    def rows(progress: Progress, description: str) -> Iterator[tuple[str, Incoming | str]]:
        raw = _rows(source, progress, description, _CUSTOMER_ACCEPTED, ("kind", "last_name"))
        return resume.rows(_checked(raw, reader.customer))

    run = CustomerImport(customer_book, file, start_row, mode, agency)
    with out.progress() as progress:
        unlabelled: dict[CustomerKind, set[int]] = {}
        try:
            total = _check_all(
                file.name,
                rows(progress, f"Checking {file.name}"),
                lambda incoming, _label: fits(
                    settings, incoming.draft, unlabelled if keep_unlabelled else None
                ),
            )
        except KeyboardInterrupt:
            interrupted("nothing was imported")
        resume.check(customer_book)
        with (
            labelled_for_now(customer_book, unlabelled),
            Writer(str(duplicate_report), Format.CSV, REPORT_COLUMNS)
            if duplicate_report is not None
            else nullcontext() as report,
        ):
            try:
                for labels, batch in _batched(rows(progress, f"Importing {file.name}"), batch_size):
                    if not run.write(labels, batch, report):
                        break
            except KeyboardInterrupt:
                interrupted(run.interrupted())
    if run.stopped is not None:
        raise run.stopped
    numbers = (run.first, run.last)
    if as_json:
        summary: dict[str, object] = {
            "file": str(file),
            "imported": run.done,
            "first": numbers[0],
            "last": numbers[1],
        }
        # Keys beyond these appear only when they say something: the summary stays stable.
        extra = {
            "encoding": source.layout.encoding if source.layout.note else None,
            "start_row": start_row if start_row > 1 else None,
            "anonymized": run.anonymized or None,
            "objections": run.objecting or None,
        }
        summary |= {key: value for key, value in extra.items() if value is not None}
        if mode != "off":
            summary["likely_duplicates"] = run.flagged
        out.json(summary)
        return
    shown = f" (numbers {numbers[0]} to {numbers[1]})" if run.done else ""
    rows_from = f", from row {start_row} on" if start_row > 1 else ""
    out.line(
        f"Imported {run.done} of {plural(total, 'customer')}{shown} from {file.name}{rows_from}."
    )
    if run.objecting:
        out.line(f"Recorded the objections of {plural(run.objecting, 'customer')}.")
    if run.anonymized:
        out.line(f"Anonymized {plural(run.anonymized, 'customer')} as the file says.")
    if mode != "off":
        written = f"; see {duplicate_report}" if duplicate_report is not None else ""
        out.line(f"{plural(run.flagged, 'imported customer')} with likely duplicates{written}.")


def _batched(rows: Iterable[tuple[str, T | str]], size: int) -> Iterator[tuple[list[str], list[T]]]:
    """Group checked rows into batches; a row that fails now means the file changed."""
    labels: list[str] = []
    batch: list[T] = []
    for label, item in rows:
        if isinstance(item, str):
            raise InvalidInputError(f"{label}: {item} (the file changed while importing)")
        labels.append(label)
        batch.append(item)
        if len(batch) == size:
            yield labels, batch
            labels, batch = [], []
    if batch:
        yield labels, batch


@import_app.command(name="bookings", epilog="Example: custmodel import bookings vorgaenge.csv")
def import_bookings(
    ctx: typer.Context,
    file: ImportFile,
    fmt: FormatOption = None,
    raw_cells: ImportRawCells = False,
    encoding: ImportEncoding = None,
    delimiter: ImportDelimiter = None,
    as_json: AsJson = False,
) -> None:
    """Record the bookings of FILE (new ones, or changes to the same customer's reference).

    Columns are those of custmodel export bookings; channel and channel_external may be left
    out (an own channel). Every customer must exist, be active and not anonymized. A
    prospect's first firm booking converts it to a private customer. A reference may appear
    once per file, and a recorded reference only for the customer it belongs to (custmodel
    booking move gives a booking to another customer).
    """
    source = _source(file, fmt, encoding, delimiter, raw_cells)
    customer_book = book(ctx)
    reader = _Reader(source.fmt)
    out = Output(as_json)
    checked_customers: dict[int, str | None] = {}
    # Reference -> label of the row that has it; a second row with it refuses the file.
    seen: dict[str, str] = {}

    def check(booking: Booking, label: str) -> None:
        first = seen.setdefault(booking.reference, label)
        if first != label:
            # The reference is a cell of the file: the message names the rows only.
            raise InvalidInputError(f"the same booking reference as {first}")
        if booking.customer not in checked_customers:
            checked_customers[booking.customer] = _cannot_book(customer_book, booking.customer)
        problem = checked_customers[booking.customer]
        if problem is not None:
            raise InvalidInputError(problem)
        owner = _owner(customer_book, booking.reference)
        if owner is not None and owner != booking.customer:
            raise BookingOwnerError(booking.reference, owner, booking.customer)

    def rows(progress: Progress, description: str) -> Iterator[tuple[str, Booking | str]]:
        raw = _rows(source, progress, description, _BOOKING_ACCEPTED, BOOKING_COLUMNS[:5])
        return _checked(raw, reader.booking)

    with out.progress() as progress:
        total = _check_all(file.name, rows(progress, f"Checking {file.name}"), check)
        checked_customers.clear()
        done = conversions = 0
        for labels, bookings in _batched(rows(progress, f"Importing {file.name}"), 1):
            try:
                recorded = customer_book.record_booking(bookings[0])
            except CustmodelError as error:
                raise _stopped(error, labels[0], done, "bookings") from error
            done += 1
            conversions += recorded.conversion is not None
    if as_json:
        out.json({"file": str(file), "imported": done, "conversions": conversions})
        return
    became = "became a customer" if conversions == 1 else "became customers"
    converted = f"; {plural(conversions, 'prospect')} {became}" if conversions else ""
    out.line(f"Imported {done} of {plural(total, 'booking')} from {file.name}{converted}.")


def _owner(customer_book: CustomerBook, reference: str) -> int | None:
    """The customer the booking ``reference`` belongs to, or None if nobody recorded it."""
    try:
        return customer_book.get_booking(reference).customer
    except BookingNotFoundError:
        return None


def _cannot_book(customer_book: CustomerBook, number: int) -> str | None:
    """Why customer ``number`` cannot take bookings, or None."""
    try:
        customer = customer_book.get(number)
    except CustomerNotFoundError as error:
        return str(error)
    if customer.merged_into is not None:
        return f"customer {number} was merged into customer {customer.merged_into}"
    if customer.is_anonymized:
        return f"customer {number} is anonymized and takes no bookings"
    return None


# -- export -------------------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, StatusFlags):
        return " ".join(map(str, value))
    if isinstance(value, frozenset):
        # advertising_objections: the channels' values in their declared order.
        return " ".join(c.value for c in ContactChannel if c in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal | int | str):
        return str(value)
    raise TypeError(f"no CSV form for {type(value).__name__}")  # pragma: no cover


def _customer_cells(customer: Customer) -> list[str]:
    return [_cell(getattr(customer, name)) for name in CUSTOMER_COLUMNS]


def _booking_cells(booking: Booking) -> list[str]:
    return [
        booking.reference,
        str(booking.customer),
        booking.kind.value,
        booking.departure.isoformat(),
        booking.point_of_sale,
        booking.channel.name,
        _cell(booking.channel.is_external),
        str(booking.open_amount),
        _cell(booking.revenue),
        _cell(booking.travel_type),
        _cell(booking.destination),
    ]


class Writer:
    """Writes rows to a file (through a temporary file renamed at the end) or stdout.

    CSV cells that a spreadsheet would run as a formula get a ``'`` in front
    (:func:`~custmodel.cli._common.escape_formula`) unless ``raw_cells``.
    """

    def __init__(
        self, target: str, fmt: Format, columns: tuple[str, ...], *, raw_cells: bool = False
    ) -> None:
        self.target = target
        self.fmt = fmt
        self.columns = columns
        self.raw_cells = raw_cells
        self.converter = make_converter()
        self._stack = ExitStack()
        self._partial: Path | None = None
        self.handle: TextIO = sys.stdout
        self._csv: Any = None

    def __enter__(self) -> Writer:
        if self.target != "-":
            final = Path(self.target)
            self._partial = final.with_name(f"{final.name}.part")
            self.handle = self._stack.enter_context(
                self._partial.open("w", encoding="utf-8", newline="")
            )
        if self.fmt is Format.CSV:
            self._csv = csv.writer(self.handle, lineterminator="\n")
            self._csv.writerow(self.columns)
        return self

    def write(self, obj: object, cells: Callable[[], list[str]]) -> None:
        """Write one row: its CSV cells, or its JSON object on one line."""
        if self.fmt is Format.CSV:
            row = cells()
            self._csv.writerow(row if self.raw_cells else map(escape_formula, row))
        else:
            data = self.converter.unstructure(obj)
            self.handle.write(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n")

    def __exit__(self, error_type: object, *_: object) -> None:
        self._stack.close()
        if self._partial is None:
            self.handle.flush()
            return
        if error_type is None:
            os.replace(self._partial, self.target)
        else:
            self._partial.unlink(missing_ok=True)


def _summary(
    out: Output,
    target: str,
    fmt: Format,
    count: int,
    what: str,
    chosen: Selection = EVERY,
    skipped: int = 0,
) -> None:
    """Say what was exported and, for an advertising run, how many were left out.

    With ``-`` as the target the data goes to stdout, so only the left-out line is said, on
    stderr.
    """
    if target == "-":
        say_left_out(Output(stderr=True), skipped, chosen.advertising)
        return
    if out.as_json:
        extra = {} if chosen.advertising is None else {"left_out": skipped}
        out.json({"file": target, "format": fmt, "exported": count} | extra)
    else:
        out.line(f"Exported {plural(count, what)} to {target}.")
        say_left_out(out, skipped, chosen.advertising)


def _no_json_on_stdout(target: str, as_json: bool) -> None:
    if target == "-" and as_json:
        raise BadValue("--json needs a FILE: with - the data itself goes to stdout")


ExportBatchSize = Annotated[
    int,
    typer.Option("--batch-size", help="Customers read per transaction."),
]


def _export_batch_size(batch_size: int) -> int:
    if batch_size < 1:
        raise BadValue("--batch-size must be at least 1")
    return batch_size


@export_app.command(
    name="customers",
    epilog="Example: custmodel export customers - --format jsonl --kind corporate",
)
@selection_filters(anonymized=True, merged=True, advertising=True)
def export_customers(
    ctx: typer.Context,
    target: ExportFile,
    fmt: FormatOption = None,
    chosen: Selection = EVERY,
    batch_size: ExportBatchSize = 1000,
    raw_cells: ExportRawCells = False,
    as_json: AsJson = False,
) -> None:
    """Write the customers of a selection (default: every active one) to FILE, by number.

    The customers are read --batch-size at a time, each batch one read transaction, and
    written as they are read. A file is written under FILE.part and renamed when complete.
    CSV holds one column per field; status is the flag numbers separated by spaces; a cell a
    spreadsheet would run as a formula gets a ' in front (import removes it again). With
    --advertising CHANNEL it leaves out who objected to advertising on CHANNEL and says how
    many.
    """
    _no_json_on_stdout(target, as_json)
    fmt = _format(target, fmt)
    _raw_cells_need_csv(raw_cells, fmt)
    _export_batch_size(batch_size)
    customer_book = book(ctx)
    skipped = left_out(customer_book, chosen)
    out = Output(as_json)
    count = 0
    with (
        out.progress() as progress,
        Writer(target, fmt, CUSTOMER_COLUMNS, raw_cells=raw_cells) as writer,
    ):
        # Counting costs a query; only a visible progress bar needs the total.
        total = None if progress.disable else customer_book.count(chosen)
        task = progress.add_task("Exporting customers", total=total)
        for customer in customer_book.iter_customers(chosen, batch_size=batch_size):
            writer.write(customer, functools.partial(_customer_cells, customer))
            count += 1
            progress.advance(task)
    _summary(out, target, fmt, count, "customer", chosen, skipped)


@export_app.command(
    name="bookings",
    epilog="Example: custmodel export bookings vorgaenge.csv --kind corporate",
)
@selection_filters(anonymized=True)
def export_bookings(
    ctx: typer.Context,
    target: ExportFile,
    fmt: FormatOption = None,
    customer: Annotated[
        int | None, typer.Option("--customer", help="Only this customer's bookings.")
    ] = None,
    chosen: Selection = EVERY,
    batch_size: ExportBatchSize = 1000,
    raw_cells: ExportRawCells = False,
    as_json: AsJson = False,
) -> None:
    """Write the bookings of a selection's customers (default: every active one) to FILE.

    Bookings are written by customer number and reference. Each read transaction takes
    --batch-size customers and all their bookings; --customer N writes one customer's. CSV
    cells a spreadsheet would run as a formula get a ' in front, as in export customers.
    """
    _no_json_on_stdout(target, as_json)
    fmt = _format(target, fmt)
    _raw_cells_need_csv(raw_cells, fmt)
    _export_batch_size(batch_size)
    if customer is not None and chosen != selection():
        raise BadValue("--customer names one customer; it takes no selection options")
    customer_book = book(ctx)
    bookings: Iterable[Booking] = (
        customer_book.bookings(customer)
        if customer is not None
        else customer_book.iter_bookings(chosen, batch_size=batch_size)
    )
    out = Output(as_json)
    count = 0
    with (
        out.progress() as progress,
        Writer(target, fmt, BOOKING_COLUMNS, raw_cells=raw_cells) as writer,
    ):
        task = progress.add_task("Exporting bookings", total=None)
        for booking in bookings:
            writer.write(booking, functools.partial(_booking_cells, booking))
            count += 1
            progress.advance(task)
    _summary(out, target, fmt, count, "booking")
