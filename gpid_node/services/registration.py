"""Registration: one key data set (``POST /v1/key-data-sets``, ``gpid-node register``) or many
(``gpid-node import``), each checked once against what is registered or on its way."""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import structlog

from gpid_node.chain.writes import Register
from gpid_node.domain import canonical, payload_crypto, sealing
from gpid_node.domain import errors as e
from gpid_node.domain.access import Action, Principal
from gpid_node.domain.encryption_keys import EncryptionKeyPair, key_id
from gpid_node.domain.gpid import GPID
from gpid_node.services.context import UNBOUND, Context
from gpid_node.services.importing import SourceRecord
from gpid_node.services.outbox import Outbox
from gpid_node.services.submission import Submissions
from gpid_node.store import access_queries, submissions
from gpid_node.store.tables import MINED

log = structlog.get_logger("gpid.registration")

PLAIN, ENCRYPTED = sealing.PLAIN, sealing.ENCRYPTED
SECRETS_REMEMBERED = 10_000  # shared secrets of (seller key, recipient key) pairs kept in memory
SEAL_HERE_ROWS = 200  # an import of more rows seals the others in worker processes
SEAL_CHUNK = 50  # rows a worker seals in one task
SEAL_CHUNKS_AHEAD = 3  # tasks queued per worker

# The recipients of a registration (with their hint secrets), per kind of registration
# (sealing.RecipientsKey: buyer trader ID, seller country, buyer country): looked up once per
# import, and between single registrations until a rights event reaches the chain.
RecipientCache = dict[sealing.RecipientsKey, tuple[sealing.Recipient, ...]]


@dataclass(frozen=True)
class Prepared:
    """A validated key data set, its GPID and the write that registers it."""

    data: dict[str, Any]
    gpid: GPID
    request: Register


def _prepared(sealed: sealing.Sealed) -> Prepared:
    return Prepared(sealed.data, sealed.gpid, Register(sealed.invoice_key, sealed.commitments, sealed.payload))


