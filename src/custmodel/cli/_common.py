"""What every command group shares: the store, output, value parsing and selection filters."""

from __future__ import annotations

import functools
import getpass
import inspect
import itertools
import json
import os
import re
import sys
import typing
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Final, TypeVar

import attrs
import typer
from rich.cells import cell_len, set_cell_size
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from custmodel import (
    ContactChannel,
    Customer,
    CustomerBook,
    CustomerKind,
    CustomerType,
    InvalidInputError,
    Selection,
    check_actor,
    open_store,
)
from custmodel.rules import format_eur
from custmodel.serialization import make_converter
from custmodel.storage.factory import DATABASE_URL_VARIABLE
from custmodel.storage.ports import CustomerStore

__all__ = [
    "ACTOR_VARIABLE",
    "CUSTOMER_COLUMNS",
    "DEFAULT_DATABASE",
    "EVERY",
    "EXIT_REFUSED",
    "EXIT_USAGE",
    "FORMULA_TRIGGERS",
    "READABLE_FILE",
    "AsJson",
    "BadValue",
    "CommandRefusedError",
    "Number",
    "Output",
    "State",
    "book",
    "confirm",
    "customer_rows",
    "escape_formula",
    "flags_text",
    "given",
    "in_panel",
    "left_out",
    "money",
    "parse_date",
    "parse_money",
    "plural",
    "redact_url",
    "say_left_out",
    "selection",
    "selection_filters",
    "state",
    "subcommands",
    "unescape_formula",
]

#: The store the commands use when neither ``--db`` nor ``CUSTMODEL_DATABASE_URL`` names one.
DEFAULT_DATABASE = "sqlite:///custmodel.sqlite"

#: The environment variable naming who the changes are recorded for, when --actor is not given.
ACTOR_VARIABLE = "CUSTMODEL_ACTOR"

#: Exit code of a command a rule refused, that was not confirmed, or that failed.
EXIT_REFUSED = 1
#: Exit code of a command line custmodel cannot run: bad option, bad value, bad URL.
EXIT_USAGE = 2


class CommandRefusedError(Exception):
    """The command stops without changing anything (not confirmed, not eligible...): exit 1.

    The message is shown as the error line; like every custmodel error it names numbers,
    never personal data.
    """


class BadValue(typer.BadParameter):
    """A value the command itself found malformed: exit 2. The message never repeats it."""

    def format_message(self) -> str:
        """The message alone: it names the option itself."""
        return self.message


def redact_url(url: str) -> str:
    """Return ``url`` with its password replaced by ``***``, for showing it to a person."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return url
    location, slash, path = rest.partition("/")
    credentials, at, host = location.rpartition("@")
    if at and ":" in credentials:
        user = credentials.partition(":")[0]
        location = f"{user}:***@{host}"
    return f"{scheme}://{location}{slash}{path}"


def login_name() -> str | None:
    """The operating system's login name, if there is one an entry of the history can keep."""
    try:
        return check_actor(getpass.getuser())
    except (OSError, KeyError, InvalidInputError):
        return None


class State:
    """The global options and, once a command asks for it, the open store.

    Args:
        db: The URL given with ``--db``, None when it was not given.
        debug: Show tracebacks of errors.
        actor: Who the changes are recorded for (``--actor`` or ``CUSTMODEL_ACTOR``); None
            for the login name, or nobody when there is none.
    """

    def __init__(self, db: str | None, debug: bool, actor: str | None = None) -> None:
        self.db = db
        self.debug = debug
        self.actor = login_name() if actor is None else check_actor(actor)
        self._book: CustomerBook | None = None

    @property
    def url(self) -> str:
        """The store URL: ``--db``, else ``CUSTMODEL_DATABASE_URL``, else the default file."""
        if self.db:
            return self.db
        return os.environ.get(DATABASE_URL_VARIABLE, "").strip() or DEFAULT_DATABASE

    def open(self, ctx: typer.Context, url: str) -> CustomerStore:
        """Open the store at ``url``; it is closed when the command line ends."""
        store = open_store(url)
        ctx.find_root().call_on_close(store.close)
        return store

    def book(self, ctx: typer.Context) -> CustomerBook:
        """The customer book on the chosen store, opened (and migrated) on first use."""
        if self._book is None:
            self._book = CustomerBook(self.open(ctx, self.url), actor=self.actor)
        return self._book


