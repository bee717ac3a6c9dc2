"""Synthetic, reproducible customer master data, and fast raw loaders for the set-up.

Every figure comes from data made here from a fixed seed, so a run on another machine works on
the same rows. The population looks like a German travel agency's: common surnames and given
names with their real weight (a few very common, a long tail), near-duplicates (umlaut
spellings, typos, the same e-mail) among them, status flags that are rare, and bookings from
past years through the own channels and a few external partners.

The loaders write straight into the schema custmodel created (``executemany`` on the DB-API
connection); the set-up is not what the benchmarks measure.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from custmodel import (
    BookingKind,
    CustomerKind,
    CustomerType,
    KindSettings,
    NewCustomer,
    Settings,
    StatusFlags,
)
from custmodel._entrycheck import email_key, name_key
from custmodel.model import search_key

__all__ = [
    "AGENCY",
    "BOOKING_COLUMNS",
    "CATEGORIES",
    "CUSTOMER_COLUMNS",
    "DESTINATIONS",
    "REGISTERED_AT",
    "TODAY",
    "TRAVEL_TYPES",
    "bench_settings",
    "booking_rows",
    "customer_fields",
    "customer_row",
    "drafts",
    "erasure_request_rows",
]

SEED: Final = 20_240_601
#: The acting agency of the erasure sweep, and the point of sale of most bookings.
AGENCY: Final = "AG1"
#: The day the sweep runs on: fixed, so that the same customers are due on every run.
TODAY: Final = date(2026, 6, 1)
#: When the loaded customers were registered (their created_at and updated_at).
REGISTERED_AT: Final = datetime(2020, 1, 2, 9, 30, tzinfo=UTC)
CATEGORIES: Final = ("A", "B", "C", "D")

CUSTOMER_COLUMNS: Final = (
    "number",
    "kind",
    "customer_type",
    "debtor_account",
    "salutation",
    "first_name",
    "last_name",
    "company",
    "street",
    "postal_code",
    "city",
    "country",
    "email",
    "phone",
    "birth_date",
    "code1",
    "code2",
    "notes",
    "category",
    "status",
    "commission_scheme",
    "fee_schedule",
    "created_at",
    "updated_at",
    "merged_into",
    "anonymized_at",
    "version",
    "search_name",
    "search_last",
    "search_email",
)
BOOKING_COLUMNS: Final = (
    "reference",
    "customer",
    "kind",
    "departure",
    "point_of_sale",
    "channel_name",
    "channel_external",
    "open_amount_cents",
    "revenue_cents",
    "travel_type",
    "destination",
)

# Surnames with their share among Germans in per mille (Müller about 3 in 1000), then a long
# tail built from syllables: most customers have a name few others share.
_COMMON_SURNAMES: Final = (
    ("Müller", 3.0),
    ("Schmidt", 2.3),
    ("Schneider", 1.4),
    ("Fischer", 1.3),
    ("Weber", 1.0),
    ("Meyer", 0.9),
    ("Wagner", 0.9),
    ("Becker", 0.8),
    ("Schulz", 0.8),
    ("Hoffmann", 0.8),
    ("Schäfer", 0.6),
    ("Koch", 0.6),
    ("Bauer", 0.6),
    ("Richter", 0.6),
    ("Klein", 0.6),
    ("Wolf", 0.5),
    ("Schröder", 0.5),
    ("Neumann", 0.5),
    ("Schwarz", 0.5),
    ("Zimmermann", 0.5),
    ("Braun", 0.4),
    ("Krüger", 0.4),
    ("Hofmann", 0.4),
    ("Hartmann", 0.4),
    ("Lange", 0.4),
    ("Schmitt", 0.4),
    ("Werner", 0.4),
    ("Schmitz", 0.4),
    ("Krause", 0.4),
    ("Meier", 0.4),
)
_SYLLABLES_1: Final = (
    "Ahl", "Bar", "Ber", "Bloh", "Brem", "Dah", "Dier", "Eck", "Ehr", "Falk", "Fei", "Gers",
    "Gol", "Hag", "Hein", "Her", "Hil", "Jan", "Kap", "Kes", "Kirch", "Kol", "Lam", "Lin",
    "Lütt", "Mar", "Mol", "Nie", "Olt", "Pas", "Pohl", "Rad", "Reh", "Ros", "Sat", "Seel",
    "Sie", "Stahl", "Tam", "Thie", "Ul", "Vog", "Wal", "Wes", "Win", "Zie",
)  # fmt: skip
_SYLLABLES_2: Final = (
    "ber", "bach", "brink", "dorf", "eck", "feld", "hage", "haus", "horst", "kamp", "ker",
    "land", "lin", "mann", "meier", "mund", "ner", "ow", "rath", "recht", "ring", "sen",
    "stein", "stedt", "ter", "wald", "weg", "wig", "ze", "zig",
)  # fmt: skip
_SYLLABLES_3: Final = ("", "", "", "", "er", "s", "t", "e", "ing", "ke")
_GIVEN_NAMES: Final = (
    ("Maria", "Frau"), ("Ursula", "Frau"), ("Monika", "Frau"), ("Petra", "Frau"),
    ("Elisabeth", "Frau"), ("Sabine", "Frau"), ("Renate", "Frau"), ("Helga", "Frau"),
    ("Karin", "Frau"), ("Brigitte", "Frau"), ("Ingrid", "Frau"), ("Erika", "Frau"),
    ("Andrea", "Frau"), ("Gisela", "Frau"), ("Claudia", "Frau"), ("Susanne", "Frau"),
    ("Gabriele", "Frau"), ("Christa", "Frau"), ("Christine", "Frau"), ("Hildegard", "Frau"),
    ("Anna", "Frau"), ("Birgit", "Frau"), ("Barbara", "Frau"), ("Julia", "Frau"),
    ("Stefanie", "Frau"), ("Nicole", "Frau"), ("Katharina", "Frau"), ("Sandra", "Frau"),
    ("Jana", "Frau"), ("Lena", "Frau"), ("Laura", "Frau"), ("Sophie", "Frau"),
    ("Jürgen", "Herr"), ("Peter", "Herr"), ("Michael", "Herr"), ("Thomas", "Herr"),
    ("Andreas", "Herr"), ("Wolfgang", "Herr"), ("Klaus", "Herr"), ("Hans", "Herr"),
    ("Stefan", "Herr"), ("Christian", "Herr"), ("Uwe", "Herr"), ("Bernd", "Herr"),
    ("Frank", "Herr"), ("Werner", "Herr"), ("Markus", "Herr"), ("Dieter", "Herr"),
    ("Horst", "Herr"), ("Manfred", "Herr"), ("Gerhard", "Herr"), ("Matthias", "Herr"),
    ("Martin", "Herr"), ("Alexander", "Herr"), ("Sebastian", "Herr"), ("Daniel", "Herr"),
    ("Jan", "Herr"), ("Tobias", "Herr"), ("Lukas", "Herr"), ("Jonas", "Herr"),
    ("Paul", "Herr"), ("Felix", "Herr"), ("Maximilian", "Herr"), ("Florian", "Herr"),
)  # fmt: skip
_CITIES: Final = (
    ("10115", "Berlin"), ("20095", "Hamburg"), ("80331", "München"), ("50667", "Köln"),
    ("60311", "Frankfurt am Main"), ("70173", "Stuttgart"), ("40213", "Düsseldorf"),
    ("04109", "Leipzig"), ("44135", "Dortmund"), ("45127", "Essen"), ("28195", "Bremen"),
    ("01067", "Dresden"), ("30159", "Hannover"), ("90402", "Nürnberg"), ("47051", "Duisburg"),
    ("44787", "Bochum"), ("42103", "Wuppertal"), ("33602", "Bielefeld"), ("53111", "Bonn"),
    ("48143", "Münster"), ("24103", "Kiel"), ("18055", "Rostock"), ("23552", "Lübeck"),
    ("99084", "Erfurt"), ("39104", "Magdeburg"), ("66111", "Saarbrücken"),
)  # fmt: skip
_STREETS: Final = (
    "Hauptstraße", "Schulstraße", "Gartenstraße", "Bahnhofstraße", "Dorfstraße", "Bergstraße",
    "Birkenweg", "Lindenstraße", "Kirchstraße", "Waldstraße", "Ringstraße", "Am Markt",
)  # fmt: skip
_COMPANY_FORMS: Final = ("GmbH", "AG", "KG", "GmbH & Co. KG", "e.K.")
_EXTERNAL_CHANNELS: Final = ("Booking.com", "Holidu", "HomeToGo")
_OWN_CHANNELS: Final = ("Website", "Büro", "Telefon")
#: Travel types and destinations of bookings, most common first (None: not recorded).
TRAVEL_TYPES: Final = (
    "Pauschalreise", "Pauschalreise", "Pauschalreise", "Kreuzfahrt", "Städtereise",
    "Rundreise", "Ferienwohnung", "Nur Flug", None,
)  # fmt: skip
DESTINATIONS: Final = (
    "Mallorca", "Mallorca", "Kreta", "Antalya", "Hurghada", "Gran Canaria", "Teneriffa",
    "Rhodos", "Ostsee", "Nordsee", "Wien", "Rom", "Karibik", "Mittelmeer", None,
)  # fmt: skip
#: Share of firm bookings whose revenue is not recorded (yet).
_UNKNOWN_REVENUE_SHARE: Final = 0.1

#: (kind, share) of the population.
_KINDS: Final = (
    (CustomerKind.PRIVATE, 0.70),
    (CustomerKind.CORPORATE, 0.12),
    (CustomerKind.TRAVEL_AGENCY, 0.03),
    (CustomerKind.PROSPECT, 0.15),
)
#: Chance that a customer carries status flag n: a few flags are common, most are rare.
_FLAG_CHANCES: Final = {1: 0.10, 2: 0.05, 3: 0.03, 4: 0.02, 5: 0.02, 6: 0.01, 7: 0.01, 8: 0.01}
_RARE_FLAG_CHANCE: Final = 0.002
#: Share of customers that are a near-duplicate of an earlier one.
_DUPLICATE_SHARE: Final = 0.02


def bench_settings() -> Settings:
    """The settings of every benchmark store: categories A-D and 32 labelled flags per kind."""
    kind = KindSettings(
        categories=CATEGORIES,
        status_labels={flag: f"Merkmal {flag}" for flag in range(1, 33)},
    )
    return Settings(kinds=dict.fromkeys(CustomerKind, kind))


def _weighted_names() -> tuple[list[str], list[float]]:
    names = [name for name, _ in _COMMON_SURNAMES]
    weights = [share / 1000 for _, share in _COMMON_SURNAMES]
    return names, weights


class _Generator:
    """Deterministic field values for customer number n, whatever order they are asked in."""

    def __init__(self) -> None:
        self._common, weights = _weighted_names()
        self._cumulative: list[float] = []
        total = 0.0
        for weight in weights:
            total += weight
            self._cumulative.append(total)
        self._common_total = total

    def surname(self, rng: random.Random) -> str:
        pick = rng.random()
        if pick < self._common_total:
            for name, bound in zip(self._common, self._cumulative, strict=True):
                if pick < bound:
                    return name
        return (
            rng.choice(_SYLLABLES_1) + rng.choice(_SYLLABLES_2) + rng.choice(_SYLLABLES_3)
        ).capitalize()

    def fields(self, number: int) -> dict[str, Any]:
        rng = random.Random(SEED * 7_919 + number)
        if number > 10 and rng.random() < _DUPLICATE_SHARE:
            return self._near_duplicate(rng, self.fields(rng.randrange(1, number)))
        kind = _pick(rng, _KINDS)
        given, salutation = rng.choice(_GIVEN_NAMES)
        last = self.surname(rng)
        postal_code, city = rng.choice(_CITIES)
        company = ""
        if kind in (CustomerKind.CORPORATE, CustomerKind.TRAVEL_AGENCY):
            company = f"{self.surname(rng)} {rng.choice(('Reisen', 'Touristik', 'Bau', 'Consult'))}"
            company += f" {rng.choice(_COMPANY_FORMS)}"
        status = 0
        for flag in range(1, 33):
            if rng.random() < _FLAG_CHANCES.get(flag, _RARE_FLAG_CHANCE):
                status |= 1 << (flag - 1)
        birth = None
        if kind is CustomerKind.PRIVATE and rng.random() < 0.6:
            birth = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 60 * 365))
        mail_name = search_key(f"{given}.{last}").replace("ä", "ae").replace("ö", "oe")
        return {
            "kind": kind,
            "customer_type": CustomerType.REGULAR if rng.random() < 0.3 else CustomerType.WALK_IN,
            "salutation": salutation if not company else "Firma",
            "first_name": given,
            "last_name": last,
            "company": company,
            "street": f"{rng.choice(_STREETS)} {rng.randrange(1, 120)}",
            "postal_code": postal_code,
            "city": city,
            "country": "DE",
            "email": f"{mail_name.replace('ü', 'ue').replace('ß', 'ss')}{number}@example.org",
            "phone": f"0{rng.randrange(30, 999)} {rng.randrange(100_000, 9_999_999)}",
            "birth_date": birth,
            # Code1: a loyalty card number for most, unique; empty for the rest.
            "code1": f"K{number:08d}" if rng.random() < 0.8 else "",
            "code2": rng.choice(("", "", "Newsletter", "Messe 2025", "Empfehlung")),
            "notes": "",
            "category": rng.choice((*CATEGORIES, None)),
            "status": StatusFlags(status),
        }

    @staticmethod
    def _near_duplicate(rng: random.Random, original: dict[str, Any]) -> dict[str, Any]:
        """The same party entered again: an umlaut spelled out, a typo, or a new address."""
        copy = dict(original)
        last = copy["last_name"]
        change = rng.randrange(3)
        if change == 0 and any(ch in last for ch in "äöü"):
            copy["last_name"] = last.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
        elif change == 1 and len(last) > 4:
            cut = rng.randrange(1, len(last) - 1)
            copy["last_name"] = last[:cut] + last[cut + 1 :]
        else:
            copy["street"] = f"{rng.choice(_STREETS)} {rng.randrange(1, 120)}"
        copy["code1"] = ""
        return copy


def _pick(rng: random.Random, choices: Sequence[tuple[CustomerKind, float]]) -> CustomerKind:
    pick = rng.random()
    for value, share in choices:
        if pick < share:
            return value
        pick -= share
    return choices[-1][0]


_GENERATOR = _Generator()


def customer_fields(number: int) -> dict[str, Any]:
    """The field values of customer ``number`` (without number, account and timestamps)."""
    return _GENERATOR.fields(number)


def drafts(first: int, count: int) -> list[NewCustomer]:
    """``NewCustomer`` objects for the customers ``first`` .. ``first + count - 1``."""
    return [NewCustomer(**customer_fields(n)) for n in range(first, first + count)]


def customer_row(
    number: int,
    fields: dict[str, Any],
    *,
    sqlite: bool,
    debtor_base: int = 10_000,
    when: datetime = REGISTERED_AT,
) -> tuple[Any, ...]:
    """The ``custmodel_customers`` row, in :data:`CUSTOMER_COLUMNS` order, for ``fields``.

    The raw baselines and the loaders write these rows. Timestamps are UTC: naive ISO text with
    microseconds on SQLite (as SQLAlchemy stores them there), aware datetimes for PostgreSQL;
    ``search_name``, ``search_last`` and ``search_email`` are the folded keys custmodel keeps
    in step with every write.
    """
    stamp: Any = when.astimezone(UTC)
    birth: Any = fields["birth_date"]
    if sqlite:
        stamp = f"{stamp:%Y-%m-%d %H:%M:%S.%f}"
        birth = None if birth is None else birth.isoformat()
    search_name = "\x1f".join(
        search_key(fields[part]) for part in ("last_name", "first_name", "company")
    )
    return (
        number,
        fields["kind"].value,
        fields["customer_type"].value,
        debtor_base + number,
        fields["salutation"],
        fields["first_name"],
        fields["last_name"],
        fields["company"],
        fields["street"],
        fields["postal_code"],
        fields["city"],
        fields["country"],
        fields["email"],
        fields["phone"],
        birth,
        fields["code1"],
        fields["code2"],
        fields["notes"],
        fields["category"],
        fields["status"].bits,
        None,
        None,
        stamp,
        stamp,
        None,
        None,
        1,
        search_name,
        name_key(fields["last_name"]),
        email_key(fields["email"]),
    )


def booking_rows(
    customers: int, per_customer: int, *, sqlite: bool, first_reference: int = 1
) -> Iterator[tuple[Any, ...]]:
    """``per_customer`` bookings on average for customers 1 .. ``customers``, in
    :data:`BOOKING_COLUMNS` order.

    Most are firm bookings of past years, sold by :data:`AGENCY` through an own channel; some
    are offers, some were sold by another agency or an external partner, a few depart later
    than six weeks before :data:`TODAY`. Bookings are spread over random customers. Dates are
    ISO text for SQLite (``sqlite``), dates otherwise.

    For statistics, most firm bookings carry a revenue (200 to 8,000 EUR, in cents), a tenth
    none; offers carry the price quoted. Travel types and destinations come from
    :data:`TRAVEL_TYPES` and :data:`DESTINATIONS`, a few unrecorded. These come from a
    generator of their own, so the other columns are the same as without them.
    """
    rng = random.Random(SEED + customers)
    extra = random.Random(SEED * 3 + customers)
    start = TODAY - timedelta(days=6 * 365)
    reference = first_reference
    for _ in range(customers * per_customer):
        customer = rng.randrange(1, customers + 1)
        firm = rng.random() < 0.8
        roll = rng.random()
        if roll < 0.05:
            pos, channel, external = "AG2", rng.choice(_OWN_CHANNELS), False
        elif roll < 0.10:
            pos, channel, external = AGENCY, rng.choice(_EXTERNAL_CHANNELS), True
        else:
            pos, channel, external = AGENCY, rng.choice(_OWN_CHANNELS), False
        departure = start + timedelta(days=rng.randrange(0, 6 * 365 + 180))
        yield (
            f"VG-{reference:09d}",
            customer,
            BookingKind.BOOKING.value if firm else BookingKind.OFFER.value,
            departure.isoformat() if sqlite else departure,
            pos,
            channel,
            external,
            rng.randrange(0, 50_000) if firm else 0,
            None
            if firm and extra.random() < _UNKNOWN_REVENUE_SHARE
            else extra.randrange(20_000, 800_000),
            extra.choice(TRAVEL_TYPES),
            extra.choice(DESTINATIONS),
        )
        reference += 1


def erasure_request_rows(customers: int, share: float, *, sqlite: bool) -> list[tuple[Any, ...]]:
    """Open erasure requests (id, customer, kind, received_on, recorded_at) of ``share`` of the
    customers 1 .. ``customers``, chosen at random, received ten days before :data:`TODAY`."""
    rng = random.Random(SEED - customers)
    chosen = sorted(rng.sample(range(1, customers + 1), max(1, int(customers * share))))
    received: Any = TODAY - timedelta(days=10)
    recorded: Any = datetime.combine(received, datetime.min.time(), tzinfo=UTC)
    if sqlite:
        received = received.isoformat()
        recorded = f"{recorded:%Y-%m-%d %H:%M:%S.%f}"
    return [
        (index, number, "erasure", received, recorded) for index, number in enumerate(chosen, 1)
    ]
