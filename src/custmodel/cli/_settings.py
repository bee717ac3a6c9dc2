"""``custmodel settings``: show and change the settings of the book and of each kind."""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import attrs
import typer

from custmodel import (
    CustomerKind,
    InvalidInputError,
    KindSettings,
    RetentionBasis,
    RetentionRule,
    Settings,
    TemplateCustomerError,
)
from custmodel.cli._common import (
    READABLE_FILE,
    AsJson,
    BadValue,
    CommandRefusedError,
    Output,
    book,
    given,
    in_panel,
    money,
    parse_money,
    plural,
    subcommands,
)
from custmodel.serialization import read_settings_document, settings_document

__all__ = ["app"]

app = subcommands(
    help=(
        "Show and change settings: categories, status labels, Code1/Code2 labels, debtor "
        "accounts, template customer, dunning fee, deposit prompt, anonymization delay; "
        "export them to a file and import them into another store."
    ),
    epilog="Example: custmodel settings show --kind private",
)

KindArgument = Annotated[
    CustomerKind, typer.Argument(metavar="KIND", case_sensitive=False, help="The kind.")
]

_KIND = "Settings of the kind named by --kind"
_per_kind = functools.partial(in_panel, _KIND)


def _kind_pairs(kind: KindSettings) -> list[tuple[str, object]]:
    if kind.debtor_min is None and kind.debtor_max is None:
        debtor_range = "any"
    else:
        debtor_range = f"{kind.debtor_min or ''}..{kind.debtor_max or ''}"
    labels = "; ".join(f"{flag} {label}" for flag, label in kind.status_labels.items())
    return [
        ("Categories", ", ".join(kind.categories)),
        ("Status labels", labels),
        ("Code1 label", kind.code1_label),
        ("Code2 label", kind.code2_label),
        ("Debtor offset", kind.debtor_offset),
        ("Debtor range", debtor_range),
        ("Template customer", kind.template_customer or "none"),
        ("Dunning fee", money(kind.dunning_fee)),
        ("Deposit prompt", "yes" if kind.deposit_prompt else "no"),
        ("Renumber on kind change", "yes" if kind.renumber_on_kind_change else "no"),
        ("Retention", _retention_text(kind)),
    ]


def _retention_text(kind: KindSettings) -> str:
    return "; ".join(rule.explain() for rule in kind.retention) or "none"


def _print(out: Output, settings: Settings, kind: CustomerKind | None) -> None:
    if kind is not None:
        out.fields(_kind_pairs(settings.kind(kind)), title=f"Kind {kind.value}")
        return
    out.fields(
        [
            ("Debtor base", settings.debtor_base),
            ("Anonymization delay", plural(settings.anonymization_delay_days, "day")),
        ],
        title="Book",
    )
    for each in CustomerKind:
        out.fields(_kind_pairs(settings.kind(each)), title=f"Kind {each.value}")


