"""Retention of idempotency keys, on SQLite and PostgreSQL: expired keys go, in bounded batches; live keys stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select

from gpid_node.store.database import Store
from gpid_node.store.idempotency_keys import purge_expired
from gpid_node.store.tables import Base, IdempotencyKeyRow

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def add_keys(store: Store, prefix: str, created_at: datetime, count: int) -> None:
    with store.session() as session:
        session.add_all(
            IdempotencyKeyRow(api_key_id=1, key=f"{prefix}-{i}", request_hash="0" * 64, status_code=201,
                              response={"headers": {}, "body": "{}"}, created_at=created_at)
            for i in range(count)
        )


def keys_left(store: Store) -> set[str]:
    with store.session() as session:
        return set(session.scalars(select(IdempotencyKeyRow.key)))


def test_expired_keys_are_purged_and_live_keys_stay(store: Store) -> None:
    add_keys(store, "old", NOW - timedelta(days=2), 7)
    add_keys(store, "edge", NOW - timedelta(days=1), 1)  # created exactly at the cutoff: still live
    add_keys(store, "new", NOW - timedelta(minutes=5), 3)

    purged = purge_expired(store, before=NOW - timedelta(days=1), batch=3)

    assert purged == 7
    assert keys_left(store) == {"edge-0", "new-0", "new-1", "new-2"}


def test_a_purge_stops_after_its_batches_and_the_next_goes_on(store: Store) -> None:
    add_keys(store, "old", NOW - timedelta(days=2), 5)
    add_keys(store, "new", NOW, 1)

    assert purge_expired(store, before=NOW - timedelta(days=1), batch=2, max_batches=1) == 2
    assert len(keys_left(store)) == 4
    assert purge_expired(store, before=NOW - timedelta(days=1), batch=2, max_batches=5) == 3
    assert keys_left(store) == {"new-0"}
    assert purge_expired(store, before=NOW - timedelta(days=1)) == 0


def test_the_migrations_give_the_tables_schema_with_the_purges_index(store: Store) -> None:
    indexes = {ix["name"]: ix["column_names"] for ix in inspect(store.engine).get_indexes("idempotency_keys")}
    assert indexes.get("ix_idempotency_keys_created_at") == ["created_at"]
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
