"""The demo's data set: a few thousand German customers with bookings, made from a seed.

Everything is drawn from one ``random.Random(seed)`` through :meth:`random.Random.random` only,
the one method whose sequence Python promises to keep across versions, so the same seed gives
the same customers and bookings on every supported Python. Nothing here touches a store: the
data set is plain values (:class:`~custmodel.model.NewCustomer` drafts and planned bookings),
which :mod:`custmodel.demo` registers through the public API.

The data is fictitious but plausible, and harmless to publish: e-mail addresses use the domains
reserved for examples (RFC 2606: ``example.com``/``.org``/``.net`` and ``*.example``), phone
numbers come from the blocks the Bundesnetzagentur keeps free for films and books ("Drama
Numbers": Berlin 030 23125 xxx, Frankfurt 069 90009 xxx, Hamburg 040 66969 xxx, Köln 0221
4710 xxx, München 089 99998 xxx), so only customers in those five cities have a phone, and
postal codes are real pairs of Postleitzahl and Ort.
"""

from __future__ import annotations

import bisect
import itertools
import random
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Generic, TypeVar

import attrs

from custmodel.dedupe import normalize_name
from custmodel.model import (
    Booking,
    BookingKind,
    CustomerKind,
    CustomerType,
    NewCustomer,
    SalesChannel,
)

__all__ = [
    "EXTERNAL_CHANNELS",
    "FIRST_DEPARTURE",
    "MAX_CUSTOMERS",
    "MEMBER_NUMBER",
    "MIN_CUSTOMERS",
    "OTHER_AGENCIES",
    "OWN_AGENCY",
    "OWN_CHANNELS",
    "TODAY",
    "Cast",
    "DemoData",
    "PlannedBooking",
    "generate",
]

#: The story's "today": every date of the data set and the walkthrough is relative to it.
TODAY = date(2026, 11, 24)
#: The earliest departure of the booking history.
FIRST_DEPARTURE = date(2022, 1, 1)
#: The agency running the demo: its own point of sale.
OWN_AGENCY = "AG1"
#: Other agencies that sell through the same system.
OTHER_AGENCIES = ("AG2", "AG3")
#: The agency's own sales channels.
OWN_CHANNELS = ("Website", "Filiale", "Telefon")
#: External sales partners: a holiday-rental portal, a booking portal, a call centre partner.
EXTERNAL_CHANNELS = ("Holidu", "Booking.com", "Callcenter Nord")
#: The smallest data set: the manual's example needs a 300th customer.
MIN_CUSTOMERS = 300
#: The largest data set the demo makes.
MAX_CUSTOMERS = 100_000
#: Code1 (Mitgliedsnummer) of the customer the walkthrough looks up.
MEMBER_NUMBER = "M-471100"

_T = TypeVar("_T")
_W = TypeVar("_W")


# -- drawing --------------------------------------------------------------------------------------


