"""``custmodel mail-merge``: letters from a ``{Field}`` template, or a mail-merge data file.

Everything that can be wrong with the command line (the template's placeholders, the fields,
the open amounts file, the output directory) is checked before anything is written. Letters
are written one file per customer into a new or empty directory; if the run fails part-way,
the letters it wrote are removed again. A data file is written under ``FILE.part`` and renamed
when complete.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import attrs
import typer
from rich.progress import Progress, TaskID

from custmodel import (
    ContactChannel,
    CustomerBook,
    CustomerNotFoundError,
    InvalidInputError,
    LetterTemplate,
    Purpose,
    Selection,
    letters,
    utc_now,
)
from custmodel.cli._common import (
    EVERY,
    READABLE_FILE,
    AsJson,
    BadValue,
    Output,
    book,
    in_panel,
    parse_date,
    plural,
    say_left_out,
    selection_filters,
)

__all__ = [
    "EPILOG",
    "FIELD_DESCRIPTIONS",
    "credited_open_amounts",
    "letter_name",
    "mail_merge",
    "read_open_amounts",
]

EPILOG = (
    "Example: custmodel mail-merge mahnung.txt --out-dir mahnungen --owing-only; "
    "custmodel mail-merge --data-file serienbrief.csv --fields Kunde-Briefanrede,Kunde-Name; "
    "custmodel mail-merge mahnung.txt --out-dir mahnungen --owing-only --purpose contract "
    "--due-by 2026-12-01 --days-before-departure 30"
)

#: What each field of :data:`custmodel.letters.FIELDS` holds, as --list-fields shows it.
FIELD_DESCRIPTIONS: dict[str, str] = {
    "Kunde-Nummer": "customer number",
    "Kunde-Debitorkonto": "debtor account",
    "Kunde-Anrede": 'salutation as stored ("Frau Dr.")',
    "Kunde-Briefanrede": 'greeting line without comma ("Sehr geehrte Frau Dr. Müller")',
    "Kunde-Vorname": "first name",
    "Kunde-Name": "last name, or the company's name",
    "Kunde-Firma": "company",
    "Kunde-Strasse": "street and house number",
    "Kunde-PLZ": "postal code",
    "Kunde-Ort": "city",
    "Kunde-Land": "country",
    "Kunde-E-Mail": "e-mail address",
    "Kunde-Telefon": "phone number",
    "Kunde-Geburtsdatum": 'date of birth ("13.07.1961")',
    "Kunde-Kategorie": "category",
    "Kunde-Code1": "Code1 (by field name, whatever the kind calls it)",
    "Kunde-Code2": "Code2 (by field name, whatever the kind calls it)",
    "Kunde-Mahngebühr": 'dunning fee of the customer\'s kind ("5,00 €")',
    "OP-Betrag": 'open amount ("1.229,50 €")',
    "OP-Betrag+Mahngebühr": 'open amount plus dunning fee ("1.234,50 €")',
}

_DELIMITERS = {";": ";", ",": ",", "tab": "\t"}
_LETTERS = "Letters"
_DATA = "Data file"
_AMOUNTS = "Open amounts"


def letter_name(number: int, suffix: str) -> str:
    """The file name of customer ``number``'s letter: ``letter-000042.txt``.

    Six digits keep the files in order of customer number when listed by name (up to
    999,999); the suffix is the template's, ``.txt`` when it has none.
    """
    return f"letter-{number:06d}{suffix or '.txt'}"


def _read_template(path: Path) -> LetterTemplate:
    """The template in ``path``, line ends kept as they are.

    Raises:
        InvalidInputError: text that is not UTF-8.
        LetterTemplateError: an unknown or malformed placeholder, named with its position.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        raise InvalidInputError(f"the template {path.name} is not UTF-8 text") from None
    return LetterTemplate.parse(text)


def _amount(text: str) -> Decimal:
    """An amount as accounting exports write it: ``1229.50``, ``1229,50`` or ``1.229,50 €``."""
    text = text.replace("€", "").strip()
    if "," in text:
        # A decimal comma: points are thousands separators (German notation).
        text = text.replace(".", "").replace(",", ".")
    amount = Decimal(text)
    if not amount.is_finite():
        raise InvalidOperation
    return amount


def read_open_amounts(path: Path) -> dict[int, Decimal]:
    """Read the open amounts of ``path``: rows of ``customer;amount``, UTF-8.

    A first row whose customer cell is not a number is a header. The amounts of several rows
    of one customer (one row per open item) are added up. Amounts take a decimal point or a
    German decimal comma with points between thousands; a euro sign is ignored.

    Raises:
        InvalidInputError: naming the line of a row that is not a customer number and an
            amount, or a file that is not UTF-8; never repeating the row.
    """
    return _read_open_amounts(path)[0]


