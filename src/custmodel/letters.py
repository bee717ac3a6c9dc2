"""Mail merge with Jack's ``{Field}`` placeholders (R6, R10), as pure functions.

A template is text with placeholders such as ``{Kunde-Name}`` or ``{OP-Betrag+Mahngebühr}``;
``{{`` and ``}}`` write a literal brace. :meth:`LetterTemplate.parse` refuses an unknown field
or a malformed brace with :class:`~custmodel.errors.LetterTemplateError` before anything is
rendered. :func:`merge_fields` gives every field's text for one customer, :func:`render_letter`
renders one letter. Nothing here reads a store or a clock; :meth:`custmodel.CustomerBook.letters`
and :meth:`custmodel.CustomerBook.write_merge_data` run these over a selection.

    >>> from decimal import Decimal
    >>> template = LetterTemplate.parse("{{Summe}}: {OP-Betrag+Mahngebühr}")
    >>> template.render({"OP-Betrag+Mahngebühr": "1.234,50 €"})
    '{Summe}: 1.234,50 €'
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

import attrs

from custmodel import rules
from custmodel.errors import (
    AlreadyMergedError,
    AnonymizedCustomerError,
    InvalidInputError,
    LetterTemplateError,
)
from custmodel.model import (
    MAX_NUMBER,
    AccessReport,
    Booking,
    Customer,
    Letter,
    Settings,
    cents,
    shown,
)

__all__ = [
    "ACCESS_FIELDS",
    "ACCESS_LETTER",
    "FIELDS",
    "MAX_DAYS_BEFORE_DEPARTURE",
    "NEUTRAL_GREETING",
    "NOTHING",
    "OPEN_AMOUNT_FIELDS",
    "CreditedAmounts",
    "LetterRun",
    "LetterTemplate",
    "TextSink",
    "access_fields",
    "access_template",
    "check_delimiter",
    "check_due",
    "check_fields",
    "check_open_amounts",
    "credit_open_amounts",
    "due_on",
    "greeting",
    "merge_fields",
    "open_amount_of",
    "render_access_letter",
    "render_letter",
    "write_data_file",
]

#: Every field a template or data file may name, in the order a data file lists them by default.
FIELDS: tuple[str, ...] = (
    "Kunde-Nummer",
    "Kunde-Debitorkonto",
    "Kunde-Anrede",
    "Kunde-Briefanrede",
    "Kunde-Vorname",
    "Kunde-Name",
    "Kunde-Firma",
    "Kunde-Strasse",
    "Kunde-PLZ",
    "Kunde-Ort",
    "Kunde-Land",
    "Kunde-E-Mail",
    "Kunde-Telefon",
    "Kunde-Geburtsdatum",
    "Kunde-Kategorie",
    "Kunde-Code1",
    "Kunde-Code2",
    rules.DUNNING_FEE_FIELD,
    rules.OPEN_AMOUNT_FIELD,
    rules.OPEN_AMOUNT_WITH_FEE_FIELD,
)

#: The fields whose text needs the customer's open amount (OP-Betrag).
OPEN_AMOUNT_FIELDS = frozenset({rules.OPEN_AMOUNT_FIELD, rules.OPEN_AMOUNT_WITH_FEE_FIELD})

#: The greeting of a letter to nobody in particular: firms, and customers without a salutation
#: or name that a greeting can use.
NEUTRAL_GREETING = "Sehr geehrte Damen und Herren"

_GREETINGS = {
    "frau": "Sehr geehrte Frau",
    "herr": "Sehr geehrter Herr",
    "herrn": "Sehr geehrter Herr",
    "familie": "Sehr geehrte Familie",
}

#: ``{{`` and ``}}`` (literal braces), a placeholder, or a brace that is neither.
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")

#: The block fields of the access letter (GDPR Art. 15), beside the customer's ``Kunde-`` fields:
#: each lists one part of the access report, a line per entry. Only access letters know them.
ACCESS_FIELDS: tuple[str, ...] = (
    "Auskunft-Datum",
    "Auskunft-Kundendaten",
    "Auskunft-Merkmale",
    "Auskunft-Buchungen",
    "Auskunft-Zusammenführungen",
    "Auskunft-Anträge",
    "Auskunft-Werbeeinwilligungen",
    "Auskunft-Fremddaten",
)

_KNOWN = frozenset(FIELDS)
_ACCESS_KNOWN: tuple[str, ...] = FIELDS + ACCESS_FIELDS


def _unknown(name: str, position: int | None, known: Sequence[str]) -> LetterTemplateError:
    where = "" if position is None else f" at position {position}"
    close = difflib.get_close_matches(name.strip(), known, n=1)
    hint = f" (did you mean {{{close[0]}}}?)" if close else ""
    return LetterTemplateError(
        f"unknown placeholder {{{name}}}{where}{hint}; known fields: {', '.join(known)}",
        placeholder=name,
        position=position,
    )


def _field_name(name: str, position: int | None, known: Sequence[str] = FIELDS) -> str:
    """Return the known field ``name`` stands for (NFC, as editors may decompose umlauts)."""
    normalized = unicodedata.normalize("NFC", name)
    if normalized not in (_KNOWN if known is FIELDS else frozenset(known)):
        raise _unknown(name, position, known)
    return normalized


def _literals(value: Iterable[str]) -> tuple[str, ...]:
    result = tuple(value)
    if not all(isinstance(text, str) for text in result):
        raise LetterTemplateError(
            "the literal parts of a template must be text", placeholder=None, position=None
        )
    return result


def _known_fields(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(_field_name(name, None, _ACCESS_KNOWN) for name in value)


@attrs.frozen
class LetterTemplate:
    """A checked mail-merge template: literal text between known placeholders.

    Build one with :meth:`parse`; the text comes back with :attr:`text`.

    Attributes:
        literals: The text before, between and after the placeholders, braces unescaped;
            always one more than ``fields``.
        fields: The placeholders in the order they occur (a field may occur several times).
    """

    literals: tuple[str, ...] = attrs.field(converter=_literals)
    fields: tuple[str, ...] = attrs.field(default=(), converter=_known_fields)

    def __attrs_post_init__(self) -> None:
        if len(self.literals) != len(self.fields) + 1:
            raise LetterTemplateError(
                "a template has one literal part more than it has placeholders",
                placeholder=None,
                position=None,
            )

    @classmethod
    def parse(cls, text: str, *, access: bool = False) -> LetterTemplate:
        """Parse ``text``: ``{Field}`` is a placeholder, ``{{`` and ``}}`` are literal braces.

        ``access`` also accepts the access letter's :data:`ACCESS_FIELDS`.

        Raises:
            LetterTemplateError: for an unknown or empty placeholder (naming it and its
                position), or a ``{`` or ``}`` that opens or closes nothing (its position only,
                never the text around it).
        """
        if not isinstance(text, str):
            raise LetterTemplateError("a template is text", placeholder=None, position=None)
        known = _ACCESS_KNOWN if access else FIELDS
        literals: list[str] = []
        fields: list[str] = []
        current: list[str] = []
        end = 0
        for match in _TOKEN.finditer(text):
            current.append(text[end : match.start()])
            end = match.end()
            brace = match.group()
            if brace in ("{{", "}}"):
                current.append(brace[0])
            elif match.group(1) is not None:
                fields.append(_field_name(match.group(1), match.start(), known))
                literals.append("".join(current))
                current = []
            else:
                what = "opens" if brace == "{" else "closes"
                raise LetterTemplateError(
                    f"the {brace!r} at position {match.start()} {what} no placeholder; "
                    f"write {brace * 2!r} for a literal brace",
                    placeholder=None,
                    position=match.start(),
                )
        current.append(text[end:])
        literals.append("".join(current))
        return cls(tuple(literals), tuple(fields))

    @property
    def text(self) -> str:
        """The template as text, literal braces doubled; ``parse(t.text) == t``."""
        parts = [_escape(self.literals[0])]
        for field, literal in zip(self.fields, self.literals[1:], strict=True):
            parts.append(f"{{{field}}}{_escape(literal)}")
        return "".join(parts)

    @property
    def needs_open_amount(self) -> bool:
        """True if a placeholder needs the open amount (OP-Betrag)."""
        return not OPEN_AMOUNT_FIELDS.isdisjoint(self.fields)

    def render(self, values: Mapping[str, str]) -> str:
        """Return the text with each placeholder replaced by its value; missing ones by ""."""
        parts = [self.literals[0]]
        for field, literal in zip(self.fields, self.literals[1:], strict=True):
            parts.append(values.get(field, ""))
            parts.append(literal)
        return "".join(parts)


def _escape(literal: str) -> str:
    return literal.replace("{", "{{").replace("}", "}}")


def check_fields(fields: Iterable[str]) -> tuple[str, ...]:
    """Return ``fields`` as known field names, for the columns of a data file.

    Raises:
        LetterTemplateError: for an unknown field, naming it.
        InvalidInputError: for no fields at all, a field twice, or one text instead of a list.
    """
    if isinstance(fields, str) or not isinstance(fields, Iterable):
        raise InvalidInputError("fields must be a list of field names, not one text")
    names = []
    for name in fields:
        if not isinstance(name, str):
            raise InvalidInputError("a field name is text")
        names.append(_field_name(name, None))
    if not names:
        raise InvalidInputError("a data file needs at least one field")
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise InvalidInputError(f"fields listed twice: {', '.join(twice)}")
    return tuple(names)


def greeting(customer: Customer) -> str:
    """The greeting line of a letter, without its comma: "Sehr geehrte Frau Dr. Müller".

    "Frau", "Herr"/"Herrn" and "Familie" as the salutation's first word greet the person by
    salutation and last name; anyone else (a firm, no salutation, no last name) gets
    :data:`NEUTRAL_GREETING`.
    """
    words = customer.salutation.split()
    opening = _GREETINGS.get(words[0].casefold()) if words else None
    name = " ".join(customer.last_name.split())
    if opening is None or not name:
        return NEUTRAL_GREETING
    return " ".join([opening, *words[1:], name])


def due_on(booking: Booking, days_before_departure: int = 0) -> date:
    """The day ``booking``'s open amount falls due: its departure, or that many days before.

    Travel conditions ask for the balance some days before departure (the Restzahlung, often 30
    days); a booking invoiced after the journey falls due on departure (``0``). A day before
    the first day of the calendar is that first day.
    """
    return date.fromordinal(max(1, booking.departure.toordinal() - days_before_departure))


def open_amount_of(
    bookings: Iterable[Booking], due_by: date | None = None, days_before_departure: int = 0
) -> Decimal:
    """The open amount (OP-Betrag) of a customer's bookings: firm ones only, offers owe nothing.

    With ``due_by``, only the bookings due by that day count (:func:`due_on`): a dunning run
    leaves out what is not yet due. ``due_by`` today with ``days_before_departure`` 0 counts
    the bookings that have departed.
    """
    return sum(
        (
            b.open_amount
            for b in bookings
            if b.is_firm and (due_by is None or due_on(b, days_before_departure) <= due_by)
        ),
        Decimal("0.00"),
    )


#: The most days before departure a balance may fall due (about ten years).
MAX_DAYS_BEFORE_DEPARTURE = 3660


def check_due(due_by: object, days_before_departure: object) -> tuple[date, int] | None:
    """Return ``(due_by, days_before_departure)`` checked, or None when ``due_by`` is None.

    Raises:
        InvalidInputError: ``due_by`` not a date (a datetime neither), days that are not a
            whole number from 0 to :data:`MAX_DAYS_BEFORE_DEPARTURE`, or days without a
            ``due_by`` to count them from.
    """
    if (
        isinstance(days_before_departure, bool)
        or not isinstance(days_before_departure, int)
        or not 0 <= days_before_departure <= MAX_DAYS_BEFORE_DEPARTURE
    ):
        raise InvalidInputError(
            f"days_before_departure is a whole number from 0 to {MAX_DAYS_BEFORE_DEPARTURE}"
        )
    if due_by is None:
        if days_before_departure:
            raise InvalidInputError("days_before_departure needs due_by")
        return None
    if isinstance(due_by, datetime) or not isinstance(due_by, date):
        raise InvalidInputError("due_by must be a date (not a datetime)")
    return due_by, days_before_departure


@attrs.frozen
class CreditedAmounts:
    """Open amounts from accounting, as the letters of a run use them.

    Attributes:
        amounts: Customer number -> open amount. The amount of a merged number is added to its
            master's: after a merge the ledger moves the open items of the retired debtor
            accounts to the master (R8).
        unknown: The numbers no customer has, ascending; their amounts count for nobody.
        merged: ``(merged number, master)`` for every amount credited to a master, ascending.
        anonymized: The numbers whose customer is anonymized (also through a merge),
            ascending; anonymized customers receive no letter (R10).
    """

    amounts: dict[int, Decimal]
    unknown: tuple[int, ...] = ()
    merged: tuple[tuple[int, int], ...] = ()
    anonymized: tuple[int, ...] = ()


def credit_open_amounts(
    open_amounts: Mapping[int, Decimal], resolved: Mapping[int, Customer]
) -> CreditedAmounts:
    """Credit the open amounts of merged numbers to their masters; name unknown numbers.

    Args:
        open_amounts: Customer number -> open amount, as accounting lists them.
        resolved: Each number of ``open_amounts`` -> the active customer it stands for
            (:meth:`custmodel.CustomerBook.resolve`: the master of a merged number); a number
            it does not hold is unknown.

    Returns:
        The amounts keyed by the customers who receive letters, and what was moved or left
        out, for the caller to say.
    """
    amounts: dict[int, Decimal] = {}
    unknown, merged, anonymized = [], [], []
    for number in sorted(open_amounts):
        customer = resolved.get(number)
        if customer is None:
            unknown.append(number)
            continue
        if customer.number != number:
            merged.append((number, customer.number))
        if customer.is_anonymized:
            anonymized.append(number)
        amounts[customer.number] = (
            amounts.get(customer.number, Decimal("0.00")) + (open_amounts[number])
        )
    return CreditedAmounts(amounts, tuple(unknown), tuple(merged), tuple(anonymized))


def _german_date(day: date | None) -> str:
    return "" if day is None else f"{day.day:02d}.{day.month:02d}.{day.year:04d}"


def _customer_values(customer: Customer) -> dict[str, str]:
    """The ``Kunde-`` fields of ``customer`` as text."""
    return {
        "Kunde-Nummer": str(customer.number),
        "Kunde-Debitorkonto": str(customer.debtor_account),
        "Kunde-Anrede": customer.salutation,
        "Kunde-Briefanrede": greeting(customer),
        "Kunde-Vorname": customer.first_name,
        "Kunde-Name": customer.last_name,
        "Kunde-Firma": customer.company,
        "Kunde-Strasse": customer.street,
        "Kunde-PLZ": customer.postal_code,
        "Kunde-Ort": customer.city,
        "Kunde-Land": customer.country,
        "Kunde-E-Mail": customer.email,
        "Kunde-Telefon": customer.phone,
        "Kunde-Geburtsdatum": _german_date(customer.birth_date),
        "Kunde-Kategorie": customer.category or "",
        "Kunde-Code1": customer.code1,
        "Kunde-Code2": customer.code2,
    }


def merge_fields(
    customer: Customer, settings: Settings, open_amount: Decimal | None = None
) -> dict[str, str]:
    """Every field of :data:`FIELDS` as text for ``customer``: what a letter or data file shows.

    Money is formatted for de_DE ("1.234,50 €"); ``Kunde-Mahngebühr`` is the dunning fee of the
    customer's kind (R6). Empty values are "".

    Args:
        customer: An active, not anonymized customer.
        settings: The book's settings (dunning fee per kind).
        open_amount: What the customer owes; None leaves ``OP-Betrag`` and
            ``OP-Betrag+Mahngebühr`` empty.

    Raises:
        AnonymizedCustomerError: anonymized customers receive no letters (R10).
        AlreadyMergedError: a merged duplicate receives none either; its master does.
        InvalidInputError: a negative open amount or one with fractions of a cent.
    """
    if customer.merged_into is not None:
        raise AlreadyMergedError(customer.number, customer.merged_into)
    if customer.is_anonymized:
        raise AnonymizedCustomerError(customer.number, "receive letters")
    fee = settings.kind(customer.kind).dunning_fee
    money = rules.dunning_fields(fee, Decimal("0.00") if open_amount is None else open_amount)
    values = {
        **_customer_values(customer),
        **{name: field.text for name, field in money.items()},
    }
    if open_amount is None:
        values.update(dict.fromkeys(OPEN_AMOUNT_FIELDS, ""))
    return values


def render_letter(
    template: LetterTemplate | str,
    customer: Customer,
    settings: Settings,
    open_amount: Decimal | None = None,
) -> Letter:
    """Render ``template`` for ``customer``; the pure core of :meth:`CustomerBook.letters`.

    Raises:
        LetterTemplateError: ``template`` is text with an unknown or malformed placeholder.
        AnonymizedCustomerError, AlreadyMergedError: the customer receives no letters.
    """
    parsed = template if isinstance(template, LetterTemplate) else LetterTemplate.parse(template)
    text = parsed.render(merge_fields(customer, settings, open_amount))
    return Letter(customer=customer.number, debtor_account=customer.debtor_account, text=text)


class TextSink(Protocol):
    """Where a data file goes: anything with ``write(text)``, e.g. a file opened as text."""

    def write(self, text: str, /) -> Any:
        """Write ``text``."""
        ...


def write_data_file(
    sink: TextSink,
    fields: Sequence[str],
    rows: Iterable[Mapping[str, str]],
    *,
    delimiter: str = ";",
) -> int:
    """Write a mail-merge data file: a BOM, a header of field names, one row per customer.

    The byte order mark makes word processors and spreadsheets read the file as UTF-8; open a
    file sink with ``newline=""`` (rows end in CRLF, as RFC 4180 has it). Values are written as
    they are: it is a data file for mail merge, not a spreadsheet.

    Args:
        sink: Receives the text.
        fields: The columns (checked with :func:`check_fields`).
        rows: Field name -> text for each customer (e.g. from :func:`merge_fields`).
        delimiter: ``";"`` (the default: de_DE amounts contain commas, and German word
            processors and spreadsheets expect semicolons), ``","`` or ``"\\t"``.

    Returns:
        How many rows were written (the header not counted).
    """
    columns = check_fields(fields)
    writer = csv.writer(sink, delimiter=check_delimiter(delimiter), lineterminator="\r\n")
    sink.write("\ufeff")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([row.get(name, "") for name in columns])
        count += 1
    return count


def check_delimiter(delimiter: str) -> str:
    """Return ``delimiter`` if a data file may use it (``;``, ``,`` or a tab).

    Raises:
        InvalidInputError: for any other.
    """
    if delimiter not in (";", ",", "\t"):
        raise InvalidInputError('the delimiter of a data file is ";", "," or a tab')
    return delimiter


def check_open_amounts(open_amounts: Mapping[int, Any]) -> dict[int, Decimal]:
    """Return ``open_amounts`` (customer number -> open amount) checked, as exact amounts.

    Raises:
        InvalidInputError: not a mapping, a key that is no customer number, or an amount that
            is negative, a float or has fractions of a cent (the message names the customer).
    """
    if not isinstance(open_amounts, Mapping):
        raise InvalidInputError("open_amounts maps customer numbers to open amounts")
    checked: dict[int, Decimal] = {}
    for number, amount in open_amounts.items():
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MAX_NUMBER:
            raise InvalidInputError(
                f"open_amounts is keyed by customer number, got {shown(number)}"
            )
        try:
            checked[number] = cents(amount)
        except InvalidInputError as error:
            raise InvalidInputError(f"open amount of customer {number}: {error}") from None
    return checked


# -- the access letter (GDPR Art. 15) ----------------------------------------------------------

#: The default access letter (Auskunft nach Art. 15 DSGVO): the customer's fields, then a block
#: per part of the access report. Pass another text or template to ``CustomerBook.access_letter``.
ACCESS_LETTER = """{Kunde-Briefanrede},

