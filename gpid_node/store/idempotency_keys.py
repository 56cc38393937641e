"""The idempotency keys table: one row per (API key, Idempotency-Key), holding the request's hash and,
once answered, the answer. The rules (reserve, replay, refuse a reused key) are the API's
(:mod:`gpid_node.api.idempotency`); these are its statements, each in the caller's transaction.

Retention: a key is kept so that a retry gets the first answer; a client retries within minutes, so
after the node's retention (``GPID_IDEMPOTENCY_RETENTION_S``, a day by default) the row only grows
the table. :func:`purge_expired` deletes in bounded batches, each its own short transaction, so it
never holds SQLite's one write turn (or PostgreSQL's locks on many rows) for long while requests wait.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from gpid_node.store.database import Store
from gpid_node.store.tables import IdempotencyKeyRow

__all__ = ["add", "find", "get", "purge_expired", "remove"]

BATCH = 500
MAX_BATCHES = 20  # at most 10,000 rows a call; the next call goes on where this one stopped

_EXPIRED = (
    select(IdempotencyKeyRow.id)
    .where(IdempotencyKeyRow.created_at < bindparam("before"))
    .order_by(IdempotencyKeyRow.created_at)
    .limit(bindparam("batch"))
)
_PURGE = delete(IdempotencyKeyRow).where(IdempotencyKeyRow.id.in_(_EXPIRED.scalar_subquery()))


def find(session: Session, api_key_id: int, key: str) -> IdempotencyKeyRow | None:
    """The row of this API key's Idempotency-Key, or None."""
    return session.scalar(
        select(IdempotencyKeyRow).where(IdempotencyKeyRow.api_key_id == api_key_id, IdempotencyKeyRow.key == key)
    )


def add(session: Session, api_key_id: int, key: str, request_hash: str, created_at: datetime) -> int:
    """Reserves a key (an IntegrityError when another request reserved it first); its row id."""
    row = IdempotencyKeyRow(api_key_id=api_key_id, key=key, request_hash=request_hash, created_at=created_at)
    session.add(row)
    session.flush()
    return row.id


def get(session: Session, row_id: int) -> IdempotencyKeyRow | None:
    """A row by id (to keep its answer in the caller's transaction), or None."""
    return session.get(IdempotencyKeyRow, row_id)


def remove(session: Session, row_id: int) -> None:
    """Frees a key (its request failed before it could answer)."""
    session.execute(delete(IdempotencyKeyRow).where(IdempotencyKeyRow.id == row_id))


def purge_expired(store: Store, before: datetime, batch: int = BATCH, max_batches: int = MAX_BATCHES) -> int:
    """Deletes the keys created before ``before``, ``batch`` rows a transaction; returns how many."""
    purged = 0
    for _ in range(max_batches):
        with store.session() as session:
            result = session.execute(_PURGE, {"before": before, "batch": batch}, execution_options={"synchronize_session": False})
            deleted = int(result.rowcount)  # type: ignore[attr-defined]
        purged += deleted
        if deleted < batch:
            break
    return purged