def state(ctx: typer.Context) -> State:
    """Return the global state the root command stored in the context."""
    found = ctx.find_root().obj
    if not isinstance(found, State):  # pragma: no cover - the root callback always sets it
        raise RuntimeError("the custmodel command line state is missing")
    return found


def book(ctx: typer.Context) -> CustomerBook:
    """The customer book of the store the command line names."""
    return state(ctx).book(ctx)


def parse_date(text: str, option: str) -> date:
    """Read an ISO date (``2026-11-24``) given for ``option``.

    Raises:
        BadValue: for anything else; the message does not repeat the value.
    """
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadValue(f"{option} must be a date like 2026-11-24") from None


def parse_money(text: str, option: str) -> Decimal:
    """Read an amount in EUR (``1234.50``) given for ``option``; the book checks the cents.

    Raises:
        BadValue: for anything that is not a decimal number.
    """
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        raise BadValue(f"{option} must be an amount like 1234.50 (a point, no comma)") from None
    if not amount.is_finite():
        raise BadValue(f"{option} must be an amount like 1234.50 (a point, no comma)")
    return amount


#: What a spreadsheet takes for the start of a formula at the start of a cell (OWASP's list).
FORMULA_TRIGGERS = "=+-@\t\r"
_TRIGGER = f"[{re.escape(FORMULA_TRIGGERS)}]"
_FIRST = frozenset(f"'{FORMULA_TRIGGERS}")
#: A cell a CSV export guards: quotes (one added by an earlier guard) before a trigger.
_GUARDED = re.compile(f"'*{_TRIGGER}")
#: A cell a CSV import unguards: at least one quote before a trigger.
_UNGUARD = re.compile(f"'+{_TRIGGER}")
#: A plain number such as -12.50 or +3: a spreadsheet reads it as a number, never a formula.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def escape_formula(cell: str) -> str:
    """Return ``cell`` as a CSV export writes it: with a ``'`` in front if a spreadsheet would
    run it as a formula.

    A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (OWASP's
    rule against CSV injection) gets a leading ``'``, which spreadsheets show as text; so does
    one that starts with quotes before such a character, so that :func:`unescape_formula`
    can tell the two apart. A plain number (``-12.50``, ``+3``, ``1e5``) is no formula and
    stays as it is.

    Example:
        >>> print(escape_formula('=HYPERLINK("http://x.example")'))
        '=HYPERLINK("http://x.example")
        >>> print(escape_formula("-12.50"))
        -12.50
    """
    # Most cells start with a letter or a digit: one look at the first character settles them.
    if cell[:1] in _FIRST and _GUARDED.match(cell) and not _NUMBER.fullmatch(cell):
        return f"'{cell}"
    return cell


def unescape_formula(cell: str) -> str:
    """Undo :func:`escape_formula`: drop the ``'`` it put in front of ``cell``.

    Only a cell that starts with quotes before a formula trigger loses one, so
    ``unescape_formula(escape_formula(text)) == text`` for every text, and a cell the export
    left alone (``'Hallo'``, ``-12.50``) is read as it is.
    """
    return cell[1:] if _UNGUARD.match(cell) else cell


def confirm(question: str, *, yes: bool) -> None:
    """Ask ``question`` on stderr unless ``yes``; anything but y or yes stops the command.

    The question goes to stderr and the answer is read from stdin, so stdout holds only the
    command's result. No answer at all (stdin closed, as under a scheduler) is a no.

    Raises:
        CommandRefusedError: when the answer is not yes.
    """
    if yes:
        return
    sys.stderr.write(f"{question} [y/N]: ")
    sys.stderr.flush()
    answer = sys.stdin.readline()
    if not sys.stdin.isatty():
        # A terminal echoes the user's Enter; piped input does not, so end the line here.
        sys.stderr.write("\n")
    if answer.strip().lower() not in ("y", "yes"):
        raise CommandRefusedError("not confirmed; nothing was changed")


#: The width text and tables get when they go to a pipe or a file, not a terminal, and
#: ``COLUMNS`` names no width: wide enough that no value is cut or wrapped, so that each row
#: stays one line for grep and cut.
PIPE_WIDTH: Final = 100_000

