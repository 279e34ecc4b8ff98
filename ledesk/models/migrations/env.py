"""Alembic environment: runs against the connection LE Desk hands it (see models/migrate.py)."""

from alembic import context

from ledesk.models.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `ledesk init` (models.migrate.upgrade)")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
