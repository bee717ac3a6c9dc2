"""custmodel: customer master data for travel-agency and tour-operator back offices.

Start with :class:`CustomerBook` over a store::

    >>> from custmodel import CustomerBook, CustomerKind, MemoryStore, Settings
    >>> book = CustomerBook(MemoryStore(), Settings())
    >>> book.register(kind=CustomerKind.PRIVATE, last_name="Test", first_name="Testine").number
    1
"""

from custmodel import errors, letters, model, rules
from custmodel._entrycheck import DuplicateMode, Registration
from custmodel._marks import DistinctMark
from custmodel.book import CustomerBook, utc_now
from custmodel.errors import *  # noqa: F403 (every error, as custmodel.errors lists them)
from custmodel.letters import LetterRun, LetterTemplate

# Every domain type, as the modules of custmodel.model list them.
from custmodel.model._access import *  # noqa: F403
from custmodel.model._booking import *  # noqa: F403
from custmodel.model._channels import *  # noqa: F403
from custmodel.model._checks import *  # noqa: F403
from custmodel.model._customer import *  # noqa: F403
from custmodel.model._erasure import *  # noqa: F403
from custmodel.model._flags import *  # noqa: F403
from custmodel.model._history import *  # noqa: F403
from custmodel.model._kinds import *  # noqa: F403
from custmodel.model._marketing import *  # noqa: F403
from custmodel.model._merge import *  # noqa: F403
from custmodel.model._profile import *  # noqa: F403
from custmodel.model._requests import *  # noqa: F403
from custmodel.model._retention import *  # noqa: F403
from custmodel.model._selection import *  # noqa: F403
from custmodel.model._settings import *  # noqa: F403
from custmodel.model._statistics import *  # noqa: F403
from custmodel.storage import CustomerStore, StoreTransaction
from custmodel.storage.factory import open_store
from custmodel.storage.memory import MemoryStore

__all__ = [
    "CustomerBook",
    "CustomerStore",
    "DistinctMark",
    "DuplicateMode",
    "LetterRun",
    "LetterTemplate",
    "MemoryStore",
    "Registration",
    "StoreTransaction",
    "__version__",
    "letters",
    "open_store",
    "rules",
    "utc_now",
]
__all__ += errors.__all__
__all__ += model.__all__

__version__ = "0.1.0.dev0"
