"""The indexer's job: follows the registry's events into the index database.

Kept apart as ethereum-etl keeps its mappers from its jobs: event decoding is in
:mod:`gpid_node.chain.abi`, the pure mappers from events to rows in
:mod:`gpid_node.services.index_rows`, the statements in :mod:`gpid_node.store.index_writes`. The job
(:class:`Indexer`) fetches logs in large ranges and each block header once through
:class:`~gpid_node.chain.client.RegistryClient`, and applies **whole blocks per transaction**
(consecutive blocks up to about ``EVENTS_PER_TRANSACTION`` events; a block is never split), each
with its ``indexed_blocks`` row (number, hash, time) and the cursor on the last one. A range without
events only moves the cursor (recording its last block's hash). Before each sync it compares the
cursor's block hash with the chain's; when they differ (a reorg, or a development chain restarted
from an older state or from empty) it walks back through ``indexed_blocks`` to the newest block
the chain still has and rewinds every chain-derived row above it.

Choices worth knowing:

* Version 1 has ``changed_sections`` 15 (every section is new) and ``changed_fields`` ``[]``, as
  :func:`gpid_node.domain.amendment_policy.changed_fields` says of a first version: history lists what
  changed *between* versions.
* Times are the block's timestamp, UTC.
* ``key_data_sets`` is derived from ``versions``: ``current_version`` and ``updated_at`` from the
  newest version, ``integrity_ok`` true only when every version passed its check; the buyer's trader
  ID and both countries (used for visibility) from the newest version that passed (from version 1
  when none did). The seller trader ID is the one the chain bound to the registering account: the
  payload's when it agrees with the event's ``sellerTraderKey``, otherwise the bound ID as indexed
  from ``TraderBound`` (so a payload naming someone else's trader ID never shows up as theirs).
* OpenZeppelin's role events are not stored, but for the Customs role: its revocation ends the
  account's country in ``customs_accounts`` (the registry answers none from then on, and a
  registration must not wrap its content key for an offboarded administration) and its grant
  again restores the country kept. A block holding only other events still gets its
  ``indexed_blocks`` row. ``sync()`` counts the events it stored.
* Format-2 payloads are opened with the node's encryption keys (``encryption``; see
  :mod:`gpid_node.services.block_rows`); the content keys learnt are remembered during a run and
  forgotten when rows are taken back. A rewind that drops a grant derives the GPID's data again
  from the keys that remain.
* A ``TraderUnbound`` row has ``trader_id`` None (the event carries only the key).
* The key data set events carry ``keccak256(payload)``, not the payload: for each range the payloads
  are read from the transactions' calldata, each transaction fetched once, a relayed call's from its
  call trace (:mod:`gpid_node.chain.payloads`). A transaction no longer in its logs' block stops the
  range before that block (a reorg under way, like a log whose block hash differs). A payload not
  found (a relayed call, and an endpoint without ``debug_traceTransaction``) leaves its version as
  public facts, data unavailable, logged with the transaction hash; the index goes on.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy.orm import Session

from gpid_node.chain.abi import Event, decode_log
from gpid_node.chain.client import Header, RegistryClient
from gpid_node.chain.errors import RangeRefused
from gpid_node.chain.keystore import EncryptionKeyring
from gpid_node.chain.payloads import find_payloads, wanted_of
from gpid_node.domain.errors import ChainUnavailable, GPIDError, StoreUnavailable
from gpid_node.domain.gpid import GPID
from gpid_node.domain.payload_crypto import PAYLOAD_FORMAT_ENCRYPTED as ENCRYPTED
from gpid_node.services.block_rows import ContentKeys, map_block, precheck_registrations, reread
from gpid_node.services.index_rows import BlockRef, current_state
from gpid_node.store import index_writes
from gpid_node.store.database import Store

__all__ = ["Indexer", "IndexerState"]

log = structlog.get_logger("gpid.indexer")

ZERO_HASH = "0x" + "00" * 32
KEEP_BLOCKS = 512  # indexed_blocks rows kept: how deep a reorg can be rewound without a full re-index
EVENTS_PER_TRANSACTION = 250  # blocks are applied together up to about this many events (fewer commits)
MAX_BACKOFF_S = 5.0
PRECHECK_MIN = 64  # format-2 registrations in one range before their checks go to worker processes
PRECHECK_CHUNK = 25  # registrations per worker task


def _default_workers() -> int:
    cpus = os.cpu_count() or 1
    return cpus - 1 if cpus >= 4 else 0


@dataclass(frozen=True)
class _Position:
    """The last block applied: its number and hash."""

    number: int
    hash: str


@dataclass(frozen=True)
class IndexerState:
    """What an indexer shows of itself (status, lag, whether it follows the chain), as one value: an
    indexer running in another process reports it, and the API process's indexer adopts it."""

    head: int | None
    cursor: _Position | None
    last_error: str | None
    last_sync_at: datetime | None
    reorgs: int
    rewinds: int


