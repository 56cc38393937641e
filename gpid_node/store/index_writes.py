"""The indexer's statements: what it reads while it maps a block, and every write it makes.

The job (:class:`gpid_node.services.indexer.Indexer`) calls these inside the one transaction it
opens per run of blocks; none of them commits. Rows are the plain dicts the mappers build
(:mod:`gpid_node.services.index_rows`), written in bulk (one executemany per table and block); rows
already there (same keys) are left alone, so a block applied twice changes nothing. INSERT ... ON
CONFLICT is spelled for SQLite and PostgreSQL, the two databases the node supports.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Row, Table, bindparam, delete, select, update
from sqlalchemy.orm import Session

from gpid_node.store import erasures
from gpid_node.store.tables import (
    AmendmentDelegateRow,
    ChainCursor,
    CustomsAccountRow,
    DeclarationLinkRow,
    EncryptionKeyRow,
    GrantRow,
    IndexedBlock,
    KeyDataSetRow,
    MandateRow,
    TraderBindingRow,
    VerificationRow,
    VersionRow,
)

__all__ = [
    "HISTORIES",
    "bound_trader_id",
    "delete_above",
    "delete_cursor",
    "granted_keys",
    "indexed_blocks",
    "prune_blocks",
    "record_block",
    "set_cursor",
    "set_integrity_ok",
    "stored_cursor",
    "stored_set",
    "stored_version",
    "update_key_data_set",
    "update_version",
    "versions_of",
    "write_block",
]

# The stubs type a mapped class's __table__ as FromClause; declarative classes' are Tables (hence the ignores).
_KDS: Table = KeyDataSetRow.__table__  # type: ignore[assignment]
_VERSIONS: Table = VersionRow.__table__  # type: ignore[assignment]
_LINKS: Table = DeclarationLinkRow.__table__  # type: ignore[assignment]
_VERIFICATIONS: Table = VerificationRow.__table__  # type: ignore[assignment]
_BINDINGS: Table = TraderBindingRow.__table__  # type: ignore[assignment]
_BLOCKS: Table = IndexedBlock.__table__  # type: ignore[assignment]
_ENCRYPTION_KEYS: Table = EncryptionKeyRow.__table__  # type: ignore[assignment]
_CUSTOMS: Table = CustomsAccountRow.__table__  # type: ignore[assignment]
_MANDATES: Table = MandateRow.__table__  # type: ignore[assignment]
_GRANTS: Table = GrantRow.__table__  # type: ignore[assignment]
_DELEGATES: Table = AmendmentDelegateRow.__table__  # type: ignore[assignment]
# The histories (one row per event, no natural unique key), by the BlockRows member that holds their rows.
HISTORIES: dict[str, Table] = {
    "verifications": _VERIFICATIONS, "bindings": _BINDINGS, "encryption_keys": _ENCRYPTION_KEYS, "customs": _CUSTOMS,
    "mandates": _MANDATES, "grants": _GRANTS, "delegates": _DELEGATES,
}  # fmt: skip
_CURSOR: Table = ChainCursor.__table__  # type: ignore[assignment]

# Built once (SQLAlchemy then reuses their compiled form).
_STORED_CURSOR = select(_CURSOR.c.registry_address, _CURSOR.c.block_number, _CURSOR.c.block_hash).where(_CURSOR.c.id == 1)
_SET_INTEGRITY = select(_KDS.c.integrity_ok).where(_KDS.c.gpid == bindparam("gpid"))
_STORED_SET = select(
    _KDS.c.gpid, _KDS.c.integrity_ok, _KDS.c.format, _KDS.c.content_key, _KDS.c.seed, _KDS.c.seller_trader_key,
    _KDS.c.invoice_key, _KDS.c.seller_trader_id, _KDS.c.readable, _KDS.c.issuer, _KDS.c.registered_block,
).where(_KDS.c.gpid == bindparam("gpid"))  # fmt: skip
_VERSIONS_OF = (
    select(
        _VERSIONS.c.gpid, _VERSIONS.c.version, _VERSIONS.c.time, _VERSIONS.c.data, _VERSIONS.c.salt, _VERSIONS.c.commitments,
        _VERSIONS.c.integrity_ok, _VERSIONS.c.integrity_problem, _VERSIONS.c.payload, _VERSIONS.c.chain_reason,
    )
    .where(_VERSIONS.c.gpid == bindparam("gpid"))
    .order_by(_VERSIONS.c.version)
)  # fmt: skip
_GRANTED_KEYS = (
    select(_GRANTS.c.grantee, _GRANTS.c.wrapped_key)
    .where(_GRANTS.c.gpid == bindparam("gpid"), _GRANTS.c.wrapped_key.is_not(None))
    .order_by(_GRANTS.c.block_number, _GRANTS.c.log_index)
)
_STORED_VERSION = select(_VERSIONS.c.version, _VERSIONS.c.data).where(
    _VERSIONS.c.gpid == bindparam("gpid"), _VERSIONS.c.version == bindparam("number")
)
_LAST_BOUND = (
    select(_BINDINGS.c.trader_id)
    .where(_BINDINGS.c.trader_key == bindparam("key"), _BINDINGS.c.bound.is_(True))
    .order_by(_BINDINGS.c.block_number.desc(), _BINDINGS.c.log_index.desc())
    .limit(1)
)


def _dialect_insert(session: Session, table: Table) -> Any:
    """An INSERT that can say ON CONFLICT (SQLite and PostgreSQL)."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    if name == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table)
    raise NotImplementedError(f"the indexer supports SQLite and PostgreSQL, not {name}")  # pragma: no cover - the node supports these two


