"""Storage: the port every store implements, and the stores that ship with custmodel.

:class:`custmodel.storage.memory.MemoryStore` keeps everything in the process. The SQL store
lives in ``custmodel.storage.sql`` and is imported only when asked for, so that the rest of
custmodel never imports SQLAlchemy.
"""

from custmodel._entrycheck import candidate_lookups, customer_lookups
from custmodel.storage.ports import CustomerStore, SettingsLock, StoreTransaction

# ``candidate_lookups`` and ``customer_lookups`` say what ``duplicate_candidates`` compares:
# a store without a query language answers it with them, as the memory store does.
__all__ = [
    "CustomerStore",
    "SettingsLock",
    "StoreTransaction",
    "candidate_lookups",
    "customer_lookups",
]