class _Draw:
    """Random choices built on :meth:`random.Random.random` alone (stable across Pythons)."""

    def __init__(self, seed: int) -> None:
        # Demo data, not secrets: a seeded, reproducible generator is the point.
        self._rng = random.Random(seed)  # noqa: S311

    def unit(self) -> float:
        return self._rng.random()

    def chance(self, probability: float) -> bool:
        return self._rng.random() < probability

    def below(self, n: int) -> int:
        return min(int(self._rng.random() * n), n - 1)

    def between(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high``, both included."""
        return low + self.below(high - low + 1)

    def pick(self, items: Sequence[_T]) -> _T:
        return items[self.below(len(items))]

    def shuffle(self, items: list[_T]) -> None:
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


class _Weighted(Generic[_W]):
    """Items with weights, drawn in proportion to them."""

    def __init__(self, pairs: Iterable[tuple[_W, float]]) -> None:
        self.items: list[_W] = []
        self.cumulative: list[float] = []
        total = 0.0
        for item, weight in pairs:
            total += weight
            self.items.append(item)
            self.cumulative.append(total)
        self.total = total

    def pick(self, draw: _Draw) -> _W:
        index = bisect.bisect_right(self.cumulative, draw.unit() * self.total)
        return self.items[min(index, len(self.items) - 1)]


# -- curated lists --------------------------------------------------------------------------------

#: Ort, its Postleitzahlen, inhabitants in thousands (the weight of the place).
_PLACES: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("Berlin", ("10115", "10117", "10178", "10245", "10405", "10551", "10629", "10719",
                "12043", "12157", "13347", "14057"), 3700),
    ("Hamburg", ("20095", "20144", "20249", "22085", "22303", "22767"), 1900),
    ("München", ("80331", "80333", "80469", "80634", "80802", "81241", "81369", "81675"), 1500),
    ("Köln", ("50667", "50672", "50674", "50733", "50823", "50937"), 1100),
    ("Frankfurt am Main", ("60311", "60313", "60318", "60325", "60385", "60431"), 770),
    ("Stuttgart", ("70173", "70176", "70178", "70190", "70372"), 630),
    ("Düsseldorf", ("40210", "40212", "40213", "40215", "40477"), 620),
    ("Leipzig", ("04103", "04107", "04109", "04275"), 600),
    ("Dortmund", ("44135", "44137", "44139"), 590),
    ("Essen", ("45127", "45128", "45130"), 580),
    ("Bremen", ("28195", "28199", "28203"), 570),
    ("Dresden", ("01067", "01069", "01097", "01307"), 560),
    ("Hannover", ("30159", "30161", "30169", "30173"), 540),
    ("Nürnberg", ("90402", "90403", "90419", "90429"), 520),
    ("Duisburg", ("47051", "47057"), 500),
    ("Bochum", ("44787", "44789"), 360),
    ("Wuppertal", ("42103", "42275"), 355),
    ("Bielefeld", ("33602", "33604"), 335),
    ("Bonn", ("53111", "53113", "53115"), 330),
    ("Münster", ("48143", "48145", "48149"), 320),
    ("Mannheim", ("68159", "68161", "68165"), 310),
    ("Karlsruhe", ("76131", "76133", "76137"), 305),
    ("Augsburg", ("86150", "86152", "86153"), 300),
    ("Wiesbaden", ("65183", "65185", "65187"), 280),
    ("Aachen", ("52062", "52064", "52066"), 250),
    ("Braunschweig", ("38100", "38102"), 250),
    ("Kiel", ("24103", "24105"), 245),
    ("Chemnitz", ("09111", "09112"), 245),
    ("Halle (Saale)", ("06108", "06110"), 240),
    ("Magdeburg", ("39104", "39106"), 235),
    ("Freiburg im Breisgau", ("79098", "79100", "79102"), 230),
    ("Mainz", ("55116", "55118"), 220),
    ("Lübeck", ("23552", "23554"), 215),
    ("Erfurt", ("99084", "99085"), 215),
    ("Rostock", ("18055", "18057"), 210),
    ("Kassel", ("34117", "34119"), 200),
    ("Potsdam", ("14467", "14469"), 185),
    ("Saarbrücken", ("66111", "66113"), 180),
    ("Oldenburg", ("26121", "26122"), 170),
    ("Osnabrück", ("49074",), 165),
    ("Heidelberg", ("69115", "69117"), 160),
    ("Regensburg", ("93047", "93049"), 155),
    ("Fürth", ("90762",), 130),
    ("Würzburg", ("97070", "97072"), 128),
    ("Ulm", ("89073",), 128),
    ("Göttingen", ("37073", "37075"), 118),
    ("Gießen", ("35390",), 90),
    ("Konstanz", ("78462", "78464"), 86),
    ("Lüneburg", ("21335",), 77),
    ("Görlitz", ("02826",), 56),
    ("Passau", ("94032",), 53),
    ("Garmisch-Partenkirchen", ("82467",), 27),
)  # fmt: skip

#: The Bundesnetzagentur's Drama Numbers: area code and the block before the last three digits.
_PHONE_BLOCKS = {
    "Berlin": ("30", "23125"),
    "Frankfurt am Main": ("69", "90009"),
    "Hamburg": ("40", "66969"),
    "Köln": ("221", "4710"),
    "München": ("89", "99998"),
}

_STREETS = (
    "Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schulstraße", "Dorfstraße", "Bergstraße",
    "Birkenweg", "Lindenstraße", "Kirchstraße", "Waldstraße", "Ringstraße", "Goethestraße",
    "Schillerstraße", "Mühlenweg", "Am Markt", "Rosenweg", "Blumenstraße", "Jahnstraße",
    "Feldstraße", "Wiesenweg", "Poststraße", "Parkstraße", "Uhlandstraße", "Beethovenstraße",
    "Mozartstraße", "Lessingstraße", "Talstraße", "Brückenstraße", "Eichendorffstraße",
    "Friedrich-Ebert-Straße", "Kastanienallee", "Am Sonnenhang", "Fliederweg", "Ahornweg",
    "Marktplatz", "Rathausstraße", "Heinrich-Heine-Straße", "Königstraße", "Grüner Weg",
    "Am Mühlbach", "Lerchenweg", "Tulpenweg", "Gießener Straße", "Münchener Straße",
)  # fmt: skip
_BUSINESS_STREETS = (
    "Industriestraße", "Gewerbestraße", "Am Hafen", "Hafenstraße", "Kaiserstraße",
    "Bahnhofsplatz", "Im Gewerbepark", "Robert-Bosch-Straße", "Carl-Zeiss-Straße",
    "Max-Planck-Straße", "Otto-Hahn-Straße", "Siemensstraße", "Daimlerstraße", "Hauptstraße",
    "Am Technologiepark", "Königsallee", "Neuer Wall", "Theatinerstraße", "Zeil",
)  # fmt: skip

#: Family names, the most frequent first; spelling variants are distinct families here, as
#: they are in life.
_LAST_NAME_LIST = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt",
    "Werner", "Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler",
    "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang",
    "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Schubert", "Vogel", "Friedrich", "Keller",
    "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz", "Baumann", "Franke",
    "Albrecht", "Schuster", "Simon", "Ludwig", "Böhm", "Winter", "Kraus", "Martin", "Schumacher",
    "Krämer", "Vogt", "Stein", "Jäger", "Otto", "Sommer", "Groß", "Seidel", "Heinrich", "Brandt",
    "Haas", "Schreiber", "Graf", "Schulte", "Dietrich", "Ziegler", "Kuhn", "Kühn", "Pohl",
    "Engel", "Horn", "Busch", "Bergmann", "Thomas", "Voigt", "Sauer", "Arnold", "Wolff",
    "Pfeiffer", "Yılmaz", "Kaya", "Nowak", "Kowalski", "Öztürk", "Hübner", "Gärtner", "Süß",
    "Strauß", "Rößler", "Weißenborn", "Nußbaum", "Lüdtke", "Dreßler", "Ebert", "Kühne", "Löffler",
    "Mertens", "Brückner", "Thiele", "Petersen", "Jansen", "Hansen", "Janßen", "Wendt", "Görlitz",
    "Ostermann", "Böttcher", "Schön", "Förster",
)  # fmt: skip
_LAST_NAMES = _Weighted((name, 1 / (rank + 4) ** 0.9) for rank, name in enumerate(_LAST_NAME_LIST))
#: Given names by generation (born before 1965, before 1988, later), the most frequent first.
_FEMALE_NAMES = (
    ("Ursula", "Renate", "Monika", "Karin", "Brigitte", "Gabriele", "Hannelore", "Bärbel",
     "Jutta", "Gisela", "Ilse", "Elke", "Annegret", "Inge", "Heike", "Dörte", "Käthe"),
    ("Sabine", "Petra", "Claudia", "Andrea", "Stefanie", "Birgit", "Susanne", "Nicole",
     "Katharina", "Julia", "Tanja", "Sandra", "Melanie", "Anja", "Silke", "Christina", "Frauke",
     "Wiebke", "Antje", "Ayşe", "Fatma"),
    ("Laura", "Lena", "Anna", "Sophie", "Marie", "Hannah", "Lea", "Julia", "Johanna", "Mia",
     "Emma", "Lilli", "Zoë", "Maren", "Katharina", "Chiara", "Jana"),
)  # fmt: skip
_MALE_NAMES = (
    ("Klaus", "Jürgen", "Wolfgang", "Peter", "Dieter", "Günter", "Horst", "Manfred", "Werner",
     "Hans-Peter", "Karl-Heinz", "Heinz", "Hans-Jürgen", "Uwe", "Bernd", "Gerd", "Rüdiger"),
    ("Thomas", "Michael", "Andreas", "Stefan", "Frank", "Markus", "Christian", "Martin", "Jörg",
     "Matthias", "Ralf", "Sven", "Torsten", "Björn", "Sören", "Jens", "Dirk", "Holger", "Kai",
     "Lars", "Mehmet", "Mustafa"),
    ("Lukas", "Leon", "Felix", "Maximilian", "Paul", "Jonas", "Finn", "Elias", "Ben", "Noah",
     "Jan", "Tim", "Florian", "Niklas", "Moritz", "Jannik", "Can"),
)  # fmt: skip
_FEMALE = tuple(
    _Weighted((name, 1 / (rank + 3) ** 0.8) for rank, name in enumerate(names))
    for names in _FEMALE_NAMES
)
_MALE = tuple(
    _Weighted((name, 1 / (rank + 3) ** 0.8) for rank, name in enumerate(names))
    for names in _MALE_NAMES
)
#: Family names for company names: no two sound alike (Kölner Phonetik), so that generated
#: companies are never duplicates of each other by accident.
_COMPANY_NAMES = (
    "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann", "Bauer", "Richter",
    "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger",
    "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köhler", "Herrmann", "König",
    "Walter", "Huber", "Kaiser", "Fuchs", "Peters", "Scholz", "Jung", "Hahn", "Schubert",
    "Vogel", "Friedrich", "Günther", "Berger", "Winkler", "Roth", "Lorenz", "Baumann",
    "Albrecht", "Schuster", "Böhm", "Winter", "Sommer", "Brandt", "Haas", "Graf", "Dietrich",
    "Ziegler", "Engel", "Busch", "Bergmann", "Voigt", "Sauer", "Arnold", "Pfeiffer",
)  # fmt: skip
_REGIONS = (
    "Hansa", "Nordlicht", "Rheintal", "Elbe", "Isar", "Spree", "Rhön", "Bavaria", "Westfalen",
    "Saxonia", "Alpina", "Nordsee", "Spessart", "Schwarzwald", "Taunus", "Mosel", "Harz",
    "Bodensee", "Eifel", "Allgäu",
)  # fmt: skip
#: Company trade: (word in the name, Branche for Code2, incentive or congress customer often).
_TRADES = (
    ("Maschinenbau", "Maschinenbau", False),
    ("Logistik", "Logistik", False),
    ("Elektrotechnik", "Elektro", False),
    ("Haustechnik", "Handwerk", False),
    ("Bau", "Bau", False),
    ("Immobilien", "Immobilien", False),
    ("Consulting", "Beratung", True),
    ("Software", "IT", True),
    ("Medizintechnik", "Gesundheit", True),
    ("Pharma", "Pharma", True),
    ("Medien", "Medien", True),
    ("Events", "Veranstaltungen", True),
    ("Versicherungsmakler", "Finanzen", False),
    ("Steuerberatung", "Dienstleistung", False),
    ("Autohaus", "Handel", False),
    ("Druckerei", "Handwerk", False),
    ("Bäckerei", "Lebensmittel", False),
    ("Brauerei", "Lebensmittel", True),
)
#: Trades that come first in a name ("Autohaus Krüger"), the others come after it.
_LEADING_TRADES = frozenset({"Autohaus", "Druckerei", "Bäckerei", "Brauerei"})
_LEGAL_FORMS = _Weighted(
    (("GmbH", 50), ("GmbH & Co. KG", 15), ("KG", 8), ("AG", 8), ("e.K.", 12), ("OHG", 4),
     ("UG (haftungsbeschränkt)", 3))
)  # fmt: skip
_AGENCY_WORDS = ("Reisebüro", "Reisecenter", "Reisewelt", "Reiseland", "Urlaubsbüro",
                 "Reisestudio", "Reiseagentur", "Reiselounge")  # fmt: skip
_AGENCY_NAMES = ("Sonnenschein", "Fernweh", "Weltenbummler", "Am Dom", "Am Markt", "Seeblick",
                 "Globetrotter", "Kompass", "Horizont", "Wanderlust", "Rosenhof", "Altstadt",
                 "Sonnenseite", "Inselglück", "Meeresbrise", "Morgenrot")  # fmt: skip
_OPERATOR_WORDS = ("Touristik", "Reisen", "Studienreisen", "Aktivreisen", "Kreuzfahrten",
                   "Busreisen", "Ferienwelt")  # fmt: skip
_COOPERATIONS = ("LCC", "RTK", "QTA", "TSS", "AER", "Best-Reisen")
_BRANCH_SYSTEMS = ("HoLa", "Reiseland", "DERPART", "")
_ACQUIRERS = ("MK", "SB", "TW", "AL", "JH")
_PROSPECT_SOURCES = ("Messe CMT", "Website", "Empfehlung", "Schaufenster", "Reisevortrag")
_EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example", "post.example")

_CATEGORIES_LOYAL = _Weighted((("A", 30), ("B", 35), ("C", 25), ("D", 8), ("", 10)))
_CATEGORIES_WALK_IN = _Weighted((("A", 8), ("B", 25), ("C", 25), ("D", 8), ("", 10)))
_PROSPECT_CATEGORIES = _Weighted(
    (("Aussichtsreich", 30), ("Prospektsammler", 35), ("Last Minute Kunde", 15), ("", 20))
)
_COMPANY_SIZES = _Weighted((("Großkunde", 15), ("Mittelstand", 45), ("Kleinkunde", 40)))
_EXTERNAL = _Weighted(zip(EXTERNAL_CHANNELS, (5, 3, 2), strict=True))
_OWN = _Weighted(zip(OWN_CHANNELS, (40, 42, 18), strict=True))
_PROSPECT_OFFERS = _Weighted(((0, 30), (1, 50), (2, 20)))
_KINDS = _Weighted(
    (
        (CustomerKind.PRIVATE, 68),
        (CustomerKind.CORPORATE, 12),
        (CustomerKind.TRAVEL_AGENCY, 5),
        (CustomerKind.PROSPECT, 15),
    )
)
_MONTHS = _Weighted(
    zip(range(1, 13), (5, 5, 6, 8, 9, 11, 13, 13, 10, 9, 5, 6), strict=True)
)  # fmt: skip

#: Reiseart: the name, the price range per booking of a private customer in EUR, and the
#: weights for leisure (private customers, prospects), business travel (companies),
#: incentives (companies of type VIP/incentive) and groups (travel agencies, tour operators).
_TRAVEL_TYPES: tuple[tuple[str, tuple[int, int], tuple[int, int, int, int]], ...] = (
    ("Pauschalreise", (700, 4200), (40, 4, 30, 30)),
    ("Flug", (120, 1300), (12, 50, 8, 8)),
    ("Hotel", (160, 1600), (10, 40, 6, 6)),
    ("Kreuzfahrt", (1400, 8500), (8, 0, 18, 12)),
    ("Rundreise", (1600, 7500), (7, 2, 26, 16)),
    ("Ferienhaus", (450, 2900), (15, 0, 0, 4)),
    ("Busreise", (280, 1400), (8, 4, 12, 24)),
)
#: Zielgebiete per Reiseart, weighted for departures in summer (April to October) and winter:
#: the Baltic in July, the Canaries and Egypt in January.
_DESTINATIONS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "Pauschalreise": (("Mallorca", 30, 8), ("Türkei", 28, 8), ("Griechenland", 22, 2),
                      ("Kanaren", 6, 30), ("Ägypten", 6, 24), ("Italien", 12, 3),
                      ("Kroatien", 10, 1), ("Tunesien", 5, 4)),
    "Flug": (("Mallorca", 20, 6), ("Türkei", 15, 5), ("Kanaren", 4, 14),
             ("Griechenland", 10, 1), ("Fernreise Asien", 8, 14), ("Nordamerika", 12, 8),
             ("Karibik", 3, 10), ("Europa", 12, 10)),
    "Hotel": (("Ostsee", 14, 4), ("Nordsee", 12, 4), ("Österreich", 8, 14),
              ("Deutschland", 14, 10), ("Europa", 12, 10), ("Italien", 8, 3)),
    "Kreuzfahrt": (("Mittelmeer", 30, 6), ("Nordland", 18, 2), ("Ostsee", 12, 1),
                   ("Karibik", 4, 20), ("Kanaren", 2, 12), ("Fernreise Asien", 2, 8)),
    "Rundreise": (("Fernreise Asien", 10, 16), ("Nordamerika", 16, 4), ("Italien", 12, 4),
                  ("Griechenland", 8, 2), ("Skandinavien", 10, 1), ("Südafrika", 3, 10)),
    "Ferienhaus": (("Ostsee", 30, 6), ("Nordsee", 26, 6), ("Dänemark", 22, 6),
                   ("Österreich", 8, 16), ("Italien", 12, 2), ("Kroatien", 12, 1)),
    "Busreise": (("Österreich", 14, 12), ("Italien", 14, 4), ("Ostsee", 10, 2),
                 ("Deutschland", 16, 14), ("Europa", 12, 10)),
}  # fmt: skip
#: Where companies fly and stay on business, in any season.
_BUSINESS_DESTINATIONS = _Weighted(
    (("Deutschland", 45), ("Europa", 30), ("Nordamerika", 10), ("Fernreise Asien", 8),
     ("Österreich", 7))
)  # fmt: skip
#: The travel segments of :data:`_TRAVEL_TYPES`, and what a booking costs in each compared
#: with a private customer's: several travellers on business, a whole group on an incentive
#: or a tour operator's group booking.
_LEISURE, _BUSINESS, _INCENTIVE, _GROUPS = range(4)
_SEGMENT_PRICE = (1.0, 1.5, 5.0, 2.5)
_TRIP_TYPES = tuple(
    _Weighted((name, float(weights[segment])) for name, _, weights in _TRAVEL_TYPES)
    for segment in range(4)
)
_PRICE_RANGES = {name: prices for name, prices, _ in _TRAVEL_TYPES}
_SEASON_DESTINATIONS = {
    name: (
        _Weighted((place, float(summer)) for place, summer, _ in places),
        _Weighted((place, float(winter)) for place, _, winter in places),
    )
    for name, places in _DESTINATIONS.items()
}
#: Bookings migrated from the previous back office (departures in 2022) often lack their
#: revenue; since then it is recorded for almost every firm booking.
_MIGRATED_UNTIL = date(2022, 12, 31)
_UNRECORDED = {True: 0.2, False: 0.02}

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ı": "i"})


def _ascii(text: str) -> str:
    """Fold a name for an e-mail address or domain: "Jürgen Weiß" -> "juergen weiss"."""
    folded = text.lower().translate(_UMLAUTS)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if ch.isascii() and not unicodedata.combining(ch))


def _slug(text: str) -> str:
    words = "".join(ch if ch.isalnum() else " " for ch in _ascii(text)).split()
    return "-".join(words)


# -- the data set ---------------------------------------------------------------------------------


@attrs.frozen
class PlannedBooking:
    """A booking of the data set, for a customer given by its position in the data set.

    Attributes:
        customer: Index of the customer in :attr:`DemoData.customers`.
        reference: Vorgangsnummer, ``AN-…`` for an offer, ``VG-…`` for a firm booking.
        kind: OFFER or BOOKING.
        departure: Abreisedatum.
        point_of_sale: The agency that sold it.
        channel: The sales channel it came through.
        open_amount: What the customer still owes on it.
        revenue: Umsatz: the price of a firm booking (None where it was not recorded), the
            quoted price of an offer.
        travel_type: Reiseart (Pauschalreise, Flug, Kreuzfahrt ...).
        destination: Zielgebiet (Mallorca, Ostsee, Fernreise Asien ...).
    """

    customer: int
    reference: str
    kind: BookingKind
    departure: date
    point_of_sale: str
    channel: SalesChannel
    open_amount: Decimal = Decimal("0.00")
    revenue: Decimal | None = None
    travel_type: str | None = None
    destination: str | None = None

    def booking(self, number: int) -> Booking:
        """The booking for the customer registered under ``number``."""
        return Booking(
            reference=self.reference,
            customer=number,
            kind=self.kind,
            departure=self.departure,
            point_of_sale=self.point_of_sale,
            channel=self.channel,
            open_amount=self.open_amount,
            revenue=self.revenue,
            travel_type=self.travel_type,
            destination=self.destination,
        )


@attrs.frozen
class Cast:
    """The customers the walkthrough talks about, as indexes into :attr:`DemoData.customers`.

    Attributes:
        templates: Per kind, the template customer (Stammkunde) whose rules others inherit.
        testine: TSmart's eight records "Test, Testine".
        variants: Further duplicate groups spelt differently (Müller/Mueller, Meier/Mayer/Maier,
            Schmidt/Schmitt, Weiß/Weiss, a company with and without its legal form, a travel
            agency with "ü" and "ue").
        eligibility: A customer per anonymization case, by a short English label; the first
            still owes the rest of its holiday home, long departed.
        prospect: A prospect with offers, who books firmly in the walkthrough.
        rules: Companies without own rules, with an own fee schedule, with an own commission
            scheme, by a short English label.
        dunning: A private customer with an overdue open amount of 1.229,50 € (R6's example).
        agency: A travel agency that books firmly in the walkthrough.
        erasure_requests: Customers who asked to be erased, with the day the request came in.
    """

    templates: dict[CustomerKind, int]
    testine: tuple[int, ...]
    variants: tuple[tuple[int, ...], ...]
    eligibility: dict[str, int]
    prospect: int
    rules: dict[str, int]
    dunning: int
    agency: int
    erasure_requests: tuple[tuple[int, date], ...]


@attrs.frozen
class DemoData:
    """The demo data set: customers in registration order, their bookings, the cast.

    Attributes:
        seed: The seed it was made from.
        customers: The drafts, registered in this order (the first gets the lowest number).
        bookings: The booking history, 2022 to the coming year, ordered by reference.
        cast: The customers the walkthrough needs.
        next_sequence: The first free running number for new booking references.
    """

    seed: int
    customers: tuple[NewCustomer, ...]
    bookings: tuple[PlannedBooking, ...]
    cast: Cast
    next_sequence: int

    def reference(self, kind: BookingKind, year: int, offset: int = 0) -> str:
        """A booking reference that the history does not use, ``offset`` after the last one."""
        return _reference(kind, year, self.next_sequence + offset)


def _reference(kind: BookingKind, year: int, sequence: int) -> str:
    prefix = "AN" if kind is BookingKind.OFFER else "VG"
    return f"{prefix}-{year}-{sequence:06d}"


@attrs.define
class _Person:
    """Identity details drawn for one person (private customer or prospect)."""

    salutation: str
    first_name: str
    last_name: str
    birth_date: date


class _Generator:
    """Draws the data set; keeps what must stay unique (birth dates, phones, e-mails, names)."""

    def __init__(self, seed: int) -> None:
        self.draw = _Draw(seed)
        self.places = _Weighted((place, float(weight)) for place, _, weight in _PLACES)
        self.postal_codes = {place: codes for place, codes, _ in _PLACES}
        self.birth_dates: set[date] = set()
        self.phones: set[str] = set()
        self.emails: set[str] = set()
        self.members: set[str] = set()
        self.company_keys: set[str] = set()
        self.sequence = itertools.count(1)

    # -- people ---------------------------------------------------------------------------------

    def birth_date(self, youngest: int = 18, oldest: int = 88) -> date:
        """A birth date no other generated person has.

        Unique birth dates keep people of the same name apart, as they are in life: duplicate
        finding treats a different birth date as a different person, so only the duplicates
        put into the data set on purpose are found.
        """
        first = date(TODAY.year - oldest, 1, 1)
        span = (date(TODAY.year - youngest, 1, 1) - first).days
        while True:
            day = first + timedelta(days=self.draw.below(span))
            if day not in self.birth_dates:
                self.birth_dates.add(day)
                return day

    def person(self) -> _Person:
        female = self.draw.chance(0.52)
        born = self.birth_date()
        generation = 0 if born.year < 1965 else 1 if born.year < 1988 else 2
        first = (_FEMALE if female else _MALE)[generation].pick(self.draw)
        last = _LAST_NAMES.pick(self.draw)
        if self.draw.chance(0.03):
            other = _LAST_NAMES.pick(self.draw)
            if other != last:
                last = f"{last}-{other}"
        salutation = "Frau" if female else "Herr"
        roll = self.draw.unit()
        if roll < 0.005:
            salutation += " Prof. Dr."
        elif roll < 0.045:
            salutation += " Dr."
        return _Person(salutation, first, last, born)

    def place(self) -> tuple[str, str]:
        """Ort and one of its Postleitzahlen."""
        city = self.places.pick(self.draw)
        return city, self.draw.pick(self.postal_codes[city])

    def street(self, business: bool = False) -> str:
        name = self.draw.pick(_BUSINESS_STREETS if business else _STREETS)
        number = str(self.draw.between(1, 140 if business else 120))
        if self.draw.chance(0.08):
            number += self.draw.pick("abc")
        return f"{name} {number}"

    def phone(self, city: str, probability: float) -> str:
        """A never-connected number of the city's Drama Number block, or "" (none left/none)."""
        block = _PHONE_BLOCKS.get(city)
        if block is None or not self.draw.chance(probability):
            return ""
        area, prefix = block
        for _ in range(20):
            line = f"{prefix}{self.draw.below(1000):03d}"
            if line not in self.phones:
                self.phones.add(line)
                break
        else:
            return ""
        if self.draw.chance(0.5):
            return f"+49 {area} {line}"
        return f"0{area} {line[:-3]} {line[-3:]}"

    def email(self, local: str, domain: str | None = None) -> str:
        base = local
        for attempt in itertools.count():
            address = f"{base}@{domain or self.draw.pick(_EMAIL_DOMAINS)}"
            if address not in self.emails:
                self.emails.add(address)
                return address
            base = f"{local}{self.draw.between(1, 99) if attempt < 5 else attempt}"
        raise AssertionError("unreachable")  # pragma: no cover

    def person_email(self, person: _Person) -> str:
        first = _slug(person.first_name).replace("-", "")
        last = _slug(person.last_name)
        local = self.draw.pick((f"{first}.{last}", f"{first[0]}.{last}", f"{last}.{first}"))
        return self.email(local)

    def member_number(self) -> str:
        while True:
            code = f"M-{self.draw.between(100000, 999999)}"
            if code not in self.members:
                self.members.add(code)
                return code

    def company_name(self, name: str) -> bool:
        """Claim a company name; False when one that folds to the same is taken already."""
        key = normalize_name(name)
        if key in self.company_keys:
            return False
        self.company_keys.add(key)
        return True

    # -- customers ------------------------------------------------------------------------------

    def private(self) -> NewCustomer:
        person = self.person()
        city, postal_code = self.place()
        roll = self.draw.unit()
        kind_type = (
            CustomerType.VIP_INCENTIVE
            if roll < 0.03
            else CustomerType.REGULAR
            if roll < 0.33
            else CustomerType.WALK_IN
        )
        loyal = kind_type is not CustomerType.WALK_IN
        category = (_CATEGORIES_LOYAL if loyal else _CATEGORIES_WALK_IN).pick(self.draw)
        status: set[int] = set()
        if loyal and self.draw.chance(0.6):
            status.add(1)
        family = self.draw.unit()
        if family < 0.22:
            status.add(2)
        elif family < 0.55:
            status.add(3)
        if self.draw.chance(0.25 if category == "A" else 0.05):
            status.add(4)
        if self.draw.chance(0.2):
            status.add(5)
        if self.draw.chance(0.08):
            status.add(6)
        return NewCustomer(
            kind=CustomerKind.PRIVATE,
            customer_type=kind_type,
            salutation=person.salutation,
            first_name=person.first_name,
            last_name=person.last_name,
            street=self.street(),
            postal_code=postal_code,
            city=city,
            country="DE",
            email=self.person_email(person) if self.draw.chance(0.8) else "",
            phone=self.phone(city, 0.7),
            birth_date=person.birth_date,
            code1=self.member_number() if self.draw.chance(0.45 if loyal else 0.04) else "",
            category=category or None,
            status=status,
            fee_schedule="Service Privat Premium" if self.draw.chance(0.04) else None,
        )

    def prospect(self) -> NewCustomer:
        person = self.person()
        city, postal_code = self.place()
        status: set[int] = set()
        if self.draw.chance(0.45):
            status.add(1)
        if self.draw.chance(0.15):
            status.add(2)
        category = _PROSPECT_CATEGORIES.pick(self.draw)
        return NewCustomer(
            kind=CustomerKind.PROSPECT,
            customer_type=CustomerType.WALK_IN,
            salutation=person.salutation,
            first_name=person.first_name,
            last_name=person.last_name,
            street=self.street() if self.draw.chance(0.7) else "",
            postal_code=postal_code,
            city=city,
            country="DE",
            email=self.person_email(person) if self.draw.chance(0.9) else "",
            phone=self.phone(city, 0.4),
            birth_date=person.birth_date,
            code1=self.draw.pick(_PROSPECT_SOURCES),
            category=category or None,
            status=status,
        )

    def contact(self, role: str) -> str:
        person = self.person()
        # A contact is no customer: free their birth date for someone else.
        self.birth_dates.discard(person.birth_date)
        return (
            f"Ansprechpartner: {person.salutation} {person.first_name} {person.last_name} ({role})"
        )

    def corporate(self) -> NewCustomer:
        while True:
            trade, branch, incentive = self.draw.pick(_TRADES)
            owner = (
                self.draw.pick(_COMPANY_NAMES)
                if trade in _LEADING_TRADES or self.draw.chance(0.6)
                else self.draw.pick(_REGIONS)
            )
            base = f"{trade} {owner}" if trade in _LEADING_TRADES else f"{owner} {trade}"
            form = "e.K." if trade in ("Bäckerei", "Druckerei") else _LEGAL_FORMS.pick(self.draw)
            name = f"{base} {form}"
            if self.company_name(name):
                break
        city, postal_code = self.place()
        roll = self.draw.unit()
        vip = 0.35 if incentive else 0.05
        kind_type = (
            CustomerType.VIP_INCENTIVE
            if roll < vip
            else CustomerType.REGULAR
            if roll < vip + 0.45
            else CustomerType.WALK_IN
        )
        size = _COMPANY_SIZES.pick(self.draw)
        if size == "Großkunde" and form in ("e.K.", "UG (haftungsbeschränkt)"):
            # A sole trader or a start-up is no major account.
            size = "Kleinkunde"
        status: set[int] = set()
        if self.draw.chance(0.6 if size == "Großkunde" else 0.25):
            status.add(1)
        if self.draw.chance(0.5 if incentive else 0.1):
            status.add(2)
        return NewCustomer(
            kind=CustomerKind.CORPORATE,
            customer_type=kind_type,
            salutation="Firma",
            last_name=name,
            company=name,
            street=self.street(business=True),
            postal_code=postal_code,
            city=city,
            country="DE",
            email=self.email(
                self.draw.pick(("reisestelle", "info", "empfang", "office")),
                f"{_slug(base)}.example",
            ),
            phone=self.phone(city, 0.9),
            code1=self.draw.pick(_ACQUIRERS),
            code2=branch,
            notes=self.contact(self.draw.pick(("Reisestelle", "Assistenz der Geschäftsführung"))),
            category=size,
            status=status,
            commission_scheme="Firmenstaffel Gold" if self.draw.chance(0.1) else None,
            fee_schedule="Firmen-Fee Großkunde"
            if size == "Großkunde" and self.draw.chance(0.5)
            else None,
        )

    def travel_agency(self) -> NewCustomer:
        operator = self.draw.chance(0.4)
        while True:
            if operator:
                owner = self.draw.pick(_REGIONS + _COMPANY_NAMES)
                base = f"{owner} {self.draw.pick(_OPERATOR_WORDS)}"
                form = self.draw.pick(("GmbH", "GmbH & Co. KG", "KG", "AG"))
            else:
                word = self.draw.pick(_AGENCY_WORDS)
                base = f"{word} {self.draw.pick(_AGENCY_NAMES + _COMPANY_NAMES)}"
                form = self.draw.pick(("", "e.K.", "GmbH", "OHG"))
            name = f"{base} {form}".strip()
            if self.company_name(name):
                break
        city, postal_code = self.place()
        kind_type = (
            CustomerType.TOUR_OPERATOR
            if operator
            else CustomerType.REGULAR
            if self.draw.chance(0.65)
            else CustomerType.WALK_IN
        )
        cooperation = not operator and self.draw.chance(0.6)
        status: set[int] = set()
        if self.draw.chance(0.6):
            status.add(1)
        elif self.draw.chance(0.5):
            status.add(2)
        if self.draw.chance(0.4):
            status.add(3)
        return NewCustomer(
            kind=CustomerKind.TRAVEL_AGENCY,
            customer_type=kind_type,
            salutation="Firma",
            last_name=name,
            company=name,
            street=self.street(business=operator),
            postal_code=postal_code,
            city=city,
            country="DE",
            email=self.email(
                self.draw.pick(("info", "buchung", "service")), f"{_slug(base)}.example"
            ),
            phone=self.phone(city, 0.95),
            code1=self.draw.pick(_COOPERATIONS) if cooperation else "",
            code2=self.draw.pick(_BRANCH_SYSTEMS) if cooperation else "",
            notes=self.contact("Inhaber" if not operator else "Vertrieb"),
            category="Kooperation" if cooperation else "Freies Büro",
            status=status,
            commission_scheme="Agenturprovision 12 %" if self.draw.chance(0.2) else None,
        )

    # -- bookings -------------------------------------------------------------------------------

    def departure(self, latest: date) -> date:
        """A departure between the start of the history and ``latest``, weighted by season."""
        while True:
            year = self.draw.between(FIRST_DEPARTURE.year, latest.year)
            month = _MONTHS.pick(self.draw)
            day = date(year, month, self.draw.between(1, 28))
            if FIRST_DEPARTURE <= day <= latest:
                return day

    def trip(self, customer: NewCustomer, departure: date) -> tuple[str, str]:
        """Reiseart and Zielgebiet of a booking, as the customer travels and the season goes."""
        segment = _segment(customer)
        travel_type = _TRIP_TYPES[segment].pick(self.draw)
        if segment == _BUSINESS and travel_type in ("Flug", "Hotel"):
            return travel_type, _BUSINESS_DESTINATIONS.pick(self.draw)
        summer, winter = _SEASON_DESTINATIONS[travel_type]
        return travel_type, (summer if 4 <= departure.month <= 10 else winter).pick(self.draw)

    def price_cents(self, customer: NewCustomer, travel_type: str) -> int:
        """The price of a booking: the travel type's range, scaled for the customer's segment."""
        low, high = _PRICE_RANGES[travel_type]
        factor = _SEGMENT_PRICE[_segment(customer)]
        if customer.kind is CustomerKind.PRIVATE and (
            customer.customer_type is CustomerType.VIP_INCENTIVE
        ):
            factor = 2.5  # VIPs book the better hotels and cabins
        # Prices cluster at the low end, as holiday prices do.
        euros = int(factor * (low + (high - low) * self.draw.unit() ** 2))
        return euros * 100 + self.draw.pick((0, 0, 0, 50, 90, 99))

    def open_cents(self, price: int, departure: date) -> int:
        """OP-Betrag: the rest payment before travel, now and then an overdue amount after."""
        days = (departure - TODAY).days
        if days > 30:
            return price - price // 5  # the 20 % deposit is paid
        if days > 0:
            return price - price // 5 if self.draw.chance(0.15) else 0
        if self.draw.chance(0.04):
            # An unpaid rest: part of the price, the deposit at least was paid.
            return min(price, max(5000, price * self.draw.between(10, 60) // 100))
        return 0

    def revenue_cents(self, kind: BookingKind, price: int, departure: date) -> int | None:
        """The revenue a booking records: its price, or None where nobody recorded it.

        An offer records its quoted price; statistics leave it out, as it is no revenue.
        """
        if kind is BookingKind.BOOKING and self.draw.chance(
            _UNRECORDED[departure <= _MIGRATED_UNTIL]
        ):
            return None
        return price

    def channel(self, customer: NewCustomer) -> SalesChannel:
        roll = self.draw.unit()
        external = 0.1 if customer.kind is CustomerKind.PRIVATE else 0.04
        if roll < external:
            return SalesChannel.external(_EXTERNAL.pick(self.draw))
        return SalesChannel.own(_OWN.pick(self.draw))

    def point_of_sale(self) -> str:
        roll = self.draw.unit()
        return OWN_AGENCY if roll < 0.72 else OTHER_AGENCIES[0] if roll < 0.9 else OTHER_AGENCIES[1]

    def booking(
        self,
        index: int,
        customer: NewCustomer,
        kind: BookingKind,
        departure: date,
        point_of_sale: str | None = None,
        channel: SalesChannel | None = None,
        open_cents: int | None = None,
        trip: tuple[str, str, int] | None = None,
    ) -> PlannedBooking:
        """A booking of customer ``index``; what is not given is drawn.

        Args:
            trip: Reiseart, Zielgebiet and price in cents, for a booking the walkthrough
                tells about; its revenue is always recorded.
        """
        if trip is None:
            travel_type, destination = self.trip(customer, departure)
            price = self.price_cents(customer, travel_type)
            revenue = self.revenue_cents(kind, price, departure)
        else:
            travel_type, destination, price = trip
            revenue = price
        if open_cents is None:
            open_cents = 0 if kind is BookingKind.OFFER else self.open_cents(price, departure)
        return PlannedBooking(
            customer=index,
            reference=_reference(kind, departure.year, next(self.sequence)),
            kind=kind,
            departure=departure,
            point_of_sale=point_of_sale or self.point_of_sale(),
            channel=channel or self.channel(customer),
            open_amount=_euros(open_cents),
            revenue=None if revenue is None else _euros(revenue),
            travel_type=travel_type,
            destination=destination,
        )

    def history(self, index: int, customer: NewCustomer) -> list[PlannedBooking]:
        """The bookings of one customer: how many and what kind depends on kind and type."""
        kind, kind_type = customer.kind, customer.customer_type
        if kind is CustomerKind.PROSPECT:
            # A prospect has never booked firmly (a firm booking would have converted it).
            count = _PROSPECT_OFFERS.pick(self.draw)
            return [
                self.booking(index, customer, BookingKind.OFFER, self.departure(_LATEST))
                for _ in range(count)
            ]
        low, high = {
            (CustomerKind.PRIVATE, CustomerType.WALK_IN): (0, 2),
            (CustomerKind.PRIVATE, CustomerType.REGULAR): (1, 6),
            (CustomerKind.PRIVATE, CustomerType.VIP_INCENTIVE): (2, 8),
            (CustomerKind.CORPORATE, CustomerType.WALK_IN): (1, 3),
            (CustomerKind.CORPORATE, CustomerType.REGULAR): (3, 12),
            (CustomerKind.CORPORATE, CustomerType.VIP_INCENTIVE): (2, 6),
            (CustomerKind.TRAVEL_AGENCY, CustomerType.WALK_IN): (1, 4),
            (CustomerKind.TRAVEL_AGENCY, CustomerType.REGULAR): (3, 10),
            (CustomerKind.TRAVEL_AGENCY, CustomerType.TOUR_OPERATOR): (4, 12),
        }.get((kind, kind_type), (0, 3))
        count = low + int((high - low + 1) * self.draw.unit() ** 1.5)
        return [
            self.booking(
                index,
                customer,
                BookingKind.OFFER if self.draw.chance(0.2) else BookingKind.BOOKING,
                self.departure(_LATEST),
            )
            for _ in range(min(count, high))
        ]


#: The latest departure of the history: trips booked up to almost a year ahead.
_LATEST = TODAY + timedelta(days=330)


def _segment(customer: NewCustomer) -> int:
    """How a customer travels: leisure, business, incentive or group (:data:`_TRAVEL_TYPES`)."""
    if customer.kind is CustomerKind.TRAVEL_AGENCY:
        return _GROUPS
    if customer.kind is CustomerKind.CORPORATE:
        return _INCENTIVE if customer.customer_type is CustomerType.VIP_INCENTIVE else _BUSINESS
    return _LEISURE


def _euros(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


# -- the cast -------------------------------------------------------------------------------------


def _templates() -> dict[CustomerKind, NewCustomer]:
    """One template customer (Stammkunde) per kind, carrying the kind's standard rules."""
    common: dict[str, Any] = {"customer_type": CustomerType.REGULAR, "country": "DE"}
    note = "Vorlage: Provision und Fees gelten für alle {} ohne eigene Regeln"
    return {
        CustomerKind.PRIVATE: NewCustomer(
            kind=CustomerKind.PRIVATE,
            last_name="Musterkunde Privat",
            commission_scheme="Privat Standard",
            fee_schedule="Service Privat",
            notes=note.format("Privatkunden"),
            **common,
        ),
        CustomerKind.CORPORATE: NewCustomer(
            kind=CustomerKind.CORPORATE,
            last_name="Musterfirma Firmenkunden",
            commission_scheme="Firmenstaffel Standard",
            fee_schedule="Firmen-Fee Standard",
            notes=note.format("Firmenkunden"),
            **common,
        ),
        CustomerKind.TRAVEL_AGENCY: NewCustomer(
            kind=CustomerKind.TRAVEL_AGENCY,
            last_name="Musterbüro Reisebüros",
            commission_scheme="Agenturprovision 10 %",
            fee_schedule="Agentur-Fee",
            notes=note.format("Reisebüros"),
            **common,
        ),
        CustomerKind.PROSPECT: NewCustomer(
            kind=CustomerKind.PROSPECT,
            last_name="Muster Interessent",
            fee_schedule="Beratungsentgelt",
            notes=note.format("Interessenten"),
            **common,
        ),
    }


def _variants(gen: _Generator) -> list[list[NewCustomer]]:
    """Duplicate groups spelt differently, as a front office produces them over the years."""
    private = CustomerKind.PRIVATE
    born = gen.birth_date
    mueller, meier, schmidt, weiss = born(), born(), born(), born()
    phone = gen.phone("Köln", 1.0)
    weiss_mail = gen.email("klaus.weiss", "example.net")
    agency_mail = gen.email("info", "reisebuero-sonnenschein.example")
    for name in ("Schneider Maschinenbau GmbH", "Reisebüro Sonnenschein e.K."):
        gen.company_name(name)
    gen.members.add(MEMBER_NUMBER)

    def person(last: str, first: str, **fields: Any) -> NewCustomer:
        return NewCustomer(kind=private, last_name=last, first_name=first, country="DE", **fields)

    return [
        [
            person("Müller", "Jürgen", salutation="Herr", street="Königsallee 1",
                   postal_code="40212", city="Düsseldorf", birth_date=mueller,
                   customer_type=CustomerType.VIP_INCENTIVE, category="A", code1=MEMBER_NUMBER,
                   status={1, 4, 5}),
            person("Mueller", "Juergen", salutation="Herr", street="Koenigsallee 1",
                   postal_code="40212", city="Duesseldorf", birth_date=mueller),
        ],
        [
            person("Meier", "Hans-Peter", salutation="Herr", street="Lindenstraße 7",
                   postal_code="80331", city="München", birth_date=meier, category="B"),
            person("Mayer", "Hans-Peter", salutation="Herr", birth_date=meier,
                   postal_code="80331", city="München"),
            person("Maier", "Hanspeter", birth_date=meier),
        ],
        [
            person("Schmidt", "Karin", salutation="Frau", street="Ringstraße 21",
                   postal_code="50667", city="Köln", phone=phone, birth_date=schmidt,
                   category="C"),
            person("Schmitt", "Karin", salutation="Frau", postal_code="50667", city="Köln",
                   phone="0221 " + phone.replace(" ", "")[-7:], birth_date=schmidt),
        ],
        [
            person("Weiß", "Klaus", salutation="Herr Dr.", street="Goethestraße 3",
                   postal_code="60313", city="Frankfurt am Main", email=weiss_mail,
                   birth_date=weiss),
            person("Dr. Weiss", "Klaus", email=weiss_mail, birth_date=weiss),
        ],
        [
            NewCustomer(kind=CustomerKind.CORPORATE, last_name="Schneider Maschinenbau GmbH",
                        company="Schneider Maschinenbau GmbH", salutation="Firma",
                        street="Industriestraße 12", postal_code="70372", city="Stuttgart",
                        customer_type=CustomerType.REGULAR, category="Großkunde", code1="MK",
                        code2="Maschinenbau", country="DE"),
            NewCustomer(kind=CustomerKind.CORPORATE, last_name="Schneider Maschinenbau",
                        postal_code="70372", city="Stuttgart", code1="SB", country="DE"),
        ],
        [
            NewCustomer(kind=CustomerKind.TRAVEL_AGENCY, last_name="Reisebüro Sonnenschein e.K.",
                        company="Reisebüro Sonnenschein e.K.", salutation="Firma",
                        street="Am Markt 4", postal_code="28195", city="Bremen",
                        customer_type=CustomerType.REGULAR, category="Kooperation",
                        code1="LCC", code2="HoLa", email=agency_mail, country="DE"),
            NewCustomer(kind=CustomerKind.TRAVEL_AGENCY, last_name="Reisebuero Sonnenschein",
                        email=agency_mail, country="DE"),
        ],
    ]  # fmt: skip


def _testine(gen: _Generator) -> list[NewCustomer]:
    """TSmart's eight records "Test, Testine", each entered a little differently."""
    gen.phones.add("23125999")
    gen.emails.add("testine.test@example.org")
    extras: list[dict[str, Any]] = [
        {},
        {"salutation": "Frau"},
        {"city": "Berlin", "postal_code": "10115"},
        {"email": "testine.test@example.org"},
        {"email": "testine.test@example.org", "street": "Hauptstraße 5"},
        {"phone": "+49 30 23125 999"},
        {"city": "Berlin", "postal_code": "10115", "street": "Hauptstraße 5"},
        {"salutation": "Frau", "city": "Berlin"},
    ]
    return [
        NewCustomer(kind=CustomerKind.PRIVATE, last_name="Test", first_name="Testine", **extra)
        for extra in extras
    ]


#: The anonymization cases the walkthrough explains: (label, point of sale, channel, days
#: between departure and today, booking kind).
_ELIGIBILITY_CASES = (
    ("own point of sale, own channel, departed long ago", OWN_AGENCY, "Website", -400, "booking"),
    ("sold by another point of sale (AG2)", "AG2", "Filiale", -400, "booking"),
    ("came through an external channel (Holidu)", OWN_AGENCY, "Holidu", -400, "booking"),
    ("departed 30 days ago", OWN_AGENCY, "Telefon", -30, "booking"),
    ("offers only", "AG2", "Website", 60, "offer"),
)
#: The first case never paid the rest of its holiday home (236,00 € of 1.180,00 €): after its
#: erasure the ledger still holds the amount, and the dunning run must write it no letter.
_UNPAID_REST = (("Ferienhaus", "Ostsee", 118000), 23600)


#: The template customer cases the walkthrough shows, in the order of the cast's companies.
_RULE_CASES = ("no own rules", "own fee schedule", "own commission scheme")


def generate(seed: int, customers: int) -> DemoData:
    """Make the demo data set of ``customers`` customers from ``seed``.

    About 68 % private customers, 12 % companies, 5 % travel agencies and tour operators and
    15 % prospects, with the cast of the walkthrough placed among them, and a booking history
    of offers and firm bookings with departures from 2022 to the coming year, each with its
    travel type, destination and price (the revenue of a firm booking, the quote of an offer).

    Raises:
        ValueError: ``customers`` outside :data:`MIN_CUSTOMERS`..:data:`MAX_CUSTOMERS`.
    """
    if not MIN_CUSTOMERS <= customers <= MAX_CUSTOMERS:
        raise ValueError(f"the demo makes {MIN_CUSTOMERS} to {MAX_CUSTOMERS} customers")
    gen = _Generator(seed)

    templates = _templates()
    variants = _variants(gen)
    testine = _testine(gen)
    eligibility = [
        gen.prospect() if kind == "offer" else gen.private() for *_, kind in _ELIGIBILITY_CASES
    ]
    prospect = attrs.evolve(gen.prospect(), category="Aussichtsreich")
    major = gen.corporate()
    while major.category != "Großkunde":
        major = gen.corporate()
    rules = [
        attrs.evolve(gen.corporate(), commission_scheme=None, fee_schedule=None),
        attrs.evolve(major, commission_scheme=None, fee_schedule="Firmen-Fee Großkunde"),
        attrs.evolve(gen.corporate(), commission_scheme="Firmenstaffel Gold", fee_schedule=None),
    ]
    dunning = attrs.evolve(gen.private(), customer_type=CustomerType.REGULAR, category="B")
    agency = gen.travel_agency()
    while agency.customer_type is not CustomerType.REGULAR:
        agency = gen.travel_agency()
    extras = [prospect, *rules, dunning, agency]
    story = [*(c for group in variants for c in group), *testine, *eligibility, *extras]

    make = {
        CustomerKind.PRIVATE: gen.private,
        CustomerKind.CORPORATE: gen.corporate,
        CustomerKind.TRAVEL_AGENCY: gen.travel_agency,
        CustomerKind.PROSPECT: gen.prospect,
    }
    bulk = [make[_KINDS.pick(gen.draw)]() for _ in range(customers - len(templates) - len(story))]

    # The story's customers were entered over the years: scatter them through the file. The
    # template customers come first, as they are set up with the system.
    slots = list(range(len(bulk) + len(story)))
    gen.draw.shuffle(slots)
    story_slots = dict(zip(sorted(slots[: len(story)]), range(len(story)), strict=True))
    order: list[NewCustomer] = list(templates.values())
    positions: dict[int, int] = {}
    bulk_iter = iter(bulk)
    for slot in range(len(bulk) + len(story)):
        if slot in story_slots:
            positions[story_slots[slot]] = len(order)
            order.append(story[story_slots[slot]])
        else:
            order.append(next(bulk_iter))
    # Jack's example: the 300th customer is a private customer (10000 + 0 + 300 = 10300).
    if order[299].kind is not CustomerKind.PRIVATE:
        # The nearest generated private customer, after it if there is one, else before it.
        nearest = [*range(300, len(order)), *range(298, len(templates) - 1, -1)]
        swap = next(
            i
            for i in nearest
            if order[i].kind is CustomerKind.PRIVATE and i not in positions.values()
        )
        order[299], order[swap] = order[swap], order[299]
        moved = {v: k for k, v in positions.items()}
        if 299 in moved:
            positions[moved[299]] = swap

    def index_of(story_index: int) -> int:
        return positions[story_index]

    cast_templates = {kind: i for i, kind in enumerate(templates)}
    offset = 0
    cast_variants = []
    for group in variants:
        cast_variants.append(tuple(index_of(offset + i) for i in range(len(group))))
        offset += len(group)
    cast_testine = tuple(index_of(offset + i) for i in range(len(testine)))
    offset += len(testine)
    cast_eligibility = {case[0]: index_of(offset + i) for i, case in enumerate(_ELIGIBILITY_CASES)}
    offset += len(_ELIGIBILITY_CASES)
    cast_prospect, *cast_rules, cast_dunning, cast_agency = (
        index_of(offset + i) for i in range(len(extras))
    )

    bookings: list[PlannedBooking] = []
    story_indexes = set(positions.values()) | set(cast_templates.values())
    for index, customer in enumerate(order):
        if index not in story_indexes:
            bookings.extend(gen.history(index, customer))
    bookings.extend(_story_bookings(gen, order, cast_variants, cast_testine))
    for case, ((_label, pos, channel, days, kind), index) in enumerate(
        zip(_ELIGIBILITY_CASES, cast_eligibility.values(), strict=True)
    ):
        sales = (
            SalesChannel.external(channel)
            if channel in EXTERNAL_CHANNELS
            else SalesChannel.own(channel)
        )
        trip, open_cents = _UNPAID_REST if case == 0 else (None, 0)
        bookings.append(
            gen.booking(
                index,
                order[index],
                BookingKind(kind),
                TODAY + timedelta(days=days),
                pos,
                sales,
                open_cents=open_cents,
                trip=trip,
            )
        )
    # R6's example: 1.229,50 € open, half the price of a package holiday to Turkey.
    bookings.append(
        gen.booking(
            cast_dunning,
            order[cast_dunning],
            BookingKind.BOOKING,
            TODAY - timedelta(days=95),
            OWN_AGENCY,
            SalesChannel.own("Filiale"),
            open_cents=122950,
            trip=("Pauschalreise", "Türkei", 245900),
        )
    )
    for index in (*cast_rules, cast_agency):
        bookings.extend(gen.history(index, order[index]))
    for days in (120, 150):
        bookings.append(
            gen.booking(
                cast_prospect,
                order[cast_prospect],
                BookingKind.OFFER,
                TODAY + timedelta(days=days),
                OWN_AGENCY,
                SalesChannel.own("Website"),
            )
        )
    bookings.sort(key=lambda b: b.reference)

    # About one customer in 150 asked to be erased in the last four weeks (so no answer is late
    # yet); the eligibility cases asked too, so every state of a request shows.
    erasure: list[tuple[int, date]] = [
        (index, TODAY - timedelta(days=3 + i)) for i, index in enumerate(cast_eligibility.values())
    ]
    candidates = [
        i
        for i, c in enumerate(order)
        if c.kind in (CustomerKind.PRIVATE, CustomerKind.PROSPECT) and i not in story_indexes
    ]
    for _ in range(max(3, customers // 150)):
        index = gen.draw.pick(candidates)
        if all(index != e[0] for e in erasure):
            erasure.append((index, TODAY - timedelta(days=gen.draw.between(1, 28))))

    return DemoData(
        seed=seed,
        customers=tuple(order),
        bookings=tuple(bookings),
        cast=Cast(
            templates=cast_templates,
            testine=cast_testine,
            variants=tuple(cast_variants),
            eligibility=cast_eligibility,
            prospect=cast_prospect,
            rules=dict(zip(_RULE_CASES, cast_rules, strict=True)),
            dunning=cast_dunning,
            agency=cast_agency,
            erasure_requests=tuple(erasure),
        ),
        next_sequence=next(gen.sequence),
    )


def _story_bookings(
    gen: _Generator,
    order: Sequence[NewCustomer],
    variants: Sequence[tuple[int, ...]],
    testine: tuple[int, ...],
) -> list[PlannedBooking]:
    """Bookings of the duplicates: each record booked, so a merge has bookings to move."""
    found: list[PlannedBooking] = []
    for n, index in enumerate(testine):
        found.append(
            gen.booking(
                index,
                order[index],
                BookingKind.BOOKING,
                date(2023, 6, 1) + timedelta(days=61 * n),
                OWN_AGENCY,
                SalesChannel.own(OWN_CHANNELS[n % len(OWN_CHANNELS)]),
                open_cents=0,
            )
        )
    for group in variants:
        for index in group:
            found.append(
                gen.booking(index, order[index], BookingKind.BOOKING, gen.departure(_LATEST))
            )
    return found
