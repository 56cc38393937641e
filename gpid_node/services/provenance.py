"""Provenance of a version: the e-invoice its key data set was derived from, as kept inside its
encrypted payload (``{"syntax", "customization", "sha256"}``, the payload's ``source`` member), and
the check that a document in hand is that e-invoice (its SHA-256 is the one kept).

Only format 2 keeps a source (format 1 payloads carry the data and a salt, nothing else): a
format-1 version, or one typed or imported as JSON, has none.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from gpid_node.domain import canonical, payload_crypto
from gpid_node.domain.gpid import GPID
from gpid_node.services.context import Context
from gpid_node.store.tables import KeyDataSetRow, VersionRow

_SHA256 = re.compile(r"[0-9a-f]{64}")
_SOURCE_MEMBERS = {"syntax", "customization", "sha256"}


def source_of(context: Context, row: KeyDataSetRow, version: VersionRow) -> dict[str, str] | None:
    """The source e-invoice of ``version`` when its payload names one and this node opens it; else None."""
    if row.content_key is None or version.payload is None or version.data is None:
        return None
    binding = payload_crypto.Binding(context.client.chain_id, context.client.address, GPID.from_hex(row.gpid))
    try:
        plain = payload_crypto.read_payload(bytes(version.payload), bytes.fromhex(row.content_key.removeprefix("0x")),
                                            binding, version.version)  # fmt: skip
    except (canonical.PayloadError, ValueError):
        return None
    source = plain.extra.get("source")
    if not isinstance(source, dict) or set(source) != _SOURCE_MEMBERS or not all(isinstance(v, str) for v in source.values()):
        return None
    if _SHA256.fullmatch(source["sha256"]) is None:
        return None
    return {k: source[k] for k in ("syntax", "customization", "sha256")}


def document_check(source: dict[str, str] | None, document: bytes) -> dict[str, Any]:
    """Whether ``document`` is the e-invoice ``source`` names (same SHA-256 of its bytes)."""
    digest = hashlib.sha256(document).hexdigest()
    if source is None:
        return {"matches": False, "sha256": digest, "source": None,
                "message": "this version names no source e-invoice: it was not derived from one (or by a node before e-invoices)"}  # fmt: skip
    matches = digest == source["sha256"]
    message = ("this is the document the key data set was derived from" if matches
               else "this is not the document the key data set was derived from (its SHA-256 differs)")  # fmt: skip
    return {"matches": matches, "sha256": digest, "source": source, "message": message}
