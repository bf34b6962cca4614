"""Alembic's environment: runs migrations on the engine p2pdesk hands it."""

from __future__ import annotations

from alembic import context

from p2pdesk.store.db import make_engine, schema_held
from p2pdesk.store.models import Base

config = context.config
engine = config.attributes.get("engine") or make_engine(config.get_main_option("sqlalchemy.url"))

with engine.connect() as connection, schema_held(connection):
    # Another desk may have brought the schema up to date while this one waited: Alembic reads the
    # revision only now, and finds nothing left to do.
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
