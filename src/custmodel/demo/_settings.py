"""The demo's settings: Jack's per-kind parameters, the dunning letter and its data file."""

from __future__ import annotations

from decimal import Decimal

from custmodel.model import CustomerKind, KindSettings, Settings

#: Customers registered per transaction, bookings imported per transaction.
_CUSTOMER_BATCH = 500
_BOOKING_BATCH = 2000

#: The dunning run's letter (Zahlungserinnerung): address block, greeting, the amounts (R6).
DUNNING_LETTER = """{Kunde-Anrede}
{Kunde-Vorname} {Kunde-Name}
{Kunde-Strasse}
{Kunde-PLZ} {Kunde-Ort}

Zahlungserinnerung, Kundenkonto {Kunde-Debitorkonto}

{Kunde-Briefanrede},

für Ihre Reise ist noch ein Betrag von {OP-Betrag} offen. Bitte überweisen Sie ihn
zuzüglich der Mahngebühr von {Kunde-Mahngebühr}, zusammen {OP-Betrag+Mahngebühr},
innerhalb von 14 Tagen.

Mit freundlichen Grüßen
Ihr Reisebüro"""
#: The name of the dunning run's mail-merge data file in ``run(letters_dir=...)``.
MERGE_DATA_FILE = "mahnlauf.csv"
#: Its columns: who, where, and the amounts.
_MERGE_DATA_FIELDS = (
    "Kunde-Nummer",
    "Kunde-Debitorkonto",
    "Kunde-Anrede",
    "Kunde-Briefanrede",
    "Kunde-Vorname",
    "Kunde-Name",
    "Kunde-Strasse",
    "Kunde-PLZ",
    "Kunde-Ort",
    "OP-Betrag",
    "Kunde-Mahngebühr",
    "OP-Betrag+Mahngebühr",
)


def demo_settings() -> Settings:
    """Per-kind parameters as Jack's manual suggests them."""
    return Settings(
        debtor_base=10000,
        anonymization_delay_days=42,
        kinds={
            CustomerKind.PRIVATE: KindSettings(
                categories=("A", "B", "C", "D"),
                status_labels={
                    1: "VIP / Stammkunden",
                    2: "Single",
                    3: "Familie",
                    4: "Luxusurlaub",
                    5: "Individuelle Reisen",
                    6: "Weihnachtskarte",
                },
                code1_label="Mitgliedsnummer",
                dunning_fee=Decimal("5.00"),
                deposit_prompt=True,
            ),
            CustomerKind.CORPORATE: KindSettings(
                categories=("Großkunde", "Mittelstand", "Kleinkunde"),
                status_labels={1: "Reiserichtlinien vorhanden", 2: "Incentivepotential"},
                code1_label="Akquisiteur",
                code2_label="Branche",
                debtor_offset=50000,
                dunning_fee=Decimal("10.00"),
                deposit_prompt=True,
            ),
            CustomerKind.TRAVEL_AGENCY: KindSettings(
                categories=("Kooperation", "Freies Büro"),
                status_labels={1: "Problemlos", 2: "Aufwendig", 3: "Zahlt sofort"},
                code1_label="Kooperation",
                code2_label="Filialsystem",
                debtor_offset=70000,
            ),
            CustomerKind.PROSPECT: KindSettings(
                categories=("Aussichtsreich", "Prospektsammler", "Last Minute Kunde"),
                status_labels={1: "Mailing zuschicken", 2: "Interesse Kreuzfahrt"},
                code1_label="Quelle",
                debtor_offset=90000,
                renumber_on_kind_change=True,
            ),
        },
    )
