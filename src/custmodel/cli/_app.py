"""The ``custmodel`` application: global options, command groups, errors and exit codes.

Exit codes: 0 success; 1 the command was refused or failed (a rule said no, nothing found, not
confirmed, the store failed); 2 the command line is wrong (unknown command or option, a value
custmodel refuses, a URL no store understands). Every error is one line on stderr starting
with ``error:``; ``--debug`` adds the traceback. Error lines never carry personal data: the
library's messages name numbers only, and values the user typed are left out of usage errors.
"""

from __future__ import annotations

import re
import sys
import traceback
from collections.abc import Iterable
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperArgument, TyperGroup, TyperOption

from custmodel import (
    BookingKind,
    CustmodelError,
    CustomerKind,
    CustomerType,
    ErasureState,
    InvalidInputError,
    StatisticsDimension,
    __version__,
)
from custmodel.cli import (
    _booking,
    _customer,
    _demo,
    _gdpr,
    _history,  # noqa: F401 - adds the history commands to the customer, settings and export groups
    _letters,
    _merge,
    _schema,
    _settings,
    _stats,
    _transfer,
)
from custmodel.cli._common import (
    ACTOR_VARIABLE,
    DEFAULT_DATABASE,
    EXIT_REFUSED,
    EXIT_USAGE,
    BadValue,
    CommandRefusedError,
    State,
)
from custmodel.storage.factory import DATABASE_URL_VARIABLE

__all__ = ["COMMAND_ORDER", "app", "exit_code", "main"]

_ARGV = "custmodel.argv"
#: Words of the command line that are never personal data; other tokens are left out of
#: usage errors.
_WORDS = frozenset(
    str(member.value)
    for enum in (
        CustomerKind,
        CustomerType,
        BookingKind,
        ErasureState,
        StatisticsDimension,
        _transfer.Format,
    )
    for member in enum
)


def exit_code(error: CustmodelError) -> int:
    """The exit code for a custmodel error: 2 for a bad value, 1 for everything else."""
    return EXIT_USAGE if isinstance(error, InvalidInputError) else EXIT_REFUSED


def _fail(message: str, code: int) -> NoReturn:
    sys.stderr.write(f"error: {' '.join(message.split())}\n")
    sys.stderr.flush()
    raise typer.Exit(code)


def _command_names(command: Any) -> Iterable[str]:
    for name, sub in getattr(command, "commands", {}).items():
        yield name
        yield from _command_names(sub)


def _option_names(command: Any) -> Iterable[str]:
    for param in getattr(command, "params", ()):
        yield from getattr(param, "opts", ())
        yield from getattr(param, "secondary_opts", ())
    for sub in getattr(command, "commands", {}).values():
        yield from _option_names(sub)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: What Click reads as an unknown option although it is a negative number: -5, -12.50, -1e3.
_NEGATIVE = re.compile(r"-(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?")


def _spellings(token: str) -> set[str]:
    """The ways a usage message can show ``token``.

    Click and Typer do not always put a value into a message as it was typed: they quote it
    with ``repr()`` (which escapes a backslash, a tab, control characters, a quote and lone
    surrogates), write control characters as ``\\xNN``, and show a file name's undecodable
    bytes as U+FFFD. Each of these, and ``ascii()``'s and ``unicode_escape``'s escapes, is
    one spelling here.
    """
    try:
        displayed = token.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        displayed = token
    controls = _CONTROL.sub(lambda match: f"\\x{ord(match[0]):02x}", token)
    return {
        spelling
        for base in (token, displayed, controls)
        for spelling in (
            base,
            repr(base)[1:-1],
            ascii(base)[1:-1],
            base.encode("unicode_escape", "backslashreplace").decode("ascii"),
        )
    }


