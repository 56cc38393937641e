"""The webhook queue on SQLite and PostgreSQL, with a real receiver process that verifies the
Standard Webhooks signature: events indexed are queued for the subscribers who may read them,
delivered signed, retried on an injectable clock until a receiver down for more than an hour is back,
dead-lettered after the bound, and sent again by a new dispatcher when the one sending was killed
mid-delivery (at least once)."""

from __future__ import annotations

import base64
import os
import secrets
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from support.processes import ROOT
from support.webhooks import Receiver

from gpid_node.services.webhook_dispatch import Dispatcher, RetrySchedule
from gpid_node.services.webhook_urls import UrlPolicy
from gpid_node.store.database import Store
from gpid_node.store.tables import (
    ApiKeyRow,
    ChainCursor,
    KeyDataSetRow,
    VersionRow,
    WebhookDeliveryRow,
    WebhookRow,
)

SELLER = "0x" + "11" * 20
OTHER_SELLER = "0x" + "22" * 20
START = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


class Clock:
    """The dispatcher's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def index_registration(store: Store, block: int, issuer: str = SELLER) -> str:
    """Puts a registered key data set (version 1 in ``block``, log 0) into the index, as the indexer would."""
    gpid = "0x" + secrets.token_hex(16)
    with store.session() as session:
        session.add(KeyDataSetRow(
            gpid=gpid, gpid_text=gpid[2:35], issuer=issuer, seller_trader_key="0x" + "ab" * 32, invoice_key="0x" + secrets.token_hex(32),
            current_version=1, integrity_ok=True, registered_at=START, updated_at=START, registered_block=block,
            format=1, readable=True,
        ))  # fmt: skip
        session.flush()
        session.add(VersionRow(
            gpid=gpid, version=1, author=issuer, time=START, reason_code=0, changed_sections=31, changed_fields=[],
            commitments=[], digest="0x" + "00" * 32, integrity_ok=True, block_number=block, block_hash="0x" + "cd" * 32,
            transaction_hash="0x" + "ef" * 32, log_index=0,
        ))  # fmt: skip
        cursor = session.get(ChainCursor, 1)
        if cursor is None:
            session.add(ChainCursor(id=1, registry_address="0x" + "00" * 20, block_number=block, block_hash="0x" + "cd" * 32,
                                    head_number=block, updated_at=START))  # fmt: skip
        else:
            cursor.block_number = block
    return gpid[2:35]


def subscribe(store: Store, url: str, account: str = SELLER, events: tuple[str, ...] = ("key_data_set.registered",)) -> WebhookRow:
    secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
    key_id = secrets.token_hex(6)
    row = WebhookRow(id="wh_" + secrets.token_hex(8), key_id=key_id, role="seller", account=account, trader_id=None, country=None,
                     url=url, events=list(events), secret=secret, after_block=0, after_log=-1, created_at=START)  # fmt: skip
    with store.session() as session:
        session.add(ApiKeyRow(key_id=key_id, secret_hash="0" * 64, role="seller", account=account, name=None, trader_id=None,
                              country=None, created_at=START, revoked_at=None))  # fmt: skip
        session.add(row)
    return row


def deliveries(store: Store) -> list[WebhookDeliveryRow]:
    with store.session() as session:
        return list(session.scalars(select(WebhookDeliveryRow).order_by(WebhookDeliveryRow.id)))


def dispatcher(store: Store, clock: Clock, schedule: RetrySchedule | None = None) -> Dispatcher:
    return Dispatcher(store, policy=UrlPolicy.of([], allow_loopback=True), schedule=schedule or RetrySchedule(),
                      timeout_s=5.0, clock=clock)  # fmt: skip


def run_round(d: Dispatcher) -> int:
    d.queue_new(force=True)
    return d.deliver_due()


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    running = Receiver(tmp_path / "receiver").start()
    yield running
    running.stop()


def test_the_default_schedule_outlasts_a_receiver_down_for_an_hour() -> None:
    schedule = RetrySchedule()
    assert schedule.span_s() > 3600
    assert all(schedule.delay_s(n, rng=lambda: 1.0) >= schedule.delay_s(n, rng=lambda: 0.0) for n in range(1, 12))
    assert schedule.delay_s(2, rng=lambda: 0.0) == 2 * schedule.delay_s(1, rng=lambda: 0.0)


def test_only_readable_events_are_queued_and_each_arrives_signed(store: Store, receiver: Receiver) -> None:
    clock = Clock()
    mine = subscribe(store, receiver.url("/mine"))
    theirs = subscribe(store, receiver.url("/theirs"), account=OTHER_SELLER)
    receiver.secret("/mine", mine.secret)
    receiver.secret("/theirs", theirs.secret)
    gpid = index_registration(store, block=7)
    assert run_round(dispatcher(store, clock)) == 1

    (record,) = receiver.wait_for(1, "/mine")
    assert record["verified"] and record["type"] == "key_data_set.registered" and record["event"] == "7-0"
    assert record["gpid"] == gpid and record["webhook_id"] == "7-0"
    assert receiver.received("/theirs") == []
    (row,) = deliveries(store)
    assert (row.webhook_id, row.status, row.attempts, row.last_status) == (mine.id, "delivered", 1, 200)
    assert run_round(dispatcher(store, clock)) == 0  # nothing is queued twice


def test_a_receiver_down_for_more_than_an_hour_gets_the_event_when_it_is_back(store: Store, tmp_path: Path) -> None:
    down = Receiver(tmp_path / "later")  # not started: its port refuses connections
    clock = Clock()
    hook = subscribe(store, down.url())
    index_registration(store, block=3)
    d = dispatcher(store, clock)
    first_attempt = clock.now
    while clock.now - first_attempt < timedelta(hours=1, minutes=5):
        run_round(d)
        (row,) = deliveries(store)
        assert row.status == "pending", "dead-lettered within the hour"
        clock.now = row.next_attempt_at.replace(tzinfo=UTC)
    failed_attempts = row.attempts
    assert failed_attempts >= 5 and "ConnectError" in (row.last_error or "")

    down.start()
    try:
        down.secret("/hook", hook.secret)
        run_round(d)
        (row,) = deliveries(store)
        assert (row.status, row.attempts) == ("delivered", failed_attempts + 1)
        (record,) = down.wait_for(1)
        assert record["verified"] and record["event"] == "3-0"
    finally:
        down.stop()


def test_a_delivery_is_dead_lettered_after_the_bound_and_can_be_replayed(store: Store, receiver: Receiver) -> None:
    receiver.behave(status=500)
    clock = Clock()
    hook = subscribe(store, receiver.url())
    receiver.secret("/hook", hook.secret)
    index_registration(store, block=5)
    d = dispatcher(store, clock, RetrySchedule(attempts=3, base_s=1.0, max_s=10.0))
    for _ in range(5):
        run_round(d)
        clock.advance(60)
    (row,) = deliveries(store)
    assert (row.status, row.attempts, row.last_status) == ("dead", 3, 500)
    assert len(receiver.received()) == 3 and all(r["verified"] for r in receiver.received())


WORKER = textwrap.dedent("""
    import sys, threading
    from gpid_node.services.webhook_dispatch import Dispatcher
    from gpid_node.services.webhook_urls import UrlPolicy
    from gpid_node.store.database import Store
    Dispatcher(Store(sys.argv[1]), policy=UrlPolicy.of([], allow_loopback=True), timeout_s=60).run(threading.Event())
