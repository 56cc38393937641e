"""What the use cases ask of the outbox table: their own entries, and whether a GPID is on its way.

The outbox engine keeps its own statements (it claims, sends and settles entries); these are the
reads of the services around it. Each function takes an open session or connection (one
transaction) and never writes: an entry is recorded by ``Outbox.record`` in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import CompoundSelect, Connection, Integer, Row, bindparam, cast, null, select, union_all
from sqlalchemy.orm import Session

from gpid_node.store.tables import FAILED, MINED, KeyDataSetRow, OutboxEntry

__all__ = ["entry", "finished", "known_registrations", "registered_invoices", "requests_about_each"]

Reader = Session | Connection

# Built once (SQLAlchemy reuses its compiled form): GPIDs indexed (with no entry), or recorded for
# registration and not refused (with the id of their entry).
_KNOWN_REGISTRATIONS: CompoundSelect[str, int | None] = union_all(
    select(KeyDataSetRow.gpid, cast(null(), Integer).label("entry")).where(
        KeyDataSetRow.gpid.in_(bindparam("gpids", expanding=True))
    ),
    select(OutboxEntry.gpid, OutboxEntry.id.label("entry")).where(
        OutboxEntry.gpid.in_(bindparam("gpids", expanding=True)), OutboxEntry.kind == "register", OutboxEntry.status != FAILED
    ),
)

# The writes of one kind this node recorded about some GPIDs (the outbox's gpid column is indexed).
_REQUESTS_ABOUT_EACH = select(OutboxEntry.gpid, OutboxEntry.request).where(
    OutboxEntry.gpid.in_(bindparam("gpids", expanding=True)), OutboxEntry.kind == bindparam("kind")
)


def known_registrations(reader: Reader, gpid_hexes: Iterable[str]) -> dict[str, int | None]:
    """The GPIDs among ``gpid_hexes`` that are registered or on their way, each with the id of its
    registration entry still in the outbox (None when it is only in the index): the one check
    against registering an invoice twice."""
    known: dict[str, int | None] = {}
    for gpid, entry_id in reader.execute(_KNOWN_REGISTRATIONS, {"gpids": list(gpid_hexes)}):
        if entry_id is not None:
            known[gpid] = int(entry_id)
        else:
            known.setdefault(gpid, None)
    return known


def registered_invoices(reader: Reader, seller_trader_key: str, invoice_numbers: Iterable[str]) -> list[tuple[str, str, str]]:
    """``(gpid, gpid_text, invoice_number)`` of the key data sets of the seller trader (its key as
    0x-hex) that this node indexed with one of ``invoice_numbers`` (as the payload wrote them): the
    node's own check against registering an invoice twice when its invoice key changed (a lost
    trader secret)."""
    numbers = list(dict.fromkeys(invoice_numbers))
    if not numbers:
        return []
    statement = select(KeyDataSetRow.gpid, KeyDataSetRow.gpid_text, KeyDataSetRow.invoice_number).where(
        KeyDataSetRow.seller_trader_key == seller_trader_key, KeyDataSetRow.invoice_number.in_(numbers)
    )
    return [(str(g), str(t), str(n)) for g, t, n in reader.execute(statement).all()]


def entry(session: Session, entry_id: int) -> OutboxEntry | None:
    """One outbox entry by id, or None."""
    return session.get(OutboxEntry, entry_id)


def finished(reader: Reader, entry_ids: Sequence[int]) -> list[Row[int, str, dict[str, Any] | None]]:
    """``(id, status, error)`` of those entries that are mined or refused."""
    statement = select(OutboxEntry.id, OutboxEntry.status, OutboxEntry.error).where(
        OutboxEntry.id.in_(list(entry_ids)), OutboxEntry.status.in_((MINED, FAILED))
    )
    return list(reader.execute(statement).all())


def requests_about_each(reader: Reader, gpid_hexes: Iterable[str], kind: str) -> dict[str, list[dict[str, Any]]]:
    """The requests (their JSON form, chain/writes.py) of every entry of ``kind`` this node recorded
    about each of ``gpid_hexes``, whatever became of them, in one query (the indexer asks once per
    block, on the session's connection: the ORM's execution path costs more than the select itself):
    GPID hex -> its requests, every GPID asked for present (an empty list when there is none)."""
    found: dict[str, list[dict[str, Any]]] = {gpid: [] for gpid in gpid_hexes}
    if not found:
        return found
    connection = reader.connection() if isinstance(reader, Session) else reader
    for gpid, request in connection.execute(_REQUESTS_ABOUT_EACH, {"gpids": list(found), "kind": kind}):
        found[gpid].append(request)
    return found