#: What a misspelt option looks like: ``--`` and lower-case ASCII words joined by hyphens.
_OPTION_LIKE = re.compile(r"--[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


def _usage_message(
    error: typer.TyperException, argv: Iterable[str], root: Any, prog: str | None
) -> str:
    """The usage error's message without the values the user typed (names, e-mails...)."""
    message = error.format_message()
    if _negative_number(error, argv):
        # Click takes "-5" for an option (and "-12.50" for "-1"); no number custmodel takes
        # is negative.
        message = "a negative number is not accepted here (it was read as an option)"
    elif not isinstance(error, BadValue):  # custmodel's own messages never repeat a value
        known = _WORDS | set(_command_names(root)) | set(_option_names(root))
        # A misspelt option (--kidn) is shown, so the user sees what was not understood; only
        # lower-case ASCII words look like that, never a name or an e-mail address.
        known |= {arg for arg in argv if _OPTION_LIKE.fullmatch(arg)}
        tokens = set()
        for arg in argv:
            # A value may start with "-" too (--name -Müller): only option names are known.
            tokens.add(arg)
            if arg.startswith("-"):
                tokens.add(arg.partition("=")[2])
        spellings = {
            spelling
            for token in tokens - known
            if len(token.strip()) > 1
            for spelling in _spellings(token)
        }
        for spelling in sorted(spellings, key=len, reverse=True):
            message = re.sub(rf"(?<!\w){re.escape(spelling)}(?!\w)", "…", message)
    path = getattr(getattr(error, "ctx", None), "command_path", None) or _command_path(
        root, argv, prog or "custmodel"
    )
    return f"{message} (see '{path} --help')"


def _command_path(root: Any, argv: Iterable[str], prog: str) -> str:
    """The command the arguments name, e.g. ``custmodel customer show``."""
    parts, command = [prog], root
    for arg in argv:
        sub = getattr(command, "commands", {}).get(arg)
        if sub is not None:
            parts.append(arg)
            command = sub
    return " ".join(parts)


def _negative_number(error: BaseException, argv: Iterable[str]) -> bool:
    """True if ``error`` is Click's "no such option" for a negative number the user typed."""
    # Typer does not export Click's exception classes: recognised by name, as below.
    option = getattr(error, "option_name", None)
    if type(error).__name__ != "NoSuchOption" or not isinstance(option, str):
        return False
    return any(_NEGATIVE.fullmatch(arg) and arg.startswith(option) for arg in argv)


def _no_args_help(error: BaseException) -> bool:
    # Typer's own error display recognises this class by name too: it is not exported.
    return type(error).__name__ == "NoArgsIsHelpError"


#: What --help shows for a value of a Python type, instead of Typer's ``<str>``, ``<int>``...
_VALUE_WORDS = {
    "<str>": "TEXT",
    "<int>": "INTEGER",
    "<float>": "NUMBER",
    "<path>": "PATH",
    "<file>": "FILE",
    "<directory>": "DIR",
    "<list[str]>": "TEXT",
    "<list[int]>": "INTEGER",
}


class _HelpArgument(TyperArgument):
    """An argument whose --help row and usage show its name only, as the user types it."""

    def display_type_rich(self, ctx: typer.Context) -> str | None:  # type: ignore[override]
        shown = super().display_type_rich(ctx)
        if self.metavar is not None and shown in _VALUE_WORDS:
            return None  # the name (NUMBER, FILE) says it; choices are still listed
        return _value_word(shown)

    def _usage_display_name(self) -> str:
        if not self.required:
            return super()._usage_display_name()  # [LABEL]
        # Typer writes a required argument as {NUMBER}: braces nobody should type.
        return self.display_name_raw + ("..." if self.nargs != 1 else "")


class _HelpOption(TyperOption):
    """An option whose --help row shows no type for a flag and words, not Python types."""

    def display_type_rich(self, ctx: typer.Context) -> str | None:  # type: ignore[override]
        if self.is_flag or self.count:
            return None  # a flag takes no value: Typer would show <bool>
        return _value_word(super().display_type_rich(ctx))


def _value_word(shown: str | None) -> str | None:
    return None if shown is None else _VALUE_WORDS.get(shown, shown)


#: The help options of every command.
_HELP_NAMES = ["-h", "--help"]


def _tidy_help(command: Any) -> None:
    """Give every parameter of ``command`` and its subcommands the help display above."""
    # The help option is made on first use and kept: make it now, so that it is tidied too.
    help_option = command.get_help_option(typer.Context(command, help_option_names=_HELP_NAMES))
    for param in [*getattr(command, "params", ()), help_option]:
        if type(param) is TyperOption:
            param.__class__ = _HelpOption
        elif type(param) is TyperArgument:
            param.__class__ = _HelpArgument
    for sub in getattr(command, "commands", {}).values():
        _tidy_help(sub)


#: The order ``custmodel --help`` lists the commands in: the everyday ones first, the
#: set-up and maintenance ones after them, the demo last.
COMMAND_ORDER = (
    "customer",
    "booking",
    "stats",
    "mail-merge",
    "merge",
    "gdpr",
    "settings",
    "import",
    "export",
    "schema",
    "demo",
)


class _RootGroup(TyperGroup):
    """The root command: every error becomes one line on stderr and an exit code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _tidy_help(self)

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        """The commands in the order of :data:`COMMAND_ORDER`; any other after them."""
        names = super().list_commands(ctx)
        rank = {name: place for place, name in enumerate(COMMAND_ORDER)}
        return sorted(names, key=lambda name: rank.get(name, len(rank)))

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        ctx.meta[_ARGV] = tuple(args)
        return super().parse_args(ctx, args)

    def make_context(  # type: ignore[override]
        self,
        info_name: str | None,
        args: list[str],
        parent: typer.Context | None = None,
        **extra: Any,
    ) -> typer.Context:
        typed = tuple(args)  # parsing consumes the list
        try:
            return super().make_context(info_name, args, parent=parent, **extra)  # type: ignore[return-value]
        except typer.TyperException as error:
            if _no_args_help(error):
                raise
            _fail(_usage_message(error, typed, self, info_name), error.exit_code)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort):
            raise
        except typer.TyperException as error:
            if _no_args_help(error):
                raise
            argv = ctx.meta.get(_ARGV, ())
            _fail(_usage_message(error, argv, self, ctx.command_path), error.exit_code)
        except CommandRefusedError as error:
            _fail(str(error), EXIT_REFUSED)
        except CustmodelError as error:
            self._traceback(ctx, error)
            _fail(str(error), exit_code(error))
        except BrokenPipeError:
            # The reader went away (custmodel ... | head): Typer's main ends quietly.
            raise
        except OSError as error:
            self._traceback(ctx, error)
            where = f"{error.filename}: " if error.filename else ""
            _fail(f"{where}{error.strerror or type(error).__name__}", EXIT_REFUSED)
        except Exception as error:
            # The message of an unexpected error may hold any value: show only its type.
            self._traceback(ctx, error)
            _fail(
                f"unexpected {type(error).__name__} (run with --debug for the traceback)",
                EXIT_REFUSED,
            )

    @staticmethod
    def _traceback(ctx: typer.Context, error: BaseException) -> None:
        found = ctx.find_root().obj
        if isinstance(found, State) and found.debug:
            traceback.print_exception(error, file=sys.stderr)


app = typer.Typer(
    name="custmodel",
    cls=_RootGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": _HELP_NAMES},
    help=(
        "Customer master data of a travel agency or tour operator: register and select "
        "customers, settings per customer kind, bookings, duplicates and merges, GDPR "
        f"erasure, CSV and JSON Lines import and export. Works on {DEFAULT_DATABASE} unless "
        f"--db or {DATABASE_URL_VARIABLE} names another store."
    ),
    epilog=(
        "Example: custmodel demo, then "
        "custmodel --db sqlite:///custmodel-demo.sqlite customer select --kind private"
    ),
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"custmodel {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="URL",
            help=(
                "The store: sqlite:///file.sqlite, postgresql://..., mysql://..., memory://. "
                f"Default: ${DATABASE_URL_VARIABLE}, else {DEFAULT_DATABASE} (created and "
                "migrated on first use)."
            ),
            show_default=False,
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an error.")] = False,
    actor: Annotated[
        str | None,
        typer.Option(
            "--actor",
            metavar="NAME",
            envvar=ACTOR_VARIABLE,
            show_envvar=False,
            help=(
                "Who the changes are recorded for in the change history. Default: "
                f"${ACTOR_VARIABLE}, else the login name."
            ),
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    ctx.obj = State(db=db, debug=debug, actor=actor)


# --help lists the commands in panels, in the order of COMMAND_ORDER.
_DAILY = "Daily work"
_CARE = "Duplicates and GDPR"
_SETUP = "Set-up, import and export"
_TRY = "Try it out"
app.add_typer(_customer.app, name="customer", rich_help_panel=_DAILY)
app.add_typer(_booking.app, name="booking", rich_help_panel=_DAILY)
app.command(name="stats", epilog=_stats.EPILOG, rich_help_panel=_DAILY)(_stats.stats)
app.command(name="mail-merge", epilog=_letters.EPILOG, rich_help_panel=_DAILY)(_letters.mail_merge)
app.add_typer(_merge.app, name="merge", rich_help_panel=_CARE)
app.add_typer(_gdpr.app, name="gdpr", rich_help_panel=_CARE)
app.add_typer(_settings.app, name="settings", rich_help_panel=_SETUP)
app.add_typer(_transfer.import_app, name="import", rich_help_panel=_SETUP)
app.add_typer(_transfer.export_app, name="export", rich_help_panel=_SETUP)
app.add_typer(_schema.app, name="schema", rich_help_panel=_SETUP)
app.command(name="demo", epilog=_demo.EPILOG, rich_help_panel=_TRY)(_demo.demo)


def main() -> None:
    """Run the ``custmodel`` command line: the console script and ``python -m custmodel``."""
    app()
