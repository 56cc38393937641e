"""Webhooks from the engine process of a real ``gpid-node dev`` (which accepts receivers on loopback):
a registration reaches a real receiver process, signed; the engine process killed with -9 while a
delivery is on its way is started again and sends it again (at least once)."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e.test_engine_process import engine_pids, invoice, wait_until
from support.webhooks import Receiver

pytestmark = pytest.mark.slow


def test_a_delivery_cut_by_a_killed_engine_process_is_sent_again(node: tuple[Any, str, dict[str, str], Path], tmp_path: Path) -> None:
    process, api, seller, _ = node
    receiver = Receiver(tmp_path / "receiver").start()
    try:
        made = httpx.post(f"{api}/v1/webhooks", json={"url": receiver.url(), "events": ["key_data_set.registered"]},
                          headers=seller, timeout=30)  # fmt: skip
        assert made.status_code == 201, made.text
        receiver.secret("/hook", made.json()["secret"])
        receiver.behave(delay_s=60)  # it receives, and does not answer in time
        wait_until(lambda: len(engine_pids(process.pid)) == 1)
        registered = httpx.post(f"{api}/v1/key-data-sets", json=invoice("WEBHOOK-E2E-1"), headers=seller, timeout=60)
        assert registered.status_code == 201, registered.text
        (first,) = receiver.wait_for(1, timeout_s=30)
        assert first["verified"] and first["gpid"] == registered.json()["gpid"]

        [engine] = engine_pids(process.pid)
        os.kill(engine, signal.SIGKILL)
        receiver.behave(delay_s=0)
        records = receiver.wait_for(2, timeout_s=60)
        assert [r["webhook_id"] for r in records] == [first["webhook_id"]] * 2 and all(r["verified"] for r in records)
        deliveries = f"{api}/v1/webhooks/{made.json()['id']}/deliveries"
        wait_until(lambda: httpx.get(deliveries, headers=seller, timeout=30).json()["items"][0]["status"] == "delivered", timeout_s=30)
        (delivery,) = httpx.get(deliveries, headers=seller, timeout=30).json()["items"]  # one delivery, sent twice
        assert delivery["event"] == first["event"]
    finally:
        receiver.stop()
