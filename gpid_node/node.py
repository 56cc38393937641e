"""The node's services: what the REST facade and the CLI both call.

A :class:`Node` joins the adapters (chain client, store, keyring) and the engines (outbox,
indexer) and offers the use cases: register, amend, link, record verifications, and the reads
with their integrity proofs. It raises only :mod:`gpid_node.domain.errors`; it knows no HTTP.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import bindparam, exists, or_, select

from gpid_node.chain.client import RegistryClient
from gpid_node.chain.deploy import Deployment
from gpid_node.chain.keystore import Keyring
from gpid_node.chain.writes import Amend, Link, LinkAsBuyer, RecordVerification, Register, Write
from gpid_node.domain import canonical
from gpid_node.domain import errors as e
from gpid_node.domain import verification
from gpid_node.domain.access import Action, Principal, Role, Visibility, may_read
from gpid_node.domain.gpid import GPID
from gpid_node.domain.merge_patch import apply_merge_patch
from gpid_node.domain.model import parse_key_data_set
from gpid_node.services.indexer import Indexer
from gpid_node.services.outbox import FAILED, MINED, PENDING, Outbox, Outcome
from gpid_node.store import queries
from gpid_node.store.database import Store
from gpid_node.store.tables import KeyDataSetRow, OutboxEntry, VersionRow

if TYPE_CHECKING:
    from gpid_node.engines import EngineProcess, EngineSpec

log = structlog.get_logger("gpid.node")

DIRECTIONS = {"export": 1, "import": 2}
OUTCOMES = {"match": 1, "discrepancies": 2, "integrity_failure": 3}
REASON_CODES = {"correction": 1, "price": 2, "quantity": 3, "parties": 4, "other": 5}
CHAIN_DIGESTS_REMEMBERED = 100_000  # versions whose on-chain digest is remembered (about 20 MB)
IDENTITY_PATHS = ("schema_version", "seller.trader_id", "invoice.number", "invoice.date")


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# Built once (SQLAlchemy then reuses its compiled form): is the GPID indexed, or recorded for sending?
_KNOWN_REGISTRATION = select(
    or_(
        exists().where(KeyDataSetRow.gpid == bindparam("gpid")),
        exists().where(OutboxEntry.gpid == bindparam("gpid"), OutboxEntry.kind == "register", OutboxEntry.status != FAILED),
    )
)


@dataclass(frozen=True)
class Submitted:
    """A write that was accepted: mined (with its result) or still on its way (``pending``)."""

    entries: list[int]
    results: list[dict[str, Any]]
    pending: bool


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


@dataclass
class Node:
    store: Store
    client: RegistryClient
    keyring: Keyring
    deployment: Deployment
    batch_size: int = 50
    confirmations: int = 0
    write_timeout_s: float = 30.0
    poll_s: float = 0.05
    public_url: str | None = None
    outbox: Outbox = field(init=False)
    indexer: Indexer = field(init=False)
    _stop: threading.Event = field(init=False, default_factory=threading.Event)
    _threads: list[threading.Thread] = field(init=False, default_factory=list)
    _engines: EngineProcess | None = field(init=False, default=None)
    _trader_keys: dict[str, bytes] = field(init=False, default_factory=dict)
    _chain_digests: dict[tuple[str, int, str], str] = field(init=False, default_factory=dict)
    _chain_digests_rewinds: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.indexer = Indexer(
            self.store, self.client, start_block=self.deployment.block, confirmations=self.confirmations
        )
        self.outbox = Outbox(
            self.store, self.client, self.keyring, batch_size=self.batch_size, poll_s=self.poll_s,
            on_change=self.indexer.wake,
        )  # fmt: skip

    # ------------------------------------------------------------------ lifecycle

    def start(self, engine_process: EngineSpec | None = None) -> Node:
        """Starts the outbox and the indexer: as threads of this process, or in an engine process of
        their own built from ``engine_process`` (see :mod:`gpid_node.engines`)."""
        self._stop.clear()
        if engine_process is not None:
            from gpid_node.engines import EngineProcess

            self._engines = EngineProcess(self, engine_process).start()
            return self
        for name, target in (("outbox", self.outbox.run), ("indexer", self._run_indexer)):
            thread = threading.Thread(target=target, args=(self._stop,), name=f"gpid-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def _run_indexer(self, stop: threading.Event) -> None:
        self.indexer.run(stop, poll_s=self.poll_s)

    def stop(self) -> None:
        if self._engines is not None:
            self._engines.stop()
            self._engines = None
        self._stop.set()
        self.outbox.wake()
        self.indexer.wake()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()

    # ------------------------------------------------------------------ helpers

    def _trader_key_of(self, account: str) -> bytes:
        key = self._trader_keys.get(account)
        if key is None:
            key = self.client.trader_key_of(account)
            if key != b"\0" * 32:
                self._trader_keys[account] = key
        return key

    def _signer(self, principal: Principal, action: Action) -> str:
        if not principal.may(action):
            raise e.PermissionDenied(
                f"the {principal.role} role may not {action}; this needs the "
                f"{' or '.join(sorted(r.value for r in principal_roles(action)))} role"
            )
        if principal.account not in self.keyring:
            raise e.PermissionDenied(
                f"this node holds no key for {principal.account}: send this request to the node of that account"
            )
        return principal.account

    def _require_chain(self) -> None:
        # An answer from the chain in the last half second counts (any failed call forgets it); else a
        # real probe. A write accepted just as the chain fails is still durable: the outbox sends it later.
        if not self.client.is_reachable(max_age_s=0.5):
            raise e.ChainUnavailable("the chain cannot be reached; nothing was written, try again later")

    def _submit(self, sender: str, writes: list[tuple[Write, str | None]]) -> Submitted:
        with self.store.session() as session:
            ids = [Outbox.record(session, sender, write, gpid) for write, gpid in writes]
        return self._await(ids)

    def _await(self, ids: list[int], *, wait: bool = True) -> Submitted:
        if not wait:  # answered at once (202): recorded and on its way, however quickly the worker is done
            self.outbox.wake()
            return Submitted(ids, [{"submission": i, "status": PENDING} for i in ids], pending=True)
        rows = self.outbox.wait(ids, self.write_timeout_s)
        failed = [r for r in rows if r.status == FAILED]
        if failed and len(rows) == 1:
            raise e.error_from_record(failed[0].error or {})
        pending = any(r.status not in (MINED, FAILED) for r in rows)
        return Submitted(ids, [self._entry_result(r) for r in rows], pending)

    @staticmethod
    def _entry_result(row: OutboxEntry | Outcome) -> dict[str, Any]:
        result: dict[str, Any] = {"submission": row.id, "status": row.status}
        if row.gpid:
            result["gpid"] = str(GPID.from_hex(row.gpid))
        result.update(row.result or {})
        if row.error:
            result["error"] = row.error
        return result

    def submission(self, entry_id: int, principal: Principal) -> dict[str, Any]:
        with self.store.session() as session:
            row = session.get(OutboxEntry, entry_id)
            if row is None or (principal.role != Role.OPERATOR and row.sender != principal.account):
                raise e.NotFound(f"no submission {entry_id} of yours")
            return self._entry_result(row)

    def wait_indexed(self, block: int, timeout_s: float = 10.0) -> None:
        """Waits until the index has applied ``block`` (reads after a write see the write)."""
        self.indexer.wait_for(block, timeout_s)

    # ------------------------------------------------------------------ registration

    def prepare_registration(self, raw: Any, sender: str, *, today: Any = None) -> tuple[dict[str, Any], GPID, Register]:
        """Validates and normalises a key data set; returns (data, GPID, its registration write). No I/O but a view."""
        data = parse_key_data_set(raw, today=today).model_dump(mode="json")
        seller_id = canonical.trader_id_text(data["seller"]["trader_id"])
        bound = self._trader_key_of(sender)
        if bound == b"\0" * 32:
            raise e.TraderNotBound(sender)
        if bound != canonical.trader_key(seller_id):
            raise e.ValidationFailed(
                [e.FieldProblem("seller.trader_id", f"this account is not bound to {seller_id}; it registers only for its own trader ID")]
            )
        number = canonical.normal_identifier(data["invoice"]["number"])
        gpid = canonical.gpid_of(self.client.chain_id, self.client.address, canonical.invoice_key(bound, number))
        salt = os.urandom(canonical.SALT_BYTES)
        commitments = canonical.commitments(data, salt)
        return data, gpid, Register(number, commitments.as_tuple(), canonical.encode_payload(data, salt))

    def register(self, raw: Any, principal: Principal, *, wait: bool = True) -> dict[str, Any]:
        """Registers a key data set; waits for its block unless ``wait`` is False (then it is pending)."""
        sender = self._signer(principal, Action.REGISTER)
        self._require_chain()
        _, gpid, request = self.prepare_registration(raw, sender)
        with self.store.transaction() as connection:
            if connection.scalar(_KNOWN_REGISTRATION, {"gpid": gpid.hex}):  # registered, or recorded and on its way
                raise e.InvoiceAlreadyRegistered(str(gpid), request.invoice_number)
            ids = [Outbox.record(connection, sender, request, gpid.hex)]
        submitted = self._await(ids, wait=wait)
        result = submitted.results[0]
        return {"gpid": str(gpid), "version": 1, "transaction": result.get("transaction"),
                "block": result.get("block"), "status": "pending" if submitted.pending else "registered",
                "submission": result["submission"]}  # fmt: skip

    def import_key_data_sets(
        self,
        records: Iterable[Any],
        principal: Principal,
        *,
        chunk: int = 500,
        on_progress: Callable[[int, int], None] | None = None,
        timeout_s: float = 3600.0,
    ) -> ImportReport:
        """Registers many key data sets: bad rows are reported (line, paths) and the good ones go on;
        rows already registered or already on their way (an interrupted earlier run) are not sent again."""
        sender = self._signer(principal, Action.REGISTER)
        self._require_chain()
        report = ImportReport()
        waiting: dict[int, tuple[int, str, bool]] = {}  # entry id -> (line, gpid, new in this run)
        seen: dict[str, int] = {}
        batch: list[tuple[int, GPID, Register]] = []

        def flush() -> None:
            if not batch:
                return
            hexes = [g.hex for _, g, _ in batch]
            with self.store.session() as session:
                indexed = set(session.scalars(select(KeyDataSetRow.gpid).where(KeyDataSetRow.gpid.in_(hexes))))
                queued = dict(
                    session.execute(
                        select(OutboxEntry.gpid, OutboxEntry.id).where(
                            OutboxEntry.gpid.in_(hexes), OutboxEntry.kind == "register", OutboxEntry.status != FAILED
                        )
                    ).all()
                )
                for line, gpid, request in batch:
                    if gpid.hex in indexed and gpid.hex not in queued:
                        report.already_registered.append((line, str(gpid)))
                    elif gpid.hex in queued:
                        waiting[queued[gpid.hex]] = (line, str(gpid), False)
                    else:
                        entry_id = Outbox.record(session, sender, request, gpid.hex)
                        waiting[entry_id] = (line, str(gpid), True)
            batch.clear()
            self.outbox.wake()

        for record in records:
            report.read += 1
            if record.problem is not None:
                report.rejected.append((record.line, [e.FieldProblem("", record.problem)]))
                continue
            try:
                _, gpid, request = self.prepare_registration(record.data, sender)
            except e.ValidationFailed as exc:
                report.rejected.append((record.line, exc.problems))
                continue
            if gpid.hex in seen:
                report.rejected.append(
                    (record.line, [e.FieldProblem("invoice.number", f"the same invoice as line {seen[gpid.hex]}")])
                )
                continue
            seen[gpid.hex] = record.line
            batch.append((record.line, gpid, request))
            if len(batch) >= chunk:
                flush()
        flush()

        deadline = time.monotonic() + timeout_s
        total = len(waiting)
        remaining = set(waiting)
        while remaining:
            with self.store.session() as session:
                rows = session.execute(
                    select(OutboxEntry.id, OutboxEntry.status, OutboxEntry.error).where(
                        OutboxEntry.id.in_(list(remaining)), OutboxEntry.status.in_((MINED, FAILED))
                    )
                ).all()
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
                self.outbox.wake()
                time.sleep(self.poll_s)
        return report

    # ------------------------------------------------------------------ amendment

    def amend(self, gpid_text: str, changes: Any, reason: str, principal: Principal, reason_code: str = "correction") -> dict[str, Any]:
        sender = self._signer(principal, Action.AMEND)
        problems = []
        if not isinstance(changes, dict) or not changes:
            problems.append(e.FieldProblem("changes", "a JSON merge patch object with at least one change is required"))
        if not isinstance(reason, str) or not reason.strip():
            problems.append(e.FieldProblem("reason", "say why the key data set changes (1 to 500 characters)"))
        elif len(reason.strip().encode()) > 500:
            problems.append(e.FieldProblem("reason", "at most 500 bytes"))
        if reason_code not in REASON_CODES:
            problems.append(e.FieldProblem("reason_code", f"use one of {', '.join(REASON_CODES)}"))
        if problems:
            raise e.ValidationFailed(problems)
        gpid = GPID.parse(gpid_text)
        self._require_chain()
        current = self._current_version(gpid, principal)
        if current.data is None or current.salt is None:
            raise e.Conflict(f"{gpid} has no readable current version to amend (integrity problem)")
        patched = apply_merge_patch(current.data, changes)
        try:
            data = parse_key_data_set(patched).model_dump(mode="json")
        except e.ValidationFailed as exc:
            raise e.ValidationFailed(
                [e.FieldProblem(f"changes.{p.path}" if p.path else "changes", p.message) for p in exc.problems]
            ) from None
        before, after = canonical.sections(current.data), canonical.sections(data)
        if before["identity"] != after["identity"]:
            touched = [p for p in verification.changed_fields(current.data, data) if p.startswith(IDENTITY_PATHS)]
            raise e.SectionImmutable(touched or list(IDENTITY_PATHS[1:]))
        salt = bytes.fromhex(current.salt.removeprefix("0x"))
        previous = canonical.Commitments.from_tuple(bytes.fromhex(c[2:]) for c in current.commitments)
        nxt = canonical.commitments(data, salt)
        if previous.changed_sections(nxt) == 0:
            raise e.NothingChanged(str(gpid))
        write = Amend(gpid, previous.as_tuple(), nxt.as_tuple(), REASON_CODES[reason_code], reason.strip(),
                      canonical.encode_payload(data, salt))  # fmt: skip
        submitted = self._submit(sender, [(write, gpid.hex)])
        result = submitted.results[0]
        return {"gpid": str(gpid), "version": result.get("version", current.version + 1),
                "transaction": result.get("transaction"), "block": result.get("block"),
                "changed_fields": verification.changed_fields(current.data, data),
                "status": "pending" if submitted.pending else "amended", "submission": result["submission"]}  # fmt: skip

    def _current_version(self, gpid: GPID, principal: Principal) -> VersionRow:
        """The current version, after making sure the index has caught up with the chain."""
        on_chain = self.client.record_of(gpid).version
        deadline = time.monotonic() + 10
        while True:
            with self.store.session() as session:
                row = queries.key_data_set(session, gpid.hex)
                visible = row is not None and self._visible(session, row, principal)
                if row is not None and visible and row.current_version >= on_chain:
                    version = queries.version_at(session, gpid.hex, version=row.current_version)
                    if version is not None:
                        return version
            if on_chain == 0 or (row is not None and not visible) or time.monotonic() > deadline:
                raise e.UnknownGPID(str(gpid))
            time.sleep(self.poll_s)

    # ------------------------------------------------------------------ declarations

    def link(self, reference: str, country: str, direction: str, gpids: list[str], principal: Principal) -> dict[str, Any]:
        sender = self._signer(principal, Action.LINK)
        problems = []
        reference_n = canonical.normal_identifier(reference) if isinstance(reference, str) else ""
        if not canonical.is_normal_identifier(reference_n):
            problems.append(e.FieldProblem("reference", "a declaration reference of 1 to 70 characters is required"))
        country_n = country.strip().upper() if isinstance(country, str) else ""
        from gpid_node.domain.reference import is_country

        if not is_country(country_n):
            problems.append(e.FieldProblem("country", f"expected an ISO 3166-1 alpha-2 country code, got {country!r}"))
        if direction not in DIRECTIONS:
            problems.append(e.FieldProblem("direction", "use export or import"))
        parsed: list[GPID] = []
        if not isinstance(gpids, list) or not gpids:
            problems.append(e.FieldProblem("gpids", "list at least one GPID"))
        else:
            for i, text in enumerate(gpids):
                try:
                    parsed.append(GPID.parse(text))
                except e.InvalidGPID as exc:
                    problems.append(e.FieldProblem(f"gpids[{i}]", exc.reason))
            if len(set(parsed)) != len(parsed):
                problems.append(e.FieldProblem("gpids", "a GPID is listed twice"))
        if problems:
            raise e.ValidationFailed(problems)
        self._require_chain()
        writes: list[Write] = []
        for gpid in parsed:
            if not self.client.record_of(gpid).exists:
                raise e.UnknownGPID(str(gpid))
            if principal.role == Role.BUYER:
                current = self._current_version(gpid, principal)
                opened = tuple(bytes.fromhex(c[2:]) for c in current.commitments)
                writes.append(LinkAsBuyer(gpid, opened, reference_n, country_n, DIRECTIONS[direction]))
            else:
                writes.append(Link(gpid, reference_n, country_n, DIRECTIONS[direction]))
        ids: list[int] = []
        with self.store.session() as session:
            for write in writes:
                ids.append(Outbox.record(session, sender, write, write.gpid.hex))
        submitted = self._await(ids)
        failures = [r for r in submitted.results if r.get("status") == FAILED]
        if failures and len(failures) == len(submitted.results):
            raise e.error_from_record(failures[0]["error"])
        return {
            "reference": reference_n, "country": country_n, "direction": direction,
            "links": [{k: r.get(k) for k in ("gpid", "status", "transaction", "block", "error", "submission")} for r in submitted.results],
        }  # fmt: skip

    def declaration(self, country: str, reference: str, principal: Principal) -> dict[str, Any]:
        country_n, reference_n = country.strip().upper(), canonical.normal_identifier(reference)
        with self.store.session() as session:
            links = queries.declaration(session, country_n, reference_n)
            visible = []
            for link in links:
                row = queries.key_data_set(session, link.gpid)
                if principal.role == Role.BROKER and link.linker == principal.account or (
                    row is not None and self._visible(session, row, principal)
                ) or (principal.role == Role.CUSTOMS and principal.country == country_n):
                    visible.append(link)
        if not visible:
            raise e.UnknownDeclaration(country_n, reference_n)
        return {
            "country": country_n, "reference": reference_n, "direction": visible[0].direction,
            "gpids": [{"gpid": str(GPID.from_hex(l.gpid)), "direction": l.direction, "linker": l.linker,
                       "linked_at": iso(l.time), "transaction": l.transaction_hash, "block": l.block_number}
                      for l in visible],
        }  # fmt: skip

    # ------------------------------------------------------------------ reads

    def _visibility(self, session: Any, row: KeyDataSetRow) -> Visibility:
        links = queries.links_for(session, row.gpid)
        return Visibility(
            issuer=row.issuer, seller_trader_id=row.seller_trader_id, buyer_trader_id=row.buyer_trader_id,
            seller_country=row.seller_country, buyer_country=row.buyer_country,
            linkers=frozenset(l.linker for l in links), declaration_countries=frozenset(l.country for l in links),
        )  # fmt: skip

    def _visible(self, session: Any, row: KeyDataSetRow, principal: Principal) -> bool:
        return may_read(principal, self._visibility(session, row))

    def _chain_digest(self, gpid: GPID, version: VersionRow) -> str | None:
        """The digest the registry holds for an indexed version: None when the chain cannot be
        reached, "" when the registry has no such version.

        A version's digest is written once and never changes, so a digest the chain confirmed for
        the indexed version (same block) is remembered while the chain answers the indexer, until the
        indexer takes rows back (a reorg or an older chain): then everything remembered is forgotten.
        """
        if self.indexer.rewinds != self._chain_digests_rewinds:
            self._chain_digests.clear()
            self._chain_digests_rewinds = self.indexer.rewinds
        key = (gpid.hex, version.version, version.block_hash)
        remembered = self._chain_digests.get(key)
        if remembered is not None and self.indexer.following:
            return remembered
        try:
            digest = "0x" + self.client.version_of(gpid, version.version).digest.hex()
        except e.ChainUnavailable:
            return None
        except e.GPIDError:
            return ""
        if digest == version.digest:
            if len(self._chain_digests) >= CHAIN_DIGESTS_REMEMBERED:
                self._chain_digests.clear()
            self._chain_digests[key] = digest
        return digest

    def integrity(self, gpid: GPID, version: VersionRow) -> dict[str, Any]:
        """The version's integrity, proven against the digest the registry holds for it.

        The data served is hashed again with its salt (``data_digest``): a row altered in the index
        database (data, or data and digest) is never served as verified.
        """
        chain_digest = self._chain_digest(gpid, version)
        data_digest = recomputed_digest(version)
        data_matches = bool(version.integrity_ok) and data_digest is not None and data_digest == version.digest
        proof: dict[str, Any] = {
            "payload_matches_commitments": data_matches,
            "digest": version.digest,
            "transaction": version.transaction_hash,
            "block": version.block_number,
            "registry": self.client.address,
            "chain_id": self.client.chain_id,
        }
        if chain_digest is None:
            proof.update(verified=False, checked_against="index", chain_reachable=False,
                         problem="the chain cannot be reached: integrity could not be proven now")  # fmt: skip
        else:
            matches = chain_digest == version.digest
            proof.update(verified=data_matches and matches, checked_against="chain",
                         chain_reachable=True, chain_digest=chain_digest or None)  # fmt: skip
            if not version.integrity_ok:
                proof["problem"] = version.integrity_problem
            elif not data_matches:
                proof["problem"] = (
                    "the data in the index does not match the digest recorded for this version: the index was "
                    "altered; rebuild it from the chain"
                )
            elif not matches:
                proof["problem"] = "the digest on chain differs from the indexed version"
        return proof

    def _proven(self, gpid: GPID, version: VersionRow) -> bool:
        """An older version's data hashes to the digest the registry holds for that version (only
        to the indexed digest while the chain cannot be reached)."""
        data_digest = recomputed_digest(version)
        if not version.integrity_ok or data_digest is None or data_digest != version.digest:
            return False
        chain_digest = self._chain_digest(gpid, version)
        return chain_digest is None or chain_digest == data_digest

    def freshness(self) -> dict[str, Any]:
        status = self.indexer.status()
        return {"indexed_block": status.get("cursor"), "head_block": status.get("head"),
                "lag_blocks": status.get("lag"), "chain_reachable": status.get("last_error") is None}  # fmt: skip

    def key_data_set(
        self, gpid_text: str, principal: Principal, *, version: int | None = None, as_of: datetime | None = None
    ) -> dict[str, Any]:
        gpid = GPID.parse(gpid_text)
        with self.store.session() as session:
            row = queries.key_data_set(session, gpid.hex)
            if row is None or not self._visible(session, row, principal):
                raise e.UnknownGPID(str(gpid))
            chosen = queries.version_at(session, gpid.hex, version=version, as_of=as_of)
        if chosen is None:
            if version is not None:
                raise e.ValidationFailed([e.FieldProblem("version", f"{gpid} has versions 1 to {row.current_version}")])
            raise e.NotFound(f"{gpid} was registered at {iso(row.registered_at)}, after {iso(as_of)}")
        return {
            "gpid": str(gpid),
            "version": chosen.version,
            "current_version": row.current_version,
            "data": chosen.data,
            "integrity": self.integrity(gpid, chosen),
            "registered_at": iso(row.registered_at),
            "updated_at": iso(chosen.time),
            "issuer": row.issuer,
            "freshness": self.freshness(),
        }

    def history(self, gpid_text: str, principal: Principal) -> dict[str, Any]:
        gpid = GPID.parse(gpid_text)
        with self.store.session() as session:
            row = queries.key_data_set(session, gpid.hex)
            if row is None or not self._visible(session, row, principal):
                raise e.UnknownGPID(str(gpid))
            versions = queries.versions(session, gpid.hex)
        return {
            "gpid": str(gpid),
            "versions": [
                {"version": v.version, "author": v.author, "time": iso(v.time), "reason": v.reason,
                 "reason_code": v.reason_code, "changed_fields": v.changed_fields,
                 "changed_sections": v.changed_sections, "transaction": v.transaction_hash,
                 "block": v.block_number, "integrity_ok": v.integrity_ok}
                for v in versions
            ],
        }  # fmt: skip

    def list_key_data_sets(self, principal: Principal, limit: int, offset: int) -> dict[str, Any]:
        with self.store.session() as session:
            rows, total = queries.list_visible(
                session, principal.role.value, principal.account, principal.trader_id, principal.country, limit, offset
            )
        items = [
            {"gpid": r.gpid_text, "version": r.current_version, "invoice_number": r.invoice_number,
             "seller_trader_id": r.seller_trader_id, "buyer_trader_id": r.buyer_trader_id,
             "registered_at": iso(r.registered_at), "updated_at": iso(r.updated_at), "integrity_ok": r.integrity_ok}
            for r in rows
        ]  # fmt: skip
        return {"items": items, "total": total, "limit": limit, "offset": offset}

    # ------------------------------------------------------------------ verification

    def verify(self, body: Any, principal: Principal, *, record: bool = True) -> dict[str, Any]:
        if principal.role not in (Role.CUSTOMS, Role.OPERATOR, Role.BROKER):
            raise e.PermissionDenied("verifications are made by Customs (and brokers checking their own filings)")
        request = verification.parse_request(body)
        declaration = request.declaration
        facts: dict[str, verification.KeyDataSetFacts | None] = {}
        reference_n = canonical.normal_identifier(declaration.reference)
        for text in dict.fromkeys(item.gpid for item in declaration.items):  # each GPID once
            try:
                gpid = GPID.parse(text)
            except e.InvalidGPID:
                facts[text] = None
                continue
            facts[text] = self._facts(gpid, principal, declaration.country, reference_n)
        answer = verification.verify(declaration, facts)
        if record and principal.role == Role.CUSTOMS and principal.account in self.keyring and answer["result"] != "unknown_gpid":
            answer["recorded"] = self._record_outcomes(answer, reference_n, principal.account)
        return answer

    def _facts(self, gpid: GPID, principal: Principal, country: str, reference: str) -> verification.KeyDataSetFacts | None:
        with self.store.session() as session:
            row = queries.key_data_set(session, gpid.hex)
            if row is None or not self._visible(session, row, principal):
                return None
            versions = queries.versions(session, gpid.hex)
            links = queries.links_for(session, gpid.hex)
        current = versions[-1]
        proof = self.integrity(gpid, current)
        verified = all(self._proven(gpid, v) for v in versions[:-1])  # Customs may compare with an older one
        if proof.get("chain_reachable", True):
            verified = verified and proof["verified"]
        else:
            verified = verified and proof["payload_matches_commitments"]
        return verification.KeyDataSetFacts(
            gpid=str(gpid),
            integrity_verified=verified,
            versions=[
                verification.VersionRecord(version=v.version, time=_utc(v.time), author=v.author, reason=v.reason,
                                           changed_fields=list(v.changed_fields or []), data=v.data or {})
                for v in versions
            ],
            other_declarations=[
                {"reference": l.reference, "country": l.country, "direction": l.direction, "linked_at": _utc(l.time)}
                for l in links if not (l.country == country and l.reference == reference)
            ],
        )  # fmt: skip

    def _record_outcomes(self, answer: dict[str, Any], reference: str, sender: str) -> list[dict[str, Any]]:
        code = OUTCOMES[answer["result"]] if answer["result"] in OUTCOMES else None
        recorded = []
        with self.store.session() as session:
            for entry in answer["gpids"]:
                gpid = GPID.parse(entry["gpid"])
                version = entry.get("version_at_filing") or 1
                outcome = 3 if not entry["integrity"]["verified"] else (2 if entry["discrepancies"] else 1)
                write = RecordVerification(gpid, reference, version, outcome or code)
                entry_id = Outbox.record(session, sender, write, gpid.hex)
                recorded.append({"gpid": str(gpid), "submission": entry_id, "outcome": outcome})
        self.outbox.wake()
        return recorded


def recomputed_digest(version: VersionRow) -> str | None:
    """The digest of a version's data as the index holds it (its commitments under its salt), or None."""
    if version.data is None or version.salt is None:
        return None
    try:
        salt = bytes.fromhex(version.salt.removeprefix("0x"))
        return "0x" + canonical.commitments(version.data, salt).digest.hex()
    except (KeyError, TypeError, AttributeError, ValueError):
        return None


def principal_roles(action: Action) -> frozenset[Role]:
    from gpid_node.domain.access import WRITERS

    return WRITERS[action]


def open_node(settings: Any, keyring: Keyring, *, rpc_url: str | None = None) -> Node:
    """A node from its settings: the store migrated, the deployment record loaded, the client connected."""
    from gpid_node.chain.client import connect

    deployment = Deployment.read(settings.deployment_path)
    url = rpc_url or settings.rpc_url
    if not url:
        raise e.ValidationFailed([e.FieldProblem("GPID_RPC_URL", "set the JSON-RPC endpoint of the chain")])
    client = RegistryClient(connect(url), deployment.registry, settings.fee_mode)
    store = Store(settings.database)
    store.migrate()
    return Node(
        store=store, client=client, keyring=keyring, deployment=deployment, batch_size=settings.batch_size,
        confirmations=settings.confirmations, write_timeout_s=settings.write_timeout_s,
        poll_s=settings.poll_interval_s, public_url=settings.public_url,
    )  # fmt: skip