@app.command(epilog="Example: custmodel settings show --kind corporate --json")
def show(
    ctx: typer.Context,
    kind: Annotated[
        CustomerKind | None,
        typer.Option("--kind", case_sensitive=False, help="Only this kind's settings."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Show the settings in force (Jack's defaults until something was changed)."""
    settings = book(ctx).settings
    out = Output(as_json)
    if out.json_if_asked(settings if kind is None else settings.kind(kind)):
        return
    _print(out, settings, kind)


@app.command(
    name="set",
    epilog=(
        "Example: custmodel settings set --kind private --dunning-fee 5.00 --deposit-prompt; "
        "custmodel settings set --debtor-base 10000 --anonymization-delay 42"
    ),
)
def set_(
    ctx: typer.Context,
    debtor_base: Annotated[
        int | None,
        typer.Option("--debtor-base", help="First part of every debtor account."),
    ] = None,
    anonymization_delay: Annotated[
        int | None,
        typer.Option(
            "--anonymization-delay",
            metavar="DAYS",
            help="Days after departure before a firm booking stops blocking anonymization.",
        ),
    ] = None,
    kind: Annotated[
        CustomerKind | None,
        typer.Option("--kind", case_sensitive=False, help="The kind the options below change."),
    ] = None,
    code1_label: Annotated[str | None, _per_kind("--code1-label", "Name of Code1.")] = None,
    code2_label: Annotated[str | None, _per_kind("--code2-label", "Name of Code2.")] = None,
    debtor_offset: Annotated[
        int | None, _per_kind("--debtor-offset", "Added to base + number.")
    ] = None,
    debtor_min: Annotated[int | None, _per_kind("--debtor-min", "Lowest debtor account.")] = None,
    debtor_max: Annotated[int | None, _per_kind("--debtor-max", "Highest debtor account.")] = None,
    no_debtor_range: Annotated[bool, _per_kind("--no-debtor-range", "Drop min and max.")] = False,
    template: Annotated[
        int | None,
        _per_kind(
            "--template",
            "The template customer (Stammkunde) whose rules the kind inherits.",
            metavar="NUMBER",
        ),
    ] = None,
    no_template: Annotated[bool, _per_kind("--no-template", "No template customer.")] = False,
    dunning_fee: Annotated[str | None, _per_kind("--dunning-fee", "Mahngebühr, EUR: 5.00")] = None,
    deposit_prompt: Annotated[
        bool | None,
        _per_kind(
            "--deposit-prompt/--no-deposit-prompt",
            "Ask for a deposit after the first capture of a firm booking.",
            show_default=False,
        ),
    ] = None,
    renumber: Annotated[
        bool | None,
        _per_kind(
            "--renumber/--no-renumber",
            "Prospects: recompute the debtor account when they change kind.",
            show_default=False,
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Change settings of the book (--debtor-base, --anonymization-delay) and of one --kind.

    Every change is one atomic update of the stored settings: what another process changed
    meanwhile in other settings is kept.
    """
    fee = None if dunning_fee is None else parse_money(dunning_fee, "--dunning-fee")
    changes = given(
        ("code1_label", code1_label),
        ("code2_label", code2_label),
        ("debtor_offset", debtor_offset),
        ("debtor_min", debtor_min),
        ("debtor_max", debtor_max),
        ("template_customer", template),
        ("deposit_prompt", deposit_prompt),
        ("renumber_on_kind_change", renumber),
        ("dunning_fee", fee),
    )
    if no_debtor_range:
        if debtor_min is not None or debtor_max is not None:
            raise BadValue("--no-debtor-range contradicts --debtor-min and --debtor-max")
        changes.update(debtor_min=None, debtor_max=None)
    if no_template:
        if template is not None:
            raise BadValue("--no-template contradicts --template")
        changes["template_customer"] = None
    if changes and kind is None:
        raise BadValue("the per-kind settings need --kind")
    book_wide = given(
        ("debtor_base", debtor_base), ("anonymization_delay_days", anonymization_delay)
    )
    if not changes and not book_wide:
        raise BadValue("name a setting to change (see --help)")
    per_kind = None if kind is None else {kind: changes}
    settings = book(ctx).update_settings(per_kind=per_kind, **book_wide)
    out = Output(as_json)
    if out.json_if_asked(settings if kind is None else settings.kind(kind)):
        return
    out.line("Settings changed.")
    _print(out, settings, kind)


@app.command(epilog="Example: custmodel settings categories private A B C D")
def categories(
    ctx: typer.Context,
    kind: KindArgument,
    names: Annotated[
        list[str] | None,
        typer.Argument(metavar="CATEGORY", help="The kind's categories; none clears them."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Replace a kind's list of categories.

    A category still carried by customers cannot be removed: move them to another one first.
    """
    settings = book(ctx).update_kind_settings(kind, categories=tuple(names or ()))
    out = Output(as_json)
    if out.json_if_asked(list(settings.kind(kind).categories)):
        return
    listed = ", ".join(settings.kind(kind).categories) or "none"
    out.line(f"Categories of {kind.value}: {listed}.")


@app.command(
    epilog=(
        'Example: custmodel settings label private 6 "Neujahrskarte"; '
        "custmodel settings label private 6 --delete"
    )
)
def label(
    ctx: typer.Context,
    kind: KindArgument,
    flag: Annotated[int, typer.Argument(metavar="FLAG", help="The flag number, 1..32.")],
    text: Annotated[str | None, typer.Argument(metavar="LABEL", help="The new label.")] = None,
    delete: Annotated[bool, typer.Option("--delete", help="Delete the label.")] = False,
    as_json: AsJson = False,
) -> None:
    """Set, rename or delete the label of a status flag of a kind.

    Flags set on customers stay as they are: selections use the number. The command reports
    how many customers carry the flag, so their meaning can be reviewed.
    """
    if (text is None) == (not delete):
        raise BadValue("give a LABEL, or --delete (not both)")
    if text is not None and not text.strip():
        raise BadValue("LABEL must not be empty; --delete deletes the label")
    carriers = book(ctx).rename_status_label(kind, flag, None if delete else text)
    out = Output(as_json)
    if as_json:
        out.json(
            {"kind": kind, "flag": flag, "label": None if delete else text, "carriers": carriers}
        )
        return
    if delete:
        out.line(f"Flag {flag} of {kind.value} has no label any more.")
    else:
        out.line(f"Flag {flag} of {kind.value} is labelled {text!r} now.")
    if not carriers:
        out.line(f"No customer of {kind.value} carries flag {flag}.")
        return
    verb = "carries" if carriers == 1 else "carry"
    out.line(
        f"{plural(carriers, 'customer')} {verb} flag {flag}; selections use the number, so "
        f"review them: custmodel customer select --kind {kind.value} --flag {flag}"
    )


def _dropping(option: str, rule: str) -> Any:
    """The option of ``settings retention`` that drops a kind's ``rule``."""
    return typer.Option(option, help=f"Drop the {rule} rule.")


@app.command(
    epilog=(
        "Example: custmodel settings retention private --prospect-idle-months 24 "
        "--last-departure-years 10; custmodel settings retention private --json"
    )
)
def retention(
    ctx: typer.Context,
    kind: KindArgument,
    prospect_idle_months: Annotated[
        int | None,
        typer.Option(
            "--prospect-idle-months",
            metavar="MONTHS",
            help="Due without a request: no firm booking and no change for this many months.",
        ),
    ] = None,
    no_prospect_idle: Annotated[bool, _dropping("--no-prospect-idle", "months-idle")] = False,
    last_departure_years: Annotated[
        int | None,
        typer.Option(
            "--last-departure-years",
            metavar="YEARS",
            help="Due without a request: last departure this many years ago, nothing owed.",
        ),
    ] = None,
    no_last_departure: Annotated[bool, _dropping("--no-last-departure", "last-departure")] = False,
    as_json: AsJson = False,
) -> None:
    """Show a kind's retention rules, or set them with the options (the others stay)."""
    the_book = book(ctx)
    rules = {rule.basis: rule for rule in the_book.settings.kind(kind).retention}
    changes = (
        (RetentionBasis.PROSPECT_IDLE, prospect_idle_months, no_prospect_idle),
        (RetentionBasis.LAST_DEPARTURE, last_departure_years, no_last_departure),
    )
    changed = False
    for basis, period, drop in changes:
        if period is not None and drop:
            raise BadValue(f"give a period or drop the {basis.value} rule, not both")
        if drop:
            rules.pop(basis, None)
        elif period is not None:
            rules[basis] = RetentionRule(basis, period)
        changed = changed or drop or period is not None
    if changed:
        kept = tuple(rules[b] for b in RetentionBasis if b in rules)
        settings = the_book.update_kind_settings(kind, retention=kept)
    else:
        settings = the_book.settings
    out = Output(as_json)
    if out.json_if_asked(settings.kind(kind).retention):
        return
    out.fields([("Retention", _retention_text(settings.kind(kind)))], title=f"Kind {kind.value}")


@app.command(
    name="export",
    epilog="Example: custmodel settings export einstellungen.json",
)
def export_settings(
    ctx: typer.Context,
    target: Annotated[
        str, typer.Argument(metavar="FILE", help="Where to write; - writes to stdout.")
    ],
) -> None:
    """Write every setting (categories, labels, offsets, template customers, fees, retention)
    to FILE as a versioned JSON document, to set up another store with settings import.
    """
    text = json.dumps(settings_document(book(ctx).settings), ensure_ascii=False, indent=2)
    if target == "-":
        sys.stdout.write(text + "\n")
        return
    final = Path(target)
    partial = final.with_name(f"{final.name}.part")
    partial.write_text(text + "\n", encoding="utf-8")
    os.replace(partial, final)
    Output().line(f"Exported the settings to {target}.")


def _differences(old: Settings, new: Settings) -> list[str]:
    """The settings (book-wide, or ``kinds.KIND.field``) in which ``new`` differs from ``old``."""
    names = [f.name for f in attrs.fields(Settings) if f.name != "kinds"]
    found = [name for name in names if getattr(old, name) != getattr(new, name)]
    for kind in CustomerKind:
        before, after = old.kind(kind), new.kind(kind)
        found += [
            f"kinds.{kind.value}.{f.name}"
            for f in attrs.fields(KindSettings)
            if getattr(before, f.name) != getattr(after, f.name)
        ]
    return found


@app.command(
    name="import",
    epilog=(
        "Example: custmodel settings import einstellungen.json --no-templates; "
        "custmodel settings import einstellungen.json --replace"
    ),
)
def import_settings(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="A document of custmodel settings export.", **READABLE_FILE
        ),
    ],
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Overwrite settings the store holds already."),
    ] = False,
    no_templates: Annotated[
        bool,
        typer.Option(
            "--no-templates",
            help=(
                "Leave out the template customers: in a new store they do not exist yet "
                "(import the customers, then import the settings again with --replace)."
            ),
        ),
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Set up this store's settings from FILE, all or nothing.

    The whole document is checked first (format, version, every value, no unknown field);
    a wrong one is named by its path and nothing is changed. A store that holds other
    settings already is only overwritten with --replace. Template customers must exist in
    this store (see --no-templates); a category carried by customers cannot be dropped.
    """
    try:
        data = json.loads(file.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise InvalidInputError(f"{file.name} is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise InvalidInputError(f"{file.name} is not JSON (line {error.lineno})") from None
    settings = read_settings_document(data)
    dropped = []
    if no_templates:
        dropped = [k.value for k in CustomerKind if settings.kind(k).template_customer is not None]
        for kind in CustomerKind:
            settings = settings.with_kind(
                kind, attrs.evolve(settings.kind(kind), template_customer=None)
            )
    customer_book = book(ctx)
    with customer_book.store.transaction(write=False) as tx:
        stored = tx.get_settings()
    differences = _differences(stored or Settings(), settings)
    if stored is not None and differences and not replace:
        shown = ", ".join(differences[:6]) + (", ..." if len(differences) > 6 else "")
        raise CommandRefusedError(
            f"the store holds other settings already ({shown}); --replace overwrites them; "
            "nothing was changed"
        )
    # The book checks again under the settings' lock: a change made meanwhile is not lost.
    try:
        customer_book.configure(settings, replace=replace)
    except TemplateCustomerError as error:
        raise TemplateCustomerError(
            f"{error}; --no-templates leaves the template customers out, nothing was changed"
        ) from error
    out = Output(as_json)
    if as_json:
        out.json({"file": str(file), "changed": differences, "templates_left_out": dropped})
        return
    changed = plural(len(differences), "setting")
    out.line(f"Imported the settings of {file.name}: {changed} changed.")
    if dropped:
        out.line(
            f"Left out the template customers of {', '.join(dropped)}; import them with "
            f"custmodel settings import {file.name} --replace once the customers exist."
        )
