"""API keys: bearer tokens bound to a role and an account, stored as SHA-256 only, revocable.

A key reads ``gpid_<key id>.<secret>``. The key id is public (it names the key in logs and in
``keys list``); the secret is shown once at creation and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from gpid_node.domain.access import Principal, Role
from gpid_node.domain.addresses import checksum, is_address
from gpid_node.domain.errors import FieldProblem, NotFound, ValidationFailed
from gpid_node.store.tables import ApiKeyRow

PREFIX = "gpid_"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_key(
    session: Session,
    role: Role | str,
    account: str,
    *,
    name: str | None = None,
    trader_id: str | None = None,
    country: str | None = None,
) -> str:
    """Creates a key and returns it in full (the only time it is seen)."""
    try:
        role = Role(role)
    except ValueError:
        raise ValidationFailed([FieldProblem("role", f"{role!r} is not a role; use one of {', '.join(Role)}")])
    if not is_address(account):
        raise ValidationFailed([FieldProblem("account", f"{account!r} is not an Ethereum address")])
    if role == Role.CUSTOMS and not (country and len(country) == 2 and country.isalpha()):
        raise ValidationFailed([FieldProblem("country", "a Customs key needs the two-letter country of its administration")])
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(24)
    session.add(
        ApiKeyRow(
            key_id=key_id,
            secret_hash=_hash(secret),
            role=role.value,
            account=checksum(account),
            name=name,
            trader_id=trader_id,
            country=country.upper() if country else None,
            created_at=datetime.now(UTC),
            revoked_at=None,
        )
    )
    session.flush()
    return f"{PREFIX}{key_id}.{secret}"


_KEY_BY_ID = select(
    ApiKeyRow.key_id, ApiKeyRow.secret_hash, ApiKeyRow.role, ApiKeyRow.account, ApiKeyRow.trader_id,
    ApiKeyRow.country, ApiKeyRow.name, ApiKeyRow.revoked_at,
).where(ApiKeyRow.key_id == bindparam("key_id"))  # fmt: skip


def authenticate(reader: Connection | Session, token: str) -> Principal | None:
    """The principal a bearer token stands for; None for a malformed, unknown or revoked key."""
    if not token.startswith(PREFIX) or "." not in token:
        return None
    key_id, _, secret = token[len(PREFIX) :].partition(".")
    row = reader.execute(_KEY_BY_ID, {"key_id": key_id}).first()
    expected = row.secret_hash if row is not None else _hash("no such key")
    matches = hmac.compare_digest(expected, _hash(secret))
    if row is None or not matches or row.revoked_at is not None:
        return None
    return Principal(
        role=Role(row.role), account=row.account, trader_id=row.trader_id, country=row.country,
        key_id=row.key_id, name=row.name,
    )  # fmt: skip


def revoke_key(session: Session, key_id: str) -> None:
    row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_id == key_id.removeprefix(PREFIX).split(".")[0]))
    if row is None:
        raise NotFound(f"no API key {key_id}: `gpid-node keys list` shows the keys")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)


def list_keys(session: Session) -> list[ApiKeyRow]:
    return list(session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.id)))
