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


def _page(session: Session, table: Any, extra: Any, clause: ColumnElement[bool],
          after: tuple[int, int] | None, limit: int) -> list[tuple[Any, str, bool]]:  # fmt: skip
    # An alias: the read rule's subqueries over the same table (grants, links) must not correlate to it.
    row_type = aliased(table)
    statement = (
        select(row_type, KeyDataSetRow.gpid_text, KeyDataSetRow.readable)
        .join(KeyDataSetRow, KeyDataSetRow.gpid == row_type.gpid)
        .where(_after(row_type.block_number, row_type.log_index, after), clause, *extra(row_type))
        .order_by(row_type.block_number, row_type.log_index)
        .limit(limit)
    )
    return [(row, gpid_text, bool(readable)) for row, gpid_text, readable in session.execute(statement)]


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

        for row, gpid, readable in _page(session, VersionRow, kinds, clause, after, limit):
            events.append(IndexedEvent(
                row.block_number, row.log_index, REGISTERED if row.version == 1 else AMENDED, gpid, row.version, _utc(row.time),
                readable, {"author": row.author, "reason": row.reason, "reason_code": row.reason_code,
                           "changed_fields": row.changed_fields, "transaction": row.transaction_hash},
            ))  # fmt: skip
    if LINKED in wanted:
        for link, gpid, readable in _page(session, DeclarationLinkRow, _none, clause, after, limit):
            events.append(IndexedEvent(
                link.block_number, link.log_index, LINKED, gpid, None, _utc(link.time), readable,
                {"country": link.country, "reference": link.reference, "direction": link.direction,
                 "linked_by": link.linker, "transaction": link.transaction_hash},
            ))  # fmt: skip
    if VERIFIED in wanted:
        for check, gpid, readable in _page(session, VerificationRow, _none, clause, after, limit):
            events.append(IndexedEvent(
                check.block_number, check.log_index, VERIFIED, gpid, check.version, _utc(check.time), readable,
                {"outcome": check.outcome, "country": check.country, "customs": check.customs,
                 "reference_key": check.reference_key, "transaction": check.transaction_hash},
            ))  # fmt: skip
    if GRANTED in wanted:
        for grant, gpid, readable in _page(session, GrantRow, lambda g: [g.active.is_(True)], clause, after, limit):
            events.append(IndexedEvent(
                grant.block_number, grant.log_index, GRANTED, gpid, None, _utc(grant.time), readable,
                {"grantee": grant.grantee, "granter": grant.granter, "transaction": grant.transaction_hash},
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
