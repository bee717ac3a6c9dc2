"""Storage: the port every store implements, and the stores that ship with custmodel.

:class:`custmodel.storage.memory.MemoryStore` keeps everything in the process. The SQL store
lives in ``custmodel.storage.sql`` and is imported only when asked for, so that the rest of
custmodel never imports SQLAlchemy.
"""

from custmodel.storage.ports import CustomerStore, SettingsLock, StoreTransaction

__all__ = ["CustomerStore", "SettingsLock", "StoreTransaction"]
