"""The demo's fixed facts: the story's today, its agencies and channels, the data set's size."""

from __future__ import annotations

from datetime import date

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
