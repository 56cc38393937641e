"""Erasures (crypto-shredding, the node's part): every SQL statement that records one, removes a
GPID's decrypted data and content key from the index, and keeps them out of it.

What an erasure removes from this node's index: the GPID's content key and Merkle seed, the decrypted
data of every version (and a format-1 version's salt) with its reason in words, and the columns derived from that data (the
invoice number, the buyer's trader ID, both countries); the key data set becomes public facts only
(``readable`` false). The chain-derived public facts stay (versions, digests, payloads as the chain
carries them, links, grants). :func:`keep_erased` is called by every index write that may bring the
data back (a block, a rewind, a content key learnt from a grant), in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from gpid_node.store.tables import ErasureRow, KeyDataSetRow, VersionRow

__all__ = ["ERASED_SET", "ERASED_VERSION", "Erasure", "erasure_of", "erasures", "indexed", "keep_erased", "record", "shred"]

_ERASURES: Table = ErasureRow.__table__  # type: ignore[assignment]
_KDS: Table = KeyDataSetRow.__table__  # type: ignore[assignment]
_VERSIONS: Table = VersionRow.__table__  # type: ignore[assignment]

# What an erased key data set's row and versions hold of what was decrypted: nothing.
ERASED_SET = {"content_key": None, "seed": None, "readable": False, "invoice_number": None, "buyer_trader_id": None,
              "seller_country": None, "buyer_country": None}  # fmt: skip
ERASED_VERSION = {"data": None, "salt": None, "reason": None}  # a format-2 reason in words is decrypted too


@dataclass(frozen=True)
class Erasure:
    """A GPID erased on this node: who, when, why."""

    gpid: str  # bytes16 hex
    gpid_text: str
    erased_by: str
    reason: str
    erased_at: datetime


def _of(row: ErasureRow) -> Erasure:
    return Erasure(row.gpid, row.gpid_text, row.erased_by, row.reason, row.erased_at)


def erasure_of(session: Session, gpid: str) -> Erasure | None:
    """The erasure of a GPID (bytes16 hex), None when it was not erased here."""
    row = session.get(ErasureRow, gpid)
    return None if row is None else _of(row)


def indexed(session: Session, gpid: str) -> bool:
    """Whether the index holds the GPID (bytes16 hex)."""
    return session.get(KeyDataSetRow, gpid) is not None


def erasures(session: Session) -> list[Erasure]:
    """Every erasure, oldest first."""
    return [_of(row) for row in session.scalars(select(ErasureRow).order_by(ErasureRow.erased_at, ErasureRow.gpid))]


def record(session: Session, gpid: str, gpid_text: str, erased_by: str, reason: str, now: datetime) -> tuple[Erasure, int]:
    """Records the erasure of a GPID (the first one stays: erasing again records nothing) and shreds
    what the index holds of it; the erasure in force, and the number of versions that held data."""
    # The key data set's row first, locked (PostgreSQL): an indexer writing a version of it meanwhile
    # either commits before (and its version is shredded here) or sees this erasure (keep_erased).
    session.execute(select(_KDS.c.gpid).where(_KDS.c.gpid == gpid).with_for_update())
    found = erasure_of(session, gpid)
    if found is None:
        session.add(ErasureRow(gpid=gpid, gpid_text=gpid_text, erased_by=erased_by, reason=reason, erased_at=now))
        session.flush()
        found = Erasure(gpid, gpid_text, erased_by, reason, now)
    return found, shred(session, [gpid])


def shred(session: Session, gpids: Iterable[str]) -> int:
    """Removes the decrypted data and content keys of ``gpids`` from the index; the number of versions
    that held data."""
    wanted = sorted(set(gpids))
    if not wanted:
        return 0
    held = sum(1 for data in session.scalars(select(_VERSIONS.c.data).where(_VERSIONS.c.gpid.in_(wanted))) if data is not None)
    session.execute(update(_KDS).where(_KDS.c.gpid.in_(wanted)).values(ERASED_SET))
    session.execute(update(_VERSIONS).where(_VERSIONS.c.gpid.in_(wanted)).values(ERASED_VERSION))
    return held


def keep_erased(session: Session, gpids: Iterable[str]) -> None:
    """Shreds again those of ``gpids`` that were erased here (an index write just stored their data)."""
    wanted = sorted(set(gpids))
    if wanted:
        erased = list(session.scalars(select(_ERASURES.c.gpid).where(_ERASURES.c.gpid.in_(wanted))))
        shred(session, erased)
