"""The demo's data set, under the name it had before :mod:`custmodel.demo` became a package.

Kept for code that imports it; the data set is made in :mod:`custmodel.demo._dataset` now.
"""

from custmodel.demo._dataset import (
    EXTERNAL_CHANNELS,
    FIRST_DEPARTURE,
    MAX_CUSTOMERS,
    MEMBER_NUMBER,
    MIN_CUSTOMERS,
    OTHER_AGENCIES,
    OWN_AGENCY,
    OWN_CHANNELS,
    TODAY,
    Cast,
    DemoData,
    PlannedBooking,
    generate,
)
from custmodel.demo._people import _PHONE_BLOCKS, _PLACES

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
    "_PHONE_BLOCKS",
    "_PLACES",
    "Cast",
    "DemoData",
    "PlannedBooking",
    "generate",
]
