"""Retention of ``idempotency_keys``: the answers kept for retries are purged once they are old.

A key is kept so that a retry gets the first answer; a client retries within minutes, so after the
node's retention (``GPID_IDEMPOTENCY_RETENTION_S``, a day by default) the row only grows the table.
The purge deletes in bounded batches, each its own short transaction, so it never holds SQLite's
one write turn (or PostgreSQL's locks on many rows) for long while requests wait.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select

from gpid_node.store.database import Store
from gpid_node.store.tables import IdempotencyKeyRow

BATCH = 500
MAX_BATCHES = 20  # at most 10,000 rows a call; the next call goes on where this one stopped

_EXPIRED = (
    select(IdempotencyKeyRow.id)
    .where(IdempotencyKeyRow.created_at < bindparam("before"))
    .order_by(IdempotencyKeyRow.created_at)
    .limit(bindparam("batch"))
)
_PURGE = delete(IdempotencyKeyRow).where(IdempotencyKeyRow.id.in_(_EXPIRED.scalar_subquery()))


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
