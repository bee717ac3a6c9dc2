"""The manuals' scenarios, played on a realistic data set and printed for a person to read.

:func:`run` makes a German demo data set from a seed (a few thousand private customers,
companies, travel agencies and prospects with an offer and booking history since 2022, see
:mod:`custmodel.demo._dataset`), registers it in a store and walks through what the manuals
describe: debtor accounts, "Status setzen", Code1 search, a customer's profile under its kind's
labels, the template customer, dunning fields, the deposit prompt, a prospect's conversion,
finding and merging duplicates, GDPR erasure, revenue statistics and a dunning run with
mail-merge letters.

``python -m custmodel demo`` runs it on a new SQLite file, ``--db URL`` on any other store.
Every step uses the public API (:class:`~custmodel.CustomerBook`, and the store's own
transactions for the bulk import of the booking history), so the code doubles as a tour of it.
The same seed prints the same report: the story has a fixed "today" and a fixed clock.

The package's private modules, in the order a reader meets them: ``_story`` (:func:`run` and
the walkthrough's order), ``_master_data`` and ``_processes`` (its chapters), ``_report`` (how
the report reads), ``_settings`` (the settings, letter and data file the story uses), and for
the data set ``_dataset`` (:func:`~custmodel.demo._dataset.generate`), ``_cast`` (the
customers the story talks about), ``_people`` (names, addresses, phones, e-mails),
``_bookings`` (the booking history) and ``_draw`` (seeded random choices).
"""

from custmodel.demo._constants import OWN_AGENCY
from custmodel.demo._settings import DUNNING_LETTER, MERGE_DATA_FILE, demo_settings
from custmodel.demo._story import DEFAULT_CUSTOMERS, DEFAULT_SEED, Track, run

__all__ = [
    "DEFAULT_CUSTOMERS",
    "DEFAULT_SEED",
    "DUNNING_LETTER",
    "MERGE_DATA_FILE",
    "OWN_AGENCY",
    "Track",
    "demo_settings",
    "run",
]