#: How many rows a streamed table reads before it fixes its column widths.
STREAM_CHUNK: Final = 1000

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _plain(cell: object) -> str:
    """A cell as one line of text: control characters (tabs, line breaks) become spaces."""
    return _CONTROLS.sub(" ", "" if cell is None else str(cell))


class Output:
    """Where a command writes its result: Rich text and tables, or JSON with ``--json``.

    In a terminal, tables fit its width; to a pipe or a file they are as wide as their values
    (see :data:`PIPE_WIDTH`), unless the environment variable ``COLUMNS`` gives a width.

    Args:
        as_json: Print JSON (stable, sorted keys, through custmodel's cattrs converter).
        stderr: Print text and tables on stderr (JSON always goes to stdout).
    """

    def __init__(self, as_json: bool = False, *, stderr: bool = False) -> None:
        self.as_json = as_json
        self.console = Console(stderr=stderr, highlight=False, soft_wrap=True)
        if not self.console.is_terminal and not os.environ.get("COLUMNS", "").strip():
            self.console.width = PIPE_WIDTH
        self._converter = make_converter()

    def json(self, value: object) -> None:
        """Print ``value`` as JSON."""
        data = self._converter.unstructure(value)
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
        sys.stdout.flush()

    def json_list(self, items: Iterable[object]) -> int:
        """Print ``items`` as a JSON array as they come, exactly as :meth:`json` prints a
        list, and return how many there were; memory holds one item at a time."""
        write = sys.stdout.write
        count = 0
        for item in items:
            text = json.dumps(
                self._converter.unstructure(item), ensure_ascii=False, indent=2, sort_keys=True
            )
            # JSON escapes line breaks inside strings: every line break is the layout's.
            write(("[\n  " if count == 0 else ",\n  ") + text.replace("\n", "\n  "))
            count += 1
        write("\n]\n" if count else "[]\n")
        sys.stdout.flush()
        return count

    def json_if_asked(self, value: object) -> bool:
        """With ``--json``, print ``value`` as JSON and answer True: the command is done."""
        if self.as_json:
            self.json(value)
        return self.as_json

    def listing(
        self,
        items: Sequence[object],
        columns: Sequence[str],
        rows: Iterable[Sequence[object]],
        *,
        noun: str,
        tail: str = ".",
    ) -> None:
        """Print ``items`` as JSON, or as a table of their ``rows`` and a line counting them.

        The line is :func:`plural` of ``noun`` followed by ``tail``: ``"3 bookings."``.
        """
        if self.json_if_asked(items):
            return
        self.table(columns, rows)
        self.line(plural(len(items), noun) + tail)

    def line(self, text: str = "") -> None:
        """Print one line of plain text (no Rich markup: customer data may contain brackets)."""
        self.console.print(Text(text))

    def table(
        self,
        columns: Sequence[str],
        rows: Iterable[Sequence[object]],
        title: str | None = None,
        *,
        numbers: int = 0,
        totals: Sequence[object] | None = None,
    ) -> None:
        """Print a table; every cell is shown as plain text.

        Args:
            columns: The headings.
            rows: The cells of each row.
            title: Shown above the table.
            numbers: How many columns at the right hold numbers (aligned to the right).
            totals: A last row, set apart by a line and shown in bold.
        """
        table = Table(title=title, title_justify="left")
        for index, heading in enumerate(columns):
            right = index >= len(columns) - numbers
            table.add_column(heading, justify="right" if right else "left")
        for row in rows:
            table.add_row(*(Text("" if cell is None else str(cell)) for cell in row))
        if totals is not None:
            if table.row_count:
                table.rows[-1].end_section = True
            table.add_row(
                *(Text("" if cell is None else str(cell)) for cell in totals), style="bold"
            )
        self.console.print(table, soft_wrap=False)

    def stream_table(
        self,
        columns: Sequence[str],
        rows: Iterable[Sequence[object]],
        *,
        numbers: int = 0,
        chunk: int = STREAM_CHUNK,
    ) -> int:
        """Print a table of ``rows`` as they come, and return how many rows it had.

        A Rich table needs all its rows before it prints the first; this one sizes its columns
        from the headings and the first ``chunk`` rows and prints them, then the next
        ``chunk`` rows, and so on, so a selection of any size starts at once and memory holds
        one chunk. It looks like :meth:`table`. A value longer than any before widens its
        column from its chunk on. In a terminal the widest columns are narrowed to its width
        and a longer value is cut with "…"; to a pipe or a file nothing is cut (unless
        ``COLUMNS`` gives a width).

        Args:
            columns: The headings.
            rows: The cells of each row, read once.
            numbers: How many columns at the right hold numbers (aligned to the right).
            chunk: Rows read, sized and printed at once.
        """
        iterator = iter(rows)
        fit = self.console.width < PIPE_WIDTH
        right = [index >= len(columns) - numbers for index in range(len(columns))]
        natural = [cell_len(heading) for heading in columns]
        least = [max(3, width) for width in natural]
        room = self.console.width - 3 * len(columns) - 1

        def read() -> list[list[str]]:
            batch = [[_plain(cell) for cell in row] for row in itertools.islice(iterator, chunk)]
            for row in batch:
                natural[:] = [max(w, cell_len(text)) for w, text in zip(natural, row, strict=True)]
            return batch

        def layout() -> list[int]:
            widths = list(natural)
            if fit:
                _narrow(widths, [min(a, b) for a, b in zip(widths, least, strict=True)], room)
            return widths

        def line(cells: Sequence[str], bar: str, widths: Sequence[int]) -> str:
            shown = (
                _cell(text, width, align_right=flush, cut=fit)
                for text, width, flush in zip(cells, widths, right, strict=True)
            )
            return bar + bar.join(f" {text} " for text in shown) + bar

        def rule(left: str, middle: str, right_end: str, fill: str, widths: Sequence[int]) -> str:
            return left + middle.join(fill * (width + 2) for width in widths) + right_end

        write = self.console.file.write
        batch = read()
        widths = layout()
        write(rule("┏", "┳", "┓", "━", widths) + "\n")
        heading = Text(line(columns, "┃", widths))
        heading.highlight_regex(r"[^┃ ][^┃]*[^┃ ]|[^┃ ]", "bold")
        self.console.print(heading, soft_wrap=True)
        write(rule("┡", "╇", "┩", "━", widths) + "\n")
        count = 0
        while batch:
            write("".join(line(row, "│", widths) + "\n" for row in batch))
            self.console.file.flush()
            count += len(batch)
            batch = read()
            # A longer value than any before widens its column from here on (customer
            # numbers grow from 4 to 5 digits...): nothing is cut that the room allows.
            widths = layout()
        write(rule("└", "┴", "┘", "─", widths) + "\n")
        return count

    def fields(self, pairs: Iterable[tuple[str, object]], title: str | None = None) -> None:
        """Print label/value pairs as a two-column table."""
        table = Table(show_header=False, title=title, title_justify="left")
        table.add_column(style="bold")
        table.add_column()
        for label, value in pairs:
            table.add_row(Text(label), Text("" if value is None else str(value)))
        self.console.print(table, soft_wrap=False)

    def progress(self) -> Progress:
        """A progress bar on stderr, hidden with ``--json`` or when stderr is no terminal.

        What the command writes to stdout meanwhile is shown above the bar when stdout is the
        same terminal, and left alone when it goes to a file or a pipe (``export ... -``).
        """
        console = Console(stderr=True)
        return Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=self.as_json or not console.is_terminal,
            redirect_stdout=_is_tty(sys.stdout),
            redirect_stderr=False,
        )


