"""The demo's data set, under the name it had before :mod:`custmodel.demo` became a package.

Kept for code that imports it; the data set is made in :mod:`custmodel.demo._dataset` now.
"""

from custmodel.demo._bookings import PlannedBooking
from custmodel.demo._constants import MEMBER_NUMBER, TODAY
from custmodel.demo._dataset import DemoData, generate
from custmodel.demo._people import _PHONE_BLOCKS, _PLACES

__all__ = [
    "MEMBER_NUMBER",
    "TODAY",
    "_PHONE_BLOCKS",
    "_PLACES",
    "DemoData",
    "PlannedBooking",
    "generate",
]
