"""``scripts/bench api``: the REST facade of a real dev node process (``gpid-node dev``).

- register_per_s: sustained registrations per second from 20 concurrent clients (each waits for
  its 201, i.e. for the block);
- get_p99_ms: GET of a key data set with its integrity proof (checked against the chain);
- verify_p99_ms: POST /v1/verifications of a 10-line declaration.
Both payload formats in one sitting, in the order ``--formats`` gives (default ``2,1``): format 2
(encrypted, the node's default) is ``gpid-node dev`` as it ships, format 1 (plain) the same node
through ``benchmarks.devnode``. Prints one JSON object, ``{"runs": [...]}``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from support.processes import api_key, credentials, kill_anvil_of, start, stop, wait_http

from gpid_node.chain.devchain import free_port
from gpid_node.domain.samples import sample_key_data_set

# The limiter stays on (its cost is part of the figures) with limits far above what the clients send.
RATE_LIMITS = {"GPID_RATE_LIMIT_PER_S": "100000", "GPID_RATE_LIMIT_BURST": "100000",
               "GPID_RATE_LIMIT_WRITES_PER_S": "100000", "GPID_RATE_LIMIT_WRITES_BURST": "100000"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def register_load(
    api: str, key: str, clients: int, seconds: float, respond_async: bool = False
) -> tuple[float, list[str], list[float], int]:
    """``clients`` threads, each posting registrations one after another for ``seconds``.

    The clients share the node's two cores, so they are kept light: ``http.client`` on one kept-alive
    connection each, and the bodies of a client made before its clock starts.
    """
    url = urlsplit(api)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json",
               **({"Prefer": "respond-async"} if respond_async else {})}  # fmt: skip
    expected = 202 if respond_async else 201
    gpids: list[str] = []
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)
    stop_at = 0.0

    def client(n: int) -> None:
        nonlocal errors
        kind = "A" if respond_async else "S"
        bodies = (json.dumps(sample_key_data_set(f"API-{kind}{n:02d}-{i:06d}", lines=10, seed=i)).encode()
                  for i in itertools.count())  # fmt: skip
        first = next(bodies)
        http = HTTPConnection(url.hostname, url.port, timeout=60)
        ready.wait()
        body = first
        try:
            while time.monotonic() < stop_at:
                started = time.perf_counter()
                http.request("POST", "/v1/key-data-sets", body=body, headers=headers)
                answer = http.getresponse()
                payload = answer.read()
                elapsed = time.perf_counter() - started
                with lock:
                    if answer.status == expected:
                        gpids.append(json.loads(payload)["gpid"])
                        latencies.append(elapsed * 1000)
                    else:
                        errors += 1
                body = next(bodies)
        finally:
            http.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    started = time.monotonic()
    stop_at = started + seconds
    ready.wait()
    for t in threads:
        t.join()
    return len(gpids) / (time.monotonic() - started), gpids, latencies, errors


def timed(call: Any, count: int) -> list[float]:
    out = []
    for _ in range(count):
        started = time.perf_counter()
        answer = call()
        out.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.text
    return out


def run(clients: int, seconds: float, samples: int, payload_format: int = 2) -> dict[str, Any]:
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory(prefix="gpid-bench-api-") as tmp:
        data_dir, port = Path(tmp) / "data", free_port()
        data_dir.mkdir()
        options = ["--port", str(port), "--data-dir", str(data_dir)]
        if payload_format == 2:
            command = [str(root / ".venv/bin/gpid-node"), "dev", *options]
        else:
            command = [sys.executable, "-m", "benchmarks.devnode", str(payload_format), *options]
        process = start(command, data_dir, Path(tmp) / "node.log", GPID_LOG_LEVEL="warning",
                        PYTHONPATH=os.environ.get("PYTHONPATH"), **RATE_LIMITS)  # fmt: skip
        try:
            api = f"http://127.0.0.1:{port}"
            wait_http(f"{api}/healthz", process=process)
            creds = credentials(data_dir)
            seller = api_key(creds, "seller")
            rate, gpids, reg_latencies, errors = register_load(api, seller, clients, seconds)

            # The asynchronous path: 202 once recorded; the rate counts only what is mined, when all is.
            started = time.monotonic()
            _, async_gpids, _, async_errors = register_load(api, seller, clients, seconds, respond_async=True)
            with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {seller}"}, timeout=60) as http:
                while http.get(f"/v1/key-data-sets/{async_gpids[-1]}").status_code != 200:
                    time.sleep(0.05)
                while http.get("/v1/key-data-sets", params={"limit": 1}).json()["total"] < len(gpids) + len(async_gpids):
                    time.sleep(0.1)
            async_rate = len(async_gpids) / (time.monotonic() - started)

            customs = api_key(creds, "customs", "GB")
            with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {seller}"}, timeout=30) as http:
                get = timed(lambda: http.get(f"/v1/key-data-sets/{gpids[len(gpids) // 2]}"), samples)
                full = http.get(f"/v1/key-data-sets/{gpids[0]}").json()
            # the path measured is the one named: the node says which format it registered
            assert full.get("format", payload_format) == payload_format, (full.get("format"), payload_format)
            items = [
                {"gpid": gpids[0], "goods_sequence": g["sequence"], **{k: g[k] for k in (
                    "hs_code", "value", "currency", "packages", "net_mass_kg", "country_of_origin", "preferential_origin")}}
                for g in full["data"]["goods"]
            ]  # fmt: skip
            declaration = {"declaration": {"reference": "26GB0000000BENCH", "country": "GB", "direction": "import",
                                           "filed_at": datetime.now(UTC).isoformat(), "items": items}}  # fmt: skip
            with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {customs}"}, timeout=30) as http:
                verify = timed(lambda: http.post("/v1/verifications", json=declaration), samples)
            with sqlite3.connect(f"file:{data_dir / 'index.sqlite3'}?mode=ro", uri=True) as db:  # format 2 keeps payloads
                payloads = db.execute("SELECT avg(length(payload)), min(substr(payload, 2, 1)), max(substr(payload, 2, 1)) "
                                      "FROM versions WHERE payload IS NOT NULL").fetchone()  # fmt: skip
            return {
                "path": {1: "plain", 2: "encrypted"}[payload_format],
                "payload_bytes_mean": None if payloads[0] is None else round(payloads[0], 1),
                "recipients_min_max": None if payloads[1] is None else [payloads[1][0], payloads[2][0]],
                "payload_format": payload_format,
                "register_per_s": round(rate, 1),
                "register_p50_ms": round(statistics.median(reg_latencies), 1),
                "register_p99_ms": round(percentile(reg_latencies, 0.99), 1),
                "register_errors": errors + async_errors,
                "register_async_mined_per_s": round(async_rate, 1),
                "registered": len(gpids),
                "get_p50_ms": round(statistics.median(get), 2),
                "get_p99_ms": round(percentile(get, 0.99), 2),
                "verify_p50_ms": round(statistics.median(verify), 2),
                "verify_p99_ms": round(percentile(verify, 0.99), 2),
                "clients": clients,
                "seconds": seconds,
            }
        finally:
            stop(process)
            kill_anvil_of(data_dir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--formats", default="2,1", help="payload formats to run, in order (2 encrypted, 1 plain)")
    args = parser.parse_args()
    runs = [run(args.clients, args.seconds, args.samples, int(f)) for f in args.formats.split(",")]
    print(json.dumps({"runs": runs}))


if __name__ == "__main__":
    main()
