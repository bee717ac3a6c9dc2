"""How the demo's report reads: headings, lines, customer cards, aligned tables, German names."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TextIO

from custmodel.model import Customer, CustomerKind, CustomerType, StatisticsDimension, StatisticsRow

#: German names of kinds and types, as the manuals write them.
_KIND_NAMES = {
    CustomerKind.PRIVATE: "Privatkunden",
    CustomerKind.CORPORATE: "Firmenkunden",
    CustomerKind.TRAVEL_AGENCY: "Reisebüros",
    CustomerKind.PROSPECT: "Interessenten",
}
_TYPE_NAMES = {
    CustomerType.REGULAR: "Stammkunde",
    CustomerType.WALK_IN: "Laufkundschaft",
    CustomerType.TOUR_OPERATOR: "Veranstalter",
    CustomerType.VIP_INCENTIVE: "VIP/Incentive",
}


class _Printer:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def heading(self, text: str) -> None:
        self.out.write(f"\n== {text} {'=' * max(3, 76 - len(text))}\n")

    def line(self, text: str = "") -> None:
        self.out.write(f"{text}\n")

    def customers(self, customers: Iterable[Customer]) -> None:
        self.line(f"  {'Nr.':>5}  {'Art':<14} {'Typ':<14} {'Debitor':>7}  {'Kat.':<15} Name")
        for c in customers:
            self.line(
                f"  {c.number:>5}  {c.kind.value:<14} {c.customer_type.value:<14} "
                f"{c.debtor_account:>7}  {c.category or '-':<15} {c.display_name}"
            )

    def card(self, c: Customer) -> None:
        """A customer as its card shows it: name, address, contact, codes."""
        name = " ".join(p for p in (c.salutation, c.first_name, c.last_name) if p)
        self.line(f"  {c.number:>5}  {_KIND_NAMES[c.kind]}, {_TYPE_NAMES[c.customer_type]}: {name}")
        address = ", ".join(p for p in (c.street, f"{c.postal_code} {c.city}".strip()) if p)
        contact = ", ".join(p for p in (c.phone, c.email) if p)
        details = [address, contact]
        if c.birth_date is not None:
            details.append(f"geb. {c.birth_date.isoformat()}")
        self.line(f"         {' | '.join(d for d in details if d)}")
        codes = [f"Kategorie {c.category}"] if c.category else []
        codes += [f"Status {sorted(c.status)}"] if c.status else []
        codes += [f"Code1 {c.code1!r}"] if c.code1 else []
        codes += [f"Code2 {c.code2!r}"] if c.code2 else []
        if codes:
            self.line(f"         {', '.join(codes)}")

    def table(self, header: Sequence[str], rows: Iterable[Sequence[str]], text: int = 1) -> None:
        """Aligned columns, two spaces apart: the first ``text`` left, the figures right."""
        lines = [list(header), *(list(row) for row in rows)]
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        for line in lines:
            cells = [
                cell.ljust(width) if i < text else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(line, widths, strict=True))
            ]
            self.line(f"  {'  '.join(cells)}".rstrip())


def _count(n: int, noun: str) -> str:
    """Count a noun: "1 booking", "2 bookings", "3 batches"."""
    if n == 1:
        return f"1 {noun}"
    return f"{n} {noun}{'es' if noun.endswith('ch') else 's'}"


def _text_of(dimension: StatisticsDimension) -> Callable[[StatisticsRow], list[str]]:
    """The label cell of a statistics row grouped by a text dimension; None is "keine Angabe"."""
    return lambda row: [str(row.value(dimension) or "(keine Angabe)")]
