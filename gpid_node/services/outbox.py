"""Durable submission: every write is recorded in the database before it is broadcast.

Life of an entry::

    pending ──sign, record tx, broadcast──> sent ──receipt──> mined
       ^                                     │                  │
       └──── not on chain / block lost ──────┴──────────────────┘
    pending or sent ──the contract refuses──> failed (the error is kept for the caller)

An amendment, link or verification waits for the entries before it about the same GPID: after the
chain lost blocks they are pending together, and one must not be judged on a chain without the other.

A crash at any point loses nothing and duplicates nothing: the signed transaction is committed
before it is broadcast, so after a restart it is either found mined, broadcast again with the same
nonce and hash, or (its nonce taken or its block lost) signed again. A registration that finds its
own key data set already on chain (same digest) adopts it instead of failing. Concurrent
registrations of one sender are gathered into ``registerBatch`` transactions (group commit).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from gpid_node.chain.abi import decode_log, event_topic
from gpid_node.chain.client import RegistryClient
from gpid_node.chain.errors import RpcRefused
from gpid_node.chain.keystore import Keyring
from gpid_node.chain.writes import Register, Write, write_from_json
from gpid_node.domain import errors as e
from gpid_node.domain.gpid import GPID
from gpid_node.services.outbox_groups import Entry, Group, gas_limit, groups
from gpid_node.services.outbox_waits import Outcome, Waiters
from gpid_node.store import outbox_queries as q
from gpid_node.store.database import Store
from gpid_node.store.lease import Lease
from gpid_node.store.outbox_queries import FAILED, FINISHED, MINED, PENDING, SENT
from gpid_node.store.tables import OutboxEntry

__all__ = ["FAILED", "FINISHED", "MINED", "OUTBOX_LEASE", "PENDING", "SENT", "Outbox", "Outcome", "gas_limit"]

log = structlog.get_logger("gpid.outbox")

REORG_WINDOW = 1024  # blocks behind the head in which a mined entry's block is re-checked
HEAD_CHECK_S = 1.0  # how often the worker checks that the chain still has the head it saw last
# How long a worker with nothing sent waits for a wake-up before it looks for work anyway (entries
# recorded by a process that could not wake it): writers wake it, so idling costs nothing.
IDLE_WAIT_S = 1.0
OUTBOX_LEASE = "outbox"  # one outbox worker per database (gpid_node.store.lease)
LEASE_RETRY_S = 1.0  # how often a worker standing by tries to take the lease


def utcnow() -> datetime:
    return datetime.now(UTC)


def _hash_text(value: Any) -> str:
    return (value if isinstance(value, str) else "0x" + bytes(value).hex()).lower()


class Outbox:
    """Records writes, sends them, and follows them until they are mined or refused."""

    def __init__(
        self,
        store: Store,
        client: RegistryClient,
        keyring: Keyring,
        *,
        batch_size: int = 50,
        poll_s: float = 0.05,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.keyring = keyring
        self.batch_size = batch_size
        self.poll_s = poll_s
        self._nonces: dict[str, int] = {}
        self._changed = threading.Condition()
        self._woken = False  # set by wake(), cleared by the worker as it starts a round
        self._waiters = Waiters()  # the callers waiting for their entries to finish
        self._on_change = on_change
        # When the worker runs in another process (the node's engine process): how each side tells the other.
        self.on_finished: Callable[[list[Outcome]], None] | None = None  # told what this worker finished
        self.wake_elsewhere: Callable[[], None] | None = None  # wakes the worker running elsewhere
        self.last_error: str | None = None
        self.sent_transactions = 0
        self._head_seen: tuple[int, str] | None = None  # (number, hash) of the head at the last check
        self._following = 0  # sent entries the last round followed (their receipts are polled for)
        self._in_flight: set[str] = set()  # GPIDs (hex) of the entries the last round found sent, not mined
        self.standing_by = False  # another process holds the outbox lease and sends every entry

    # ------------------------------------------------------------------ recording

    @staticmethod
    def record(writer: Session | Connection, sender: str, write: Write, gpid: str | None = None) -> int:
        """Adds an entry in the caller's transaction (the write is durable when that commits); its id.
        ``gpid`` (hex) is the GPID the entry is about, which later entries about it wait for."""
        return q.record(writer, write.kind, sender, write.to_json(), gpid, utcnow())

    def wake(self) -> None:
        """Tells the worker that entries were recorded (wherever it runs)."""
        with self._changed:
            self._woken = True
            self._changed.notify_all()
        if self.wake_elsewhere is not None:
            self.wake_elsewhere()

    def wait(self, entry_ids: Sequence[int], timeout_s: float) -> list[OutboxEntry | Outcome]:
        """The entries once all are mined or failed, or as they are when ``timeout_s`` runs out
        (:class:`~gpid_node.services.outbox_waits.Waiters` says how waiting costs nothing)."""
        def read() -> list[OutboxEntry]:
            return q.finished_entries(self.store, entry_ids)

        return self._waiters.wait(entry_ids, timeout_s, started=self.wake, read=read)

    def finished(self, outcomes: Iterable[Outcome]) -> None:
        """Releases the callers waiting on these entries (finished here or by a worker elsewhere)."""
        self._waiters.finished(outcomes)

    def _signal_finished(self, outcomes: list[Outcome]) -> None:
        self.finished(outcomes)
        if self.on_finished is not None:
            self.on_finished(outcomes)

    def depth(self) -> int:
        """Entries not yet mined or failed."""
        return q.depth(self.store)

    # ------------------------------------------------------------------ the worker

    def run(self, stop: threading.Event) -> None:
        """Reconciles, then sends and follows entries until ``stop`` is set; outages back off.

        Only the process holding the database's outbox lease works (:mod:`gpid_node.store.lease`);
        another one (a CLI command run while the node runs) stands by and takes over within
        ``LEASE_RETRY_S`` once the holder stops, while the holder sends its entries too.

        Every ``HEAD_CHECK_S`` the worker also checks the chain itself, busy or idle: an outage
        (the chain does not answer) makes it reconcile once the chain is back, and so does a chain
        that no longer has the head block seen last (a reorg, or a chain restarted from an older
        state): entries mined in the lost blocks are sent again and nonces are read afresh.
        """
        lease = Lease(self.store, OUTBOX_LEASE)
        try:
            self._work(stop, lease)
        finally:
            lease.release()

    def _work(self, stop: threading.Event, lease: Lease) -> None:
        backoff = self.poll_s
        reconciled = False
        next_check = 0.0
        while not stop.is_set():
            try:
                if not lease.acquire():
                    if not self.standing_by:
                        log.info("outbox.standing_by", reason="another process runs this database's outbox worker")
                    self.standing_by, reconciled = True, False
                    stop.wait(LEASE_RETRY_S)
                    continue
                if self.standing_by:
                    log.info("outbox.took_over")
                    self.standing_by = False
                if not reconciled:
                    self.reconcile()
                    reconciled = True
                elif time.monotonic() >= next_check:
                    next_check = time.monotonic() + HEAD_CHECK_S
                    if not lease.check():
                        continue  # lost with its connection: taken again (or not) before any work
                    if self._chain_went_back():
                        self.reconcile()
                with self._changed:
                    self._woken = False  # a wake-up from here on is kept for the wait below
                worked = self.step()
                self.last_error = None
                backoff = self.poll_s
                if not worked:
                    with self._changed:
                        if not self._woken:
                            self._changed.wait(timeout=self.poll_s if self._following else max(self.poll_s, IDLE_WAIT_S))
            except (e.ChainUnavailable, e.StoreUnavailable) as exc:
                self.last_error = exc.message
                reconciled = False  # the chain may come back from an older state
                lease.check()  # a database outage may have taken the lease with it
                log.warning("outbox.unavailable", error=exc.message, retry_in_s=backoff)
                stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            except Exception as exc:
                self.last_error = repr(exc)
                log.exception("outbox.defect")
                stop.wait(1.0)

    def step(self) -> bool:
        """One round: send what is pending, follow what is sent. True when anything moved."""
        sent = self._send_pending()
        followed = self._follow_sent()
        if sent or followed:
            self._notify()
        return bool(sent or followed)

    def drain(self, timeout_s: float = 60.0) -> None:
        """Runs rounds in this thread, holding the outbox lease, until nothing is pending or sent (tests)."""
        deadline = time.monotonic() + timeout_s
        lease = Lease(self.store, OUTBOX_LEASE)
        while not lease.acquire():
            if time.monotonic() > deadline:
                raise TimeoutError(f"another outbox worker held the lease for {timeout_s} s")
            time.sleep(self.poll_s)
        try:
            self.reconcile()
            while self.depth():
                if time.monotonic() > deadline:
                    raise e.ChainUnavailable(f"the outbox did not drain within {timeout_s} s")
                if not self.step():
                    time.sleep(self.poll_s)
        finally:
            lease.release()

    def _notify(self) -> None:
        self.wake()
        if self._on_change is not None:
            self._on_change()

    # ------------------------------------------------------------------ sending

    def _send_pending(self) -> int:
        pending = q.pending(self.store, 4 * self.batch_size)
        # An amendment, link or verification goes out once the entries before it about the same GPID
        # are mined: after the chain lost blocks, a registration and the link that needs it are pending
        # together, and anvil mines a transaction a moment after accepting it, so the link's pre-flight
        # could run on a chain without the registration. (Registrations need no earlier entry.)
        unsettled = set(self._in_flight)
        refused: set[str] = set()  # senders whose broadcast the chain refused this round
        sent = 0
        for group in groups(pending, self.batch_size):
            if group.sender in refused:
                continue  # the next round, after the refused one: a sender's entries are mined in the order recorded
            if not group.is_batch and group.entries[0].kind != "register" and group.entries[0].gpid in unsettled:
                continue  # a later round sends it
            unsettled.update(x.gpid for x in group.entries if x.gpid)
            if self.keyring.get(group.sender) is None:
                self._fail(group.entries, e.PermissionDenied(f"this node holds no key for {group.sender}"))
                continue
            checked = self._preflight(group)
            if checked is not None:
                if not self._sign_and_send(*checked):
                    refused.add(group.sender)
                sent += 1
        return sent

    def _preflight(self, group: Group) -> tuple[Group, int] | None:
        """Simulates the transaction (one eth_call): refused items fail (or adopt their own
        registration) and leave the group. Returns the group left and its gas limit."""
        while group.entries:
            call = group.call()
            group.calldata = self.client.encode(call.function, *call.args)
            refusal = self._refusal(group.sender, group.calldata)
            if refusal is None:
                return group, gas_limit(group.calldata, len(group.entries))
            index = refusal.details.get("batch_index", 0) if group.is_batch else 0
            refused = group.entries[index]
            self._refuse(refused, refusal)
            group = Group(group.sender, [x for x in group.entries if x.id != refused.id])
        return None

    def _refusal(self, sender: str, calldata: bytes, block: str = "latest") -> e.GPIDError | None:
        """The contract's refusal of the call on the state of ``block`` (one eth_call), None when it
        would pass; raises ChainUnavailable when the chain does not answer."""
        try:
            self.client.simulate(sender, calldata, block=block)
        except e.ChainUnavailable:
            raise
        except e.GPIDError as refusal:
            return refusal
        return None

    def _refuse(self, entry: Entry, refusal: e.GPIDError) -> None:
        """A refused entry is done when it is its own registration found on chain; it waits (pending)
        while an earlier entry about its GPID is still to settle, since that entry may be what it
        needs (a link sent again after a chain restart can run before the registration it links);
        otherwise it fails."""
        if self._adopt(entry, refusal):
            return
        if entry.gpid is not None:
            earlier = q.earlier_unsettled(self.store, entry.gpid, entry.id)
            if earlier is not None:
                self._reset([entry.id])
                log.info("outbox.waits_for_earlier", entry=entry.id, earlier=earlier, error=type(refusal).__name__)
                return
        self._fail([entry], refusal)

    def _adopt(self, entry: Entry, refusal: e.GPIDError) -> bool:
        """A registration refused as a duplicate of itself (same digest) is done, not failed."""
        if entry.kind != Register.kind or not isinstance(refusal, e.InvoiceAlreadyRegistered):
            return False
        write = write_from_json(entry.kind, entry.request)
        assert isinstance(write, Register)
        gpid = GPID.parse(refusal.gpid)
        logs = self.client.find_logs(event_topic("KeyDataSetRegistered"), gpid.raw)
        for raw in logs:
            event = decode_log(raw)
            if event is None:
                continue
            if tuple(bytes(c) for c in event.args["commitments"]) == write.commitments:
                self._mark_mined([entry], event.transaction_hash, event.block_number, event.block_hash, [event])
                log.info("outbox.adopted", entry=entry.id, gpid=str(gpid), block=event.block_number)
                return True
        return False

    def _nonce(self, sender: str) -> int:
        if sender not in self._nonces:
            self._nonces[sender] = self.client.next_nonce(sender)
        return self._nonces[sender]

    def _sign_and_send(self, group: Group, gas: int) -> bool:
        """Signs and broadcasts the group; False when the chain refused the broadcast (entries pending again)."""
        account = self.keyring.get(group.sender)
        assert account is not None
        if group.calldata is None:
            call = group.call()
            group.calldata = self.client.encode(call.function, *call.args)
        data = group.calldata
        nonce = self._nonce(group.sender)
        signed = self.client.sign(account, data, nonce, gas)
        ids = [x.id for x in group.entries]
        q.mark_sent(self.store, ids, signed.hash, nonce, signed.raw.hex(), utcnow())
        self._nonces[group.sender] = nonce + 1
        accepted = self._broadcast(group.sender, signed.raw, ids)
        self.sent_transactions += 1
        return accepted

    def _broadcast(self, sender: str, raw: bytes, ids: list[int]) -> bool:
        try:
            self.client.broadcast(raw)
        except RpcRefused as exc:
            message = str(exc).lower()
            log.warning("outbox.broadcast_refused", entries=ids, error=message[:200])
            self._nonces.pop(sender, None)  # re-read the nonce from the chain next time
            self._reset(ids)
            return False
        return True

    # ------------------------------------------------------------------ following

    def _follow_sent(self) -> int:
        sent = q.sent(self.store)
        self._following = len(sent)
        by_tx: dict[str, list[Entry]] = defaultdict(list)
        for entry in sent:
            by_tx[entry.transaction_hash or ""].append(entry)
        done = 0
        in_flight: set[str] = set()
        for tx_hash, entries in by_tx.items():
            receipt = self.client.receipt(tx_hash)
            if receipt is None:
                in_flight.update(x.gpid for x in entries if x.gpid)
                continue
            done += 1
            if receipt.succeeded:
                needs_events = any(x.kind == "amend" or (x.kind == "register" and not x.gpid) for x in entries)
                events = [ev for ev in (decode_log(raw) for raw in receipt.logs) if ev is not None] if needs_events else []
                self._mark_mined(entries, tx_hash, receipt.block_number, receipt.block_hash, events)
            else:
                self._explain_revert(entries, receipt.block_number)
        self._in_flight = in_flight
        return done

    def _explain_revert(self, entries: list[Entry], block: int) -> None:
        """A mined revert (the state changed after the pre-flight): an entry the chain would take now
        is sent again (after a chain restart, a link re-broadcast before the registration it links);
        otherwise the refused item fails or waits (``_refuse``) and the rest go back."""
        # following them does not load those; list() widens the rows' type to Entry (a rare path: a mined revert)
        entries = list(q.entries_with_requests(self.store, [x.id for x in entries]))
        group = Group(entries[0].sender, entries)
        call = group.call()
        calldata = self.client.encode(call.function, *call.args)
        refused_before = self._refusal(group.sender, calldata, block=hex(max(block - 1, 0)))
        if refused_before is not None and self._refusal(group.sender, calldata) is None:
            self._reset([x.id for x in entries])
            log.info("outbox.sent_again", entries=[x.id for x in entries], refused_at=block, error=type(refused_before).__name__)
            return
        refusal = refused_before or e.ChainRejected("reverted", {"block": block})  # not a refusal of the contract
        index = refusal.details.get("batch_index", 0) if group.is_batch else 0
        refused = entries[min(index, len(entries) - 1)]
        self._refuse(refused, refusal)
        self._reset([x.id for x in entries if x.id != refused.id])

    def _mark_mined(
        self, entries: list[Entry], tx_hash: str, block: int, block_hash: str, events: list[Any]
    ) -> None:
        registered = [ev for ev in events if ev.name == "KeyDataSetRegistered"]
        amended = [ev for ev in events if ev.name == "KeyDataSetAmended"]
        results: list[tuple[int, dict[str, Any]]] = []
        for i, entry in enumerate(sorted(entries, key=lambda x: x.id)):
            result: dict[str, Any] = {"transaction": tx_hash, "block": block}
            if entry.kind == "register":
                gpid_hex = entry.gpid or (registered[i].args["gpid"] if i < len(registered) else None)
                if gpid_hex is not None:
                    result.update(gpid=str(GPID.from_hex(gpid_hex)), version=1)
            elif entry.kind == "amend" and amended:
                result.update(gpid=str(GPID.from_hex(amended[0].args["gpid"])), version=amended[0].args["version"])
            results.append((entry.id, result))
        q.mark_mined(self.store, results, tx_hash, block, block_hash, utcnow())
        if self._head_seen is None or block > self._head_seen[0]:
            self._head_seen = (block, _hash_text(block_hash))  # the next check makes sure it stays
        gpids = {entry.id: entry.gpid for entry in entries}
        self._signal_finished([Outcome(entry, MINED, gpids[entry], result, None) for entry, result in results])

    def _fail(self, entries: list[Entry], error: e.GPIDError) -> None:
        record = e.error_record(error)
        q.mark_failed(self.store, [x.id for x in entries], record, utcnow())
        self._signal_finished([Outcome(x.id, FAILED, x.gpid, None, record) for x in entries])
        log.info("outbox.refused", entries=[x.id for x in entries], error=record["type"], message=record["message"])

    def _reset(self, ids: list[int]) -> None:
        if ids:
            q.reset(self.store, ids, utcnow())

    # ------------------------------------------------------------------ reconciliation

    def _chain_went_back(self) -> bool:
        """Whether the head block seen at the last check (or the newest block an entry was mined
        in) is gone from the chain; raises ChainUnavailable when the chain does not answer."""
        seen = self._head_seen
        head = self.client.header("latest")
        self._head_seen = (head.number, head.hash)
        if seen is None or self._head_seen == seen:
            return False
        number, block_hash = seen
        # lower, or the same height with another hash: gone
        gone = self._head_seen[0] <= number or not self._chain_has(number, block_hash)
        if gone:
            log.warning("outbox.chain_went_back", seen_block=number, head=self._head_seen[0])
        return gone

    def _chain_has(self, number: int, block_hash: str) -> bool:
        """Whether the chain's block ``number`` is the one with ``block_hash`` (lower-case hex); a block
        the chain cannot serve is not there. Raises ChainUnavailable when the chain does not answer."""
        try:
            return self.client.header(number).hash == block_hash
        except e.ChainUnavailable:
            raise
        except Exception:
            return False

    def reconcile(self) -> dict[str, int]:
        """After a start, a crash or an outage: settles sent entries and re-checks recent mined ones."""
        self._head_seen = None
        self._nonces.clear()
        counts = {"mined": 0, "rebroadcast": 0, "resent": 0, "lost": 0}
        sent = q.sent_entries(self.store)
        by_tx: dict[str, list[OutboxEntry]] = defaultdict(list)
        for entry in sent:
            by_tx[entry.transaction_hash or ""].append(entry)
        for tx_hash, entries in by_tx.items():
            receipt = self.client.receipt(tx_hash)
            if receipt is not None:
                continue  # _follow_sent settles it
            first = entries[0]  # the batch's first entry, which keeps the signed transaction
            chain_nonce = self.client.next_nonce(first.sender)
            if first.raw_transaction and first.nonce is not None and first.nonce >= chain_nonce:
                try:
                    self.client.broadcast(bytes.fromhex(first.raw_transaction))
                    counts["rebroadcast"] += 1
                    continue
                except RpcRefused:
                    pass
            self._reset([x.id for x in entries])
            counts["resent"] += len(entries)
        counts["lost"] = self._recheck_mined()
        self._nonces.clear()
        if any(counts.values()):
            log.info("outbox.reconciled", **counts)
        self._follow_sent()
        self._notify()
        return counts

    def _recheck_mined(self) -> int:
        """Mined entries whose block the chain no longer has (reorg, older dev state) go back to pending."""
        head = self.client.block_number()
        lost_blocks = set()
        for number, block_hash in q.mined_blocks(self.store, head - REORG_WINDOW, head):
            if number > head:
                lost_blocks.add(number)
                continue
            if not self._chain_has(number, (block_hash or "").lower()):
                lost_blocks.add(number)
        if not lost_blocks:
            return 0
        ids = q.mined_in_blocks(self.store, lost_blocks)
        self._reset(ids)
        log.warning("outbox.blocks_lost", blocks=sorted(lost_blocks), entries=len(ids))
        return len(ids)
