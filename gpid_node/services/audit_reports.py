"""The audit report of a GPID as data: what the console's printable report shows (the current
version with its integrity proof, every version with its own, the declarations with the outcomes
Customs recorded), for a JSON download, and its trail of facts in chain order for a CSV one.

Under the read rule of ``GET /v1/key-data-sets/{gpid}``: a GPID the caller may not read is unknown.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from gpid_node.domain.access import Principal
from gpid_node.domain.times import iso
from gpid_node.services.declarations import Declarations
from gpid_node.services.reads import Reads

REPORT_FORMAT = "gpid-audit-report/1"
TRAIL_COLUMNS = ("record", "time", "block", "transaction", "version", "actor", "country", "direction", "reference",
                 "outcome", "reason", "changed_fields", "integrity_verified")  # fmt: skip
_ORDER = {"version": 0, "declaration": 1, "verification": 2}


def audit_report(reads: Reads, declarations: Declarations, gpid: str, principal: Principal) -> dict[str, Any]:
    """The audit report of ``gpid`` for ``principal``, produced now."""
    current = reads.key_data_set(gpid, principal)
    history = reads.history(current["gpid"], principal)
    versions = []
    for entry in history["versions"]:
        proof = current["integrity"] if entry["version"] == current["version"] else \
            reads.key_data_set(current["gpid"], principal, version=entry["version"])["integrity"]
        versions.append({**entry, "integrity": proof})
    linked = declarations.of_gpid(current["gpid"], principal)
    return {
        "format": REPORT_FORMAT, "gpid": current["gpid"], "produced_at": iso(datetime.now(UTC)),
        "produced_for": {"role": principal.role.value, "account": principal.account, "name": principal.name,
                         "country": principal.country},
        "key_data_set": current, "history": versions, "declarations": linked["items"],
    }  # fmt: skip


def trail(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's facts as rows in chain order (``TRAIL_COLUMNS``): each version, each declaration
    linked, each Customs outcome."""
    rows: list[dict[str, Any]] = []
    for v in report["history"]:
        rows.append({"record": "version", "time": v["time"], "block": v["block"], "transaction": v["transaction"],
                     "version": v["version"], "actor": v["author"], "reason": v["reason"],
                     "changed_fields": v["changed_fields"], "integrity_verified": v["integrity"]["verified"]})  # fmt: skip
    for d in report["declarations"]:
        common = {"country": d["country"], "direction": d["direction"], "reference": d["reference"]}
        rows.append({"record": "declaration", "time": d["linked_at"], "block": d["block"], "transaction": d["transaction"],
                     "actor": d["linked_by"], **common})  # fmt: skip
        for check in d["verifications"]:
            rows.append({"record": "verification", "time": check["time"], "block": check["block"],
                         "transaction": check["transaction"], "version": check["version"], "actor": check["customs"],
                         **common, "country": check["country"], "outcome": check["outcome"]})  # fmt: skip
    rows.sort(key=lambda row: (row["block"] or 0, _ORDER[row["record"]]))
    return rows