def _narrow(widths: list[int], least: Sequence[int], room: int) -> None:
    """Narrow the widest columns, one cell at a time, until their sum fits ``room``; no
    column gets narrower than its ``least``."""
    while sum(widths) > room:
        narrowable = [index for index, width in enumerate(widths) if width > least[index]]
        if not narrowable:
            return
        widths[max(narrowable, key=widths.__getitem__)] -= 1


def _cell(text: str, width: int, *, align_right: bool, cut: bool) -> str:
    """``text`` padded to ``width`` cells; with ``cut`` a longer one ends in "…"."""
    size = cell_len(text)
    if size > width:
        return set_cell_size(text, width - 1) + "…" if cut else text
    padding = " " * (width - size)
    return padding + text if align_right else text + padding


def _is_tty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return False


#: The checks of a file argument or option a command reads: it exists, is readable, and is
#: no directory.
READABLE_FILE: Final[dict[str, bool]] = {"exists": True, "dir_okay": False, "readable": True}


def subcommands(*, help: str, epilog: str) -> typer.Typer:
    """A group of commands, such as ``custmodel customer``; alone it shows its help."""
    return typer.Typer(no_args_is_help=True, help=help, epilog=epilog)


def in_panel(panel: str, option: str, help_text: str, **extra: Any) -> Any:
    """An option that ``--help`` lists under ``panel``; ``extra`` goes to :func:`typer.Option`."""
    return typer.Option(option, help=help_text, rich_help_panel=panel, **extra)


