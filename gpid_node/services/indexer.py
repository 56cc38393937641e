"""The indexer: follows the registry's events into the index database.

Two halves, kept apart as ethereum-etl keeps its mappers from its jobs:

* **Mappers** (pure, first half of this module): a decoded :class:`~gpid_node.chain.abi.Event` and
  the :class:`BlockRef` it sits in become plain row values; each payload is checked against the
  commitments in its own event (:func:`check_payload`) and never accepted silently.
* **The job** (:class:`Indexer`): fetches logs in large ranges and each block header once through
  :class:`~gpid_node.chain.client.RegistryClient`, and applies **whole blocks per transaction**
  (consecutive blocks up to about ``EVENTS_PER_TRANSACTION`` events; a block is never split), each
  with its ``indexed_blocks`` row (number, hash, time) and the cursor on the last one. A range without
  events only moves the cursor (recording its last block's hash). Before each sync it compares the
  cursor's block hash with the chain's; when they differ (a reorg, or a development chain restarted
  from an older state or from empty) it walks back through ``indexed_blocks`` to the newest block
  the chain still has and rewinds every chain-derived row above it.

Choices worth knowing:

* Version 1 has ``changed_sections`` 15 (every section is new) and ``changed_fields`` ``[]``, as
  :func:`gpid_node.domain.verification.changed_fields` says of a first version: history lists what
  changed *between* versions.
* Times are the block's timestamp, UTC.
* ``key_data_sets`` is derived from ``versions``: ``current_version`` and ``updated_at`` from the
  newest version, ``integrity_ok`` true only when every version passed its check; the buyer's trader
  ID and both countries (used for visibility) from the newest version that passed (from version 1
  when none did). The seller trader ID is the one the chain bound to the registering account: the
  payload's when it agrees with the event's ``sellerTraderKey``, otherwise the bound ID as indexed
  from ``TraderBound`` (so a payload naming someone else's trader ID never shows up as theirs).
* Events without a table (OpenZeppelin's role events, ``CustomsCountrySet``,
  ``AmendmentDelegateSet``) are not stored; a block holding only those still gets its
  ``indexed_blocks`` row. ``sync()`` counts the events it stored.
* A ``TraderUnbound`` row has ``trader_id`` None (the event carries only the key).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import Table, delete, select, update
from sqlalchemy.orm import Session

from gpid_node.chain.abi import Event, decode_log
from gpid_node.chain.client import Header, RegistryClient
from gpid_node.chain.errors import RangeRefused
from gpid_node.domain import canonical
from gpid_node.domain.errors import ChainUnavailable, GPIDError, StoreUnavailable
from gpid_node.domain.gpid import GPID
from gpid_node.domain.verification import changed_fields
from gpid_node.store.database import Store
from gpid_node.store.tables import (
    ChainCursor,
    DeclarationLinkRow,
    IndexedBlock,
    KeyDataSetRow,
    TraderBindingRow,
    VerificationRow,
    VersionRow,
)

__all__ = [
    "BlockRef",
    "Indexer",
    "PayloadCheck",
    "amendment_row",
    "binding_row",
    "check_payload",
    "current_state",
    "link_row",
    "party_fields",
    "registration_rows",
    "verification_row",
]

log = structlog.get_logger("gpid.indexer")

ZERO_HASH = "0x" + "00" * 32
KEEP_BLOCKS = 512  # indexed_blocks rows kept: how deep a reorg can be rewound without a full re-index
EVENTS_PER_TRANSACTION = 250  # blocks are applied together up to about this many events (fewer commits)
MAX_BACKOFF_S = 5.0
DIRECTIONS = {1: "export", 2: "import"}
OUTCOMES = {1: "match", 2: "discrepancies", 3: "integrity_failure"}
_COMMITMENT_PARTS = ("identity", "seller", "buyer", "goods", "buyer trader key")
# Column widths of the text the payload supplies (tables.py): longer values are not indexed.
_TRADER_ID_LEN, _INVOICE_LEN, _COUNTRY_LEN = 80, 80, 2


# ====================================================================== mappers (pure)


@dataclass(frozen=True)
class BlockRef:
    """A block as the index records it: number, hash (``0x``-hex, lower case) and time (UTC)."""

    number: int
    hash: str
    time: datetime

    @classmethod
    def of_header(cls, header: Header) -> BlockRef:
        """From a block header as the client reads it."""
        return cls(header.number, header.hash, datetime.fromtimestamp(header.timestamp, UTC))

    @classmethod
    def of_log(cls, log: Mapping[str, Any]) -> BlockRef | None:
        """From a log that carries its block's timestamp (``blockTimestamp``, as anvil and newer Geth
        give it); None when it does not."""
        timestamp = log.get("blockTimestamp")
        if timestamp is None:
            return None
        return cls(_int(log["blockNumber"]), hex_of(log["blockHash"]), datetime.fromtimestamp(_int(timestamp), UTC))


def _int(value: Any) -> int:
    """A JSON-RPC quantity (hex text) or an int."""
    return int(value, 16) if isinstance(value, str) else int(value)


def hex_of(value: Any) -> str:
    """Bytes (or hex text) as ``0x``-hex, lower case."""
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    text = str(value).lower()
    return text if text.startswith("0x") else "0x" + text


def _text(value: Any, max_len: int) -> str | None:
    """Payload text for an indexed column: None unless it is text that fits."""
    return value if isinstance(value, str) and len(value) <= max_len and "\x00" not in value else None


def _clean(value: str) -> str:
    """Event text as a database takes it (PostgreSQL refuses NUL characters)."""
    return value.replace("\x00", "\ufffd")


def _country(value: bytes) -> str:
    return bytes(value).decode("ascii", errors="replace")


def _dig(data: Any, *path: str) -> Any:
    """``data[path[0]][path[1]]...``, or None where the payload lacks a level."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


