"""``custmodel merge``: find duplicates, plan a merge, apply it after confirmation, audit."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from custmodel import MergePlan
from custmodel.cli._common import AsJson, Output, book, confirm, plural, subcommands
from custmodel.dedupe import DEFAULT_THRESHOLD

__all__ = ["app", "plan_pairs"]

app = subcommands(
    help="Find duplicate customers, plan and apply merges into a master, read the audit, "
    "mark pairs that are no duplicates.",
    epilog="Example: custmodel merge duplicates, then custmodel merge plan 12 15 17, or "
    "custmodel merge distinct 12 15 for a pair that is no duplicate",
)

Master = Annotated[int, typer.Argument(metavar="MASTER", help="The customer that survives.")]
Duplicates = Annotated[
    list[int], typer.Argument(metavar="DUPLICATE...", help="The customers merged into it.")
]
FillBlanks = Annotated[
    bool,
    typer.Option("--fill-blanks", help="Fill the master's empty fields from the duplicates."),
]
UniteStatus = Annotated[
    bool,
    typer.Option("--unite-status", help="Give the master the flags of duplicates of its kind."),
]


@app.command(epilog="Example: custmodel merge duplicates --threshold 0.9")
def duplicates(
    ctx: typer.Context,
    customer: Annotated[
        int | None, typer.Option("--customer", help="Only the matches of this customer.")
    ] = None,
    threshold: Annotated[
        float,
        typer.Option("--threshold", help="Lowest match probability that counts, 0..1."),
    ] = DEFAULT_THRESHOLD,
    as_json: AsJson = False,
) -> None:
    """Find customers that are probably the same party, with the evidence for each match.

    Each pair shows how every field compared and what that weighed, in bits: above 0 speaks
    for one party, below 0 against.
    """
    groups = book(ctx).find_duplicates(customer, threshold=threshold)
    out = Output(as_json)
    if out.json_if_asked(groups):
        return
    rows = []
    for number, group in enumerate(groups, start=1):
        reasons = "; ".join(
            f"{pair.first}-{pair.second}: {', '.join(pair.reasons)}" for pair in group.pairs
        )
        rows.append((number, ", ".join(map(str, group.customers)), f"{group.score:.2f}", reasons))
    out.table(("Group", "Customers", "Score", "Why"), rows)
    for number, group in enumerate(groups, start=1):
        out.table(
            ("Pair", "Score", "Field", "Outcome", "Weight"),
            (
                (
                    f"{pair.first}-{pair.second}",
                    f"{pair.score:.4f}",
                    c.field,
                    c.outcome,
                    f"{c.weight:+.1f}",
                )
                for pair in group.pairs
                for c in pair.comparisons
                if c.outcome != "missing"
            ),
            title=f"Group {number}: how the fields compared (weight in bits)",
            numbers=1,
        )
    out.line(f"{plural(len(groups), 'group')} of probable duplicates.")
    for number, group in enumerate(groups, start=1):
        numbers = " ".join(map(str, (group.master, *group.duplicates)))
        out.line(f"Group {number}: custmodel merge plan {numbers}")
    if groups:
        pair = groups[0].pairs[0]
        out.line(
            f"Two that are different parties: custmodel merge distinct {pair.first} {pair.second}"
        )


def plan_pairs(plan: MergePlan) -> list[tuple[str, object]]:
    """Label/value pairs of everything a merge plan would do."""
    retired = ", ".join(f"{n}: {a}" for n, a in plan.retired_debtor_accounts.items())
    filled = ", ".join(f"{field} from {n}" for field, n in sorted(plan.filled_fields.items()))
    references = ", ".join(
        f"{name}: {plural(rows, 'row')}" for name, rows in plan.references.items()
    )
    return [
        ("Master", plan.master),
        ("Duplicates", ", ".join(map(str, plan.duplicates))),
        ("Bookings that move", f"{len(plan.bookings)}: {', '.join(plan.bookings)}"),
        ("Retired debtor accounts", retired),
        ("Master fields filled", filled or "none"),
        ("Flags the master gains", " ".join(map(str, plan.united_status)) or "none"),
        ("Template setting moves", ", ".join(k.value for k in plan.templates) or "none"),
        ("Host references", references or "none"),
    ]


@app.command(epilog="Example: custmodel merge plan 12 15 17 --fill-blanks")
def plan(
    ctx: typer.Context,
    master: Master,
    duplicates: Duplicates,
    fill_blanks: FillBlanks = False,
    unite_status: UniteStatus = False,
    as_json: AsJson = False,
) -> None:
    """Show what merging the DUPLICATEs into MASTER would do, without changing anything."""
    planned = book(ctx).plan_merge(
        master, duplicates, fill_blanks=fill_blanks, unite_status=unite_status
    )
    out = Output(as_json)
    if out.json_if_asked(planned):
        return
    out.fields(plan_pairs(planned), title="Merge plan (nothing changed)")


@app.command(epilog="Example: custmodel merge apply 12 15 17 --fill-blanks --actor jdoe --yes")
def apply(
    ctx: typer.Context,
    master: Master,
    duplicates: Duplicates,
    fill_blanks: FillBlanks = False,
    unite_status: UniteStatus = False,
    actor: Annotated[
        str | None, typer.Option("--actor", help="Who merges (a user id), for the audit.")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    as_json: AsJson = False,
) -> None:
    """Merge the DUPLICATEs into MASTER, after showing the plan and asking for confirmation.

    Not confirming changes nothing and exits with 1. With --json the plan and the question
    go to stderr, so stdout holds only the report.
    """
    customer_book = book(ctx)
    planned = customer_book.plan_merge(
        master, duplicates, fill_blanks=fill_blanks, unite_status=unite_status
    )
    out = Output(as_json)
    if not yes:
        shown = Output(stderr=True) if as_json else out
        shown.fields(plan_pairs(planned), title="Merge plan")
    confirm(
        f"Merge {plural(len(planned.duplicates), 'customer')} into customer {planned.master}?",
        yes=yes,
    )
    report = customer_book.merge(
        master, duplicates, fill_blanks=fill_blanks, unite_status=unite_status, actor=actor
    )
    if as_json:
        out.json(report)
        return
    out.line(
        f"Merged customers {', '.join(map(str, report.plan.duplicates))} into customer "
        f"{report.plan.master}: {plural(report.bookings_moved, 'booking')} moved, audit record "
        f"{report.record.id}."
    )
    accounts = ", ".join(map(str, report.retired_debtor_accounts))
    out.line(f"Move the open items of the retired debtor accounts {accounts} in the ledger.")


def _naming_customer(what: str) -> Any:
    """The ``--customer`` option of a list that can be narrowed to one customer's ``what``."""
    return typer.Option("--customer", help=f"Only {what} naming this customer.")


