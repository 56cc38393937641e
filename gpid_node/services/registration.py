"""Registration: one key data set (``POST /v1/key-data-sets``, ``gpid-node register``) or many
(``gpid-node import``), each checked once against what is registered or on its way."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from gpid_node.chain.writes import Register
from gpid_node.domain import canonical
from gpid_node.domain import errors as e
from gpid_node.domain.access import Action, Principal
from gpid_node.domain.gpid import GPID
from gpid_node.domain.model import parse_key_data_set
from gpid_node.services.context import UNBOUND, Context
from gpid_node.services.importing import SourceRecord
from gpid_node.services.outbox import Outbox
from gpid_node.services.submission import Submissions
from gpid_node.store import submissions
from gpid_node.store.tables import MINED


@dataclass(frozen=True)
class Prepared:
    """A validated key data set, its GPID and the write that registers it."""

    data: dict[str, Any]
    gpid: GPID
    request: Register


@dataclass
class ImportReport:
    """What an import did, row by row (line numbers of the source file)."""

    read: int = 0
    registered: list[tuple[int, str]] = field(default_factory=list)
    registered_earlier: list[tuple[int, str]] = field(default_factory=list)
    already_registered: list[tuple[int, str]] = field(default_factory=list)
    rejected: list[tuple[int, list[e.FieldProblem]]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    unfinished: int = 0

    def summary(self) -> dict[str, int]:
        return {
            "read": self.read, "registered": len(self.registered), "registered_earlier": len(self.registered_earlier),
            "already_registered": len(self.already_registered), "rejected": len(self.rejected),
            "failed": len(self.failed), "unfinished": self.unfinished,
        }  # fmt: skip


class Registration:
    """Registers key data sets for the seller the caller's account is bound to."""

    def __init__(self, context: Context, submissions: Submissions) -> None:
        self.context = context
        self.submissions = submissions

    def prepare(self, raw: Any, sender: str, *, today: Any = None) -> Prepared:
        """Validates and normalises a key data set, derives its GPID and salts its commitments. No I/O
        but a view (the sender's trader key, remembered)."""
        data = parse_key_data_set(raw, today=today).model_dump(mode="json")
        seller_id = canonical.trader_id_text(data["seller"]["trader_id"])
        bound = self.context.trader_key_of(sender)
        if bound == UNBOUND:
            raise e.TraderNotBound(sender)
        if bound != canonical.trader_key(seller_id):
            raise e.ValidationFailed(
                [e.FieldProblem("seller.trader_id", f"this account is not bound to {seller_id}; it registers only for its own trader ID")]
            )
        number = canonical.normal_identifier(data["invoice"]["number"])
        client = self.context.client
        gpid = canonical.gpid_of(client.chain_id, client.address, canonical.invoice_key(bound, number))
        salt = os.urandom(canonical.SALT_BYTES)
        commitments = canonical.commitments(data, salt)
        return Prepared(data, gpid, Register(number, commitments.as_tuple(), canonical.encode_payload(data, salt)))

    def register(self, raw: Any, principal: Principal, *, wait: bool = True) -> dict[str, Any]:
        """Registers a key data set; waits for its block unless ``wait`` is False (then it is pending)."""
        sender = self.context.signer(principal, Action.REGISTER)
        self.context.require_chain()
        prepared = self.prepare(raw, sender)
        gpid = prepared.gpid
        with self.context.store.transaction() as connection:
            if submissions.known_registrations(connection, [gpid.hex]):  # registered, or recorded and on its way
                raise e.InvoiceAlreadyRegistered(str(gpid), prepared.request.invoice_number)
            ids = [Outbox.record(connection, sender, prepared.request, gpid.hex)]
        submitted = self.submissions.settle(ids, wait=wait)
        result = submitted.results[0]
        return {"gpid": str(gpid), "version": 1, "transaction": result.get("transaction"),
                "block": result.get("block"), "status": "pending" if submitted.pending else "registered",
                "submission": result["submission"]}  # fmt: skip

    def import_key_data_sets(
        self,
        records: Iterable[SourceRecord],
        principal: Principal,
        *,
        chunk: int = 500,
        on_progress: Callable[[int, int], None] | None = None,
        timeout_s: float = 3600.0,
    ) -> ImportReport:
        """Registers many key data sets: bad rows are reported (line, paths) and the good ones go on;
        rows already registered or already on their way (an interrupted earlier run) are not sent again."""
        sender = self.context.signer(principal, Action.REGISTER)
        self.context.require_chain()
        report = ImportReport()
        waiting: dict[int, tuple[int, str, bool]] = {}  # entry id -> (line, gpid, new in this run)
        seen: dict[str, int] = {}
        batch: list[tuple[int, Prepared]] = []

        def flush() -> None:
            if not batch:
                return
            with self.context.store.session() as session:
                known = submissions.known_registrations(session, [p.gpid.hex for _, p in batch])
                for line, prepared in batch:
                    gpid_hex, gpid_text = prepared.gpid.hex, str(prepared.gpid)
                    if gpid_hex not in known:
                        entry_id = Outbox.record(session, sender, prepared.request, gpid_hex)
                        waiting[entry_id] = (line, gpid_text, True)
                    elif (queued := known[gpid_hex]) is not None:
                        waiting[queued] = (line, gpid_text, False)
                    else:
                        report.already_registered.append((line, gpid_text))
            batch.clear()
            self.context.outbox.wake()

        for record in records:
            report.read += 1
            if record.problem is not None:
                report.rejected.append((record.line, [e.FieldProblem("", record.problem)]))
                continue
            try:
                prepared = self.prepare(record.data, sender)
            except e.ValidationFailed as exc:
                report.rejected.append((record.line, exc.problems))
                continue
            if prepared.gpid.hex in seen:
                report.rejected.append(
                    (record.line, [e.FieldProblem("invoice.number", f"the same invoice as line {seen[prepared.gpid.hex]}")])
                )
                continue
            seen[prepared.gpid.hex] = record.line
            batch.append((record.line, prepared))
            if len(batch) >= chunk:
                flush()
        flush()
        self._follow(waiting, report, on_progress, timeout_s)
        return report

    def _follow(
        self,
        waiting: dict[int, tuple[int, str, bool]],
        report: ImportReport,
        on_progress: Callable[[int, int], None] | None,
        timeout_s: float,
    ) -> None:
        """Waits for the import's entries, filing each in the report as it finishes."""
        deadline = time.monotonic() + timeout_s
        total = len(waiting)
        remaining = set(waiting)
        while remaining:
            with self.context.store.session() as session:
                rows = submissions.finished(session, list(remaining))
            for entry_id, status, error in rows:
                remaining.discard(entry_id)
                line, gpid_text, new = waiting[entry_id]
                if status == MINED:
                    (report.registered if new else report.registered_earlier).append((line, gpid_text))
                else:
                    refusal = e.error_from_record(error or {})
                    if isinstance(refusal, e.InvoiceAlreadyRegistered):
                        report.already_registered.append((line, gpid_text))
                    else:
                        report.failed.append((line, refusal.message))
            if on_progress is not None:
                on_progress(total - len(remaining), total)
            if remaining:
                if time.monotonic() > deadline:
                    report.unfinished = len(remaining)
                    break
                self.context.outbox.wake()
                time.sleep(self.context.poll_s)