AsJson = Annotated[
    bool, typer.Option("--json", help="Print the result as JSON (stable keys) instead of text.")
]

#: The customer number argument of every command that works on one customer.
Number = Annotated[int, typer.Argument(metavar="NUMBER", help="The customer number.")]

_SELECTION = "Selection"

KindFilter = Annotated[
    CustomerKind | None,
    typer.Option(
        "--kind", case_sensitive=False, help="Only this kind.", rich_help_panel=_SELECTION
    ),
]
TypeFilter = Annotated[
    CustomerType | None,
    typer.Option(
        "--type", case_sensitive=False, help="Only this type.", rich_help_panel=_SELECTION
    ),
]
CategoryFilter = Annotated[
    str | None, typer.Option("--category", help="Only this category.", rich_help_panel=_SELECTION)
]
FlagFilter = Annotated[
    list[int] | None,
    in_panel(
        _SELECTION,
        "--flag",
        "Status flag N is set; repeat it for flags that must all be set.",
        metavar="N",
    ),
]
AnyFlagFilter = Annotated[
    list[int] | None,
    in_panel(
        _SELECTION,
        "--any-flag",
        "At least one of the flags given with --any-flag is set.",
        metavar="N",
    ),
]
Code1Filter = Annotated[
    str | None, typer.Option("--code1", help="Code1 is exactly this.", rich_help_panel=_SELECTION)
]
Code2Filter = Annotated[
    str | None, typer.Option("--code2", help="Code2 is exactly this.", rich_help_panel=_SELECTION)
]
NameFilter = Annotated[
    str | None,
    in_panel(
        _SELECTION, "--name", "Last name, first name or company contains this, ignoring case."
    ),
]
AnonymizedFilter = Annotated[
    bool | None,
    typer.Option(
        "--anonymized/--not-anonymized",
        help="Only anonymized customers, or none of them (default: both).",
        rich_help_panel=_SELECTION,
        show_default=False,
    ),
]
MergedFilter = Annotated[
    bool,
    in_panel(_SELECTION, "--include-merged", "Also merged duplicates (tombstones)."),
]
AdvertisingFilter = Annotated[
    ContactChannel | None,
    typer.Option(
        "--advertising",
        metavar="CHANNEL",
        case_sensitive=False,
        help=(
            "An advertising run on CHANNEL (letter, email, phone, sms): leave out who objected "
            "to advertising on it, and say how many."
        ),
        rich_help_panel=_SELECTION,
    ),
]


#: The filter options every selecting command takes, in the order its help lists them.
_FILTERS: Final = (
    ("kind", KindFilter, None),
    ("customer_type", TypeFilter, None),
    ("category", CategoryFilter, None),
    ("flags", FlagFilter, None),
    ("any_flags", AnyFlagFilter, None),
    ("code1", Code1Filter, None),
    ("code2", Code2Filter, None),
    ("name", NameFilter, None),
)
_ANONYMIZED: Final = ("anonymized", AnonymizedFilter, None)
_MERGED: Final = ("include_merged", MergedFilter, False)
_ADVERTISING: Final = ("advertising", AdvertisingFilter, None)

#: The selection of a command that takes :func:`selection_filters`, before they fill it in.
EVERY: Final = Selection()

_Command = TypeVar("_Command", bound=Callable[..., Any])


