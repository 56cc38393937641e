"""Writes on their way to the chain: recorded in the outbox, awaited, and read back once indexed.

Every write of a use case goes through here, so the REST facade and the CLI behave alike: a write
waits for its block (up to the node's write timeout; after that it is pending and followed as a
submission), and once it is mined the answer waits until the index has applied that block, so the
caller's next read sees its write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gpid_node.chain.writes import Write
from gpid_node.domain import errors as e
from gpid_node.domain.access import Principal, Role
from gpid_node.domain.gpid import GPID
from gpid_node.services.context import Context
from gpid_node.services.outbox import Outbox, Outcome
from gpid_node.store import submissions
from gpid_node.store.tables import FAILED, MINED, PENDING, OutboxEntry

INDEX_WAIT_S = 10.0  # how long a mined write's answer waits for the index to apply its block


@dataclass(frozen=True)
class Submitted:
    """A write that was accepted: mined (with its result) or still on its way (``pending``)."""

    entries: list[int]
    results: list[dict[str, Any]]
    pending: bool


def entry_result(row: OutboxEntry | Outcome) -> dict[str, Any]:
    """An outbox entry as the caller sees it: its id, status, GPID and what the chain answered."""
    result: dict[str, Any] = {"submission": row.id, "status": row.status}
    if row.gpid:
        result["gpid"] = str(GPID.from_hex(row.gpid))
    result.update(row.result or {})
    if row.error:
        result["error"] = row.error
    return result


class Submissions:
    """Records writes, waits for them, and answers for them later (``GET /v1/submissions/{id}``)."""

    def __init__(self, context: Context) -> None:
        self.context = context

    def record(self, sender: str, writes: Sequence[tuple[Write, str | None]]) -> list[int]:
        """Records writes (each with the GPID it is about) in one transaction; their entry ids."""
        with self.context.store.session() as session:
            return [Outbox.record(session, sender, write, gpid) for write, gpid in writes]

    def submit(self, sender: str, writes: list[tuple[Write, str | None]]) -> Submitted:
        """Records writes and waits for them (see :meth:`settle`)."""
        return self.settle(self.record(sender, writes))

    def settle(self, ids: list[int], *, wait: bool = True) -> Submitted:
        """Waits for recorded entries: a lone refused entry raises its refusal; once every entry is
        finished, waits for the index to apply the last mined block (read-your-write). Without
        ``wait`` the entries are answered as pending at once (202)."""
        if not wait:  # answered at once (202): recorded and on its way, however quickly the worker is done
            self.context.outbox.wake()
            return Submitted(ids, [{"submission": i, "status": PENDING} for i in ids], pending=True)
        rows = self.context.outbox.wait(ids, self.context.write_timeout_s)
        failed = [r for r in rows if r.status == FAILED]
        if failed and len(rows) == 1:
            raise e.error_from_record(failed[0].error or {})
        pending = any(r.status not in (MINED, FAILED) for r in rows)
        results = [entry_result(r) for r in rows]
        if not pending:
            mined = [int(r["block"]) for r in results if r["status"] == MINED and r.get("block") is not None]
            if mined:
                self.wait_indexed(max(mined))
        return Submitted(ids, results, pending)

    def submission(self, entry_id: int, principal: Principal) -> dict[str, Any]:
        """One submission of the caller's (any, for the operator)."""
        with self.context.store.session() as session:
            row = submissions.entry(session, entry_id)
            if row is None or (principal.role != Role.OPERATOR and row.sender != principal.account):
                raise e.NotFound(f"no submission {entry_id} of yours")
            return entry_result(row)

    def wait_indexed(self, block: int, timeout_s: float = INDEX_WAIT_S) -> None:
        """Waits until the index has applied ``block`` (reads after a write see the write)."""
        self.context.indexer.wait_for(block, timeout_s)
