"""The demo's people and companies: names, addresses, phones, e-mails, and their drafts.

The data is fictitious but plausible, and harmless to publish: e-mail addresses use the domains
reserved for examples (RFC 2606: ``example.com``/``.org``/``.net`` and ``*.example``), phone
numbers come from the blocks the Bundesnetzagentur keeps free for films and books ("Drama
Numbers": Berlin 030 23125 xxx, Frankfurt 069 90009 xxx, Hamburg 040 66969 xxx, Köln 0221
4710 xxx, München 089 99998 xxx), so only customers in those five cities have a phone, and
postal codes are real pairs of Postleitzahl and Ort.
"""

from __future__ import annotations

import itertools
import unicodedata
from datetime import date, timedelta
from typing import Any

import attrs

from custmodel.dedupe import normalize_name
from custmodel.demo._constants import TODAY
from custmodel.demo._draw import _Draw, _Weighted
from custmodel.model import CustomerKind, CustomerType, NewCustomer

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

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ı": "i"})


def _ascii(text: str) -> str:
    """Fold a name for an e-mail address or domain: "Jürgen Weiß" -> "juergen weiss"."""
    folded = text.lower().translate(_UMLAUTS)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if ch.isascii() and not unicodedata.combining(ch))


def _slug(text: str) -> str:
    words = "".join(ch if ch.isalnum() else " " for ch in _ascii(text)).split()
    return "-".join(words)


@attrs.define
class _Person:
    """Identity details drawn for one person (private customer or prospect)."""

    salutation: str
    first_name: str
    last_name: str
    birth_date: date


#: A city and one of its postal codes.
_Place = tuple[str, str]


def _customer_in_germany(
    kind: CustomerKind, kind_type: CustomerType, place: _Place, **fields: Any
) -> NewCustomer:
    """The draft of a customer at ``place`` (city, postal code) in Germany."""
    city, postal_code = place
    return NewCustomer(
        kind=kind,
        customer_type=kind_type,
        postal_code=postal_code,
        city=city,
        country="DE",
        **fields,
    )


def _person_customer(
    kind: CustomerKind, kind_type: CustomerType, person: _Person, place: _Place, **fields: Any
) -> NewCustomer:
    """The draft of ``person`` at ``place`` (city, postal code) in Germany."""
    return _customer_in_germany(
        kind,
        kind_type,
        place,
        salutation=person.salutation,
        first_name=person.first_name,
        last_name=person.last_name,
        birth_date=person.birth_date,
        **fields,
    )


def _firm_customer(
    kind: CustomerKind, kind_type: CustomerType, name: str, place: _Place, **fields: Any
) -> NewCustomer:
    """The draft of the firm ``name`` at ``place`` (city, postal code) in Germany."""
    return _customer_in_germany(
        kind, kind_type, place, salutation="Firma", last_name=name, company=name, **fields
    )


class _People:
    """Draws people and companies; keeps what must stay unique (birth dates, phones, names)."""

    def __init__(self, draw: _Draw) -> None:
        self.draw = draw
        self.places = _Weighted((place, float(weight)) for place, _, weight in _PLACES)
        self.postal_codes = {place: codes for place, codes, _ in _PLACES}
        self.birth_dates: set[date] = set()
        self.phones: set[str] = set()
        self.emails: set[str] = set()
        self.members: set[str] = set()
        self.company_keys: set[str] = set()

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

    def place(self) -> _Place:
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

    def flags(self, chances: dict[int, float]) -> set[int]:
        """Status flags, each drawn with its chance, in the order of ``chances``."""
        return {flag for flag, chance in chances.items() if self.draw.chance(chance)}

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
        status |= self.flags({4: 0.25 if category == "A" else 0.05, 5: 0.2, 6: 0.08})
        return _person_customer(
            CustomerKind.PRIVATE,
            kind_type,
            person,
            (city, postal_code),
            street=self.street(),
            email=self.person_email(person) if self.draw.chance(0.8) else "",
            phone=self.phone(city, 0.7),
            code1=self.member_number() if self.draw.chance(0.45 if loyal else 0.04) else "",
            category=category or None,
            status=status,
            fee_schedule="Service Privat Premium" if self.draw.chance(0.04) else None,
        )

    def prospect(self) -> NewCustomer:
        person = self.person()
        city, postal_code = self.place()
        status = self.flags({1: 0.45, 2: 0.15})
        category = _PROSPECT_CATEGORIES.pick(self.draw)
        return _person_customer(
            CustomerKind.PROSPECT,
            CustomerType.WALK_IN,
            person,
            (city, postal_code),
            street=self.street() if self.draw.chance(0.7) else "",
            email=self.person_email(person) if self.draw.chance(0.9) else "",
            phone=self.phone(city, 0.4),
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
        status = self.flags({1: 0.6 if size == "Großkunde" else 0.25, 2: 0.5 if incentive else 0.1})
        return _firm_customer(
            CustomerKind.CORPORATE,
            kind_type,
            name,
            (city, postal_code),
            street=self.street(business=True),
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
        status |= self.flags({3: 0.4})
        return _firm_customer(
            CustomerKind.TRAVEL_AGENCY,
            kind_type,
            name,
            (city, postal_code),
            street=self.street(business=operator),
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