def _read_open_amounts(path: Path) -> tuple[dict[int, Decimal], dict[int, int]]:
    """The open amounts of ``path`` per customer, and the line each customer first shows on."""
    totals: dict[int, Decimal] = {}
    lines: dict[int, int] = {}
    first = True
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=";")
            for row in reader:
                cells = [cell.strip() for cell in row]
                if not any(cells):
                    continue
                header, first = first and not cells[0].isdigit(), False
                if header:
                    continue
                where = f"{path.name} line {reader.line_num}"
                if len(cells) != 2:
                    raise InvalidInputError(f"{where}: a row holds customer;amount")
                if not cells[0].isdigit() or int(cells[0]) < 1:
                    raise InvalidInputError(f"{where}: the customer is no customer number")
                try:
                    amount = _amount(cells[1])
                except InvalidOperation:
                    raise InvalidInputError(
                        f"{where}: the amount is no amount like 1229.50 or 1.229,50"
                    ) from None
                number = int(cells[0])
                totals[number] = totals.get(number, Decimal("0")) + amount
                lines.setdefault(number, reader.line_num)
    except UnicodeDecodeError:
        raise InvalidInputError(f"{path.name} is not UTF-8 text") from None
    except csv.Error:
        raise InvalidInputError(f"{path.name} is no CSV file of customer;amount") from None
    return totals, lines


def credited_open_amounts(customer_book: CustomerBook, path: Path) -> dict[int, Decimal]:
    """The open amounts of ``path``, checked, keyed by the customers who receive letters.

    The amount of a merged number is credited to its master; a number no customer has counts
    for nobody, and an anonymized customer receives no letter. Each of these is said in a
    warning on stderr naming the line of the file (numbers only, never a name).

    Raises:
        InvalidInputError: a bad row or amount, as :func:`read_open_amounts` says.
    """
    totals, lines = _read_open_amounts(path)
    checked = letters.check_open_amounts(totals)
    resolved = {}
    for number in checked:
        try:
            resolved[number] = customer_book.resolve(number)
        except CustomerNotFoundError:
            continue
    credited = letters.credit_open_amounts(checked, resolved)
    warnings = [
        *(
            (n, f"no customer has number {n}; its amount counts for nobody")
            for n in credited.unknown
        ),
        *(
            (n, f"customer {n} was merged into {master}; its amount is credited to {master}")
            for n, master in credited.merged
        ),
        *((n, f"customer {n} is anonymized and receives no letter") for n in credited.anonymized),
    ]
    err = Output(stderr=True)
    for number, text in sorted(warnings, key=lambda warning: lines[warning[0]]):
        err.line(f"warning: {path.name} line {lines[number]}: {text}")
    return credited.amounts


def _fields(given: list[str] | None) -> tuple[str, ...] | None:
    """The data file's columns from --fields (comma-separated, repeatable); None for all."""
    if not given:
        return None
    names = [name.strip() for option in given for name in option.split(",") if name.strip()]
    return letters.check_fields(names)


def _checked_directory(directory: Path) -> bool:
    """Check that letters may go into ``directory``; True if it exists already.

    Raises:
        BadValue: a file, or a directory that holds anything.
    """
    if not directory.exists():
        return False
    if not directory.is_dir():
        raise BadValue("--out-dir names a file, not a directory")
    if any(directory.iterdir()):
        raise BadValue(
            "--out-dir must be a new or empty directory, so that no letter of an earlier run "
            "is sent again"
        )
    return True


class _AdvancingSink:
    """A text file that advances a progress bar on every row written to it after the header."""

    def __init__(self, handle: Any, progress: Progress, task: TaskID) -> None:
        self._handle = handle
        self._progress = progress
        self._task = task
        self._header = True

    def write(self, text: str, /) -> int:
        written: int = self._handle.write(text)
        if text.endswith("\n"):
            if self._header:
                self._header = False
            else:
                self._progress.advance(self._task)
        return written


@contextmanager
def _partial_file(path: Path) -> Iterator[Any]:
    """Write ``path`` under ``path.part``, renamed when the block ends without an error."""
    partial = path.with_name(f"{path.name}.part")
    try:
        with partial.open("w", encoding="utf-8", newline="") as handle:
            yield handle
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _write_letters(
    directory: Path, suffix: str, texts: Iterable[tuple[int, str]], existed: bool
) -> int:
    """Write one file per letter; on any failure remove what this run wrote."""
    written: list[Path] = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for number, text in texts:
            path = directory / letter_name(number, suffix)
            with path.open("x", encoding="utf-8", newline="") as handle:
                written.append(path)
                handle.write(text)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        if not existed:
            directory.rmdir()
        raise
    return len(written)


