"""A fingerprint of what an index holds from the chain: how two nodes prove they agree.

Every node indexes the same chain into its own database (SQLite or PostgreSQL), so the rows the
indexer derives from the chain must be equal everywhere once the nodes have reached the same block.
:func:`fingerprint` reads those rows (key data sets, versions with their digests and data,
declaration links, verifications, trader bindings, and the rights concept's histories: published
encryption keys, Customs accounts, mandates, grants with their wrapped keys, amendment delegates),
leaves out what is local to one database (autoincrement ids) and hashes them in a stable order, with
datetimes in UTC and JSON in sorted form, so SQLite and PostgreSQL give the same hash for the same
content.

``indexed_blocks`` and ``chain_cursor`` are left out: they record how far and in which ranges one
node has synced, which differs between nodes without any difference in content.

Nodes with different encryption keys differ on the data of format-2 (encrypted) key data sets: a
node indexes the data, the parties, the content key and the seed of a format-2 GPID only when one of
its keys opens it, and checks its integrity only then. Those columns (:data:`KEY_DEPENDENT`) are
left out of the fingerprint for format-2 rows, so that every node of a consortium, and a node
rebuilt without any key, prints the same fingerprint; everything else of a format-2 GPID (its
identity, versions, payloads, commitments, digests, links and grants) is public and compared. For
format 1 every column is compared (its data is public on chain).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpid_node.store.tables import (
    AmendmentDelegateRow,
    Base,
    ChainCursor,
    CustomsAccountRow,
    DeclarationLinkRow,
    EncryptionKeyRow,
    GrantRow,
    KeyDataSetRow,
    MandateRow,
    TraderBindingRow,
    VerificationRow,
    VersionRow,
)

__all__ = ["FINGERPRINTED", "KEY_DEPENDENT", "fingerprint"]

# The chain-derived tables whose content every node must agree on.
FINGERPRINTED: tuple[type[Base], ...] = (
    KeyDataSetRow, VersionRow, DeclarationLinkRow, VerificationRow, TraderBindingRow,
    EncryptionKeyRow, CustomsAccountRow, MandateRow, GrantRow, AmendmentDelegateRow,
)  # fmt: skip
_LOCAL_COLUMNS = frozenset({"id"})

# The columns of a format-2 row that depend on the node's encryption keys (what it could decrypt),
# left out of the fingerprint: a key data set is format 2 when ``format`` is 2, a version when it
# keeps its ``payload`` (format 1 keeps none).
KEY_DEPENDENT: dict[str, frozenset[str]] = {
    KeyDataSetRow.__tablename__: frozenset({
        "buyer_trader_id", "seller_country", "buyer_country", "invoice_number", "integrity_ok", "readable",
        "content_key", "seed",
    }),
    VersionRow.__tablename__: frozenset({"data", "salt", "changed_fields", "integrity_ok", "integrity_problem"}),
}  # fmt: skip


def _encrypted(table: str, row: dict[str, Any]) -> bool:
    if table == KeyDataSetRow.__tablename__:
        return row["format"] == 2
    if table == VersionRow.__tablename__:
        return row["payload"] is not None
    return False


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return moment.isoformat()
    return value


def _rows(session: Session, model: type[Base]) -> list[str]:
    columns = [c for c in model.__table__.columns if c.key not in _LOCAL_COLUMNS]
    table, left_out = model.__tablename__, KEY_DEPENDENT.get(model.__tablename__, frozenset())
    rows = []
    for found in session.execute(select(*columns)).mappings():
        row = dict(found)
        if left_out and _encrypted(table, row):
            row = {name: None if name in left_out else value for name, value in row.items()}
        values = [_plain(row[c.key]) for c in columns]
        rows.append(json.dumps(values, sort_keys=True, separators=(",", ":"), default=_plain_default))
    return sorted(rows)


def _plain_default(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return "0x" + bytes(value).hex()
    return str(value)


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
