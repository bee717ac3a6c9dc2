"""``custmodel customer``: register, show, find and select customers, set flags, change kind."""

from __future__ import annotations

import functools
from typing import Annotated

import attrs
import typer

from custmodel import (
    AlreadyMergedError,
    AnonymizedCustomerError,
    ConcurrentUpdateError,
    Customer,
    CustomerBook,
    CustomerKind,
    CustomerProfile,
    CustomerType,
    EffectiveRules,
    Selection,
    Settings,
)
from custmodel.cli._common import (
    CUSTOMER_COLUMNS,
    EVERY,
    AsJson,
    BadValue,
    Number,
    Output,
    book,
    customer_rows,
    given,
    in_panel,
    left_out,
    money,
    parse_date,
    parse_money,
    plural,
    say_left_out,
    selection,
    selection_filters,
    subcommands,
)

__all__ = ["app", "describe", "profile_pairs"]

app = subcommands(
    help="Register, show, find and select customers; set status flags; change kind and type.",
    epilog="Example: custmodel customer select --kind private --category A",
)


_FIELDS = "Customer fields"


_text = functools.partial(in_panel, _FIELDS)


@app.command(
    epilog=(
        "Example: custmodel customer register private Müller --first-name Jürgen "
        "--category A --code1 K-4711 --flag 1"
    )
)
def register(
    ctx: typer.Context,
    kind: Annotated[CustomerKind, typer.Argument(case_sensitive=False, help="The kind.")],
    last_name: Annotated[str, typer.Argument(help="Family name, or the company's name.")],
    customer_type: Annotated[
        CustomerType,
        typer.Option("--type", case_sensitive=False, help="Kundentyp.", rich_help_panel=_FIELDS),
    ] = CustomerType.WALK_IN,
    first_name: Annotated[str, _text("--first-name", "Given name.")] = "",
    salutation: Annotated[str, _text("--salutation", "Anrede: Frau, Herr, Firma...")] = "",
    company: Annotated[str, _text("--company", "Company the person belongs to.")] = "",
    street: Annotated[str, _text("--street", "Street and house number.")] = "",
    postal_code: Annotated[str, _text("--postal-code", "Postleitzahl.")] = "",
    city: Annotated[str, _text("--city", "Ort.")] = "",
    country: Annotated[str, _text("--country", "Country.")] = "",
    email: Annotated[str, _text("--email", "E-mail address.")] = "",
    phone: Annotated[str, _text("--phone", "Phone number.")] = "",
    birth_date: Annotated[str | None, _text("--birth-date", "Date of birth, 1980-05-31.")] = None,
    code1: Annotated[str, _text("--code1", "Free field Code1 (searchable).")] = "",
    code2: Annotated[str, _text("--code2", "Free field Code2.")] = "",
    notes: Annotated[str, _text("--notes", "Free notes.")] = "",
    category: Annotated[str | None, _text("--category", "One of the kind's categories.")] = None,
    flags: Annotated[
        list[int] | None,
        in_panel(
            _FIELDS,
            "--flag",
            "Set status flag N (repeat for more); it needs a label on the kind.",
            metavar="N",
        ),
    ] = None,
    commission_scheme: Annotated[
        str | None, _text("--commission-scheme", "Own commission scheme id.")
    ] = None,
    fee_schedule: Annotated[str | None, _text("--fee-schedule", "Own fee schedule id.")] = None,
    as_json: AsJson = False,
) -> None:
    """Register a customer; it gets the next number and its debtor account."""
    customer = book(ctx).register(
        kind,
        last_name,
        customer_type=customer_type,
        first_name=first_name,
        salutation=salutation,
        company=company,
        street=street,
        postal_code=postal_code,
        city=city,
        country=country,
        email=email,
        phone=phone,
        birth_date=None if birth_date is None else parse_date(birth_date, "--birth-date"),
        code1=code1,
        code2=code2,
        notes=notes,
        category=category,
        status=flags or (),
        commission_scheme=commission_scheme,
        fee_schedule=fee_schedule,
    )
    out = Output(as_json)
    if out.json_if_asked(customer):
        return
    out.line(
        f"Registered customer {customer.number} ({customer.kind.value}, "
        f"{customer.customer_type.value}), debtor account {customer.debtor_account}."
    )