""")


def test_a_node_killed_mid_delivery_sends_it_again_after_its_restart(store: Store, receiver: Receiver) -> None:
    receiver.behave(delay_s=30)  # it receives, and takes its time to answer
    hook = subscribe(store, receiver.url())
    receiver.secret("/hook", hook.secret)
    index_registration(store, block=9)
    worker = subprocess.Popen([sys.executable, "-c", WORKER, store.url], cwd=ROOT, start_new_session=True,
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)  # fmt: skip
    try:
        assert len(receiver.wait_for(1, timeout_s=30)) == 1, "the worker did not send"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    (row,) = deliveries(store)
    assert row.status == "pending"  # the receiver had it, the node never heard back

    receiver.behave(delay_s=0)
    time.sleep(0.1)
    run_round(dispatcher(store, Clock()))
    (row,) = deliveries(store)
    assert row.status == "delivered"
    records = receiver.received()
    assert [r["webhook_id"] for r in records] == ["9-0", "9-0"] and all(r["verified"] for r in records)


def test_a_hanging_receiver_is_probed_with_one_delivery_while_the_others_flow(store: Store, tmp_path: Path) -> None:
    slow, fast = Receiver(tmp_path / "slow").start(), Receiver(tmp_path / "fast").start()
    try:
        slow.behave(delay_s=3)  # longer than the dispatcher waits (1 s): every attempt times out
        hung, healthy = subscribe(store, slow.url()), subscribe(store, fast.url())
        fast.secret("/hook", healthy.secret)
        for block in range(1, 13):
            index_registration(store, block=block)
        clock = Clock()
        d = dispatcher(store, clock)
        d.timeout_s = 1.0
        run_round(d)  # the first round finds out (a few attempts time out before the first one reports)
        after_first = {r.id: r for r in deliveries(store) if r.webhook_id == hung.id}
        tried = [r for r in after_first.values() if r.attempts]
        assert 1 <= len(tried) <= 4  # at most one per sender thread, not all 12
        assert all(r.next_attempt_at.replace(tzinfo=UTC) > clock.now for r in after_first.values())  # the rest wait

        clock.advance(3600)
        run_round(d)  # one probe, not 12 more timeouts
        attempts = sum(r.attempts for r in deliveries(store) if r.webhook_id == hung.id)
        assert attempts == sum(r.attempts for r in after_first.values()) + 1
        assert [r.status for r in deliveries(store) if r.webhook_id == healthy.id] == ["delivered"] * 12
    finally:
        slow.stop()
        fast.stop()
