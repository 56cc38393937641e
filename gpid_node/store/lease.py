"""The right to do one job on a database that only one process may do at a time: the outbox worker.

Two outbox workers on one database would both send the entries they find pending (two transactions
for one write: the second is refused by the registry and its entry marked failed, though the write is
on chain). Every process that opens the node runs a worker (``serve``, ``dev``, and a CLI command such
as ``gpid-node import`` run while the node runs), so the worker first takes this lease; a worker that
cannot stands by, and the holder sends every entry, whichever process recorded it.

On SQLite it is a lock on a file beside the database (``flock``), on PostgreSQL a session-level
advisory lock on a connection of its own: the kernel or the server releases it when its holder dies,
so a killed node never leaves it taken.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from gpid_node.store.database import Store, outage_as_unavailable, sqlite_side_file

_TRY_LOCK = text("SELECT pg_try_advisory_lock(:key)")
_UNLOCK = text("SELECT pg_advisory_unlock(:key)")


def _advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (advisory locks are numbered, per database)."""
    return int.from_bytes(hashlib.sha256(f"gpid-node {name}".encode()).digest()[:8], "big", signed=True)


def lock_file(path: Path) -> int | None:
    """An exclusive lock on ``path`` (created if missing), taken without waiting: the open file
    descriptor that holds it (closing it, or the process ending, releases it), or None when another
    holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


class Lease:
    """Held by at most one process (and one object) at a time; ``acquire`` never waits."""

    def __init__(self, store: Store, name: str) -> None:
        self.name = name
        self._engine = store.engine
        self._dialect = store.engine.dialect.name
        self._file = sqlite_side_file(store.url, name) if self._dialect == "sqlite" else None
        self._fd: int | None = None
        self._connection: Connection | None = None
        self.held = False

    def acquire(self) -> bool:
        """Takes the lease if no one holds it; True when this object holds it."""
        if self.held:
            return True
        if self._dialect == "postgresql":
            with outage_as_unavailable():
                self.held = self._acquire_advisory()
        elif self._file is not None:
            self._fd = lock_file(self._file)
            self.held = self._fd is not None
        else:  # a database in memory: only this process can reach it
            self.held = True
        return self.held

    def _acquire_advisory(self) -> bool:
        connection = self._engine.connect()
        try:
            taken = bool(connection.execute(_TRY_LOCK, {"key": _advisory_key(self.name)}).scalar())
            connection.commit()  # the lock belongs to the session, not to this transaction
        except BaseException:
            connection.close()
            raise
        if not taken:
            connection.close()
            return False
        self._connection = connection
        return True

    def check(self) -> bool:
        """Whether the lease is still held. A PostgreSQL lease dies with its connection (a restarted
        server, a broken network): then it is given up, and must be taken again before working."""
        if self.held and self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                self._connection.commit()
            except DBAPIError:
                self._forget_connection()
                self.held = False
        return self.held

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the file releases its lock
            self._fd = None
        if self._connection is not None:
            try:
                self._connection.execute(_UNLOCK, {"key": _advisory_key(self.name)})
                self._connection.commit()
            except DBAPIError:
                pass  # the connection is gone, and the lock with it
            self._forget_connection()
        self.held = False

    def _forget_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.invalidate()  # never back into the pool: it may still hold the lock
            except DBAPIError:
                pass