def describe(customer: Customer, settings: Settings) -> list[tuple[str, object]]:
    """Label/value pairs of a customer, with the kind's labels for flags and codes."""
    kind = settings.kind(customer.kind)
    flags = "; ".join(f"{n} {kind.status_labels.get(n, '(no label)')}" for n in customer.status)
    pairs: list[tuple[str, object]] = [
        ("Number", customer.number),
        ("Kind", customer.kind.value),
        ("Type", customer.customer_type.value),
        ("Debtor account", customer.debtor_account),
        ("Salutation", customer.salutation),
        ("Last name", customer.last_name),
        ("First name", customer.first_name),
        ("Company", customer.company),
        ("Street", customer.street),
        ("Postal code", customer.postal_code),
        ("City", customer.city),
        ("Country", customer.country),
        ("E-mail", customer.email),
        ("Phone", customer.phone),
        ("Birth date", customer.birth_date),
        (_code_label(kind.code1_label, "Code1"), customer.code1),
        (_code_label(kind.code2_label, "Code2"), customer.code2),
        ("Category", customer.category),
        ("Status flags", flags),
        ("Notes", customer.notes),
        ("Created", customer.created_at.isoformat(timespec="seconds")),
        ("Updated", customer.updated_at.isoformat(timespec="seconds")),
        ("Version", customer.version),
    ]
    if customer.merged_into is not None:
        pairs.append(("Merged into", customer.merged_into))
    if customer.anonymized_at is not None:
        pairs.append(("Anonymized", customer.anonymized_at.isoformat(timespec="seconds")))
    return pairs


def _code_label(label: str, field: str) -> str:
    return field if label == field else f"{label} ({field})"


def _rules_pairs(rules: EffectiveRules) -> list[tuple[str, object]]:
    return [
        ("Commission scheme", str(rules.commission_scheme)),
        ("Fee schedule", str(rules.fee_schedule)),
    ]


@app.command(epilog="Example: custmodel customer show 3")
def show(ctx: typer.Context, number: Number, as_json: AsJson = False) -> None:
    """Show one customer with its effective commission and fee rules.

    A merged number shows its tombstone and the master it points to.
    """
    customer_book = book(ctx)
    customer = customer_book.get(number)
    rules = customer_book.effective_rules(number) if customer.is_active else None
    out = Output(as_json)
    if out.json_if_asked({"customer": customer, "effective_rules": rules}):
        return
    pairs = describe(customer, customer_book.settings)
    if rules is not None:
        pairs += _rules_pairs(rules)
    out.fields(pairs, title=f"Customer {customer.number}")
    if customer.merged_into is not None:
        out.line(f"Merged: see custmodel customer show {customer_book.resolve(number).number}")


def profile_pairs(profile: CustomerProfile) -> list[tuple[str, object]]:
    """Label/value pairs of a profile's classification, codes under the kind's labels."""
    pairs: list[tuple[str, object]] = [
        ("Number", profile.number),
        ("Kind", profile.kind.value),
        ("Type", profile.customer_type.value),
        ("Debtor account", profile.debtor_account),
        ("Category", profile.category or ""),
        (_code_label(profile.code1.label, "Code1"), profile.code1.value),
        (_code_label(profile.code2.label, "Code2"), profile.code2.value),
    ]
    if profile.anonymized:
        pairs.append(("Anonymized", "yes: category, flags and codes were erased"))
    return pairs


#: How a profile shows a flag the customer carries after its label was deleted (R2).
NO_LABEL = "(no label)"