@lru_cache(maxsize=4096)
def _trader_key(trader_id: str) -> bytes:
    """canonical.trader_key, remembered: a few traders register most key data sets."""
    return canonical.trader_key(trader_id)


def _trader_id(trader_id: Any) -> str | None:
    try:
        return canonical.trader_id_text(trader_id)
    except (KeyError, TypeError, AttributeError):
        return None


@dataclass(frozen=True)
class PayloadCheck:
    """A payload read and checked: its data and salt (None when unreadable) and every problem found."""

    data: dict[str, Any] | None
    salt: bytes | None
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem(self) -> str | None:
        """The problems as one human-readable text, or None when the payload passed."""
        return "; ".join(self.problems) or None

    def adding(self, problems: Iterable[str]) -> PayloadCheck:
        return replace(self, problems=self.problems + tuple(problems))


def check_payload(payload: bytes, committed: Sequence[bytes]) -> PayloadCheck:
    """Reads a payload and compares the commitments of its data with the five words on chain."""
    try:
        read = canonical.read_payload(bytes(payload))
    except canonical.PayloadError as exc:
        return PayloadCheck(None, None, (f"the payload cannot be read: {exc}",))
    data, salt = read.data, read.salt
    try:
        as_written = read.commitments_as_written()  # canonical text, as every node writes it: no re-encoding
        if as_written is not None and as_written.as_tuple() == tuple(bytes(c) for c in committed):
            return PayloadCheck(data, salt)
        computed = canonical.commitments(data, salt).as_tuple()
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        return PayloadCheck(data, salt, (f"the payload is not a key data set ({detail}), so it cannot be checked",))
    differing = [name for name, ours, theirs in zip(_COMMITMENT_PARTS, computed, committed, strict=True) if ours != bytes(theirs)]
    if differing:
        return PayloadCheck(data, salt, (f"the payload does not match the commitments on chain (differing: {', '.join(differing)})",))
    return PayloadCheck(data, salt)


