"""The outbox table's statements: every SQL statement of the outbox (:mod:`gpid_node.services.outbox`).

The worker's hot statements are built once, on the table (the ORM's unit of work and its bulk
updates cost more than the statements themselves), and its reads return plain rows holding the
members it uses of an entry, not ORM objects. A function given a session or connection runs in the
caller's transaction; one given a :class:`~gpid_node.store.database.Store` opens its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session, load_only

from gpid_node.store.database import Store
from gpid_node.store.tables import OutboxEntry

__all__ = [
    "FAILED",
    "FINISHED",
    "MINED",
    "PENDING",
    "SENT",
    "backlog",
    "depth",
    "earlier_unsettled",
    "entries_with_requests",
    "finished_entries",
    "mark_failed",
    "mark_mined",
    "mark_sent",
    "mined_blocks",
    "mined_in_blocks",
    "pending",
    "record",
    "reset",
    "sent",
    "sent_entries",
]

PENDING, SENT, MINED, FAILED = "pending", "sent", "mined", "failed"
FINISHED = (MINED, FAILED)

_OUTBOX: Table = OutboxEntry.__table__  # type: ignore[assignment]  # stubs type __table__ as FromClause; a mapped class's is a Table
# What a waiting caller reads of its entries (not the requests: their payloads are most of a row).
_FINISHED_CHECK = (
    select(OutboxEntry)
    .options(load_only(OutboxEntry.id, OutboxEntry.status, OutboxEntry.gpid, OutboxEntry.result, OutboxEntry.error))
    .where(OutboxEntry.id.in_(bindparam("ids", expanding=True)))
)
_RECORD = insert(_OUTBOX).returning(_OUTBOX.c.id)
_MARK_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("entry"))
    .values(status=SENT, transaction_hash=bindparam("tx"), nonce=bindparam("tx_nonce"), batch_id=bindparam("batch"),
            raw_transaction=bindparam("raw"), attempts=_OUTBOX.c.attempts + 1, updated_at=bindparam("now"))
)  # fmt: skip
_PENDING = (
    select(_OUTBOX.c.id, _OUTBOX.c.kind, _OUTBOX.c.sender, _OUTBOX.c.gpid, _OUTBOX.c.request)
    .where(_OUTBOX.c.status == PENDING)
    .order_by(_OUTBOX.c.id)
    .limit(bindparam("limit"))
)
_SENT = (
    select(_OUTBOX.c.id, _OUTBOX.c.kind, _OUTBOX.c.sender, _OUTBOX.c.gpid, _OUTBOX.c.transaction_hash)
    .where(_OUTBOX.c.status == SENT)
    .order_by(_OUTBOX.c.id)
)
# Whether an earlier entry about the same GPID is still to settle (pending or sent).
_EARLIER_UNSETTLED = (
    select(_OUTBOX.c.id)
    .where(_OUTBOX.c.gpid == bindparam("gpid"), _OUTBOX.c.id < bindparam("entry"), _OUTBOX.c.status.in_((PENDING, SENT)))
    .limit(1)
)
_MARK_MINED = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("entry"))
    .values(status=MINED, transaction_hash=bindparam("tx"), block_number=bindparam("block"),
            block_hash=bindparam("hash"), result=bindparam("outcome"), error=None, updated_at=bindparam("now"))
)  # fmt: skip


# ---------------------------------------------------------------------- recording and waiting


def record(
    writer: Session | Connection, kind: str, sender: str, request: dict[str, Any], gpid: str | None, now: datetime
) -> int:
    """Adds a pending entry in the caller's transaction; its id."""
    values = {"kind": kind, "status": PENDING, "sender": sender, "request": request, "gpid": gpid,
              "attempts": 0, "created_at": now, "updated_at": now}  # fmt: skip
    return int(writer.execute(_RECORD, values).scalar_one())


def finished_entries(store: Store, ids: Sequence[int]) -> list[OutboxEntry]:
    """The entries (without their requests) as they stand now."""
    with store.session() as session:
        return list(session.scalars(_FINISHED_CHECK, {"ids": list(ids)}))


def depth(store: Store) -> int:
    """Entries not yet mined or failed."""
    with store.session() as session:
        return int(session.scalar(select(func.count()).where(OutboxEntry.status.in_((PENDING, SENT)))) or 0)


def backlog(store: Store) -> dict[str, tuple[int, datetime | None]]:
    """Entries not yet mined or failed, by status (pending, sent): how many, and when the oldest was recorded."""
    with store.session() as session:
        rows = session.execute(
            select(OutboxEntry.status, func.count(), func.min(OutboxEntry.created_at))
            .where(OutboxEntry.status.in_((PENDING, SENT)))
            .group_by(OutboxEntry.status)
        )
        found = {status: (int(count), oldest) for status, count, oldest in rows}
    return {status: found.get(status, (0, None)) for status in (PENDING, SENT)}