# ---------------------------------------------------------------------- reads while mapping


def stored_cursor(session: Session) -> Row[str, int, str] | None:
    """The cursor row (``registry_address``, ``block_number``, ``block_hash``), None before the first block."""
    return session.execute(_STORED_CURSOR).first()


def set_integrity_ok(session: Session, gpid: str) -> bool | None:
    """A stored key data set's ``integrity_ok``; None when the index does not hold it."""
    row = session.execute(_SET_INTEGRITY, {"gpid": gpid}).first()
    return None if row is None else bool(row.integrity_ok)


def stored_set(session: Session, gpid: str) -> dict[str, Any] | None:
    """What the mapping of a later event reads of a stored key data set (integrity, format, content
    key and seed, seller and invoice keys, issuer and block); None when the index does not hold it."""
    row = session.execute(_STORED_SET, {"gpid": gpid}).mappings().first()
    return None if row is None else dict(row)


def versions_of(session: Session, gpid: str) -> list[dict[str, Any]]:
    """Every stored version of a key data set, oldest first, with its payload and its event's reason
    (to open it again)."""
    return [dict(row) for row in session.execute(_VERSIONS_OF, {"gpid": gpid}).mappings()]


def granted_keys(session: Session, gpid: str) -> list[tuple[str, str]]:
    """(grantee, wrapped key ``0x``-hex) of every grant stored for a GPID, in chain order."""
    return [(row.grantee, row.wrapped_key) for row in session.execute(_GRANTED_KEYS, {"gpid": gpid})]


def stored_version(session: Session, gpid: str, number: int) -> dict[str, Any] | None:
    """A stored version's number and data, as ``{"version", "data"}``; None when it is not indexed."""
    row = session.execute(_STORED_VERSION, {"gpid": gpid, "number": number}).first()
    return None if row is None else {"version": row.version, "data": row.data}


def bound_trader_id(session: Session, trader_key: str) -> str | None:
    """The trader ID last indexed as bound to a trader key (``0x``-hex)."""
    return session.scalar(_LAST_BOUND, {"key": trader_key})


def kept_customs_country(session: Session, account: str, none: str, *, ended: bool) -> str | None:
    """The newest country given to a Customs account (rows ``none`` end a role and are skipped); with
    ``ended``, only when the account's newest row is such an end (else None)."""
    newest_first = (CustomsAccountRow.block_number.desc(), CustomsAccountRow.log_index.desc(), CustomsAccountRow.id.desc())
    if ended:
        newest = session.execute(
            select(CustomsAccountRow.country).where(CustomsAccountRow.account == account).order_by(*newest_first).limit(1)
        ).first()
        if newest is None or newest[0] != none:
            return None
    row = session.execute(
        select(CustomsAccountRow.country)
        .where(CustomsAccountRow.account == account, CustomsAccountRow.country != none)
        .order_by(*newest_first)
        .limit(1)
    ).first()
    return None if row is None else str(row[0])


def indexed_blocks(session: Session, up_to: int) -> list[Row[int, str]]:
    """(number, hash) of the indexed blocks up to ``up_to``, oldest first."""
    return list(session.execute(select(_BLOCKS.c.number, _BLOCKS.c.hash).where(_BLOCKS.c.number <= up_to).order_by(_BLOCKS.c.number)))


# ---------------------------------------------------------------------- one block's writes


def write_block(
    session: Session,
    number: int,
    *,
    new_sets: Iterable[dict[str, Any]],
    versions: list[dict[str, Any]],
    set_updates: Iterable[dict[str, Any]],
    links: list[dict[str, Any]],
    histories: Mapping[str, list[dict[str, Any]]],
) -> None:
    """Bulk inserts of block ``number``'s rows and the updates of the key data sets it amended;
    ``histories`` maps the names of :data:`HISTORIES` to their rows."""
    new = list(new_sets)
    if new:
        session.execute(_dialect_insert(session, _KDS).on_conflict_do_nothing(), new)
    if versions:
        session.execute(_dialect_insert(session, _VERSIONS).on_conflict_do_nothing(), versions)
    set_updates = list(set_updates)
    for changes in set_updates:
        session.execute(update(_KDS).where(_KDS.c.gpid == changes["gpid"]).values({k: v for k, v in changes.items() if k != "gpid"}))
    if links:
        session.execute(_dialect_insert(session, _LINKS).on_conflict_do_nothing(), links)
    for name, rows in histories.items():
        table = HISTORIES[name]
        rows = _not_yet_stored(session, table, number, rows)
        if rows:
            session.execute(table.insert(), rows)
    erasures.keep_erased(session, [*(r["gpid"] for r in new), *(r["gpid"] for r in versions), *(c["gpid"] for c in set_updates)])


