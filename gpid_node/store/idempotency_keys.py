"""The idempotency keys table: one row per (API key, Idempotency-Key), holding the request's hash and,
once answered, the answer. The rules (reserve, replay, refuse a reused key) are the API's
(:mod:`gpid_node.api.idempotency`); these are its statements, each in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gpid_node.store.tables import IdempotencyKeyRow

__all__ = ["add", "find", "get", "remove"]


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
