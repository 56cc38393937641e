"""Queries over the index tables of the rights concept (migration 0003): who receives a GPID's content
key at registration, grants, mandates, published encryption keys, and the GPID's own content key.

The tables are histories, one row per event in chain order (``block_number``, ``log_index``): the
state now is the newest row per key. Each function takes an open session and reads only; accounts
are compared checksummed, keys as ``0x`` + lower-case hex, as the index keeps them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpid_node.store.queries import _account, _all, _key, _utc
from gpid_node.store.tables import (
    CustomsAccountRow,
    EncryptionKeyRow,
    GrantRow,
    KeyDataSetRow,
    MandateRow,
    TraderBindingRow,
    hex_bytes,
)

__all__ = [
    "ContentKey",
    "GrantState",
    "MandateState",
    "PublishedKey",
    "active_mandate",
    "bound_accounts",
    "content_key",
    "current_keys",
    "customs_accounts",
    "grant_state",
    "grants_of",
    "mandated_agents",
    "mandates_of",
    "published_keys",
]


@dataclass(frozen=True)
class PublishedKey:
    """An account's current encryption key as published on chain."""

    account: str
    public_key: bytes
    key_id: bytes


@dataclass(frozen=True)
class GrantState:
    """One grantee's grant for one GPID, as its newest events leave it."""

    grantee: str
    granter: str
    active: bool
    granted_at: datetime
    revoked_at: datetime | None
    transaction: str
    wrapped_key: str | None


@dataclass(frozen=True)
class MandateState:
    """An active standing mandate of a trader for an agent and a direction, since when."""

    agent: str
    direction: str
    since: datetime
    transaction: str


@dataclass(frozen=True)
class ContentKey:
    """What the index knows of a GPID's confidentiality: its format, and (when this node opened it)
    its content key and seed."""

    format: int
    content_key: bytes | None
    seed: bytes | None


def _newest(rows: Iterable[Any], key: Any) -> dict[Any, Any]:
    """The newest row per key of rows given in chain order."""
    newest: dict[Any, Any] = {}
    for row in rows:
        newest[key(row)] = row
    return newest


def bound_accounts(session: Session, trader_key_hex: str) -> list[str]:
    """The accounts bound now to the trader key (the newest binding event of each account binds it)."""
    accounts = select(TraderBindingRow.account).where(TraderBindingRow.trader_key == _key(trader_key_hex))
    rows = _all(session, select(TraderBindingRow).where(TraderBindingRow.account.in_(accounts))
                .order_by(TraderBindingRow.block_number, TraderBindingRow.log_index, TraderBindingRow.id))  # fmt: skip
    newest = _newest(rows, lambda r: r.account)
    return sorted(a for a, r in newest.items() if r.bound and r.trader_key == _key(trader_key_hex))


def customs_accounts(session: Session, country: str) -> list[str]:
    """The Customs accounts acting now for ``country`` (the newest ``CustomsCountrySet`` of each)."""
    accounts = select(CustomsAccountRow.account).where(CustomsAccountRow.country == country)
    rows = _all(session, select(CustomsAccountRow).where(CustomsAccountRow.account.in_(accounts))
                .order_by(CustomsAccountRow.block_number, CustomsAccountRow.log_index, CustomsAccountRow.id))  # fmt: skip
    newest = _newest(rows, lambda r: r.account)
    return sorted(a for a, r in newest.items() if r.country == country)


def _mandate_rows(session: Session, trader_key_hex: str) -> dict[tuple[str, str], MandateRow]:
    rows = _all(session, select(MandateRow).where(MandateRow.trader_key == _key(trader_key_hex))
                .order_by(MandateRow.block_number, MandateRow.log_index, MandateRow.id))  # fmt: skip
    return _newest(rows, lambda r: (r.agent, r.direction))


def mandates_of(session: Session, trader_key_hex: str) -> list[MandateState]:
    """The trader's active mandates, by agent and direction."""
    newest = _mandate_rows(session, trader_key_hex)
    return [MandateState(r.agent, r.direction, _utc(r.time), r.transaction_hash)
            for (_, _), r in sorted(newest.items()) if r.active]  # fmt: skip


def mandated_agents(session: Session, trader_key_hex: str) -> list[str]:
    """The agents holding an active mandate (either direction) of the trader."""
    return sorted({m.agent for m in mandates_of(session, trader_key_hex)})