def registration_problems(data: dict[str, Any], seller_trader_key: bytes, invoice_key: bytes) -> list[str]:
    """What is wrong with a registered payload's identity: its seller and invoice against the event's keys."""
    problems: list[str] = []
    seller_id = _trader_id(_dig(data, "seller", "trader_id"))
    if seller_id is None or _trader_key(seller_id) != seller_trader_key:
        problems.append(
            f"the payload names the seller trader ID {seller_id!r}, but the registering account is bound to another trader ID"
        )
    number = _dig(data, "invoice", "number")
    if not isinstance(number, str) or canonical.invoice_key(
        seller_trader_key, canonical.normal_identifier(number)
    ) != invoice_key:
        problems.append(f"the payload's invoice number {number!r} is not the invoice number registered on chain")
    return problems


def amendment_problems(data: dict[str, Any], previous: dict[str, Any] | None, previous_version: int) -> list[str]:
    """What is wrong with an amended payload beyond its commitments: an identity that moved."""
    if previous is None:
        return [f"version {previous_version} could not be read, so the identity section cannot be compared with it"]
    try:
        same = canonical.sections(data)["identity"] == canonical.sections(previous)["identity"]
    except (KeyError, TypeError):
        same = False
    return [] if same else [f"the identity section differs from version {previous_version}'s"]


def party_fields(data: dict[str, Any] | None) -> dict[str, str | None]:
    """The parties of a version as ``key_data_sets`` indexes them for visibility."""
    return {
        "buyer_trader_id": _text(_trader_id(_dig(data, "buyer", "trader_id")), _TRADER_ID_LEN),
        "seller_country": _text(_dig(data, "seller", "address", "country"), _COUNTRY_LEN),
        "buyer_country": _text(_dig(data, "buyer", "address", "country"), _COUNTRY_LEN),
    }


def seller_trader_id_of(data: dict[str, Any] | None, seller_trader_key: bytes) -> str | None:
    """The payload's seller trader ID when it is the one bound on chain (its key is the event's)."""
    seller_id = _trader_id(_dig(data, "seller", "trader_id"))
    if seller_id is None or _trader_key(seller_id) != seller_trader_key:
        return None
    return _text(seller_id, _TRADER_ID_LEN)


def _version_row(event: Event, block: BlockRef, check: PayloadCheck, commitments: Sequence[bytes]) -> dict[str, Any]:
    return {
        "gpid": hex_of(event.args["gpid"]),
        "time": block.time,
        "data": check.data,
        "salt": None if check.salt is None else hex_of(check.salt),
        "commitments": [hex_of(c) for c in commitments],
        "digest": hex_of(canonical.Commitments.from_tuple(commitments).digest),
        "integrity_ok": check.ok,
        "integrity_problem": check.problem,
        "block_number": block.number,
        "block_hash": block.hash,
        "transaction_hash": event.transaction_hash,
        "log_index": event.log_index,
    }


