"""The API keys table: add a key, find one by its public id, list them. Only SHA-256 hashes of the
secrets are stored; hashing, checking and revoking are :mod:`gpid_node.services.credentials`'s."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Row, bindparam, select
from sqlalchemy.orm import Session

from gpid_node.store.tables import ApiKeyRow

__all__ = ["add", "all_keys", "credentials_of", "id_of", "row_of"]

# Built once (SQLAlchemy reuses its compiled form): what authenticating a bearer token needs.
_CREDENTIALS = select(
    ApiKeyRow.key_id, ApiKeyRow.secret_hash, ApiKeyRow.role, ApiKeyRow.account, ApiKeyRow.trader_id,
    ApiKeyRow.country, ApiKeyRow.name, ApiKeyRow.revoked_at,
).where(ApiKeyRow.key_id == bindparam("key_id"))  # fmt: skip


def add(
    session: Session, *, key_id: str, secret_hash: str, role: str, account: str, name: str | None,
    trader_id: str | None, country: str | None, created_at: datetime,
) -> None:  # fmt: skip
    """Adds a key in the caller's transaction."""
    session.add(ApiKeyRow(key_id=key_id, secret_hash=secret_hash, role=role, account=account, name=name,
                          trader_id=trader_id, country=country, created_at=created_at, revoked_at=None))  # fmt: skip
    session.flush()


def credentials_of(
    reader: Connection | Session, key_id: str
) -> Row[str, str, str, str, str | None, str | None, str | None, datetime | None] | None:
    """The stored hash, role, account, trader ID, country, name and revocation time of a key."""
    return reader.execute(_CREDENTIALS, {"key_id": key_id}).first()


def row_of(session: Session, key_id: str) -> ApiKeyRow | None:
    """The key with this public id (to change it in the caller's transaction), or None."""
    return session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_id == key_id))


def id_of(session: Session, key_id: str) -> int | None:
    """The row id of the key with this public id (what idempotency keys belong to), or None."""
    return session.scalar(select(ApiKeyRow.id).where(ApiKeyRow.key_id == key_id))


def all_keys(session: Session) -> list[ApiKeyRow]:
    """Every key, revoked ones included, oldest first."""
    return list(session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.id)))