@selection_filters()
def mail_merge(
    ctx: typer.Context,
    template: Annotated[
        Path | None,
        typer.Argument(
            metavar="TEMPLATE",
            help="The letter: UTF-8 text with {Field} placeholders ({{ and }} for braces).",
            show_default=False,
            **READABLE_FILE,
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        in_panel(
            _LETTERS,
            "--out-dir",
            "Write one letter per customer into DIR (new or empty): letter-000042.txt.",
            metavar="DIR",
        ),
    ] = None,
    data_file: Annotated[
        Path | None,
        in_panel(
            _DATA,
            "--data-file",
            "Write a data file for a word processor's mail merge instead (no TEMPLATE).",
            metavar="FILE",
            dir_okay=False,
        ),
    ] = None,
    fields: Annotated[
        list[str] | None,
        in_panel(
            _DATA,
            "--fields",
            "The data file's columns, comma-separated (default: every field).",
            metavar="FIELD,...",
        ),
    ] = None,
    delimiter: Annotated[
        str,
        in_panel(_DATA, "--delimiter", "The data file's column separator: ; , or tab."),
    ] = ";",
    owing_only: Annotated[
        bool,
        in_panel(
            _AMOUNTS,
            "--owing-only",
            "Only customers whose open amount is above zero (a dunning run).",
        ),
    ] = False,
    open_amounts: Annotated[
        Path | None,
        typer.Option(
            "--open-amounts",
            metavar="FILE",
            help=(
                "Open amounts from accounting: rows customer;amount. A customer it does not "
                "list owes 0,00 €; a merged number's amount is credited to its master. "
                "Default: the open amounts of the firm bookings."
            ),
            rich_help_panel=_AMOUNTS,
            **READABLE_FILE,
        ),
    ] = None,
    departed_only: Annotated[
        bool,
        in_panel(
            _AMOUNTS,
            "--departed-only",
            "Count only the bookings that have departed (today or earlier) as open.",
        ),
    ] = False,
    due_by: Annotated[
        str | None,
        in_panel(
            _AMOUNTS,
            "--due-by",
            "Count only the bookings due by DATE as open: due on departure, or "
            "--days-before-departure before it.",
            metavar="DATE",
            show_default=False,
        ),
    ] = None,
    days_before_departure: Annotated[
        int,
        in_panel(
            _AMOUNTS,
            "--days-before-departure",
            "With --due-by: a booking's balance falls due N days before departure.",
            metavar="N",
        ),
    ] = 0,
    purpose: Annotated[
        Purpose,
        typer.Option(
            "--purpose",
            help=(
                "advertising (the default) leaves out who objected to advertising on the "
                "channel; contract (a dunning letter, a travel document) reaches everyone."
            ),
        ),
    ] = Purpose.ADVERTISING,
    channel: Annotated[
        ContactChannel,
        typer.Option("--channel", help="The channel the campaign goes out on."),
    ] = ContactChannel.LETTER,
    list_fields: Annotated[
        bool, typer.Option("--list-fields", help="List the placeholders and what they hold.")
    ] = False,
    chosen: Selection = EVERY,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Customers read per transaction.")
    ] = 500,
    as_json: AsJson = False,
) -> None:
    """Render a {Field} template for every customer of a selection, or write a data file.

    Anonymized customers and merged duplicates never receive a letter (R10). An advertising
    run (the default) leaves out who objected to advertising on --channel and says how many.
    The template, the fields and the open amounts file are checked before anything is
    written: an unknown placeholder exits with 2 and names it.
    """
    out = Output(as_json)
    if list_fields:
        if template is not None or out_dir is not None or data_file is not None:
            raise BadValue("--list-fields takes no TEMPLATE, --out-dir or --data-file")
        _list_fields(out)
        return
    if (out_dir is None) == (data_file is None):
        raise BadValue("give --out-dir DIR (letters) or --data-file FILE (a data file)")
    if fields and data_file is None:
        raise BadValue("--fields chooses the columns of --data-file")
    if delimiter not in _DELIMITERS:
        raise BadValue("--delimiter is ; , or tab")
    if batch_size < 1:
        raise BadValue("--batch-size must be at least 1")
    due = _due(departed_only, due_by, days_before_departure, open_amounts is not None)
    amounts = None if open_amounts is None else credited_open_amounts(book(ctx), open_amounts)
    if data_file is not None:
        if template is not None:
            raise BadValue("a data file takes no TEMPLATE: choose its columns with --fields")
        columns = _fields(fields)
        customer_book = book(ctx)
        with out.progress() as progress, _partial_file(data_file) as handle:
            task = progress.add_task(
                f"Writing {data_file.name}",
                total=_total(customer_book, chosen, progress, owing_only, purpose, channel),
            )
            rows = customer_book.write_merge_data(
                chosen,
                _AdvancingSink(handle, progress, task),
                fields=columns,
                open_amounts=amounts,
                owing_only=owing_only,
                delimiter=_DELIMITERS[delimiter],
                batch_size=batch_size,
                purpose=purpose,
                channel=channel,
                **due,
            )
        if as_json:
            out.json({"file": str(data_file), "rows": rows.rows, "left_out": rows.left_out})
        else:
            out.line(f"Wrote {plural(rows.rows, 'row')} to {data_file}.")
            say_left_out(out, rows.left_out, channel)
        return
    if template is None or out_dir is None:
        raise BadValue("--out-dir renders a TEMPLATE: name the template file")
    parsed = _read_template(template)
    existed = _checked_directory(out_dir)
    customer_book = book(ctx)
    run = customer_book.letters(
        chosen,
        parsed,
        open_amounts=amounts,
        owing_only=owing_only,
        batch_size=batch_size,
        purpose=purpose,
        channel=channel,
        **due,
    )
    with out.progress() as progress:
        task = progress.add_task(
            f"Writing letters to {out_dir.name}",
            total=_total(customer_book, chosen, progress, owing_only, purpose, channel),
        )
        texts = _tracked(((letter.customer, letter.text) for letter in run), progress, task)
        count = _write_letters(out_dir, template.suffix, texts, existed)
    if as_json:
        out.json({"directory": str(out_dir), "letters": count, "left_out": run.left_out})
    else:
        out.line(f"Wrote {plural(count, 'letter')} to {out_dir}.")
        say_left_out(out, run.left_out, channel)