_HISTORY_COLUMNS = ("Id", "Merged at", "Master", "Duplicates", "Bookings", "References", "Actor")


@app.command(epilog="Example: custmodel merge history --customer 12")
def history(
    ctx: typer.Context,
    customer: Annotated[int | None, _naming_customer("merges")] = None,
    as_json: AsJson = False,
) -> None:
    """List the merge audit, oldest first: when, master, duplicates, what moved, who."""
    records = book(ctx).merge_history(customer)
    rows = (
        (
            r.id,
            r.merged_at.isoformat(timespec="seconds"),
            r.master,
            ", ".join(map(str, r.duplicates)),
            r.bookings_moved,
            ", ".join(f"{k}: {v}" for k, v in r.references_moved.items()),
            r.actor or "",
        )
        for r in records
    )
    Output(as_json).listing(records, _HISTORY_COLUMNS, rows, noun="merge")


@app.command(epilog="Example: custmodel merge distinct 12 15 --actor jdoe")
def distinct(
    ctx: typer.Context,
    first: Annotated[int, typer.Argument(metavar="CUSTOMER", help="One customer.")],
    second: Annotated[int, typer.Argument(metavar="OTHER", help="The other customer.")],
    undo: Annotated[
        bool, typer.Option("--undo", help="Remove the mark: the pair may be found again.")
    ] = False,
    actor: Annotated[
        str | None, typer.Option("--actor", help="Who marks (a user id), kept with the mark.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Mark CUSTOMER and OTHER as different parties: duplicate searches no longer pair them.

    The mark keeps the two numbers, when and --actor, no personal data, and follows merges
    to the master. --undo removes it.
    """
    customer_book = book(ctx)
    out = Output(as_json)
    if undo:
        removed = customer_book.unmark_distinct(first, second)
        if as_json:
            out.json({"removed": removed})
            return
        low, high = sorted((first, second))
        out.line(
            f"Customers {low} and {high} may be found as duplicates again."
            if removed
            else f"Customers {low} and {high} were not marked distinct; nothing changed."
        )
        return
    mark = customer_book.mark_distinct(first, second, actor=actor)
    if as_json:
        out.json(mark)
        return
    out.line(
        f"Customers {mark.low} and {mark.high} are marked distinct "
        f"(since {mark.marked_at.isoformat(timespec='seconds')}): duplicate searches leave "
        "the pair out."
    )


@app.command(name="distinct-list", epilog="Example: custmodel merge distinct-list --customer 12")
def distinct_list(
    ctx: typer.Context,
    customer: Annotated[int | None, _naming_customer("the marks")] = None,
    as_json: AsJson = False,
) -> None:
    """List the pairs marked distinct ("not a duplicate"), by number: when and who."""
    marks = book(ctx).distinct_marks(customer)
    rows = (
        (m.low, m.high, m.marked_at.isoformat(timespec="seconds"), m.actor or "") for m in marks
    )
    Output(as_json).listing(
        marks,
        ("Customer", "Other", "Marked at", "Actor"),
        rows,
        noun="pair",
        tail=" marked distinct.",
    )