def active_mandate(session: Session, trader_key_hex: str, agent: str, direction: str) -> bool:
    """Whether ``agent`` holds an active mandate of the trader for ``direction`` (export | import)."""
    row = _mandate_rows(session, trader_key_hex).get((_account(agent) or "", direction))
    return row is not None and row.active


def current_keys(session: Session, accounts: Iterable[str]) -> dict[str, PublishedKey]:
    """The current (newest) published encryption key of each account that has one."""
    wanted = sorted({a for a in (_account(x) for x in accounts) if a})
    if not wanted:
        return {}
    rows = _all(session, select(EncryptionKeyRow).where(EncryptionKeyRow.account.in_(wanted))
                .order_by(EncryptionKeyRow.block_number, EncryptionKeyRow.log_index, EncryptionKeyRow.id))  # fmt: skip
    newest = _newest(rows, lambda r: r.account)
    return {a: PublishedKey(a, hex_bytes(r.public_key) or b"", hex_bytes(r.key_id) or b"") for a, r in newest.items()}


def published_keys(session: Session, accounts: Iterable[str] | None = None, up_to_block: int | None = None) -> dict[str, list[bytes]]:
    """Every encryption key each account has published (``accounts``, or every account), oldest first,
    old ones included (a registration's recipients compute its hints against each key its issuer
    published); ``up_to_block`` leaves out the keys published after that block."""
    statement = select(EncryptionKeyRow.account, EncryptionKeyRow.public_key)
    if accounts is not None:
        wanted = sorted({a for a in (_account(x) for x in accounts) if a})
        if not wanted:
            return {}
        statement = statement.where(EncryptionKeyRow.account.in_(wanted))
    if up_to_block is not None:
        statement = statement.where(EncryptionKeyRow.block_number <= up_to_block)
    statement = statement.order_by(EncryptionKeyRow.block_number, EncryptionKeyRow.log_index, EncryptionKeyRow.id)
    published: dict[str, list[bytes]] = {}
    for account, public_key in session.execute(statement):
        key = hex_bytes(public_key) or b""
        if key not in published.setdefault(account, []):
            published[account].append(key)
    return published


def _grant_rows(session: Session, gpid_hex: str, grantee: str | None = None) -> list[GrantRow]:
    statement = select(GrantRow).where(GrantRow.gpid == _key(gpid_hex))
    if grantee is not None:
        statement = statement.where(GrantRow.grantee == _account(grantee))
    return _all(session, statement.order_by(GrantRow.block_number, GrantRow.log_index, GrantRow.id))


def _states(rows: list[GrantRow]) -> dict[str, GrantState]:
    states: dict[str, GrantState] = {}
    for row in rows:
        before = states.get(row.grantee)
        if row.active:
            states[row.grantee] = GrantState(row.grantee, row.granter, True, _utc(row.time), None,
                                             row.transaction_hash, row.wrapped_key)  # fmt: skip
        elif before is not None:
            states[row.grantee] = GrantState(before.grantee, before.granter, False, before.granted_at, _utc(row.time),
                                             before.transaction, before.wrapped_key)  # fmt: skip
    return states


def grant_state(session: Session, gpid_hex: str, grantee: str) -> GrantState | None:
    """The grant of ``grantee`` for the GPID (active or revoked), or None if it never had one."""
    return _states(_grant_rows(session, gpid_hex, grantee)).get(_account(grantee) or "")


def grants_of(session: Session, gpid_hex: str) -> list[GrantState]:
    """Every grant ever made for the GPID (one per grantee, its newest state), oldest grant first."""
    return sorted(_states(_grant_rows(session, gpid_hex)).values(), key=lambda g: g.granted_at)


def content_key(session: Session, gpid_hex: str) -> ContentKey | None:
    """The GPID's format and, when this node holds them, its content key and seed; None if not indexed."""
    row = session.execute(
        select(KeyDataSetRow.format, KeyDataSetRow.content_key, KeyDataSetRow.seed).where(KeyDataSetRow.gpid == _key(gpid_hex))
    ).first()
    if row is None:
        return None
    return ContentKey(int(row.format or 1), hex_bytes(row.content_key), hex_bytes(row.seed))
