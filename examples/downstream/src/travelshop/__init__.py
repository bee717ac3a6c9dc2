"""travelshop: an example application that keeps its customers with custmodel.

It brings its own customer store, :class:`travelshop.jsonstore.JsonFileStore`, and a little
code of its own, :func:`travelshop.letters.salutation_line`; its tests prove both with
custmodel's testing kit.
"""

from travelshop.jsonstore import JsonFileStore
from travelshop.letters import salutation_line

__all__ = ["JsonFileStore", "salutation_line"]