def default_import_workers() -> int:
    """Worker processes that seal an import's rows: none on one CPU; one on two or three (this
    process records, sends and indexes meanwhile); one per CPU but one, at most four, beyond."""
    cpus = os.cpu_count() or 1
    return 0 if cpus < 2 else 1 if cpus < 4 else min(4, cpus - 1)


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

    def __init__(
        self, context: Context, submissions: Submissions, payload_format: int = ENCRYPTED, import_workers: int | None = None
    ) -> None:
        if payload_format not in (PLAIN, ENCRYPTED):
            raise ValueError(f"payload format {payload_format} is neither 1 (plain) nor 2 (encrypted)")
        self.context = context
        self.submissions = submissions
        self.payload_format = payload_format
        self.import_workers = default_import_workers() if import_workers is None else max(0, import_workers)
        # Recipients remembered between single registrations, per seller account, while no rights
        # event (keys, Customs, bindings, mandates) has reached the chain since block _recipients_block.
        self._recipients: dict[str, RecipientCache] = {}
        self._recipients_block = -1
        self._recipients_lock = threading.Lock()
        # X25519(seller's key, recipient's key) per pair of keys: the secret of each recipient's hint
        self._secrets: dict[tuple[bytes, bytes], bytes | None] = {}

    def _shared_secret(self, issuer: EncryptionKeyPair, public_key: bytes) -> bytes | None:
        """The secret of a recipient's hint (payload_crypto.recipient_hint), remembered per pair of keys;
        None for a recipient key of low order (published by mistake or malice: it gets no wrapped key)."""
        pair = (issuer.public_bytes, public_key)
        if pair not in self._secrets:
            if len(self._secrets) >= SECRETS_REMEMBERED:
                self._secrets.clear()
            self._secrets[pair] = issuer.shared_secret(public_key)
        return self._secrets[pair]

    def _recipient_cache(self, sender: str) -> RecipientCache:
        """The remembered recipients of ``sender``'s registrations, after the index is known to hold
        every rights event; forgotten as soon as a rights event lies after the block they were read
        at (one ``eth_getLogs`` answers both: :meth:`Context.require_current_index`)."""
        with self._recipients_lock:
            remembered = self._recipients_block if self._recipients_block >= 0 else None
        position = self.context.require_current_index(remembered)
        with self._recipients_lock:
            if remembered is None or position.changed:
                self._recipients = {}  # a new dict: a lookup still running from before writes into the old one
            self._recipients_block = max(self._recipients_block, position.block)
            return self._recipients.setdefault(sender, {})

    def recipients(self, sender: str, data: dict[str, Any]) -> list[tuple[str, bytes]]:
        """Who receives the content key (account, X25519 public key): the seller's account with its
        issuing key (:meth:`issuing_key`), then every account bound now to the buyer's trader ID,
        every Customs account of the seller's and of the buyer's country, and every agent holding an
        active mandate of the seller's trader, each with the key it published on chain (the index
        mirrors it); a recipient without a published key is skipped. One key id once."""
        return self._chosen(sender, self._other_recipients(sender, *sealing.recipients_key(data)))[1]

    def _chosen(self, sender: str, found: list[tuple[str, bytes]]) -> tuple[EncryptionKeyPair, list[tuple[str, bytes]]]:
        """The seller's issuing key and the recipients (:meth:`recipients`) of what the index ``found``."""
        own = self.issuing_key(sender, found)
        chosen = [(sender, own.public_bytes)]
        seen = {own.key_id}
        for account, public_key in found:
            kid = key_id(public_key)
            if kid not in seen and account != sender:
                seen.add(kid)
                chosen.append((account, public_key))
        if len(chosen) > payload_crypto.MAX_WRAPPED_KEYS:
            raise e.ValidationFailed(
                [e.FieldProblem("buyer.trader_id", f"{len(chosen)} recipients; a payload carries at most "
                                                   f"{payload_crypto.MAX_WRAPPED_KEYS} wrapped keys")]  # fmt: skip
            )
        return own, chosen

    def issuing_key(self, sender: str, found: list[tuple[str, bytes]]) -> EncryptionKeyPair:
        """The seller's key pair whose public key is the one it published last (``found`` holds the
        sender with it): the recipients compute their hints with that public key (the index's
        ``encryption_keys``), so a key this node made but could not publish yet (a refused rotation)
        issues nothing. The seller's own wrapped key is for it too."""
        published = next((public_key for account, public_key in found if account == sender), None)
        pairs = self.context.keyring.encryption.keys_of(sender)
        if not pairs:
            raise e.PermissionDenied(
                f"this node holds no encryption key for the seller account {sender}, so the key data set could not be "
                "read back: create and publish one first (the node's keys command)",
                account=sender,
            )
        issuing = next((pair for pair in reversed(pairs) if pair.public_bytes == published), None)
        if issuing is None:
            raise e.PermissionDenied(
                f"the seller account {sender} has not published on chain the encryption key this node holds for it "
                f"(key id 0x{pairs[-1].key_id.hex()}), so its recipients could not find their wrapped keys: publish it "
                "first (the node's keys command publishes it when it starts)",
                account=sender,
            )
        return issuing

    def _other_recipients(
        self, sender: str, buyer_id: str, seller_country: str | None, buyer_country: str | None
    ) -> list[tuple[str, bytes]]:
        """The sender first (its own published key), then the other recipients, each with its published key."""
        seller_key = "0x" + self.context.trader_key_of(sender).hex()
        with self.context.store.session() as session:
            accounts = [sender, *access_queries.bound_accounts(session, "0x" + canonical.trader_key(buyer_id).hex())]
            for country in dict.fromkeys(c for c in (seller_country, buyer_country) if c):
                accounts += access_queries.customs_accounts(session, country)
            accounts += access_queries.mandated_agents(session, seller_key)
            keys = access_queries.current_keys(session, accounts)
        ordered = list(dict.fromkeys(accounts))
        return [(a, keys[a].public_key) for a in ordered if a in keys]

    def _recipients_for(self, sender: str, key: sealing.RecipientsKey) -> tuple[sealing.Recipient, ...]:
        """The recipients of a registration by ``sender`` of the kind ``key`` names, each with the
        secret of its hint; a recipient whose published key is of low order (published by mistake or
        malice) gets no wrapped key."""
        issuer, chosen = self._chosen(sender, self._other_recipients(sender, *key))
        return tuple(
            sealing.Recipient(account, public_key, secret)
            for account, public_key in chosen
            if (secret := self._shared_secret(issuer, public_key)) is not None
        )

    def _sealer(self, sender: str, cache: RecipientCache | None) -> tuple[sealing.Sealer, Callable[[sealing.RecipientsKey], Any]]:
        """The sealer of ``sender``'s registrations (the recipients remembered in ``cache``), and the
        lookup that adds a kind of registration's recipients to ``cache``. No I/O but a view (the
        sender's trader key, remembered) and, the first time, the trader's secret."""
        bound = self.context.trader_key_of(sender)
        if bound == UNBOUND:
            raise e.TraderNotBound(sender)
        client = self.context.client
        recipients: RecipientCache = {} if cache is None else cache
        sealer = sealing.Sealer(self.payload_format, client.chain_id, client.address, bound,
                                self.context.keyring.traders.ensure(bound), recipients)  # fmt: skip

        def lookup(key: sealing.RecipientsKey) -> tuple[sealing.Recipient, ...]:
            found = recipients.get(key)
            if found is None:
                found = recipients[key] = self._recipients_for(sender, key)
            return found

        return sealer, lookup

    def prepare(
        self, raw: Any, sender: str, *, today: Any = None, cache: RecipientCache | None = None, source: dict[str, str] | None = None
    ) -> Prepared:
        """Validates and normalises a key data set, derives its GPID and commits to it
        (domain/sealing.py): format 2 (the default) encrypts it under a new content key wrapped for
        its recipients (looked up in the index, once per ``cache`` key), format 1 salts it in the
        clear. ``source`` (the e-invoice it was derived from: syntax, customization, SHA-256) travels
        inside a format-2 payload; format 1 keeps none."""
        sealer, lookup = self._sealer(sender, cache)
        return _prepared(sealing.seal(raw, sealer, today=today, source=source, lookup=lookup))

    def invoice_key(self, seller_trader_key: bytes, invoice_number: str) -> bytes:
        """The invoice key a registration of ``invoice_number`` by the seller trader sends (rule 1):
        the HMAC of its normal form under the trader's secret, which this node creates the first
        time it registers for the trader (or at the trader's onboarding here) and keeps in its
        keystore. The normal form is checked here: the contract no longer sees the number."""
        return sealing.invoice_key(self.context.keyring.traders.ensure(seller_trader_key), invoice_number)

    def register(self, raw: Any, principal: Principal, *, wait: bool = True, source: dict[str, str] | None = None) -> dict[str, Any]:
        """Registers a key data set; waits for its block unless ``wait`` is False (then it is pending)."""
        sender = self.context.signer(principal, Action.REGISTER)
        self.context.require_chain()
        cache = None
        if self.payload_format == ENCRYPTED:
            cache = self._recipient_cache(sender)
        prepared = self.prepare(raw, sender, cache=cache, source=source)
        gpid = prepared.gpid
        with self.context.store.transaction() as connection:
            number = prepared.data["invoice"]["number"]
            if submissions.known_registrations(connection, [gpid.hex]):  # registered, or recorded and on its way
                raise e.InvoiceAlreadyRegistered(str(gpid), number)
            if (earlier := self._indexed_under_another_key(connection, sender, [prepared])).get(gpid.hex):
                raise e.InvoiceAlreadyRegistered(earlier[gpid.hex], number)
            ids = [Outbox.record(connection, sender, prepared.request, gpid.hex)]
        submitted = self.submissions.settle(ids, wait=wait)
        result = submitted.results[0]
        return {"gpid": str(gpid), "version": 1, "transaction": result.get("transaction"),
                "block": result.get("block"), "status": "pending" if submitted.pending else "registered",
                "submission": result["submission"]}  # fmt: skip

    def _indexed_under_another_key(self, reader: Any, sender: str, prepared: list[Prepared]) -> dict[str, str]:
        """GPID hex -> text of the GPID this node's index holds for the same seller and invoice number
        under another invoice key (a trader secret lost and made anew): the node refuses those too,
        as the registry can no longer tell them (docs/security.md, "Invoice keys")."""
        seller_key = "0x" + self.context.trader_key_of(sender).hex()
        ours: dict[str, str] = {}  # normal invoice number -> our GPID hex
        forms: list[str] = []
        for p in prepared:
            number = p.data["invoice"]["number"]
            normal = canonical.normal_identifier(number)
            ours[normal] = p.gpid.hex
            forms += [number, normal]
        found: dict[str, str] = {}
        for gpid_hex, gpid_text, number in submissions.registered_invoices(reader, seller_key, forms):
            mine = ours.get(canonical.normal_identifier(number))
            if mine is not None and mine != gpid_hex:
                found[mine] = gpid_text
        return found

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
        if self.payload_format == ENCRYPTED:
            self.context.require_current_index()
        report = ImportReport()
        waiting: dict[int, tuple[int, str, bool]] = {}  # entry id -> (line, gpid, new in this run)
        seen: dict[str, int] = {}
        batch: list[tuple[int, Prepared]] = []

        def flush() -> None:
            if not batch:
                return
            with self.context.store.session() as session:
                known = submissions.known_registrations(session, [p.gpid.hex for _, p in batch])
                earlier = self._indexed_under_another_key(session, sender, [p for _, p in batch])
                for line, prepared in batch:
                    gpid_hex, gpid_text = prepared.gpid.hex, str(prepared.gpid)
                    if gpid_hex not in known and gpid_hex in earlier:
                        report.already_registered.append((line, earlier[gpid_hex]))
                    elif gpid_hex not in known:
                        entry_id = Outbox.record(session, sender, prepared.request, gpid_hex)
                        waiting[entry_id] = (line, gpid_text, True)
                    elif (queued := known[gpid_hex]) is not None:
                        waiting[queued] = (line, gpid_text, False)
                    else:
                        report.already_registered.append((line, gpid_text))
            batch.clear()
            self.context.outbox.wake()

        for record, sealed in self._sealed_rows(records, sender):
            report.read += 1
            if record.problem is not None:
                report.rejected.append((record.line, [e.FieldProblem("", record.problem)]))
                continue
            if isinstance(sealed, list):
                report.rejected.append((record.line, sealed))
                continue
            prepared = _prepared(sealed)
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

    def _sealed_rows(self, records: Iterable[SourceRecord], sender: str) -> Iterator[tuple[SourceRecord, sealing.Sealed | list[e.FieldProblem]]]:
        """Each record with its sealed key data set (or the problems that rejected it), in order. The
        first ``SEAL_HERE_ROWS`` are sealed in this process; the rest of a larger import in
        ``import_workers`` worker processes (started after the first row, which learns the commonest
        recipients), ``SEAL_CHUNK`` rows a task, while this process records, sends and indexes what
        comes back. A row whose recipients the workers did not hold yet, and every row after a
        worker failed, is sealed here."""
        rows = iter(records)
        head = list(itertools.islice(rows, SEAL_HERE_ROWS))
        if not head:
            return
        sealer, lookup = self._sealer(sender, {})

        def here(record: SourceRecord) -> sealing.Sealed | list[e.FieldProblem]:
            try:
                return sealing.seal(record.data, sealer, source=record.source, lookup=lookup)
            except e.ValidationFailed as exc:
                return list(exc.problems)

        workers = self._workers() if len(head) == SEAL_HERE_ROWS else None
        if workers is None:
            for record in itertools.chain(head, rows):
                yield record, ([] if record.problem is not None else here(record))
            return
        try:
            pending: deque[tuple[list[SourceRecord], Future[list[sealing.SealOutcome]] | None]] = deque()

            def submit() -> bool:
                chunk = list(itertools.islice(rows, SEAL_CHUNK))
                if not chunk:
                    return False
                snapshot = dataclasses.replace(sealer, recipients=dict(sealer.recipients))
                task = [(r.data, r.source) for r in chunk if r.problem is None]
                pending.append((chunk, workers.submit(sealing.seal_rows, snapshot, task) if task else None))
                return True

            for index, record in enumerate(head):
                yield record, ([] if record.problem is not None else here(record))
                if index == 0:  # the workers start with the recipients the first row needed
                    while len(pending) < SEAL_CHUNKS_AHEAD * self.import_workers and submit():
                        pass
            while pending:
                chunk, future = pending.popleft()
                try:
                    outcomes = iter([] if future is None else future.result())
                except Exception:  # a worker died (memory, a signal): this process seals the rest
                    log.warning("import.sealing_worker_failed", exc_info=True)
                    workers.shutdown(wait=False, cancel_futures=True)
                    for record in itertools.chain(chunk, *(c for c, _ in pending), rows):
                        yield record, ([] if record.problem is not None else here(record))
                    return
                submit()
                for record in chunk:
                    if record.problem is not None:
                        yield record, []
                        continue
                    outcome = next(outcomes)
                    yield record, (here(record) if isinstance(outcome, sealing.RecipientsUnknown) else outcome)
        finally:
            workers.shutdown(wait=True, cancel_futures=True)

    def _workers(self) -> ProcessPoolExecutor | None:
        """Worker processes that seal rows of an import; None when there are to be none, or this
        process may not start them (the node's daemonic engine process)."""
        if self.import_workers < 1 or multiprocessing.current_process().daemon:
            return None
        try:
            return ProcessPoolExecutor(self.import_workers, mp_context=multiprocessing.get_context("spawn"))
        except (OSError, ValueError, RuntimeError):
            log.warning("import.no_sealing_workers", exc_info=True)
            return None

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