# ---------------------------------------------------------------------- the worker's reads


def pending(store: Store, limit: int) -> list[Row[Any]]:
    """The oldest pending entries (id, kind, sender, gpid, request)."""
    with store.connection() as connection:
        return list(connection.execute(_PENDING, {"limit": limit}))


def sent(store: Store) -> list[Row[Any]]:
    """The sent entries (id, kind, sender, gpid, transaction_hash), oldest first."""
    with store.connection() as connection:
        return list(connection.execute(_SENT))


def earlier_unsettled(store: Store, gpid: str, entry: int) -> int | None:
    """An entry before ``entry`` about the same GPID still pending or sent, or None."""
    with store.connection() as connection:
        return connection.scalar(_EARLIER_UNSETTLED, {"gpid": gpid, "entry": entry})


def entries_with_requests(store: Store, ids: Iterable[int]) -> list[OutboxEntry]:
    """Whole entries (their requests too), oldest first."""
    with store.session() as session:
        return list(session.scalars(select(OutboxEntry).where(OutboxEntry.id.in_(list(ids))).order_by(OutboxEntry.id)))


def sent_entries(store: Store) -> list[OutboxEntry]:
    """Whole sent entries, oldest first (reconciliation reads their signed transactions)."""
    with store.session() as session:
        return list(session.scalars(select(OutboxEntry).where(OutboxEntry.status == SENT).order_by(OutboxEntry.id)))


def mined_blocks(store: Store, since: int, head: int) -> set[tuple[int, str | None]]:
    """(number, hash) of the blocks holding mined entries from block ``since`` on, and beyond ``head``."""
    with store.session() as session:
        recent = session.execute(
            select(OutboxEntry.block_number, OutboxEntry.block_hash)
            .where(OutboxEntry.status == MINED, OutboxEntry.block_number >= since)
            .distinct()
        ).all()
        beyond = session.execute(
            select(OutboxEntry.block_number, OutboxEntry.block_hash)
            .where(OutboxEntry.status == MINED, OutboxEntry.block_number > head)
            .distinct()
        ).all()
    return {(n, h) for n, h in (*recent, *beyond) if n is not None}  # never None: the queries compare it


def mined_in_blocks(store: Store, blocks: Iterable[int]) -> list[int]:
    """The ids of the mined entries in these blocks."""
    with store.session() as session:
        return list(
            session.scalars(
                select(OutboxEntry.id).where(OutboxEntry.status == MINED, OutboxEntry.block_number.in_(list(blocks)))
            )
        )


# ---------------------------------------------------------------------- the worker's writes


def mark_sent(store: Store, ids: Sequence[int], tx_hash: str, nonce: int, raw_hex: str, now: datetime) -> None:
    """The entries sent in one signed transaction. The signed transaction is kept once, on the batch's
    first entry (its batch_id): fifty copies of a 45 kB transaction made every send rewrite megabytes."""
    rows = [{"entry": i, "tx": tx_hash, "tx_nonce": nonce, "batch": ids[0], "now": now,
             "raw": raw_hex if i == ids[0] else None} for i in ids]  # fmt: skip
    with store.session() as session:
        session.execute(_MARK_SENT, rows)


def mark_mined(
    store: Store, results: Sequence[tuple[int, dict[str, Any]]], tx_hash: str, block: int, block_hash: str, now: datetime
) -> None:
    """Entries mined in one transaction, each with its result: one executemany by primary key."""
    rows = [{"entry": entry, "tx": tx_hash, "block": block, "hash": block_hash, "outcome": outcome, "now": now}
            for entry, outcome in results]  # fmt: skip
    with store.session() as session:
        session.execute(_MARK_MINED, rows)


def mark_failed(store: Store, ids: Sequence[int], error: dict[str, Any], now: datetime) -> None:
    """Entries the contract (or the node) refused, with the error kept for the caller."""
    with store.session() as session:
        session.execute(
            update(OutboxEntry).where(OutboxEntry.id.in_(list(ids))).values(status=FAILED, error=error, updated_at=now)
        )


def reset(store: Store, ids: Sequence[int], now: datetime) -> None:
    """Entries back to pending, forgetting their transaction: they are signed and sent again."""
    with store.session() as session:
        session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.id.in_(list(ids)))
            .values(status=PENDING, transaction_hash=None, raw_transaction=None, nonce=None, batch_id=None,
                    block_number=None, block_hash=None, result=None, updated_at=now)
        )  # fmt: skip
