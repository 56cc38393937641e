"""A fingerprint of what an index holds from the chain: how two nodes prove they agree.

Every node indexes the same chain into its own database (SQLite or PostgreSQL), so the rows the
indexer derives from the chain must be equal everywhere once the nodes have reached the same block.
:func:`fingerprint` reads those rows (key data sets, versions with their digests and data,
declaration links, verifications, trader bindings), leaves out what is local to one database
(autoincrement ids) and hashes them in a stable order, with datetimes in UTC and JSON in sorted
form, so SQLite and PostgreSQL give the same hash for the same content.

``indexed_blocks`` and ``chain_cursor`` are left out: they record how far and in which ranges one
node has synced, which differs between nodes without any difference in content.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpid_node.store.tables import (
    Base,
    ChainCursor,
    DeclarationLinkRow,
    KeyDataSetRow,
    TraderBindingRow,
    VerificationRow,
    VersionRow,
)

__all__ = ["FINGERPRINTED", "fingerprint"]

# The chain-derived tables whose content every node must agree on.
FINGERPRINTED: tuple[type[Base], ...] = (KeyDataSetRow, VersionRow, DeclarationLinkRow, VerificationRow, TraderBindingRow)
_LOCAL_COLUMNS = frozenset({"id"})


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return moment.isoformat()
    return value


def _rows(session: Session, model: type[Base]) -> list[str]:
    columns = [c for c in model.__table__.columns if c.key not in _LOCAL_COLUMNS]
    statement = select(*columns)
    return sorted(
        json.dumps([_plain(v) for v in row], sort_keys=True, separators=(",", ":"), default=str)
        for row in session.execute(statement)
    )


def fingerprint(session: Session) -> dict[str, Any]:
    """``{"cursor": block, "tables": {name: {"rows", "sha256"}}, "sha256": <over all tables>}``."""
    whole = hashlib.sha256()
    tables: dict[str, dict[str, Any]] = {}
    for model in FINGERPRINTED:
        digest = hashlib.sha256()
        rows = _rows(session, model)
        for row in rows:
            digest.update(row.encode("utf-8") + b"\n")
        tables[model.__tablename__] = {"rows": len(rows), "sha256": digest.hexdigest()}
        whole.update(f"{model.__tablename__}:{digest.hexdigest()}\n".encode())
    cursor = session.get(ChainCursor, 1)
    return {
        "cursor": None if cursor is None else cursor.block_number,
        "tables": tables,
        "sha256": whole.hexdigest(),
    }
