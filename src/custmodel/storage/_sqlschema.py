"""The SQL store's tables under their old module name, kept for code that imports it.

They live in ``custmodel.storage.sql._schema`` now.
"""

from custmodel.storage.sql._schema import *  # noqa: F403 - the old name re-exports every table
from custmodel.storage.sql._schema import __all__ as __all__
