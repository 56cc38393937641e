"""The webhook dispatcher: turns newly indexed events into deliveries and delivers them.

It runs in the engine process beside the outbox and the indexer, one per database (it holds the
``webhooks`` lease, as the outbox holds its own). Each round::

    index cursor moved? ──> for each live webhook: the events after its cursor that its owner may
                            read, of its types ──> delivery rows (pending) + cursor, one transaction
    due deliveries ──> POST, signed (Standard Webhooks) ──> delivered | retry later | dead

The POSTs of a round go out concurrently from one asyncio loop (:mod:`.webhook_sender`), at most
``per_webhook`` at a time for one webhook; the engines wake the dispatcher when the indexer commits.

The queue is the database (``store/webhooks.py``): a delivery is a row before it is sent and stays
pending until the receiver answers 2xx, so a node stopped mid-delivery sends it again when it
starts (at least once; receivers drop repeats by ``webhook-id``). A failed attempt is retried after
an exponentially growing delay with jitter (:class:`RetrySchedule`); after the last attempt the
delivery is dead (kept in the delivery log, and replayable). The schedule reads an injectable clock,
so a test can let hours pass without waiting.
"""

from __future__ import annotations

import asyncio
import functools
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from standardwebhooks.webhooks import Webhook

from gpid_node.domain.access import Principal, Role
from gpid_node.domain.times import iso
from gpid_node.services.events import event_id, item_of
from gpid_node.services.webhook_sender import Sender, SendError, gather
from gpid_node.services.webhook_urls import UrlPolicy
from gpid_node.store import queries
from gpid_node.store import webhooks as queue
from gpid_node.store.database import Store
from gpid_node.store.events_queries import Caller, events_after
from gpid_node.store.lease import Lease
from gpid_node.store.tables import DELIVERY_DEAD, DELIVERY_DELIVERED, DELIVERY_PENDING, WebhookDeliveryRow, WebhookRow

log = structlog.get_logger("gpid.webhooks")

WEBHOOKS_LEASE = "webhooks"
END_OF_BLOCK = 2**31 - 1  # a log index past every log of a block: "the whole block is queued"
QUEUE_PAGE = 500  # events turned into deliveries per webhook and round
SEND_BATCH = 500  # deliveries claimed per round
LEASE_RETRY_S = 1.0
USER_AGENT = "gpid-node-webhooks/1"


@dataclass(frozen=True)
class RetrySchedule:
    """When a failed delivery is tried again: ``base_s`` after the first failure, doubling up to
    ``max_s``, each delay stretched by up to ``jitter`` (a fraction, never shortened), until
    ``attempts`` attempts were made; then the delivery is dead."""

    attempts: int = 12
    base_s: float = 5.0
    max_s: float = 3600.0
    jitter: float = 0.2

    def delay_s(self, failures: int, rng: Callable[[], float] = random.random) -> float:
        """The wait after the ``failures``-th failed attempt (1 for the first)."""
        nominal = min(self.base_s * 2 ** max(0, failures - 1), self.max_s)
        return nominal * (1 + self.jitter * rng())

    def span_s(self) -> float:
        """The shortest time from the first attempt to the last (no jitter): how long a receiver may
        be down and still be delivered to."""
        return sum(self.delay_s(n, rng=lambda: 0.0) for n in range(1, self.attempts))


def _now() -> datetime:
    return datetime.now(UTC)


def _as_principal(row: WebhookRow) -> Principal:
    return Principal(role=Role(row.role), account=row.account, trader_id=row.trader_id, country=row.country)


def message_of(item: dict[str, Any], at: datetime) -> dict[str, Any]:
    """The body of a delivery (Standard Webhooks: ``type``, ``timestamp``, ``data``): ``data`` is the
    event as the feed gives it to the webhook's owner."""
    return {"type": item["type"], "timestamp": iso(at), "data": item}


@functools.lru_cache(maxsize=1024)
def _signer(secret: str) -> Webhook:
    return Webhook(secret)