Sie haben Auskunft über die Daten verlangt, die wir zu Ihrer Person verarbeiten (Art. 15
DSGVO). Stand: {Auskunft-Datum}. Wir speichern zu Ihrer Kundennummer {Kunde-Nummer}
(Debitorkonto {Kunde-Debitorkonto}) Folgendes:

Ihre Stammdaten:
{Auskunft-Kundendaten}

Einstufung:
{Auskunft-Merkmale}

Buchungen und Angebote:
{Auskunft-Buchungen}

Zusammengeführte Kundennummern:
{Auskunft-Zusammenführungen}

Ihre Anträge:
{Auskunft-Anträge}

Werbeeinwilligungen und Widersprüche:
{Auskunft-Werbeeinwilligungen}

Daten in angeschlossenen Anwendungen:
{Auskunft-Fremddaten}

Zweck der Verarbeitung ist die Durchführung Ihrer Reisen und die Buchhaltung. Eine Kopie
dieser Daten in einem maschinenlesbaren Format (JSON) senden wir Ihnen auf Wunsch
(Art. 20 DSGVO).

Mit freundlichen Grüßen
"""

#: What a block of the access letter says when it lists nothing.
NOTHING = "keine"

_RECORD_LABELS = {
    "number": "Kundennummer",
    "kind": "Kundenart",
    "customer_type": "Kundentyp",
    "debtor_account": "Debitorkonto",
    "salutation": "Anrede",
    "first_name": "Vorname",
    "last_name": "Name",
    "company": "Firma",
    "street": "Straße",
    "postal_code": "PLZ",
    "city": "Ort",
    "country": "Land",
    "email": "E-Mail",
    "phone": "Telefon",
    "birth_date": "Geburtsdatum",
    "notes": "Notizen",
    "commission_scheme": "Provisionsregel",
    "fee_schedule": "Gebührenregel",
    "created_at": "Angelegt am",
    "updated_at": "Geändert am",
    "anonymized_at": "Anonymisiert am",
}

_REQUEST_NAMES = {"access": "Auskunft", "erasure": "Löschung", "objection": "Widerspruch"}
_CHANNEL_NAMES = {"letter": "Brief", "email": "E-Mail", "phone": "Telefon", "sms": "SMS"}
_CHOICE_NAMES = {"consent": "Einwilligung in Werbung", "objection": "Widerspruch gegen Werbung"}


def _text_of(value: object) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, datetime):
        return _german_date(value.date())
    if isinstance(value, date):
        return _german_date(value)
    return str(value)


def _lines(lines: Sequence[str]) -> str:
    return "\n".join(f"- {line}" for line in lines) if lines else f"- {NOTHING}"


def access_fields(report: AccessReport) -> dict[str, str]:
    """Every field of an access letter as text: the ``Kunde-`` fields and :data:`ACCESS_FIELDS`.

    Money is formatted for de_DE ("1.234,50 €"), days as DD.MM.YYYY; every block lists its
    entries a line each, or "keine".
    """
    customer, profile = report.customer, report.profile
    record = [
        f"{label}: {_text_of(getattr(customer, name))}" for name, label in _RECORD_LABELS.items()
    ]
    traits = [f"Kategorie: {_text_of(profile.category)}"]
    traits += [f"{c.label or c.field}: {_text_of(c.value)}" for c in (profile.code1, profile.code2)]
    traits += [
        f"Merkmal {f.number} ({f.label or 'ohne Bezeichnung'}): {'ja' if f.is_set else 'nein'}"
        for f in profile.flags
    ]
    bookings = [
        f"{b.reference}: {'Buchung' if b.is_firm else 'Angebot'}, Abreise "
        f"{_german_date(b.departure)}, Verkaufsstelle {b.point_of_sale}, Vertriebsweg "
        f"{b.channel.name}, offen {rules.format_eur(b.open_amount)}"
        + ("" if b.revenue is None else f", Umsatz {rules.format_eur(b.revenue)}")
        for b in report.bookings
    ]
    merges = [
        f"{_german_date(m.merged_at.date())}: Kundennummer "
        f"{', '.join(map(str, m.duplicates))} mit {m.master} zusammengeführt"
        for m in report.merges
    ]
    requests = [
        f"{_REQUEST_NAMES[r.kind.value]}, eingegangen {_german_date(r.received_on)}, "
        + (
            "offen"
            if r.completed_at is None
            else f"erledigt am {_german_date(r.completed_at.date())}"
        )
        for r in report.requests
    ]
    choices = [
        f"{_CHANNEL_NAMES[c.channel.value]}: {_CHOICE_NAMES[c.choice.value]}, erklärt am "
        f"{_german_date(c.given_on)}" + (f" ({c.source})" if c.source else "")
        for c in report.marketing_choices
    ]
    host = [f"{name}: {count} Datensätze" for name, count in sorted(report.host_data.items())]
    return {
        **_customer_values(customer),
        "Auskunft-Datum": _german_date(report.as_of),
        "Auskunft-Kundendaten": _lines(record),
        "Auskunft-Merkmale": _lines(traits),
        "Auskunft-Buchungen": _lines(bookings),
        "Auskunft-Zusammenführungen": _lines(merges),
        "Auskunft-Anträge": _lines(requests),
        "Auskunft-Werbeeinwilligungen": _lines(choices),
        "Auskunft-Fremddaten": _lines(host),
    }


def access_template(template: LetterTemplate | str | None = None) -> LetterTemplate:
    """Return ``template`` as an access letter template; None is :data:`ACCESS_LETTER`.

    Raises:
        LetterTemplateError: text with an unknown or malformed placeholder.
    """
    if template is None:
        template = ACCESS_LETTER
    if isinstance(template, LetterTemplate):
        return template
    return LetterTemplate.parse(template, access=True)


def render_access_letter(template: LetterTemplate | str | None, report: AccessReport) -> str:
    """Render the access letter of ``report``; the pure core of ``CustomerBook.access_letter``."""
    return access_template(template).render(access_fields(report))


class LetterRun(Iterator[Letter]):
    """The letters of a run, rendered as they are consumed, and how many were left out.

    Iterate over it as over any iterator of :class:`~custmodel.model.Letter`.

    Attributes:
        left_out: How many selected customers the run leaves out because they objected to
            advertising on its channel; counted before the first letter (0 for a contract
            run).
        credited: With ``open_amounts``, how they were credited: the amount of a merged
            number goes to its master (``merged``), a number no customer has counts for
            nobody (``unknown``); None without ``open_amounts``.
    """

    def __init__(
        self,
        letters: Iterator[Letter],
        left_out: int,
        credited: CreditedAmounts | None = None,
    ) -> None:
        self._letters = letters
        self.left_out = left_out
        self.credited = credited

    def __next__(self) -> Letter:
        return next(self._letters)

    def __repr__(self) -> str:
        return f"LetterRun(left_out={self.left_out})"
