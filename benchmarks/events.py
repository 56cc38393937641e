"""``scripts/bench events``: the figures of issue 22's events and webhooks, on a real ``gpid-node dev``
process (its engine process runs the webhook dispatcher) and a real receiver process.

- webhook delivery latency: 20 webhooks subscribed to ``key_data_set.registered`` (by the seller and
  the buyer, who both read every registration), registrations paced at ``--rate`` a second (100) for
  ``--seconds``, each event delivered to all 20 (2,000 deliveries a second at 100 events a second);
  latency from the block that carries the event (the moment a watcher polling the chain every 10 ms
  first saw the block) to the receiver's arrival of the signed delivery: p50/p99/max (target p99 <= 2 s),
  and from the block's timestamp (whole seconds on anvil, so up to 1 s more) for scale; the
  deliveries a second from the first arrival to the last;
- the event feed to one reader: ``GET /v1/events?limit=1000`` paged from the first event to the last,
  sequentially on one kept-alive connection, events a second (target >= 2,000).

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sqlite3
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from support.processes import GPID_NODE, api_key, credentials, kill_anvil_of, start, stop, wait_http
from support.webhooks import Receiver

from gpid_node.chain.devchain import free_port
from gpid_node.domain.samples import sample_key_data_set

RATE_LIMITS = {"GPID_RATE_LIMIT_PER_S": "100000", "GPID_RATE_LIMIT_BURST": "100000",
               "GPID_RATE_LIMIT_WRITES_PER_S": "100000", "GPID_RATE_LIMIT_WRITES_BURST": "100000"}  # fmt: skip


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def watch_blocks(rpc_url: str, seen: dict[int, float], stop_event: threading.Event) -> None:
    """Records when each block was first seen (wall clock), polling the chain every 10 ms (http.client
    on one kept-alive connection: httpx cost a third of a core at this pace, taken from the node)."""
    url = urlsplit(rpc_url)
    http = HTTPConnection(url.hostname, url.port, timeout=5)
    request = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []}).encode()
    last = -1
    try:
        while not stop_event.is_set():
            http.request("POST", url.path or "/", body=request, headers={"Content-Type": "application/json"})
            number = int(json.loads(http.getresponse().read())["result"], 16)
            now = time.time()
            for block in range(last + 1, number + 1):
                seen.setdefault(block, now)
            last = max(last, number)
            stop_event.wait(0.01)
    finally:
        http.close()


def paced_registrations(api: str, key: str, rate: float, seconds: float, clients: int = 10) -> tuple[int, int]:
    """``rate`` registrations a second for ``seconds`` from ``clients`` threads (answered 202 once
    recorded: the pace is the sender's, not the block's); how many were accepted and refused."""
    url = urlsplit(api)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json", "Prefer": "respond-async"}
    accepted, refused = [0], [0]
    lock = threading.Lock()
    start_at = time.monotonic() + 0.5
    total = int(rate * seconds)

    def client(n: int) -> None:
        http = HTTPConnection(url.hostname, url.port, timeout=60)
        for i in range(n, total, clients):
            body = json.dumps(sample_key_data_set(f"EVT-{n:02d}-{i:06d}-{int(start_at)}", lines=3, seed=i)).encode()
            wait = start_at + i / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            http.request("POST", "/v1/key-data-sets", body=body, headers=headers)
            answer = http.getresponse()
            answer.read()
            with lock:
                if answer.status in (201, 202):
                    accepted[0] += 1
                else:
                    refused[0] += 1
        http.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return accepted[0], refused[0]


def feed_throughput(api: str, key: str, rounds: int) -> dict[str, Any]:
    """The whole feed read ``rounds`` times by one reader, 1,000 events a page."""
    url = urlsplit(api)
    http = HTTPConnection(url.hostname, url.port, timeout=60)
    headers = {"Authorization": f"Bearer {key}"}
    events, pages = 0, 0
    started = time.perf_counter()
    for _ in range(rounds):
        after = None
        while True:
            http.request("GET", "/v1/events?limit=1000" + (f"&after={after}" if after else ""), headers=headers)
            answer = http.getresponse()
            page = json.loads(answer.read())
            assert answer.status == 200, page
            pages += 1
            if not page["items"]:
                break
            events += len(page["items"])
            after = page["next"]
    elapsed = time.perf_counter() - started
    http.close()
    return {"feed_events_per_s": round(events / elapsed, 1), "feed_events_read": events, "feed_pages": pages}


def run(rate: float, seconds: float, subscribers: int, feed_rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="gpid-bench-events-") as tmp:
        data_dir, port = Path(tmp) / "data", free_port()
        data_dir.mkdir()
        process = start([GPID_NODE, "dev", "--port", str(port), "--data-dir", str(data_dir)], data_dir, Path(tmp) / "node.log",
                        GPID_LOG_LEVEL="warning", **RATE_LIMITS)  # fmt: skip
        receiver = Receiver(Path(tmp) / "receiver").start()
        stop_watching = threading.Event()
        try:
            api = f"http://127.0.0.1:{port}"
            wait_http(f"{api}/healthz", process=process)
            creds = credentials(data_dir)
            keys = itertools.cycle([api_key(creds, "seller"), api_key(creds, "buyer")])
            for n in range(subscribers):
                path = f"/s{n:02d}"
                made = httpx.post(f"{api}/v1/webhooks", json={"url": receiver.url(path), "events": ["key_data_set.registered"]},
                                  headers={"Authorization": f"Bearer {next(keys)}"}, timeout=30)  # fmt: skip
                assert made.status_code == 201, made.text
                receiver.secret(path, made.json()["secret"])
            seen: dict[int, float] = {}
            watcher = threading.Thread(target=watch_blocks, args=(creds["chain"]["rpc_url"], seen, stop_watching), daemon=True)
            watcher.start()
            sent_at = time.monotonic()
            accepted, refused = paced_registrations(api, api_key(creds, "seller"), rate, seconds)
            send_s = time.monotonic() - sent_at
            expected = accepted * subscribers
            records = receiver.wait_for(expected, timeout_s=120 + seconds)
            stop_watching.set()
            blocks = {r["event"] for r in records}
            with httpx.Client(timeout=30) as http:
                stamps = {}
                for block in {int(e.split("-")[0]) for e in blocks}:
                    answer = http.post(creds["chain"]["rpc_url"], json={"jsonrpc": "2.0", "id": 1, "method": "eth_getBlockByNumber",
                                                                        "params": [hex(block), False]}).json()  # fmt: skip
                    stamps[block] = int(answer["result"]["timestamp"], 16)
            latencies = [r["at"] - seen[int(r["event"].split("-")[0])] for r in records if int(r["event"].split("-")[0]) in seen]
            from_stamp = [r["at"] - stamps[int(r["event"].split("-")[0])] for r in records]
            figures: dict[str, Any] = {
                "events_per_s_sent": round(accepted / send_s, 1), "registrations_refused": refused, "events": accepted,
                "subscribers": subscribers, "deliveries_expected": expected, "deliveries_received": len(records),
                "deliveries_verified": sum(1 for r in records if r["verified"]),
                "duplicates": len(records) - len({(r["path"], r["event"]) for r in records}),
                "delivery_p50_s": round(statistics.median(latencies), 3), "delivery_p99_s": round(percentile(latencies, 0.99), 3),
                "delivery_max_s": round(max(latencies), 3),
                "delivery_p99_from_block_timestamp_s": round(percentile(from_stamp, 0.99), 3),
                "blocks": len({int(e.split("-")[0]) for e in blocks}),
                "deliveries_per_s": round(len(records) / max(1e-9, max(r["at"] for r in records) - min(r["at"] for r in records)), 1),
            }  # fmt: skip
            # Where the time goes: block seen -> queued by the dispatcher (indexing, then queueing) -> arrival.
            with sqlite3.connect(f"file:{data_dir / 'index.sqlite3'}?mode=ro", uri=True) as db:
                queued = {(event, webhook): datetime.fromisoformat(created).replace(tzinfo=UTC).timestamp()
                          for event, webhook, created in db.execute("SELECT event_id, webhook_id, created_at FROM webhook_deliveries")}  # fmt: skip
            first_queued = {}
            for (event, _), at in queued.items():
                first_queued[event] = min(at, first_queued.get(event, at))
            to_queue = [first_queued[e] - seen[int(e.split("-")[0])] for e in first_queued if int(e.split("-")[0]) in seen]
            if to_queue:
                figures["block_to_queued_p50_s"] = round(statistics.median(to_queue), 3)
                figures["block_to_queued_p99_s"] = round(percentile(to_queue, 0.99), 3)
            figures.update(feed_throughput(api, api_key(creds, "seller"), feed_rounds))
            return figures
        finally:
            stop_watching.set()
            receiver.stop()
            stop(process)
            kill_anvil_of(data_dir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=100.0, help="events (registrations) a second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--subscribers", type=int, default=20)
    parser.add_argument("--feed-rounds", type=int, default=3, help="times the whole feed is read")
    args = parser.parse_args()
    print(json.dumps(run(args.rate, args.seconds, args.subscribers, args.feed_rounds)))


if __name__ == "__main__":
    main()