def registration_rows(
    event: Event, block: BlockRef, check: PayloadCheck, seller_trader_id: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``KeyDataSetRegistered`` -> the ``key_data_sets`` row and its version 1 row.

    ``check`` already holds the registration problems; ``seller_trader_id`` is the ID bound to the
    event's seller trader key (see the module's notes).
    """
    a = event.args
    gpid = GPID(bytes(a["gpid"]))
    kds = {
        "gpid": gpid.hex,
        "gpid_text": str(gpid),
        "issuer": a["issuer"],
        "seller_trader_key": hex_of(a["sellerTraderKey"]),
        "invoice_key": hex_of(a["invoiceKey"]),
        "seller_trader_id": seller_trader_id,
        "invoice_number": _text(_dig(check.data, "invoice", "number"), _INVOICE_LEN),
        **party_fields(check.data),
        "current_version": 1,
        "integrity_ok": check.ok,
        "registered_at": block.time,
        "updated_at": block.time,
        "registered_block": block.number,
    }
    version = {
        **_version_row(event, block, check, a["commitments"]),
        "version": 1,
        "author": a["issuer"],
        "reason_code": 0,
        "reason": None,
        "changed_sections": canonical.ALL_SECTIONS,
        "changed_fields": [],
    }
    return kds, version


def amendment_row(
    event: Event, block: BlockRef, check: PayloadCheck, previous_data: dict[str, Any] | None
) -> dict[str, Any]:
    """``KeyDataSetAmended`` -> its ``versions`` row (``check`` already holds the amendment problems)."""
    a = event.args
    fields = changed_fields(previous_data, check.data) if previous_data is not None and check.data is not None else []
    return {
        **_version_row(event, block, check, a["commitments"]),
        "version": int(a["version"]),
        "author": a["author"],
        "reason_code": int(a["reasonCode"]),
        "reason": _clean(a["reason"]),
        "changed_sections": int(a["changedSections"]),
        "changed_fields": fields,
    }


def link_row(event: Event, block: BlockRef) -> dict[str, Any]:
    """``DeclarationLinked`` -> its ``declaration_links`` row."""
    a = event.args
    direction = int(a["direction"])
    return {
        "gpid": hex_of(a["gpid"]),
        "country": _country(a["country"]),
        "reference": _clean(a["declarationReference"]),
        "reference_key": hex_of(a["referenceKey"]),
        "direction": DIRECTIONS.get(direction, str(direction)[:6]),
        "linker": a["linker"],
        "time": block.time,
        "block_number": block.number,
        "transaction_hash": event.transaction_hash,
        "log_index": event.log_index,
    }


def verification_row(event: Event, block: BlockRef) -> dict[str, Any]:
    """``VerificationRecorded`` -> its ``verifications`` row."""
    a = event.args
    outcome = int(a["outcome"])
    return {
        "gpid": hex_of(a["gpid"]),
        "reference_key": hex_of(a["referenceKey"]),
        "customs": a["customs"],
        "country": _country(a["country"]),
        "version": int(a["version"]),
        "outcome": OUTCOMES.get(outcome, f"unknown:{outcome}"),
        "time": block.time,
        "block_number": block.number,
        "transaction_hash": event.transaction_hash,
        "log_index": event.log_index,
    }


def binding_row(event: Event, block: BlockRef) -> dict[str, Any]:
    """``TraderBound`` / ``TraderUnbound`` -> its ``trader_bindings`` row."""
    a = event.args
    bound = event.name == "TraderBound"
    return {
        "trader_key": hex_of(a["traderKey"]),
        "trader_id": _clean(a["traderId"]) if bound else None,
        "account": a["account"],
        "bound": bound,
        "time": block.time,
        "block_number": block.number,
        "log_index": event.log_index,
    }


def current_state(versions: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The ``key_data_sets`` columns derived from its versions (oldest first; at least version 1)."""
    state: dict[str, Any] = party_fields(versions[0]["data"])
    for version in versions[1:]:
        if version["integrity_ok"] and version["data"] is not None:
            state.update(party_fields(version["data"]))
    newest = versions[-1]
    return {
        **state,
        "current_version": newest["version"],
        "updated_at": newest["time"],
        "integrity_ok": all(v["integrity_ok"] for v in versions),
    }


# ====================================================================== the job


@dataclass(frozen=True)
class _Position:
    """The last block applied: its number and hash."""

    number: int
    hash: str


@dataclass
class _BlockWork:
    """The rows one block produces, gathered before they are written in its transaction."""

    new_sets: dict[str, dict[str, Any]] = field(default_factory=dict)
    set_updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: list[dict[str, Any]] = field(default_factory=list)
    latest: dict[str, dict[str, Any]] = field(default_factory=dict)  # gpid -> newest version row of this block
    links: list[dict[str, Any]] = field(default_factory=list)
    verifications: list[dict[str, Any]] = field(default_factory=list)
    bindings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.versions) + len(self.links) + len(self.verifications) + len(self.bindings)


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