def signed_headers(secret: str, message_id: str, body: str, at: datetime) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt (``webhook-timestamp`` is the attempt's real time)."""
    signature = _signer(secret).sign(message_id, at, body)
    return {"webhook-id": message_id, "webhook-timestamp": str(int(at.timestamp())), "webhook-signature": signature,
            "content-type": "application/json", "user-agent": USER_AGENT}  # fmt: skip


@dataclass
class Dispatcher:
    """Queues and delivers webhooks for one store."""

    store: Store
    policy: UrlPolicy = field(default_factory=UrlPolicy)
    schedule: RetrySchedule = field(default_factory=RetrySchedule)
    timeout_s: float = 10.0
    poll_s: float = 0.05
    per_origin: int = 32  # connections (requests in flight) to one receiver (scheme, host, port)
    per_webhook: int = 4  # requests in flight for one webhook: a receiver that hangs holds no more
    clock: Callable[[], datetime] = _now  # scheduling only; signatures carry the real time
    on_delivered: Callable[[list[WebhookDeliveryRow]], None] | None = None
    _wake: threading.Event = field(init=False, default_factory=threading.Event)
    _seen_cursor: int | None = field(init=False, default=None)
    _refusals: dict[str, tuple[float, str | None]] = field(init=False, default_factory=dict)
    _failing: dict[str, datetime] = field(init=False, default_factory=dict)  # webhook -> its probe's next try

    def wake(self) -> None:
        self._wake.set()

    # ------------------------------------------------------------------ the loop

    def run(self, stop: threading.Event) -> None:
        """Works while ``stop`` is not set, holding the webhooks lease (standing by without it)."""
        lease = Lease(self.store, WEBHOOKS_LEASE)
        sender = Sender(self.timeout_s, self.per_origin)
        try:
            while not stop.is_set():
                busy = False
                try:
                    if not lease.acquire():  # another process of this database delivers
                        stop.wait(LEASE_RETRY_S)
                        continue
                    self.queue_new()
                    busy = self.deliver_due(sender) >= SEND_BATCH
                except Exception as exc:  # an outage of the database: try again next round
                    log.warning("webhooks.round_failed", error=repr(exc))
                    stop.wait(LEASE_RETRY_S)
                if not busy:
                    self._wake.wait(self.poll_s)
                    self._wake.clear()
        finally:
            sender.close()
            lease.release()

    # ------------------------------------------------------------------ queueing

    def queue_new(self, force: bool = False) -> int:
        """Turns the events indexed since the last round into deliveries; how many were queued."""
        with self.store.session() as session:
            cursor = queries.cursor(session)
            if cursor is None:
                return 0
            indexed = int(cursor.block_number)
            if indexed == self._seen_cursor and not force:
                return 0
            webhooks = queue.live_webhooks(session)
        queued, more = 0, False
        with self.store.session() as session:  # one transaction for every webhook (the writers take turns)
            for webhook in webhooks:
                count, full = self._queue_page(session, webhook, indexed)
                queued, more = queued + count, more or full
        if not more:  # else the next round goes on, even if no block comes
            self._seen_cursor = indexed
        return queued

    def _queue_page(self, session: Any, webhook: WebhookRow, indexed: int) -> tuple[int, bool]:
        """Queues a page of the events after the webhook's cursor that its owner may read, and moves its
        cursor; how many were queued, and whether more may follow."""
        principal = _as_principal(webhook)
        caller = Caller(webhook.role, webhook.account, webhook.trader_id, webhook.country)
        after = (webhook.after_block, webhook.after_log)
        if after[0] > indexed:  # the index took blocks back (a reorg): look again from where it stands
            after = (indexed, END_OF_BLOCK)
        now = self.clock()
        events = [ev for ev in events_after(session, caller, after, QUEUE_PAGE, webhook.events) if ev.block <= indexed]
        ids = [event_id(ev.block, ev.log_index) for ev in events]
        known = queue.queued_events(session, webhook.id, ids)
        rows = [
            WebhookDeliveryRow(
                webhook_id=webhook.id, event_id=ident, event_type=ev.type, replay=0,
                payload=message_of(item_of(ev, principal), now), status=DELIVERY_PENDING, attempts=0,
                next_attempt_at=now, block_time=ev.time, created_at=now,
            )
            for ev, ident in zip(events, ids, strict=True) if ident not in known
        ]  # fmt: skip
        queue.enqueue(session, rows)
        full = len(events) == QUEUE_PAGE
        queue.move_cursor(session, webhook.id, *((events[-1].block, events[-1].log_index) if full else (indexed, END_OF_BLOCK)))
        return len(rows), full

    # ------------------------------------------------------------------ delivering

    def deliver_due(self, sender: Sender | None = None) -> int:
        """Sends the deliveries whose time has come (concurrently, from ``sender``'s event loop; a
        sender of its own when none is given), then records what came of each.

        A webhook whose receiver failed is probed with one delivery a round; its other due deliveries
        wait, without an attempt, until the probe's next try (a receiver that hangs holds one sender,
        not all of them). A success ends the wait."""
        now = self.clock()
        with self.store.session() as session:
            due = queue.due(session, now, SEND_BATCH)
        if not due:
            return 0
        probes: dict[str, int] = {}
        for d in due:
            if d.webhook_id in self._failing:
                probes.setdefault(d.webhook_id, d.id)
        own = sender is None
        sender = sender or Sender(self.timeout_s, self.per_origin)
        try:
            results = sender.run(self._send(sender, due, probes))
        finally:
            if own:
                sender.close()
        postponed = {d.id: self._failing[d.webhook_id] for d, r in zip(due, results, strict=True)
                     if r is None and d.webhook_id in self._failing}  # fmt: skip
        with self.store.session() as session:
            queue.record(session, [r for r in results if r is not None])
            queue.postpone(session, postponed)
        return len(due)

    async def _send(self, sender: Sender, due: list[queue.Due], probes: dict[str, int]) -> list[queue.Outcome | None]:
        """The attempts of a round, all at once but ``per_webhook`` at a time for each webhook (those
        that wait for their turn find out whether the webhook's receiver failed meanwhile)."""
        turns = {webhook: asyncio.Semaphore(self.per_webhook) for webhook in {d.webhook_id for d in due}}

        async def one(d: queue.Due) -> queue.Outcome | None:
            async with turns[d.webhook_id]:
                return await self._attempt(sender, d, probes)

        return await gather(*(one(d) for d in due))

    def _refusal(self, url: str) -> str | None:
        """The URL policy's verdict, resolved again at most every 30 s per URL."""
        at = time.monotonic()
        cached = self._refusals.get(url)
        if cached is not None and at - cached[0] < 30.0:
            return cached[1]
        verdict = self.policy.refusal(url)
        self._refusals[url] = (at, verdict)
        return verdict

    async def _attempt(self, sender: Sender, due: queue.Due, probes: dict[str, int]) -> queue.Outcome | None:
        """One attempt, or None when the webhook's receiver is failing and another delivery probes it."""
        if due.webhook_id in self._failing and probes.get(due.webhook_id) != due.id:
            return None
        attempts = due.attempts + 1
        scheduled = self.clock()
        refused = self._refusal(due.url)
        status: int | None = None
        error: str | None = refused
        if refused is None:
            body = due.body
            try:
                status = await sender.post(due.url, body.encode(), signed_headers(due.secret, due.message_id, body, _now()))
                error = None if 200 <= status < 300 else f"the receiver answered {status}"
            except SendError as exc:
                error = str(exc)[:240] or "no answer"
        if error is None:
            self._failing.pop(due.webhook_id, None)
            return queue.Outcome(due.id, attempts, scheduled, DELIVERY_DELIVERED, status, None, scheduled)
        later = scheduled + timedelta(seconds=self.schedule.delay_s(attempts))
        self._failing[due.webhook_id] = later
        if attempts >= self.schedule.attempts:
            log.warning("webhooks.dead", delivery=due.id, webhook=due.webhook_id, attempts=attempts, error=error)
            return queue.Outcome(due.id, attempts, scheduled, DELIVERY_DEAD, status, error, scheduled)
        return queue.Outcome(due.id, attempts, scheduled, DELIVERY_PENDING, status, error, later)


@dataclass(frozen=True)
class WebhookConfig:
    """The operator's webhook settings, as the engines and the use cases take them."""

    policy: UrlPolicy = field(default_factory=UrlPolicy)
    schedule: RetrySchedule = field(default_factory=RetrySchedule)
    timeout_s: float = 10.0

    @classmethod
    def of(cls, settings: Any) -> WebhookConfig:
        return cls(
            policy=UrlPolicy.of(settings.webhook_allowed_hosts, settings.webhook_allow_loopback),
            schedule=RetrySchedule(attempts=settings.webhook_max_attempts, base_s=settings.webhook_retry_base_s,
                                   max_s=settings.webhook_retry_max_s),
            timeout_s=settings.webhook_timeout_s,
        )  # fmt: skip