def _not_yet_stored(session: Session, table: Table, number: int, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a table without a natural unique key, less those of this block already stored."""
    if not rows:
        return rows
    stored = set(session.scalars(select(table.c.log_index).where(table.c.block_number == number)))
    return [r for r in rows if r["log_index"] not in stored]


def record_block(session: Session, number: int, block_hash: str, time: datetime) -> None:
    """The block's indexed_blocks row."""
    insert = _dialect_insert(session, _BLOCKS).values(number=number, hash=block_hash, time=time)
    session.execute(insert.on_conflict_do_update(index_elements=["number"], set_={"hash": block_hash, "time": time}))


def prune_blocks(session: Session, keep: int) -> None:
    """The oldest indexed_blocks rows beyond the newest ``keep`` removed."""
    oldest_kept = select(_BLOCKS.c.number).order_by(_BLOCKS.c.number.desc()).offset(keep - 1).limit(1).scalar_subquery()
    session.execute(delete(_BLOCKS).where(_BLOCKS.c.number < oldest_kept))


def set_cursor(session: Session, registry: str, number: int, block_hash: str, head: int, now: datetime) -> None:
    """The cursor on the last block applied (one row)."""
    values = {"registry_address": registry, "block_number": number, "block_hash": block_hash, "head_number": head,
              "updated_at": now}  # fmt: skip
    insert = _dialect_insert(session, _CURSOR).values(id=1, **values)
    session.execute(insert.on_conflict_do_update(index_elements=["id"], set_=values))


def delete_cursor(session: Session) -> None:
    session.execute(delete(_CURSOR))


# ---------------------------------------------------------------------- taking blocks back


def delete_above(session: Session, number: int) -> tuple[int, dict[str, list[Mapping[str, Any]]], set[str]]:
    """Deletes every chain-derived row above block ``number``. Returns the number of rows removed;
    for each key data set that lost versions but not its registration, the versions left (oldest
    first: ``gpid``, ``version``, ``time``, ``data``, ``integrity_ok``), to derive it again from; and
    the GPIDs still indexed that lost a grant (whose content key may have come from it)."""
    touched = set(session.scalars(select(_VERSIONS.c.gpid).where(_VERSIONS.c.block_number > number).distinct()))
    regranted = set(session.scalars(
        select(_GRANTS.c.gpid).where(_GRANTS.c.block_number > number, _GRANTS.c.wrapped_key.is_not(None)).distinct()
    ))  # fmt: skip
    removed = 0
    for statement in (
        delete(_VERSIONS).where(_VERSIONS.c.block_number > number),
        delete(_KDS).where(_KDS.c.registered_block > number),
        delete(_LINKS).where(_LINKS.c.block_number > number),
        *(delete(table).where(table.c.block_number > number) for table in HISTORIES.values()),
        delete(_BLOCKS).where(_BLOCKS.c.number > number),
    ):
        # A DML statement's result is a CursorResult (Session.execute is typed for any statement).
        removed += max(0, cast("CursorResult[Any]", session.execute(statement)).rowcount or 0)
    remaining = session.execute(
        select(_VERSIONS.c.gpid, _VERSIONS.c.version, _VERSIONS.c.time, _VERSIONS.c.data, _VERSIONS.c.integrity_ok)
        .where(_VERSIONS.c.gpid.in_(touched))
        .order_by(_VERSIONS.c.gpid, _VERSIONS.c.version)
    ).mappings()
    by_gpid: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in remaining:
        by_gpid[row["gpid"]].append(row)  # type: ignore[arg-type]  # RowMapping is keyed by str (or Column); Mapping's key is invariant in the stubs
    still = set(session.scalars(select(_KDS.c.gpid).where(_KDS.c.gpid.in_(regranted)))) if regranted else set()
    return removed, by_gpid, still


def update_key_data_set(session: Session, gpid: str, values: dict[str, Any]) -> None:
    """Sets a key data set's derived columns (after a rewind, or a content key learnt from a grant)."""
    session.execute(update(_KDS).where(_KDS.c.gpid == gpid).values(values))
    erasures.keep_erased(session, [gpid])


def update_version(session: Session, gpid: str, version: int, values: dict[str, Any]) -> None:
    """Sets a stored version's data, integrity and reason (a content key learnt later opened it)."""
    session.execute(update(_VERSIONS).where(_VERSIONS.c.gpid == gpid, _VERSIONS.c.version == version).values(values))
    erasures.keep_erased(session, [gpid])
