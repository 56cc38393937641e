"""Fixtures of the store tests: fresh, migrated index databases on SQLite and on PostgreSQL.

Every test gets its own database (a file on SQLite, a new database on PostgreSQL, dropped after
the test), so tests never see each other's rows, also when other suites share the server.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from gpid_node.services.indexer import Indexer
from gpid_node.store import queries
from gpid_node.store.database import Store
from gpid_node.store.tables import ChainCursor
from support.requirements import POSTGRES_URL, require_postgres

StoreFactory = Callable[[], Store]


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An autocommit connection to the PostgreSQL server, to create and drop test databases."""
    require_postgres(POSTGRES_URL)
    engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def make_store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[StoreFactory]:
    """Makes fresh, migrated index databases of the parametrized backend; all are dropped afterwards."""
    stores: list[Store] = []
    databases: list[str] = []
    admin: Engine | None = request.getfixturevalue("postgres_admin") if request.param == "postgresql" else None

    def make() -> Store:
        if admin is None:
            url = f"sqlite:///{tmp_path / f'index-{len(stores)}.sqlite3'}"
        else:
            name = f"gpid_store_test_{uuid.uuid4().hex[:16]}"
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            databases.append(name)
            url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        store = Store(url)
        store.migrate()
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.dispose()
    if admin is not None:
        with admin.connect() as connection:
            for name in databases:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def store(make_store: StoreFactory) -> Store:
    """A fresh, migrated, empty index database."""
    return make_store()


@pytest.fixture
def indexer_for(registry: Any) -> Callable[..., Indexer]:
    """Makes an indexer of the test registry over a store, starting at the registry's deployment block."""

    def make(store: Store, **options: Any) -> Indexer:
        return Indexer(store, registry.client, start_block=registry.deployment.block, **options)

    return make


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).isoformat()
    return value


def index_content(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every row of the chain-derived tables, surrogate ids left out, in a stable order; and the cursor's block."""
    content: dict[str, list[dict[str, Any]]] = {}
    with store.session() as session:
        for model in queries.CHAIN_TABLES:
            table = model.__table__
            columns = [c for c in table.columns if c.name != "id"]
            rows = session.execute(select(*columns)).mappings().all()
            plain = [{k: _plain(v) for k, v in row.items()} for row in rows]
            content[table.name] = sorted(plain, key=lambda r: repr(sorted(r.items())))
        cursor = session.get(ChainCursor, 1)
        content["chain_cursor"] = [] if cursor is None else [
            {"registry_address": cursor.registry_address, "block_number": cursor.block_number, "block_hash": cursor.block_hash}
        ]
    return content


@pytest.fixture
def content() -> Callable[[Store], dict[str, list[dict[str, Any]]]]:
    """index_content, as a fixture (test modules do not import conftest)."""
    return index_content


def assert_same_index(live: Store, fresh: Store) -> None:
    """Two indexes of the same chain hold the same rows.

    ``indexed_blocks`` also records where each sync stopped, which differs between the two; there
    the indexes must agree on the hash of every block both recorded, and both must have recorded
    every block that holds an indexed event.
    """
    ours, theirs = index_content(live), index_content(fresh)
    live_blocks = {b["number"]: b["hash"] for b in ours.pop("indexed_blocks")}
    fresh_blocks = {b["number"]: b["hash"] for b in theirs.pop("indexed_blocks")}
    assert ours == theirs
    assert all(live_blocks[n] == h for n, h in fresh_blocks.items() if n in live_blocks)
    with_events = {row["block_number"] for name, rows in ours.items() if name != "chain_cursor" for row in rows if "block_number" in row}
    with_events |= {row["registered_block"] for row in ours["key_data_sets"]}
    assert with_events <= live_blocks.keys() and with_events <= fresh_blocks.keys()


@pytest.fixture
def same_index() -> Callable[[Store, Store], None]:
    """assert_same_index, as a fixture."""
    return assert_same_index
