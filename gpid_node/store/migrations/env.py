"""Alembic environment: runs on the connection the node hands over (or on the configured URL)."""

from __future__ import annotations

from alembic import context
from alembic.util import CommandError
from sqlalchemy import create_engine

from gpid_node.store.tables import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise CommandError("no database to migrate: set sqlalchemy.url in the Alembic configuration, or hand over a connection")
    engine = create_engine(url)
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
