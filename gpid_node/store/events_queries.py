"""The event feed's reads: the index's history rows (versions, declaration links, verifications,
grants) in chain order after a position, limited to the key data sets a caller may read.

An event's position is its log's place on chain, ``(block_number, log_index)``: the same on every
node that indexed the same chain, so a feed cursor means the same on each. Who may read which GPID
is :func:`gpid_node.store.queries.visible_filter` (the one read rule of ``domain/access.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from gpid_node.store.queries import _utc, visible_filter
from gpid_node.store.tables import DeclarationLinkRow, GrantRow, KeyDataSetRow, VerificationRow, VersionRow

__all__ = ["AMENDED", "EVENT_TYPES", "GRANTED", "LINKED", "REGISTERED", "VERIFIED", "Caller", "IndexedEvent", "events_after", "last_position"]

REGISTERED, AMENDED = "key_data_set.registered", "key_data_set.amended"
LINKED, VERIFIED, GRANTED = "declaration.linked", "verification.recorded", "access.granted"
EVENT_TYPES: tuple[str, ...] = (REGISTERED, AMENDED, LINKED, VERIFIED, GRANTED)


@dataclass(frozen=True)
class Caller:
    """Whose read rule filters the feed: the fields of a principal that ``visible_filter`` takes."""

    role: str
    account: str | None
    trader_id: str | None
    country: str | None


@dataclass(frozen=True)
class IndexedEvent:
    """One event as the index holds it: its position, type, GPID and the facts of its row."""

    block: int
    log_index: int
    type: str
    gpid: str  # the GPID as printed
    version: int | None
    time: datetime
    readable: bool  # this node holds the key data set's data (format 1, or a key opened it)
    facts: dict[str, Any]


def _after(block_column: Any, log_column: Any, after: tuple[int, int] | None) -> ColumnElement[bool]:
    if after is None:
        return and_(block_column >= 0)
    block, log = after
    return or_(block_column > block, and_(block_column == block, log_column > log))


# The columns of each table an event carries (never a version's data or payload), after its position.
_COLUMNS: dict[Any, tuple[str, ...]] = {
    VersionRow: ("version", "time", "author", "reason", "reason_code", "changed_fields", "transaction_hash"),
    DeclarationLinkRow: ("time", "country", "reference", "direction", "linker", "transaction_hash"),
    VerificationRow: ("version", "time", "outcome", "country", "customs", "reference_key", "transaction_hash"),
    GrantRow: ("time", "grantee", "granter", "transaction_hash"),
}


def _page(session: Session, table: Any, extra: Any, clause: ColumnElement[bool],
          after: tuple[int, int] | None, limit: int) -> list[Any]:  # fmt: skip
    """The first ``limit`` rows of ``table`` after ``after`` whose key data set the caller may read:
    position, GPID as printed, whether this node holds its data, then the table's event columns."""
    # An alias: the read rule's subqueries over the same table (grants, links) must not correlate to it.
    row = aliased(table)
    statement = (
        select(row.block_number, row.log_index, KeyDataSetRow.gpid_text, KeyDataSetRow.readable,
               *(getattr(row, name) for name in _COLUMNS[table]))
        .join(KeyDataSetRow, KeyDataSetRow.gpid == row.gpid)
        .where(_after(row.block_number, row.log_index, after), clause, *extra(row))
        .order_by(row.block_number, row.log_index)
        .limit(limit)
    )  # fmt: skip
    return list(session.execute(statement))


def _none(_: Any) -> list[ColumnElement[bool]]:
    return []


def events_after(
    session: Session, caller: Caller, after: tuple[int, int] | None, limit: int, types: Iterable[str] = EVENT_TYPES
) -> list[IndexedEvent]:
    """Up to ``limit`` events after position ``after`` (from the start when None) about the key data
    sets ``caller`` may read, of the given types, in chain order."""
    wanted = set(types)
    clause = visible_filter(caller.role, caller.account, caller.trader_id, caller.country)
    limit = max(0, limit)
    events: list[IndexedEvent] = []
    if wanted & {REGISTERED, AMENDED}:
        def kinds(v: Any) -> list[ColumnElement[bool]]:
            return [v.version > 1] if REGISTERED not in wanted else [v.version == 1] if AMENDED not in wanted else []

        for r in _page(session, VersionRow, kinds, clause, after, limit):
            events.append(IndexedEvent(
                r.block_number, r.log_index, REGISTERED if r.version == 1 else AMENDED, r.gpid_text, r.version, _utc(r.time),
                bool(r.readable), {"author": r.author, "reason": r.reason, "reason_code": r.reason_code,
                                   "changed_fields": r.changed_fields, "transaction": r.transaction_hash},
            ))  # fmt: skip
    if LINKED in wanted:
        for r in _page(session, DeclarationLinkRow, _none, clause, after, limit):
            events.append(IndexedEvent(
                r.block_number, r.log_index, LINKED, r.gpid_text, None, _utc(r.time), bool(r.readable),
                {"country": r.country, "reference": r.reference, "direction": r.direction, "linked_by": r.linker,
                 "transaction": r.transaction_hash},
            ))  # fmt: skip
    if VERIFIED in wanted:
        for r in _page(session, VerificationRow, _none, clause, after, limit):
            events.append(IndexedEvent(
                r.block_number, r.log_index, VERIFIED, r.gpid_text, r.version, _utc(r.time), bool(r.readable),
                {"outcome": r.outcome, "country": r.country, "customs": r.customs, "reference_key": r.reference_key,
                 "transaction": r.transaction_hash},
            ))  # fmt: skip
    if GRANTED in wanted:
        for r in _page(session, GrantRow, lambda g: [g.active.is_(True)], clause, after, limit):
            events.append(IndexedEvent(
                r.block_number, r.log_index, GRANTED, r.gpid_text, None, _utc(r.time), bool(r.readable),
                {"grantee": r.grantee, "granter": r.granter, "transaction": r.transaction_hash},
            ))  # fmt: skip
    events.sort(key=lambda event: (event.block, event.log_index))
    return events[:limit]


def last_position(session: Session) -> tuple[int, int]:
    """The position of the newest event the index holds (``(0, -1)`` before any): where a new
    subscription starts, so that it is sent what happens from now on."""
    best = (0, -1)
    for table in (VersionRow, DeclarationLinkRow, VerificationRow, GrantRow):
        top = session.execute(
            select(table.block_number, func.max(table.log_index))
            .where(table.block_number == select(func.max(table.block_number)).scalar_subquery())
            .group_by(table.block_number)
        ).first()  # fmt: skip
        if top is not None and top[0] is not None:
            best = max(best, (int(top[0]), int(top[1])))
    return best