@app.command(epilog="Example: custmodel customer profile 1")
def profile(ctx: typer.Context, number: Number, as_json: AsJson = False) -> None:
    """Show a customer's classification under its kind's labels (Jack's "Attribute" card).

    Every flag labelled on the kind is listed, set or not; a flag the customer carries
    although its label was deleted is listed by its number. A merged number shows its
    master's profile.
    """
    card = book(ctx).profile(number)
    out = Output(as_json)
    if out.json_if_asked(card):
        return
    if card.number != number:
        out.line(f"Customer {number} was merged; this is its master's profile.")
    out.fields(profile_pairs(card), title=f"Customer {card.number}")
    if not card.flags:
        out.line(f"The kind {card.kind.value} labels no status flags.")
        return
    out.table(
        ("Flag", "Label", "Set"),
        (
            (flag.number, flag.label or NO_LABEL, "yes" if flag.is_set else "")
            for flag in card.flags
        ),
    )


_CLEAR = "Clear a field"


_clear = functools.partial(in_panel, _CLEAR)


@app.command(
    epilog=(
        'Example: custmodel customer update 1 --city Köln --email "j.mueller@example.org" '
        "--category B --if-version 1"
    )
)
def update(
    ctx: typer.Context,
    number: Number,
    salutation: Annotated[str | None, _text("--salutation", "Anrede: Frau, Herr, Firma...")] = None,
    first_name: Annotated[str | None, _text("--first-name", "Given name.")] = None,
    last_name: Annotated[str | None, _text("--last-name", "Family name, or the company's.")] = None,
    company: Annotated[str | None, _text("--company", "Company the person belongs to.")] = None,
    street: Annotated[str | None, _text("--street", "Street and house number.")] = None,
    postal_code: Annotated[str | None, _text("--postal-code", "Postleitzahl.")] = None,
    city: Annotated[str | None, _text("--city", "Ort.")] = None,
    country: Annotated[str | None, _text("--country", "Country.")] = None,
    email: Annotated[str | None, _text("--email", "E-mail address.")] = None,
    phone: Annotated[str | None, _text("--phone", "Phone number.")] = None,
    birth_date: Annotated[str | None, _text("--birth-date", "Date of birth, 1980-05-31.")] = None,
    code1: Annotated[str | None, _text("--code1", "Free field Code1 (searchable).")] = None,
    code2: Annotated[str | None, _text("--code2", "Free field Code2.")] = None,
    notes: Annotated[str | None, _text("--notes", "Free notes.")] = None,
    category: Annotated[str | None, _text("--category", "One of the kind's categories.")] = None,
    commission_scheme: Annotated[
        str | None, _text("--commission-scheme", "Own commission scheme id.")
    ] = None,
    fee_schedule: Annotated[str | None, _text("--fee-schedule", "Own fee schedule id.")] = None,
    no_birth_date: Annotated[bool, _clear("--no-birth-date", "No date of birth.")] = False,
    no_category: Annotated[bool, _clear("--no-category", "No category.")] = False,
    no_commission_scheme: Annotated[
        bool, _clear("--no-commission-scheme", "Inherit the template customer's scheme.")
    ] = False,
    no_fee_schedule: Annotated[
        bool, _clear("--no-fee-schedule", "Inherit the template customer's schedule.")
    ] = False,
    if_version: Annotated[
        int | None,
        typer.Option(
            "--if-version",
            metavar="VERSION",
            help=(
                "Change the customer only if it is still at this version (as customer show "
                "printed it); otherwise nothing is changed and the command exits with 1."
            ),
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Change personal and contact fields, codes, category or rules of a customer.

    Only the fields named change. The change is optimistic: if somebody changed the customer
    since it was read (with --if-version: since it was at that version), nothing is changed,
    the command exits with 1, and the other change is kept. Kind, type and status flags have
    their own commands; a text option given as "" empties the field.
    """
    changes = given(
        ("salutation", salutation),
        ("first_name", first_name),
        ("last_name", last_name),
        ("company", company),
        ("street", street),
        ("postal_code", postal_code),
        ("city", city),
        ("country", country),
        ("email", email),
        ("phone", phone),
        ("code1", code1),
        ("code2", code2),
        ("notes", notes),
        ("category", category),
        ("commission_scheme", commission_scheme),
        ("fee_schedule", fee_schedule),
        ("birth_date", None if birth_date is None else parse_date(birth_date, "--birth-date")),
    )
    for cleared, option, field in (
        (no_birth_date, "--birth-date", "birth_date"),
        (no_category, "--category", "category"),
        (no_commission_scheme, "--commission-scheme", "commission_scheme"),
        (no_fee_schedule, "--fee-schedule", "fee_schedule"),
    ):
        if cleared:
            if field in changes:
                raise BadValue(f"--no-{option[2:]} contradicts {option}")
            changes[field] = None
    if not changes:
        raise BadValue("name a field to change")
    if if_version is not None and if_version < 1:
        raise BadValue("--if-version must be at least 1")
    customer_book = book(ctx)
    current = customer_book.get(number)
    if current.merged_into is not None:
        raise AlreadyMergedError(number, customer_book.resolve(number).number)
    if if_version is not None:
        # The book compares the version inside its write transaction: an older one is refused.
        current = attrs.evolve(current, version=if_version)
    changed = sorted(name for name, value in changes.items() if getattr(current, name) != value)
    edited = attrs.evolve(current, **changes)  # checks the values: InvalidInputError
    if changed:
        updated = customer_book.update(edited)
    else:
        updated = _unchanged(customer_book, current, if_version)
    out = Output(as_json)
    if out.json_if_asked(updated):
        return
    if not changed:
        out.line(f"Customer {number} already holds these values; nothing changed.")
        return
    out.line(
        f"Updated customer {number}: {', '.join(changed)}; it is at version {updated.version}."
    )


def _unchanged(customer_book: CustomerBook, read: Customer, if_version: int | None) -> Customer:
    """The customer an update would leave as it is, refused as the update would be."""
    if read.is_anonymized:
        raise AnonymizedCustomerError(read.number, "update")
    stored = customer_book.get(read.number)
    if if_version is not None and stored.version != if_version:
        raise ConcurrentUpdateError(read.number, if_version, stored.version)
    return stored


@app.command(epilog="Example: custmodel customer find K-4711")
def find(
    ctx: typer.Context,
    code1: Annotated[str, typer.Argument(help="The exact Code1 to look up.")],
    as_json: AsJson = False,
) -> None:
    """Find the active customers whose Code1 is exactly CODE1 (an index lookup)."""
    found = book(ctx).find_by_code1(code1)
    Output(as_json).listing(found, CUSTOMER_COLUMNS, customer_rows(found), noun="customer")


@app.command(
    name="select",
    epilog="Example: custmodel customer select --kind private --flag 1 --not-anonymized",
)
@selection_filters(anonymized=True, merged=True, advertising=True)
def select_(
    ctx: typer.Context,
    chosen: Selection = EVERY,
    count: Annotated[bool, typer.Option("--count", help="Print only how many.")] = False,
    as_json: AsJson = False,
) -> None:
    """List the customers of a selection, by number; without filters, every active one.

    With --advertising CHANNEL it says how many it left out because they objected to
    advertising on CHANNEL (in --json the list becomes {"customers": [...], "left_out": N}).
    """
    out = Output(as_json)
    customer_book = book(ctx)
    skipped = left_out(customer_book, chosen)
    advertising = chosen.advertising is not None
    if count:
        total = customer_book.count(chosen)
        if as_json:
            out.json({"count": total} | ({"left_out": skipped} if advertising else {}))
        else:
            out.line(str(total))
            # stdout holds only the number, for scripts.
            say_left_out(Output(stderr=True), skipped, chosen.advertising)
        return
    # Read page by page and printed as read: a selection of any size starts at once and
    # needs the memory of one page.
    if as_json and advertising:
        out.json({"customers": customer_book.select(chosen), "left_out": skipped})
        return
    if as_json:
        out.json_list(customer_book.iter_customers(chosen))
        return
    shown = out.stream_table(CUSTOMER_COLUMNS, customer_rows(customer_book.iter_customers(chosen)))
    out.line(plural(shown, "customer") + ".")
    say_left_out(out, skipped, chosen.advertising)


@app.command(
    name="set-status",
    epilog=(
        "Example: custmodel customer set-status 6 --kind private --category A "
        "(and --clear to take flag 6 off again)"
    ),
)
@selection_filters()
def set_status(
    ctx: typer.Context,
    flag: Annotated[int, typer.Argument(metavar="FLAG", help="The flag number, 1..32.")],
    clear: Annotated[bool, typer.Option("--clear", help="Clear the flag instead.")] = False,
    every: Annotated[
        bool, typer.Option("--all", help="Every customer (when no filter is given).")
    ] = False,
    chosen: Selection = EVERY,
    as_json: AsJson = False,
) -> None:
    """Set (or clear) one status flag on every customer of a selection ("Status setzen").

    Anonymized customers and merged duplicates are never touched. Without a filter the
    command needs --all, so that a forgotten filter does not flag every customer.
    """
    if chosen == selection() and not every:
        raise BadValue("name a selection filter, or --all for every customer")
    changed = book(ctx).set_status(chosen, flag, on=not clear)
    out = Output(as_json)
    if out.json_if_asked({"flag": flag, "on": not clear, "changed": changed}):
        return
    done = "cleared on" if clear else "set on"
    out.line(f"Flag {flag} {done} {plural(changed, 'customer')}.")


@app.command(
    name="change-kind",
    epilog="Example: custmodel customer change-kind 5 corporate --keep-status",
)
def change_kind(
    ctx: typer.Context,
    number: Number,
    kind: Annotated[CustomerKind, typer.Argument(case_sensitive=False, help="The new kind.")],
    keep_status: Annotated[
        bool, typer.Option("--keep-status", help="Keep the status flags (default: drop them).")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Give a customer another kind; prints what was dropped (category, flags)."""
    change = book(ctx).change_kind(number, kind, keep_status=keep_status)
    out = Output(as_json)
    if out.json_if_asked(change):
        return
    out.line(f"Customer {number}: {change.old_kind.value} -> {change.new_kind.value}.")
    if change.dropped_category is not None:
        out.line(f"Dropped category {change.dropped_category!r}: not in the new kind's list.")
    if change.dropped_status:
        out.line(f"Dropped status flags: {' '.join(map(str, change.dropped_status))}.")
    if not change.dropped_category and not change.dropped_status:
        out.line("Nothing was dropped.")
    if change.renumbered:
        out.line(f"Debtor account {change.old_debtor_account} -> {change.new_debtor_account}.")


@app.command(name="change-type", epilog="Example: custmodel customer change-type 5 regular")
def change_type(
    ctx: typer.Context,
    number: Number,
    customer_type: Annotated[
        CustomerType,
        typer.Argument(metavar="TYPE", case_sensitive=False, help="The new type."),
    ],
    as_json: AsJson = False,
) -> None:
    """Give a customer another type (Kundentyp)."""
    customer = book(ctx).change_type(number, customer_type)
    out = Output(as_json)
    if out.json_if_asked(customer):
        return
    out.line(f"Customer {customer.number} is now {customer.customer_type.value}.")


@app.command(epilog="Example: custmodel customer rules 7")
def rules(ctx: typer.Context, number: Number, as_json: AsJson = False) -> None:
    """Show the commission scheme and fee schedule in force, and where each comes from.

    A customer without its own rule inherits its kind's template customer's (Stammkunde).
    """
    effective = book(ctx).effective_rules(number)
    out = Output(as_json)
    if out.json_if_asked(effective):
        return
    out.fields(_rules_pairs(effective), title=f"Customer {number}")


@app.command(epilog="Example: custmodel customer dunning 3 1229.50")
def dunning(
    ctx: typer.Context,
    number: Number,
    open_amount: Annotated[
        str, typer.Argument(metavar="OPEN_AMOUNT", help="What the customer owes, EUR: 1229.50")
    ],
    as_json: AsJson = False,
) -> None:
    """Show the dunning mail-merge fields for an open amount (Kunde-Mahngebühr...)."""
    fields = book(ctx).dunning_fields(number, parse_money(open_amount, "OPEN_AMOUNT"))
    out = Output(as_json)
    if out.json_if_asked(fields):
        return
    out.table(
        ("Field", "Amount"),
        ((f"{{{name}}}", money(field.amount)) for name, field in fields.items()),
        numbers=1,
    )