def _dialect_insert(session: Session, table: Table) -> Any:
    """An INSERT that can say ON CONFLICT (SQLite and PostgreSQL)."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the node supports these two
        raise NotImplementedError(f"the indexer supports SQLite and PostgreSQL, not {name}")
    return insert(table)


def _table(model: Any) -> Table:
    return model.__table__


class Indexer:
    """Follows one registry's events into the index: resumable, reorg-aware, idempotent.

    ``start_block`` is the registry's deployment block; ``confirmations`` the number of newest
    blocks left unindexed; ``max_range`` the most blocks asked for in one ``eth_getLogs`` (halved
    automatically while a node refuses a range).
    """

    def __init__(
        self,
        store: Store,
        client: RegistryClient,
        *,
        start_block: int = 0,
        confirmations: int = 0,
        max_range: int = 2000,
    ) -> None:
        if max_range < 1:
            raise ValueError("max_range is at least 1 block")
        self.store = store
        self.client = client
        self.start_block = max(0, start_block)
        self.confirmations = max(0, confirmations)
        self.max_range = max_range
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
            row = session.get(ChainCursor, 1)
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
            rows = session.execute(
                select(IndexedBlock.number, IndexedBlock.hash).where(IndexedBlock.number <= head).order_by(IndexedBlock.number)
            ).all()
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
        by_block: dict[int, list[Event]] = defaultdict(list)
        refs: dict[int, BlockRef | None] = {}
        for raw in self._logs(first, end):
            if raw.get("removed"):
                continue
            event = self._decode(raw)
            if event is not None:
                by_block[event.block_number].append(event)
                if event.block_number not in refs:
                    refs[event.block_number] = BlockRef.of_log(raw)
        blocks: list[tuple[BlockRef, list[Event]]] = []
        for number in sorted(by_block):
            events = sorted(by_block[number], key=lambda e: e.log_index)
            block = last if number == end else refs[number] or BlockRef.of_header(self.client.header(number))
            if any(e.block_hash != block.hash for e in events):
                log.info("indexer.chain_moved", block=number)
                return self._apply_blocks(blocks), position, False
            blocks.append((block, events))
            position = _Position(block.number, block.hash)
        if position.number != end:
            blocks.append((last, []))
            position = _Position(last.number, last.hash)
        return self._apply_blocks(blocks), position, True

    @staticmethod
    def _decode(raw: Mapping[str, Any]) -> Event | None:
        try:
            return decode_log(dict(raw))
        except Exception:  # a log this ABI cannot decode (e.g. invalid UTF-8 text) must not stop the index
            log.error("indexer.undecodable_log", block=raw.get("blockNumber"), log_index=raw.get("logIndex"), exc_info=True)
            return None

    # ------------------------------------------------------------------ blocks, whole in one transaction

    def _apply_blocks(self, blocks: Sequence[tuple[BlockRef, Sequence[Event]]]) -> int:
        """Applies consecutive blocks, as many per transaction as hold about ``EVENTS_PER_TRANSACTION``
        events (a block is never split); returns the number of events stored."""
        applied, run, size = 0, [], 0
        for block, events in blocks:
            run.append((block, events))
            size += len(events)
            if size >= EVENTS_PER_TRANSACTION:
                applied += self._apply_run(run)
                run, size = [], 0
        return applied + (self._apply_run(run) if run else 0)

    def _apply_run(self, blocks: Sequence[tuple[BlockRef, Sequence[Event]]]) -> int:
        """One transaction: each block's rows, its indexed_blocks row and the cursor on the last one."""
        applied = 0
        with self.store.session() as session:
            done = session.execute(
                select(ChainCursor.block_number, ChainCursor.registry_address).where(ChainCursor.id == 1)
            ).first()
            last: BlockRef | None = None
            for block, events in blocks:
                if done is not None and done.registry_address == self.client.address and done.block_number >= block.number:
                    continue
                work = _BlockWork()
                for event in events:
                    self._map(session, work, event, block)
                self._write(session, work, block)
                self._record_block(session, block)
                applied, last = applied + work.count, block
            if last is not None:
                self._set_cursor(session, _Position(last.number, last.hash))
                self._prune_blocks(session)
        return applied

    def _map(self, session: Session, work: _BlockWork, event: Event, block: BlockRef) -> None:
        match event.name:
            case "KeyDataSetRegistered":
                self._map_registration(session, work, event, block)
            case "KeyDataSetAmended":
                self._map_amendment(session, work, event, block)
            case "DeclarationLinked":
                work.links.append(link_row(event, block))
            case "VerificationRecorded":
                work.verifications.append(verification_row(event, block))
            case "TraderBound" | "TraderUnbound":
                work.bindings.append(binding_row(event, block))

    def _map_registration(self, session: Session, work: _BlockWork, event: Event, block: BlockRef) -> None:
        a = event.args
        seller_key, invoice_key = bytes(a["sellerTraderKey"]), bytes(a["invoiceKey"])
        check = check_payload(a["payload"], a["commitments"])
        if check.data is not None:
            check = check.adding(registration_problems(check.data, seller_key, invoice_key))
        seller_id = seller_trader_id_of(check.data, seller_key) or self._bound_trader_id(session, work, seller_key)
        kds, version = registration_rows(event, block, check, seller_id)
        if not check.ok:
            log.warning("indexer.integrity_failure", gpid=kds["gpid_text"], version=1, problem=check.problem)
        work.new_sets[kds["gpid"]] = kds
        work.versions.append(version)
        work.latest[kds["gpid"]] = version

    def _map_amendment(self, session: Session, work: _BlockWork, event: Event, block: BlockRef) -> None:
        a = event.args
        gpid, number = hex_of(a["gpid"]), int(a["version"])
        kds_state = work.new_sets.get(gpid) or work.set_updates.get(gpid) or self._stored_set(session, gpid)
        if kds_state is None:
            log.error("indexer.amendment_without_registration", gpid=gpid, version=number, block=block.number)
            return
        previous = work.latest.get(gpid)
        if previous is None or previous["version"] != number - 1:
            previous = self._stored_version(session, gpid, number - 1)
        check = check_payload(a["payload"], a["commitments"])
        if previous is None:
            check = check.adding([f"version {number - 1} is not in the index"])
        elif check.data is not None:
            check = check.adding(amendment_problems(check.data, previous["data"], number - 1))
        row = amendment_row(event, block, check, None if previous is None else previous["data"])
        if not check.ok:
            log.warning("indexer.integrity_failure", gpid=gpid, version=number, problem=check.problem)
        work.versions.append(row)
        work.latest[gpid] = row
        changes: dict[str, Any] = {
            "current_version": number,
            "updated_at": block.time,
            "integrity_ok": bool(kds_state["integrity_ok"]) and check.ok,
        }
        if check.ok:
            changes.update(party_fields(check.data))
        if gpid in work.new_sets:
            work.new_sets[gpid].update(changes)
        else:
            work.set_updates[gpid] = {**work.set_updates.get(gpid, {"gpid": gpid}), **changes}

    @staticmethod
    def _stored_set(session: Session, gpid: str) -> dict[str, Any] | None:
        row = session.execute(select(KeyDataSetRow.integrity_ok).where(KeyDataSetRow.gpid == gpid)).first()
        return None if row is None else {"gpid": gpid, "integrity_ok": row.integrity_ok}

    @staticmethod
    def _stored_version(session: Session, gpid: str, number: int) -> dict[str, Any] | None:
        row = session.execute(
            select(VersionRow.version, VersionRow.data).where(VersionRow.gpid == gpid, VersionRow.version == number)
        ).first()
        return None if row is None else {"version": row.version, "data": row.data}

    @staticmethod
    def _bound_trader_id(session: Session, work: _BlockWork, trader_key: bytes) -> str | None:
        """The trader ID last bound to a key (this block's bindings first), for a payload that names another."""
        key = hex_of(trader_key)
        for row in reversed(work.bindings):
            if row["trader_key"] == key and row["bound"]:
                return row["trader_id"]
        return session.scalar(
            select(TraderBindingRow.trader_id)
            .where(TraderBindingRow.trader_key == key, TraderBindingRow.bound.is_(True))
            .order_by(TraderBindingRow.block_number.desc(), TraderBindingRow.log_index.desc())
            .limit(1)
        )

    def _write(self, session: Session, work: _BlockWork, block: BlockRef) -> None:
        """Bulk inserts of one block's rows; rows already there (same keys) are left alone."""
        if work.new_sets:
            session.execute(
                _dialect_insert(session, _table(KeyDataSetRow)).on_conflict_do_nothing(), list(work.new_sets.values())
            )
        if work.versions:
            session.execute(_dialect_insert(session, _table(VersionRow)).on_conflict_do_nothing(), work.versions)
        for changes in work.set_updates.values():
            session.execute(
                update(_table(KeyDataSetRow)).where(_table(KeyDataSetRow).c.gpid == changes["gpid"]).values(
                    {k: v for k, v in changes.items() if k != "gpid"}
                )
            )
        if work.links:
            session.execute(_dialect_insert(session, _table(DeclarationLinkRow)).on_conflict_do_nothing(), work.links)
        for model, rows in ((VerificationRow, work.verifications), (TraderBindingRow, work.bindings)):
            rows = self._not_yet_stored(session, model, block.number, rows)
            if rows:
                session.execute(_table(model).insert(), rows)

    @staticmethod
    def _not_yet_stored(session: Session, model: Any, number: int, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rows of a table without a natural unique key, less those of this block already stored."""
        if not rows:
            return rows
        stored = set(session.scalars(select(model.log_index).where(model.block_number == number)))
        return [r for r in rows if r["log_index"] not in stored]

    @staticmethod
    def _record_block(session: Session, block: BlockRef) -> None:
        """The block's indexed_blocks row."""
        insert = _dialect_insert(session, _table(IndexedBlock)).values(number=block.number, hash=block.hash, time=block.time)
        session.execute(insert.on_conflict_do_update(index_elements=["number"], set_={"hash": block.hash, "time": block.time}))

    @staticmethod
    def _prune_blocks(session: Session) -> None:
        """The oldest indexed_blocks rows beyond KEEP_BLOCKS removed."""
        blocks = _table(IndexedBlock)
        oldest_kept = (
            select(blocks.c.number).order_by(blocks.c.number.desc()).offset(KEEP_BLOCKS - 1).limit(1).scalar_subquery()
        )
        session.execute(delete(blocks).where(blocks.c.number < oldest_kept))

    def _set_cursor(self, session: Session, position: _Position) -> None:
        values = {
            "registry_address": self.client.address,
            "block_number": position.number,
            "block_hash": position.hash,
            "head_number": self._head or 0,
            "updated_at": datetime.now(UTC),
        }
        insert = _dialect_insert(session, _table(ChainCursor)).values(id=1, **values)
        session.execute(insert.on_conflict_do_update(index_elements=["id"], set_=values))

    # ------------------------------------------------------------------ starting over

    def _delete_above(self, session: Session, number: int) -> int:
        """Deletes every chain-derived row above block ``number`` and re-derives the key data sets
        that lost versions; returns the number of rows removed."""
        versions = _table(VersionRow)
        kds = _table(KeyDataSetRow)
        touched = set(session.scalars(select(versions.c.gpid).where(versions.c.block_number > number).distinct()))
        removed = 0
        for statement in (
            delete(versions).where(versions.c.block_number > number),
            delete(kds).where(kds.c.registered_block > number),
            delete(_table(DeclarationLinkRow)).where(_table(DeclarationLinkRow).c.block_number > number),
            delete(_table(VerificationRow)).where(_table(VerificationRow).c.block_number > number),
            delete(_table(TraderBindingRow)).where(_table(TraderBindingRow).c.block_number > number),
            delete(_table(IndexedBlock)).where(_table(IndexedBlock).c.number > number),
        ):
            removed += max(0, session.execute(statement).rowcount or 0)
        remaining = session.execute(
            select(versions.c.gpid, versions.c.version, versions.c.time, versions.c.data, versions.c.integrity_ok)
            .where(versions.c.gpid.in_(touched))
            .order_by(versions.c.gpid, versions.c.version)
        ).mappings()
        by_gpid: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for row in remaining:
            by_gpid[row["gpid"]].append(row)
        for gpid, rows in by_gpid.items():
            session.execute(update(kds).where(kds.c.gpid == gpid).values(current_state(rows)))
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
            session.execute(delete(_table(ChainCursor)))
        self._rewinds += 1
        log.warning(
            "indexer.registry_changed", indexed_registry=other_registry, registry=self.client.address, rows_removed=removed
        )
