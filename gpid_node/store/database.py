"""The engine and sessions: SQLite (WAL, in the data folder) by default, PostgreSQL by URL."""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError, InterfaceError
from sqlalchemy.orm import Session, sessionmaker

from gpid_node.domain.errors import StoreUnavailable

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'index.sqlite3').resolve()}"


BUSY_TIMEOUT_S = 10.0  # how long a write waits for another writer before the store is "unavailable"
CHECKPOINT_EVERY_S = 1.0  # how often a store's own thread copies the WAL into the database file
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")  # the statements that open a transaction in sqlite3


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    # No checkpoint inside a commit: it copies the WAL into the database file and syncs it (1 to 270 ms
    # on a virtual disk) while the committing writer, and every writer queued behind it, waits. The
    # store's checkpoint thread does it instead (see Store).
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()


class _WriteQueueCursor(sqlite3.Cursor):
    """Takes its connection's turn to write before a statement that opens a write transaction."""

    connection: _WriteQueueConnection

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        self.connection.before(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            self.connection.after()

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        self.connection.before(sql)
        try:
            return super().executemany(sql, parameters)
        finally:
            self.connection.after()


class _WriteQueueConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions queue on a lock shared by the process's connections.

    SQLite lets one transaction write at a time; a second writer is told "busy" and its busy handler
    sleeps and retries (1, 2, 5, 10 ... 100 ms), so under concurrent writes most of the time went into
    those sleeps. Here a writer of this process waits on a lock instead, taken before the statement that
    opens its transaction and given back when the transaction ends: the next writer starts the moment
    the previous one commits. Writers in other processes still meet SQLite's own busy handling, and a
    writer that waits longer than ``BUSY_TIMEOUT_S`` gets SQLite's own "database is locked" error.
    """

    write_turn: threading.Lock  # set on the subclass made for each engine (one lock per database)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._has_turn = False

    def cursor(self, factory: Any = _WriteQueueCursor) -> sqlite3.Cursor:  # type: ignore[override]
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        return self.cursor().executemany(sql, parameters)

    def before(self, sql: str) -> None:
        if self._has_turn or not sql.lstrip()[:7].upper().startswith(_WRITES):
            return
        if not self.write_turn.acquire(timeout=BUSY_TIMEOUT_S):
            raise sqlite3.OperationalError("database is locked (another writer of this node held it too long)")
        self._has_turn = True

    def after(self) -> None:
        if self._has_turn and not self.in_transaction:  # autocommit, or the statement failed before BEGIN
            self._end_turn()

    def _end_turn(self) -> None:
        if self._has_turn:
            self._has_turn = False
            self.write_turn.release()

    def commit(self) -> None:
        self._ending(super().commit)

    def rollback(self) -> None:
        self._ending(super().rollback)

    def _ending(self, end: Any) -> None:
        try:
            end()
        finally:
            if not self.in_transaction:
                self._end_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._end_turn()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # A pool as large as the node's busiest moment (HTTP worker threads, outbox, indexer): a
        # connection opened beyond it is closed again after use, and opening one costs a schema read.
        connection_class = type("SQLiteConnection", (_WriteQueueConnection,), {"write_turn": threading.Lock()})
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_S, "factory": connection_class},
            pool_size=48,
            max_overflow=16,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: Engine) -> None:
    """Brings the schema to the newest migration (idempotent)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Store:
    """The node's database: an engine, a session factory, and a guard that turns outages into errors."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._disposed = threading.Event()
        if self.engine.dialect.name == "sqlite":
            threading.Thread(
                target=_checkpoint_while_in_use, args=(weakref.ref(self), self._disposed), name="gpid-checkpoint", daemon=True
            ).start()

    def migrate(self) -> None:
        try:
            migrate(self.engine)
        except (OperationalError, InterfaceError) as exc:
            raise StoreUnavailable(f"the index database cannot be reached: {exc.orig}") from exc

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed at the end, rolled back on any error."""
        try:
            with self._sessions.begin() as session:
                yield session
        except (OperationalError, InterfaceError) as exc:
            raise StoreUnavailable(f"the index database cannot be reached: {exc.orig}") from exc

    def dispose(self) -> None:
        self._disposed.set()
        self.engine.dispose()

    def checkpoint(self) -> None:
        """Copies what the SQLite WAL holds into the database file, without waiting for (or holding up)
        readers and writers: a frame a reader still needs is copied at a later checkpoint."""
        with self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")


def _checkpoint_while_in_use(store: weakref.ref[Store], disposed: threading.Event) -> None:
    """A SQLite store's checkpoints, every CHECKPOINT_EVERY_S until it is disposed or forgotten."""
    while not disposed.wait(CHECKPOINT_EVERY_S):
        current = store()
        if current is None:
            return
        try:
            current.checkpoint()
        except Exception:  # noqa: BLE001 - a locked or vanished file: the next round tries again
            pass
        del current