def selection_filters(
    *, anonymized: bool = False, merged: bool = False, advertising: bool = False
) -> Callable[[_Command], _Command]:
    """Give a command the selection filter options in place of its ``chosen`` parameter.

    The command declares ``chosen: Selection = EVERY``; its command line gets ``--kind``,
    ``--type``, ``--category``, ``--flag``, ``--any-flag``, ``--code1``, ``--code2`` and
    ``--name`` there (with ``--anonymized/--not-anonymized``, ``--include-merged`` and
    ``--advertising CHANNEL`` when asked), and the command receives the
    :class:`~custmodel.Selection` they describe. A command that takes ``--advertising``
    reports how many it left out with :func:`left_out` and :func:`say_left_out`.
    """
    filters = [
        *_FILTERS,
        *([_ANONYMIZED] if anonymized else []),
        *([_MERGED] if merged else []),
        *([_ADVERTISING] if advertising else []),
    ]
    names = [name for name, _annotation, _default in filters]

    def decorate(command: _Command) -> _Command:
        signature = inspect.signature(command)
        hints = typing.get_type_hints(command, include_extras=True)
        parameters: list[inspect.Parameter] = []
        for parameter in signature.parameters.values():
            if parameter.name == "chosen":
                parameters += [
                    inspect.Parameter(name, parameter.kind, default=default, annotation=annotation)
                    for name, annotation, default in filters
                ]
            else:
                parameters.append(parameter.replace(annotation=hints[parameter.name]))

        @functools.wraps(command)
        def run(**options: Any) -> Any:
            chosen = selection(**{name: options.pop(name) for name in names})
            return command(**options, chosen=chosen)

        run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in parameters} | {
            "return": hints.get("return")
        }
        return typing.cast("_Command", run)

    return decorate


def selection(
    flags: Sequence[int] | None = None, any_flags: Sequence[int] | None = None, **filters: Any
) -> Selection:
    """Build the :class:`~custmodel.Selection` the filter options describe.

    ``--flag`` and ``--any-flag`` fill its ``status_all`` and ``status_any``; every other
    filter option is named as the field it fills (``kind``, ``code1``, ``advertising``...).
    """
    return Selection(
        status_all=frozenset(flags or ()), status_any=frozenset(any_flags or ()), **filters
    )


def left_out(customer_book: CustomerBook, chosen: Selection) -> int:
    """How many customers ``chosen`` leaves out only because they objected to advertising on
    its ``advertising`` channel; 0 when it names none.

    One count with the channel and one without it: a query each, never one per customer.
    """
    if chosen.advertising is None:
        return 0
    everyone = customer_book.count(attrs.evolve(chosen, advertising=None))
    return max(0, everyone - customer_book.count(chosen))


def say_left_out(out: Output, count: int, channel: ContactChannel | None) -> None:
    """Say, as a text line, how many customers an advertising run left out, if any."""
    if count and channel is not None:
        out.line(
            f"Left out {plural(count, 'customer')} who objected to advertising by {channel.value}."
        )


def given(*options: tuple[str, object]) -> dict[str, Any]:
    """The options given on the command line, by the field they set: those not None."""
    return {name: value for name, value in options if value is not None}


def plural(count: int, word: str) -> str:
    """``"1 customer"``, ``"2 customers"``, ``"3 batches"``, ``"4 entries"``."""
    if count == 1:
        return f"{count} {word}"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "o", "u"):
        return f"{count} {word[:-1]}ies"
    return f"{count} {word}es" if word.endswith(("ch", "s", "x")) else f"{count} {word}s"


def money(amount: Decimal | None) -> str:
    """An amount as every text output shows it, German style: ``"1.234,50 €"``; "" for None.

    The one money format of the command line: tables, lines and fields all use it (JSON and
    CSV keep plain numbers, ``1234.50``, for programs).
    """
    return "" if amount is None else format_eur(amount)


def flags_text(customer: Customer) -> str:
    """The customer's status flag numbers, e.g. ``"1 4"``."""
    return " ".join(str(flag) for flag in customer.status)


def _name(customer: Customer) -> str:
    if customer.merged_into is not None:
        return f"(merged into {customer.merged_into})"
    if customer.is_anonymized:
        return f"{customer.display_name} (anonymized)"
    return customer.display_name


CUSTOMER_COLUMNS = ("No.", "Kind", "Type", "Debtor", "Category", "Flags", "Code1", "Name")


def customer_rows(customers: Iterable[Customer]) -> Iterable[tuple[Any, ...]]:
    """One table row per customer, for :data:`CUSTOMER_COLUMNS`."""
    for c in customers:
        yield (
            c.number,
            c.kind.value,
            c.customer_type.value,
            c.debtor_account,
            c.category or "",
            flags_text(c),
            c.code1,
            _name(c),
        )
