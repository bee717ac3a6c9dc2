"""custmodel's own Alembic migrations; :meth:`custmodel.storage.sql.SqlStore.upgrade` runs them.

They keep their history in the table ``custmodel_alembic_version``, so they live beside a host
application's own Alembic history in the same database.
"""