class Indexer:
    """Follows one registry's events into the index: resumable, reorg-aware, idempotent.

    ``start_block`` is the registry's deployment block; ``confirmations`` the number of newest
    blocks left unindexed; ``max_range`` the most blocks asked for in one ``eth_getLogs`` (halved
    automatically while a node refuses a range); ``encryption`` the node's encryption keys, which
    open the format-2 payloads wrapped (or granted) to them (without, format 2 is public facts only).

    Checking a format-2 payload (decrypting it, then its Merkle commitments: some 500 Keccak hashes
    for ten goods lines) costs three times what the rest of indexing it does. When a range holds
    ``PRECHECK_MIN`` format-2 registrations or more (a re-index, a catch-up), their checks run in
    ``precheck_workers`` worker processes while the blocks are applied in order; a process that may
    not start children (the node's daemonic engine process) checks them itself. By default there are
    workers only on machines with four CPUs or more (one per CPU but one): starting them takes one to
    three seconds, and on two busy CPUs they made a re-index of 2,000 slower, not faster.
    """

    def __init__(
        self,
        store: Store,
        client: RegistryClient,
        *,
        start_block: int = 0,
        confirmations: int = 0,
        max_range: int = 2000,
        encryption: EncryptionKeyring | None = None,
        precheck_workers: int | None = None,
    ) -> None:
        if max_range < 1:
            raise ValueError("max_range is at least 1 block")
        self.store = store
        self.client = client
        self.start_block = max(0, start_block)
        self.confirmations = max(0, confirmations)
        self.max_range = max_range
        self.encryption = encryption
        self._keys: ContentKeys | None = None
        self.precheck_workers = _default_workers() if precheck_workers is None else max(0, precheck_workers)
        self._executor: Executor | None = None
        self._range = max_range
        self._lock = threading.Lock()
        self._head: int | None = None
        self._cursor: _Position | None = None
        self._last_error: str | None = None
        self._last_sync_at: datetime | None = None
        self._reorgs = 0
        self._rewinds = 0  # rewinds and wipes: each takes indexed rows back
        self._wake = threading.Event()
        self._latest: Header | None = None  # the head block at the last sync
        self._progress = threading.Lock()  # guards the cursor and the callers waiting for blocks
        self._waiting: dict[threading.Event, int] = {}  # a waiting caller's event -> the block it waits for
        self.on_progress: Callable[[IndexerState], None] | None = None  # told the state when the cursor moves or a sync ends

    # ------------------------------------------------------------------ public face

    def wait_for(self, block: int, timeout_s: float) -> bool:
        """Waits until the index has applied ``block``; False when ``timeout_s`` runs out first.
        Only the callers whose block the cursor reached are woken (each has its own event)."""
        event = threading.Event()
        with self._progress:
            if self._cursor is not None and self._cursor.number >= block:
                return True
            self._waiting[event] = block
        try:
            return event.wait(timeout_s)
        finally:
            with self._progress:
                self._waiting.pop(event, None)

    def _release_waiting(self) -> None:
        """Called holding ``_progress``: sets the events of the callers whose block is applied."""
        if self._cursor is not None:
            for event, block in self._waiting.items():
                if block <= self._cursor.number:
                    event.set()

    def _move_cursor(self, position: _Position) -> None:
        with self._progress:
            self._cursor = position
            self._release_waiting()
        self._report()

    def state(self) -> IndexerState:
        return IndexerState(self._head, self._cursor, self._last_error, self._last_sync_at, self._reorgs, self._rewinds)

    def adopt(self, state: IndexerState) -> None:
        """Takes on the state of this registry's indexer running elsewhere (the node's engine process):
        status, lag, ``following``, ``rewinds`` and ``wait_for`` then follow that indexer."""
        with self._progress:
            self._head, self._cursor, self._last_error = state.head, state.cursor, state.last_error
            self._last_sync_at, self._reorgs, self._rewinds = state.last_sync_at, state.reorgs, state.rewinds
            self._release_waiting()

    def _report(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.state())

    def wake(self) -> None:
        """Asks the running loop to sync now (the outbox calls it when one of its writes is mined)."""
        self._wake.set()

    def sync(self) -> int:
        """Indexes every block up to head - confirmations; returns the number of events stored.

        Safe to call repeatedly and from several threads (one sync runs at a time). Raises
        ChainUnavailable / StoreUnavailable when either side cannot be reached; nothing half-done
        stays behind (a block is never split between transactions).
        """
        with self._lock:
            try:
                applied = self._sync()
            except GPIDError as exc:
                self._last_error = exc.message
                self._report()
                raise
            except Exception as exc:
                self._last_error = f"{type(exc).__name__}: {exc}"
                self._report()
                raise
            self._last_error = None
            self._last_sync_at = datetime.now(UTC)
            self._report()
            return applied

    def run(self, stop: threading.Event, poll_s: float = 0.2) -> None:
        """Syncs until ``stop`` is set; outages are logged and retried with a growing pause."""
        delay = poll_s
        while not stop.is_set():
            self._wake.clear()  # a wake-up during the sync below makes the next one start at once
            try:
                self.sync()
            except (ChainUnavailable, StoreUnavailable) as exc:
                log.warning("indexer.unavailable", error=exc.message, retry_in_s=round(delay, 3))
            except Exception:  # an unattended node keeps going; the error is in the log and in status()
                log.exception("indexer.sync_failed", retry_in_s=round(delay, 3))
            else:
                delay = poll_s
                self._wake.wait(poll_s)
                continue
            stop.wait(delay)
            delay = min(max(delay, 0.05) * 2, MAX_BACKOFF_S)

    @property
    def rewinds(self) -> int:
        """How many times indexed rows were taken back (a reorg, an older chain, another registry):
        what was read from the chain about indexed versions before a change of this may be gone."""
        return self._rewinds

    @property
    def reorgs(self) -> int:
        """How many reorgs the index was rewound for (the ``gpid_indexer_reorgs_total`` counter)."""
        return self._reorgs

    @property
    def following(self) -> bool:
        """Whether the last sync reached the chain (and there was one)."""
        return self._last_sync_at is not None and self._last_error is None

    def lag(self) -> int | None:
        """Blocks between the chain's head and the cursor at the last sync (None before one)."""
        if self._head is None or self._cursor is None:
            return None
        return max(0, self._head - self._cursor.number)

    def status(self) -> dict[str, Any]:
        """What /readyz shows: cursor block, head, lag, last error."""
        cursor = self._cursor
        return {
            "registry": self.client.address,
            "cursor": None if cursor is None else cursor.number,
            "cursor_hash": None if cursor is None else cursor.hash,
            "head": self._head,
            "lag": self.lag(),
            "confirmations": self.confirmations,
            "synced": self._last_sync_at is not None,
            "last_sync_at": None if self._last_sync_at is None else self._last_sync_at.isoformat(),
            "last_error": self._last_error,
            "reorgs": self._reorgs,
        }

    # ------------------------------------------------------------------ one sync

    def _sync(self) -> int:
        latest = self.client.header("latest")
        head = latest.number
        cursor = self._cursor
        if latest == self._latest and cursor is not None and cursor.number >= head - self.confirmations:
            return 0  # the very head block of the last sync (same hash, so the same chain), all indexed
        self._head, self._latest = head, latest
        if self.confirmations == 0 and cursor is not None and head == cursor.number + 1 and latest.parent_hash == cursor.hash:
            # One new block on top of the block indexed last (the busy node's usual sync): its parent
            # hash proves the chain did not move under the index, so the stored cursor is not read again.
            count, position, _ = self._index_range(cursor, head, head, last_header=latest)
            self._move_cursor(position)
            return count
        position = self._resume(head)
        self._move_cursor(position)
        target = head - self.confirmations
        applied = 0
        while position.number < target:
            first = max(position.number + 1, self.start_block)
            end = min(first + self._range - 1, target)
            if end < first:
                break
            count, position, complete = self._index_range(position, first, end)
            applied += count
            self._move_cursor(position)
            if not complete:
                break  # the chain moved under us; the next sync compares hashes and rewinds
        return applied

    def _resume(self, head: int) -> _Position:
        """The position to continue from: the stored cursor, checked against the registry and the chain."""
        with self.store.session() as session:
            row = index_writes.stored_cursor(session)
            stored = None if row is None else (row.registry_address, _Position(row.block_number, row.block_hash))
        if stored is None:
            return _Position(self.start_block - 1, ZERO_HASH)
        address, position = stored
        if address != self.client.address:
            self._wipe(address)
            return _Position(self.start_block - 1, ZERO_HASH)
        if position.hash == ZERO_HASH:
            return position
        if position.number > head or self._hash_at(position.number) != position.hash:
            fork = self._fork_point(head)
            self._rewind(fork, position, head)
            return fork
        return position

    def _hash_at(self, number: int) -> str:
        return self.client.header(number).hash

    def _fork_point(self, head: int) -> _Position:
        """The newest indexed block the chain still has (binary search: hashes chain, so matches form a prefix)."""
        with self.store.session() as session:
            rows = index_writes.indexed_blocks(session, head)
        best = _Position(self.start_block - 1, ZERO_HASH)
        low, high = 0, len(rows) - 1
        while low <= high:
            middle = (low + high) // 2
            number, block_hash = rows[middle]
            if self._hash_at(number) == block_hash:
                best, low = _Position(number, block_hash), middle + 1
            else:
                high = middle - 1
        return best

    def _logs(self, first: int, end: int) -> list[dict[str, Any]]:
        """The registry's raw logs in [first, end]; a range the node refuses is split in halves."""
        try:
            return self.client.raw_logs(first, end)
        except RangeRefused as refused:
            if end <= first:
                raise ChainUnavailable(f"the chain refuses eth_getLogs for block {first}: {refused}") from None
            middle = (first + end) // 2
            self._range = max(1, min(self._range, middle - first + 1))
            log.info("indexer.log_range_reduced", max_range=self._range, error=str(refused))
            return self._logs(first, middle) + self._logs(middle + 1, end)

    def _index_range(
        self, position: _Position, first: int, end: int, last_header: Header | None = None
    ) -> tuple[int, _Position, bool]:
        """Applies blocks [first, end]; returns (events stored, new position, whether the range completed).

        The last block's header is read *before* the logs: a reorg between the two then leaves a
        cursor hash the chain no longer has, which the next sync notices and rewinds. Other blocks'
        time comes from their logs' ``blockTimestamp`` where the node gives it (no header fetch),
        else from one header fetch per block with events. ``last_header`` is block ``end``'s header
        when the caller has just read it.
        """
        last = BlockRef.of_header(last_header or self.client.header(end))
        decoded: list[Event] = []
        refs: dict[int, BlockRef | None] = {}
        for raw in self._logs(first, end):
            if raw.get("removed"):
                continue
            event = self._decode(raw)
            if event is not None:
                decoded.append(event)
                if event.block_number not in refs:
                    refs[event.block_number] = BlockRef.of_log(raw)
        with_payloads, moved = self._with_payloads(decoded)
        by_block: dict[int, list[Event]] = defaultdict(list)
        for event in with_payloads:
            by_block[event.block_number].append(event)
        blocks: list[tuple[BlockRef, list[Event]]] = []
        for number in sorted(by_block):
            events = sorted(by_block[number], key=lambda e: e.log_index)
            block = last if number == end else refs[number] or BlockRef.of_header(self.client.header(number))
            if number in moved or any(e.block_hash != block.hash for e in events):
                log.info("indexer.chain_moved", block=number)
                return self._apply_blocks(blocks), position, False
            blocks.append((block, events))
            position = _Position(block.number, block.hash)
        if position.number != end:
            blocks.append((last, []))
            position = _Position(last.number, last.hash)
        return self._apply_blocks(blocks), position, True

    def _with_payloads(self, events: Sequence[Event]) -> tuple[list[Event], set[int]]:
        """``events`` with the payloads their ``payloadHash`` names, read from their transactions'
        calldata (:func:`gpid_node.chain.payloads.find_payloads`); and the blocks whose transactions
        the chain no longer has in them (a reorg under way: the range stops before the first).

        A payload that cannot be found (a relayed call and no ``debug_traceTransaction`` at the
        endpoint) leaves its event with public facts only, the reason logged with the transaction:
        the index goes on. A registration's format then comes from the registry's record."""
        wanted = wanted_of(events)
        if not wanted:
            return list(events), set()
        found = find_payloads(self.client, wanted)
        moved = {e.block_number for e in events if e.transaction_hash in found.moved}
        for tx_hash, reason in found.missing.items():
            log.warning("indexer.payload_unavailable", transaction=tx_hash, reason=reason)
        out: list[Event] = []
        for event in events:
            payload_hash = event.args.get("payloadHash")
            if payload_hash is None or event.block_number in moved:
                out.append(event)
                continue
            payload = found.payloads.get(bytes(payload_hash))
            stored: int | None = None
            if payload is None and event.name == "KeyDataSetRegistered":
                stored = self.client.record_of(GPID(bytes(event.args["gpid"]))).format or None
            out.append(event.with_payload(payload, stored))
        return out, moved

    @staticmethod
    def _decode(raw: Mapping[str, Any]) -> Event | None:
        try:
            return decode_log(dict(raw))
        except Exception:  # a log this ABI cannot decode (e.g. invalid UTF-8 text) must not stop the index
            log.error("indexer.undecodable_log", block=raw.get("blockNumber"), log_index=raw.get("logIndex"), exc_info=True)
            return None

    # ------------------------------------------------------------------ blocks, whole in one transaction

    def _workers(self) -> Executor | None:
        """The worker processes that check format-2 registrations ahead, started on first use;
        None when there are to be none, or this process may not start them."""
        if self._executor is None and self.precheck_workers > 1 and not multiprocessing.current_process().daemon:
            try:
                self._executor = ProcessPoolExecutor(self.precheck_workers, mp_context=multiprocessing.get_context("spawn"))
            except (OSError, ValueError, RuntimeError):
                log.warning("indexer.no_precheck_workers", exc_info=True)
                self.precheck_workers = 0
                return None
            weakref.finalize(self, self._executor.shutdown, wait=False, cancel_futures=True)
        return self._executor

    def _precheck(self, blocks: Sequence[tuple[BlockRef, Sequence[Event]]]) -> None:
        """Sends the checks of the format-2 registrations of ``blocks`` to the worker processes, in
        chain order, when there are enough of them to be worth it."""
        items = [
            ((e.transaction_hash, e.log_index), "0x" + bytes(e.args["gpid"]).hex(), e.payload,
             [bytes(c) for c in e.args["commitments"]])
            for _, events in blocks for e in events
            if e.name == "KeyDataSetRegistered" and e.payload is not None and e.payload_format == ENCRYPTED
        ]  # fmt: skip
        if len(items) < PRECHECK_MIN or self.encryption is None or not self.encryption.accounts:
            return
        workers = self._workers()
        if workers is None:
            return
        keys = self._content_keys()
        spec = keys.spec(e for _, events in blocks for e in events)
        for start in range(0, len(items), PRECHECK_CHUNK):
            chunk = items[start : start + PRECHECK_CHUNK]
            keys.expect([key for key, *_ in chunk], workers.submit(precheck_registrations, spec, chunk))

    def _apply_blocks(self, blocks: Sequence[tuple[BlockRef, Sequence[Event]]]) -> int:
        """Applies consecutive blocks, as many per transaction as hold about ``EVENTS_PER_TRANSACTION``
        events (a block is never split); returns the number of events stored."""
        self._precheck(blocks)
        try:
            return self._apply_blocks_in_runs(blocks)
        finally:
            self._content_keys().drop_prechecks()

    def _apply_blocks_in_runs(self, blocks: Sequence[tuple[BlockRef, Sequence[Event]]]) -> int:
        applied, run, size = 0, [], 0
        for block, events in blocks:
            run.append((block, events))
            size += len(events)
            if size >= EVENTS_PER_TRANSACTION:
                applied += self._apply_run(run)
                run, size = [], 0
        return applied + (self._apply_run(run) if run else 0)

    def _content_keys(self) -> ContentKeys:
        if self._keys is None:
            self._keys = ContentKeys(self.encryption, self.client.chain_id, self.client.address, self.store)
        return self._keys

    def _apply_run(self, blocks: Sequence[tuple[BlockRef, Sequence[Event]]]) -> int:
        """One transaction: each block's rows, its indexed_blocks row and the cursor on the last one."""
        try:
            return self._apply_run_once(blocks)
        except BaseException:
            self._content_keys().forget()  # keys remembered from rows that were not written
            raise

    def _apply_run_once(self, blocks: Sequence[tuple[BlockRef, Sequence[Event]]]) -> int:
        applied = 0
        keys = self._content_keys()
        with self.store.session() as session:
            done = index_writes.stored_cursor(session)
            last: BlockRef | None = None
            for block, events in blocks:
                if done is not None and done.registry_address == self.client.address and done.block_number >= block.number:
                    continue
                rows = map_block(session, events, block, keys)
                rows.write(session, block.number)
                index_writes.record_block(session, block.number, block.hash, block.time)
                applied, last = applied + rows.count, block
            if last is not None:
                self._set_cursor(session, _Position(last.number, last.hash))
                index_writes.prune_blocks(session, KEEP_BLOCKS)
        return applied

    def _set_cursor(self, session: Session, position: _Position) -> None:
        index_writes.set_cursor(session, self.client.address, position.number, position.hash, self._head or 0,
                                datetime.now(UTC))  # fmt: skip

    # ------------------------------------------------------------------ starting over

    def _delete_above(self, session: Session, number: int) -> int:
        """Deletes every chain-derived row above block ``number`` and re-derives the key data sets
        that lost versions or a grant; returns the number of rows removed."""
        keys = self._content_keys()
        keys.forget()
        removed, remaining, regranted = index_writes.delete_above(session, number)
        for gpid, rows in remaining.items():
            index_writes.update_key_data_set(session, gpid, current_state(rows))
        for gpid in sorted(regranted):
            reread(session, keys, gpid)
        return removed

    def _rewind(self, fork: _Position, was: _Position, head: int) -> None:
        """Moves the index back to ``fork`` after the chain dropped the blocks above it."""
        with self.store.session() as session:
            removed = self._delete_above(session, fork.number)
            self._set_cursor(session, fork)
        self._reorgs += 1
        self._rewinds += 1
        log.warning(
            "indexer.reorg",
            fork_block=fork.number,
            fork_hash=fork.hash,
            previous_cursor=was.number,
            chain_head=head,
            rows_removed=removed,
        )

    def _wipe(self, other_registry: str) -> None:
        """Forgets an index built for another registry address: the chain-derived tables start empty."""
        with self.store.session() as session:
            removed = self._delete_above(session, -1)
            index_writes.delete_cursor(session)
        self._rewinds += 1
        log.warning(
            "indexer.registry_changed", indexed_registry=other_registry, registry=self.client.address, rows_removed=removed
        )

