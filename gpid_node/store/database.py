"""The engine and sessions: SQLite (WAL, in the data folder) by default, PostgreSQL by URL."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Self

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from gpid_node.domain.errors import StoreUnavailable

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'index.sqlite3').resolve()}"


BUSY_TIMEOUT_S = 10.0  # how long a write waits for another writer before the store is "unavailable"
FILE_LOCK_PAUSE_S = 0.002  # the longest pause between two tries of another process's write lock
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

    def execute(self, sql: str, parameters: Any = (), /) -> Self:
        self.connection.before(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            self.connection.after()

    def executemany(self, sql: str, parameters: Any, /) -> Self:
        self.connection.before(sql)
        try:
            return super().executemany(sql, parameters)
        finally:
            self.connection.after()


class WriteTurn:
    """One SQLite writer at a time across the node's threads and processes (the API process, its
    engine process, a CLI command), handed over the moment the previous writer is done.

    SQLite lets one transaction write at a time; a second writer is told "busy" and its busy handler
    sleeps and retries (1, 2, 5, 10 ... 100 ms), so under concurrent writes most of the time went into
    those sleeps. Here a thread lock queues the writers of this process, and a lock on a file beside
    the database (``flock``) queues the processes: only the one writer of a process that is next
    waits for the file, retrying every ``FILE_LOCK_PAUSE_S`` at most. A writer still waiting after
    ``BUSY_TIMEOUT_S`` gets SQLite's own "database is locked" error (the store is unavailable).
    """

    def __init__(self, lock_file: Path | None) -> None:
        self._threads = threading.Lock()
        self._lock_file = lock_file
        self._fd: int | None = None

    def acquire(self) -> None:
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        if not self._threads.acquire(timeout=BUSY_TIMEOUT_S):
            raise sqlite3.OperationalError("database is locked (another writer of this node held it too long)") from None
        if self._lock_file is None:
            return
        try:
            if self._fd is None:
                self._fd = os.open(self._lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            pause = FILE_LOCK_PAUSE_S / 8
            while True:
                try:
                    fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise sqlite3.OperationalError("database is locked (another process of this node held it too long)") from None
                    time.sleep(pause)
                    pause = min(pause * 2, FILE_LOCK_PAUSE_S)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()

    def close(self) -> None:
        with self._threads:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


class _WriteQueueConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions take the database's :class:`WriteTurn`: before the
    statement that opens the transaction, given back when the transaction ends."""

    write_turn: WriteTurn  # set on the subclass made for each engine (one per database)

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
        self.write_turn.acquire()
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


def sqlite_side_file(url: str, suffix: str) -> Path | None:
    """A file beside a SQLite database (``index.sqlite3-<suffix>``), for a lock; None for one in memory.
    ``-writers`` queues the writers of every process (WriteTurn), ``-outbox`` is the outbox worker's
    lease (:mod:`gpid_node.store.lease`)."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(f"{database}-{suffix}")


def make_engine(url: str, write_turn: WriteTurn | None) -> Engine:
    """The engine for ``url``; a SQLite one's write transactions take ``write_turn``."""
    if url.startswith("sqlite"):
        assert write_turn is not None, "a SQLite engine needs its write turn"
        # A pool as large as the node's busiest moment (HTTP worker threads, outbox, indexer): a
        # connection opened beyond it is closed again after use, and opening one costs a schema read.
        connection_class = type("SQLiteConnection", (_WriteQueueConnection,), {"write_turn": write_turn})
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
    """Brings the schema to the newest migration (idempotent), all of it in one transaction: a process
    killed while migrating leaves the schema as it was, never half made."""
    url = engine.url.render_as_string(hide_password=False)
    config = alembic_config(url)
    migrating = _transactional_sqlite_engine(url) if engine.dialect.name == "sqlite" else engine
    try:
        with migrating.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        if migrating is not engine:
            migrating.dispose()


def _transactional_sqlite_engine(url: str) -> Engine:
    """A SQLite engine whose transactions hold DDL too. Python's sqlite3 opens a transaction only before
    INSERT, UPDATE and DELETE, so a migration's CREATE TABLEs commit one by one, and a kill between two
    of them left tables without the migration's stamp ("table api_keys already exists" at the next
    start). SQLAlchemy's recipe: the driver's own transaction handling off, BEGIN emitted here."""
    migrating = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S}, poolclass=NullPool)

    @event.listens_for(migrating, "connect")
    def _driver_autocommit(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(migrating, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return migrating


@contextmanager
def outage_as_unavailable() -> Iterator[None]:
    """A database that cannot be reached (or stays locked) raised as the domain's StoreUnavailable."""
    try:
        yield
    except (OperationalError, InterfaceError) as exc:
        raise StoreUnavailable(f"the index database cannot be reached: {exc.orig}") from exc


class Store:
    """The node's database: an engine, a session factory, and a guard that turns outages into errors."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._write_turn = WriteTurn(sqlite_side_file(url, "writers")) if url.startswith("sqlite") else None
        self.engine = make_engine(url, self._write_turn)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._disposed = threading.Event()
        if self.is_local_file:
            threading.Thread(
                target=_checkpoint_while_in_use, args=(weakref.ref(self), self._disposed), name="gpid-checkpoint", daemon=True
            ).start()

    def migrate(self) -> None:
        with outage_as_unavailable():
            migrate(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed at the end, rolled back on any error."""
        with outage_as_unavailable(), self._sessions.begin() as session:
            yield session

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in one transaction, for a few plain statements: committed at the end, rolled
        back on any error."""
        with outage_as_unavailable(), self.engine.begin() as connection:
            yield connection

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A connection for a few plain reads (no ORM session, which costs as much as a short read)."""
        with outage_as_unavailable(), self.engine.connect() as connection:
            yield connection

    def ping(self) -> None:
        """One round trip in a session, as every request makes it: raises when the database cannot be used."""
        with self.session() as session:
            session.execute(text("SELECT 1"))

    @property
    def is_local_file(self) -> bool:
        """Whether the database is a file on this machine (SQLite): a short read of it costs about what
        handing it to another thread costs, and in WAL mode a read never waits for a writer."""
        return self.engine.dialect.name == "sqlite"

    def dispose(self) -> None:
        self._disposed.set()
        self.engine.dispose()
        if self._write_turn is not None:
            self._write_turn.close()

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
        with suppress(Exception):
            current.checkpoint()
        del current