def _due(
    departed_only: bool, due_by: str | None, days_before_departure: int, from_file: bool
) -> dict[str, Any]:
    """The keywords of the run that leave out bookings not yet due; checked."""
    if not 0 <= days_before_departure <= letters.MAX_DAYS_BEFORE_DEPARTURE:
        raise BadValue(
            "--days-before-departure is a whole number from 0 to "
            f"{letters.MAX_DAYS_BEFORE_DEPARTURE}"
        )
    if days_before_departure and due_by is None:
        raise BadValue("--days-before-departure goes with --due-by DATE")
    if departed_only and due_by is not None:
        raise BadValue("--departed-only counts the bookings due today: give it or --due-by")
    if from_file and (departed_only or due_by is not None):
        raise BadValue(
            "--departed-only and --due-by choose the bookings whose open amounts count; "
            "--open-amounts replaces the bookings' amounts"
        )
    if departed_only:
        return {"due_by": utc_now().date()}
    if due_by is None:
        return {}
    day: date = parse_date(due_by, "--due-by")
    return {"due_by": day, "days_before_departure": days_before_departure}


def _total(
    customer_book: CustomerBook,
    chosen: Selection,
    progress: Progress,
    owing_only: bool,
    purpose: Purpose,
    channel: ContactChannel,
) -> int | None:
    """The progress bar's total: how many may receive a letter; None when not worth a query.

    Only a visible bar needs it, and with --owing-only who receives one is known only once
    the open amounts are read. An advertising run does not count who objected on its channel.
    """
    if progress.disable or owing_only or chosen.anonymized:
        return None
    advertising = channel if purpose is Purpose.ADVERTISING else chosen.advertising
    return customer_book.count(
        attrs.evolve(chosen, anonymized=False, include_merged=False, advertising=advertising)
    )


def _tracked(
    items: Iterable[tuple[int, str]], progress: Progress, task: TaskID
) -> Iterator[tuple[int, str]]:
    for item in items:
        yield item
        progress.advance(task)


def _list_fields(out: Output) -> None:
    if out.as_json:
        out.json([{"field": f, "description": FIELD_DESCRIPTIONS[f]} for f in letters.FIELDS])
        return
    out.table(
        ("Placeholder", "Value"), ((f"{{{f}}}", FIELD_DESCRIPTIONS[f]) for f in letters.FIELDS)
    )
