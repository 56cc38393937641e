"""API keys: bearer tokens bound to a role and an account, stored as SHA-256 only, revocable.

A key reads ``gpid_<key id>.<secret>``. The key id is public (it names the key in logs and in
``keys list``); the secret is shown once at creation and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from gpid_node.domain.access import Principal, Role
from gpid_node.domain.addresses import checksum, is_address
from gpid_node.domain.errors import FieldProblem, NotFound, ValidationFailed
from gpid_node.store import api_keys
from gpid_node.store.database import Store
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
        raise ValidationFailed([FieldProblem("role", f"{role!r} is not a role; use one of {', '.join(Role)}")]) from None
    if not is_address(account):
        raise ValidationFailed([FieldProblem("account", f"{account!r} is not an Ethereum address")])
    if role == Role.CUSTOMS and not (country and len(country) == 2 and country.isalpha()):
        raise ValidationFailed([FieldProblem("country", "a Customs key needs the two-letter country of its administration")])
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(24)
    api_keys.add(
        session, key_id=key_id, secret_hash=_hash(secret), role=role.value, account=checksum(account),
        name=name, trader_id=trader_id, country=country.upper() if country else None, created_at=datetime.now(UTC),
    )  # fmt: skip
    return f"{PREFIX}{key_id}.{secret}"


def authenticate(reader: Connection | Session, token: str) -> Principal | None:
    """The principal a bearer token stands for; None for a malformed, unknown or revoked key."""
    if not token.startswith(PREFIX) or "." not in token:
        return None
    key_id, _, secret = token[len(PREFIX) :].partition(".")
    row = api_keys.credentials_of(reader, key_id)
    expected = row.secret_hash if row is not None else _hash("no such key")
    matches = hmac.compare_digest(expected, _hash(secret))
    if row is None or not matches or row.revoked_at is not None:
        return None
    return Principal(
        role=Role(row.role), account=row.account, trader_id=row.trader_id, country=row.country,
        key_id=row.key_id, name=row.name,
    )  # fmt: skip


def revoke_key(session: Session, key_id: str) -> None:
    row = api_keys.row_of(session, key_id.removeprefix(PREFIX).split(".")[0])
    if row is None:
        raise NotFound(f"no API key {key_id}: `gpid-node keys list` shows the keys")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)


def list_keys(session: Session) -> list[ApiKeyRow]:
    return api_keys.all_keys(session)


def issue_key_once(
    store: Store, role: str, account: str, *, name: str | None, trader_id: str | None, country: str | None
) -> dict[str, Any]:
    """Creates the participant's API key, unless the store holds a valid one for the account and role
    (then it names that one): running the onboarding again issues no second key."""
    with store.session() as session:
        existing = [k for k in list_keys(session) if k.account == account and k.role == role and k.revoked_at is None]
        if existing:
            return {"api_key": None, "api_key_id": existing[0].key_id,
                    "api_key_note": "this node holds a valid key for the account already; `gpid-node keys create` makes another"}  # fmt: skip
        key = create_key(session, role, account, name=name, trader_id=trader_id, country=country)
    return {"api_key": key, "api_key_id": key.removeprefix(PREFIX).split(".")[0]}


def revoke_account_keys(store: Store, account: str) -> list[dict[str, Any]]:
    """Revokes every valid API key of the account; the keys revoked (id and role)."""
    revoked = []
    with store.session() as session:
        for row in list_keys(session):
            if row.account == account and row.revoked_at is None:
                revoke_key(session, row.key_id)
                revoked.append({"key_id": row.key_id, "role": row.role})
    return revoked
