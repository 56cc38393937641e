"""Registration: one key data set (``POST /v1/key-data-sets``, ``gpid-node register``) or many
(``gpid-node import``), each checked once against what is registered or on its way."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from gpid_node.chain.writes import Register
from gpid_node.domain import canonical, merkle, payload_crypto
from gpid_node.domain import errors as e
from gpid_node.domain.access import Action, Principal
from gpid_node.domain.encryption_keys import EncryptionKeyPair, key_id
from gpid_node.domain.gpid import GPID
from gpid_node.domain.model import parse_key_data_set
from gpid_node.services.context import UNBOUND, Context
from gpid_node.services.importing import SourceRecord
from gpid_node.services.outbox import Outbox
from gpid_node.services.submission import Submissions
from gpid_node.store import access_queries, submissions
from gpid_node.store.tables import MINED

PLAIN, ENCRYPTED = 1, payload_crypto.PAYLOAD_FORMAT_ENCRYPTED
SECRETS_REMEMBERED = 10_000  # shared secrets of (seller key, recipient key) pairs kept in memory

# The recipients (account, published public key) of a registration besides its seller, per
# (buyer trader ID, seller country, buyer country): looked up once per import, not once per row.
RecipientCache = dict[tuple[str, str | None, str | None], list[tuple[str, bytes]]]


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

    def __init__(self, context: Context, submissions: Submissions, payload_format: int = ENCRYPTED) -> None:
        if payload_format not in (PLAIN, ENCRYPTED):
            raise ValueError(f"payload format {payload_format} is neither 1 (plain) nor 2 (encrypted)")
        self.context = context
        self.submissions = submissions
        self.payload_format = payload_format
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

    def recipients(self, sender: str, data: dict[str, Any], cache: RecipientCache | None = None) -> list[tuple[str, bytes]]:
        """Who receives the content key (account, X25519 public key): the seller's account with its
        issuing key (:meth:`issuing_key`), then every account bound now to the buyer's trader ID,
        every Customs account of the seller's and of the buyer's country, and every agent holding an
        active mandate of the seller's trader, each with the key it published on chain (the index
        mirrors it); a recipient without a published key is skipped. One key id once."""
        return self._chosen(sender, self._recipients_of(sender, data, cache))[1]

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

    def _recipients_of(self, sender: str, data: dict[str, Any], cache: RecipientCache | None) -> list[tuple[str, bytes]]:
        """The sender and the other recipients with their published keys, looked up once per ``cache`` key."""
        buyer_id = canonical.trader_id_text(data["buyer"]["trader_id"])
        seller_country = ((data.get("seller") or {}).get("address") or {}).get("country")
        buyer_country = ((data.get("buyer") or {}).get("address") or {}).get("country")
        key = (buyer_id, seller_country, buyer_country)
        found = None if cache is None else cache.get(key)
        if found is None:
            found = self._other_recipients(sender, buyer_id, seller_country, buyer_country)
            if cache is not None:
                cache[key] = found
        return found

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

    def prepare(
        self, raw: Any, sender: str, *, today: Any = None, cache: RecipientCache | None = None, source: dict[str, str] | None = None
    ) -> Prepared:
        """Validates and normalises a key data set, derives its GPID and commits to it: format 2 (the
        default) encrypts it under a new content key wrapped for its recipients (looked up in the
        index, once per ``cache`` key within an import), format 1 salts it in the clear. No other I/O
        but a view (the sender's trader key, remembered). ``source`` (the e-invoice it was derived
        from: syntax, customization, SHA-256) travels inside a format-2 payload; format 1 keeps none."""
        data = parse_key_data_set(raw, today=today).model_dump(mode="json")
        seller_id = canonical.trader_id_text(data["seller"]["trader_id"])
        bound = self.context.trader_key_of(sender)
        if bound == UNBOUND:
            raise e.TraderNotBound(sender)
        if bound != canonical.trader_key(seller_id):
            raise e.ValidationFailed(
                [e.FieldProblem("seller.trader_id", f"this account is not bound to {seller_id}; it registers only for its own trader ID")]
            )
        invoice_key = self.invoice_key(bound, data["invoice"]["number"])
        client = self.context.client
        gpid = canonical.gpid_of_invoice(client.chain_id, client.address, bound, invoice_key)
        if self.payload_format == ENCRYPTED:
            return Prepared(data, gpid, self._encrypted(data, gpid, invoice_key, sender, cache, source))
        salt = os.urandom(canonical.SALT_BYTES)
        commitments = canonical.commitments(data, salt)
        return Prepared(data, gpid, Register(invoice_key, commitments.as_tuple(), canonical.encode_payload(data, salt)))

    def invoice_key(self, seller_trader_key: bytes, invoice_number: str) -> bytes:
        """The invoice key a registration of ``invoice_number`` by the seller trader sends (rule 1):
        the HMAC of its normal form under the trader's secret, which this node creates the first
        time it registers for the trader (or at the trader's onboarding here) and keeps in its
        keystore. The normal form is checked here: the contract no longer sees the number."""
        number = canonical.normal_identifier(invoice_number)
        if not canonical.is_normal_identifier(number):
            raise e.ValidationFailed([e.FieldProblem("invoice.number", "the invoice number has no normal form the registry can key")])
        return canonical.invoice_key(self.context.keyring.traders.ensure(seller_trader_key), number)

    def _encrypted(
        self, data: dict[str, Any], gpid: GPID, invoice_key: bytes, sender: str, cache: RecipientCache | None,
        source: dict[str, str] | None = None,
    ) -> Register:  # fmt: skip
        """The format-2 registration: a new content key and seed for the GPID, the Merkle commitments,
        the content key wrapped for each recipient, the data encrypted as version 1."""
        content_key, seed = payload_crypto.new_content_key(), payload_crypto.new_seed()
        client = self.context.client
        binding = payload_crypto.Binding(client.chain_id, client.address, gpid)
        issuer, recipients = self._chosen(sender, self._recipients_of(sender, data, cache))
        wrapped = []
        for account, public_key in recipients:
            secret = self._shared_secret(issuer, public_key)
            if secret is not None:
                wrapped.append(payload_crypto.wrap_for_recipient(content_key, secret, public_key, account, binding))
        payload = payload_crypto.build_payload(data, seed, content_key, binding, version=1, recipient_keys=wrapped,
                                               extra=None if source is None else {"source": source})  # fmt: skip
        return Register(invoice_key, merkle.commitments_v2(data, seed).as_tuple(), payload)

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
        cache: RecipientCache = {}

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

        for record in records:
            report.read += 1
            if record.problem is not None:
                report.rejected.append((record.line, [e.FieldProblem("", record.problem)]))
                continue
            try:
                prepared = self.prepare(record.data, sender, cache=cache, source=record.source)
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
