"""``scripts/bench soak``: a real dev node (``gpid-node dev``) under a steady mixed load for minutes.

``--clients`` concurrent clients (20 by default) each repeat the export flow for ``--minutes``:
the seller registers a key data set, amends it (price correction), the export broker links it to a
declaration, export Customs verifies the declaration against it, and the seller reads it back.
Meanwhile the node process's resident memory (``VmRSS`` of ``/proc/<pid>/status``) is sampled every
``--sample-s`` seconds, with anvil's alongside for comparison.

Prints one JSON object: per operation the count, errors (by status), p50/p99/max latency in ms; the
node's RSS at start and end, its peak, the least-squares slope in MB per minute over the whole run
and over its second half (after warm-up), and the samples; the outbox depth once drained and the
index lag at the end. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from gpid_node.chain.devchain import free_port
from gpid_node.domain.samples import sample_key_data_set
from support.processes import api_key, credentials, kill_anvil_of, start, stop, wait_http

# The limiter stays on (its cost is part of the figures) with limits far above what the clients send.
RATE_LIMITS = {"GPID_RATE_LIMIT_PER_S": "100000", "GPID_RATE_LIMIT_BURST": "100000",
               "GPID_RATE_LIMIT_WRITES_PER_S": "100000", "GPID_RATE_LIMIT_WRITES_BURST": "100000"}

OPERATIONS = ("register", "amend", "link", "verify", "read")
VERIFIED_FIELDS = ("hs_code", "value", "currency", "packages", "net_mass_kg", "country_of_origin", "preferential_origin")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def rss_kb(pid: int) -> int | None:
    """VmRSS of a process in kB (None once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def slope_mb_per_min(samples: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, MB) samples, in MB per minute."""
    if len(samples) < 3:
        return None
    xs, ys = [s[0] for s in samples], [s[1] for s in samples]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    if var == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var * 60


class Recorder:
    """Latencies and errors per operation, shared by the clients."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, Counter[str]] = defaultdict(Counter)
        self.accepted_202 = 0

    def call(self, operation: str, send: Any, ok: tuple[int, ...]) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            answer = send()
        except httpx.HTTPError as exc:
            with self.lock:
                self.errors[operation][type(exc).__name__] += 1
            return None
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.latencies[operation].append(elapsed)
            if answer.status_code == 202:
                self.accepted_202 += 1
            if answer.status_code not in ok:
                self.errors[operation][str(answer.status_code)] += 1
        return answer if answer.status_code in ok else None

    def summary(self) -> dict[str, Any]:
        out = {}
        for operation in OPERATIONS:
            values = self.latencies.get(operation, [])
            out[operation] = {
                "count": len(values),
                "errors": dict(self.errors.get(operation, {})),
                "p50_ms": round(statistics.median(values), 1) if values else None,
                "p99_ms": round(percentile(values, 0.99), 1) if values else None,
                "max_ms": round(max(values), 1) if values else None,
            }
        return out


def _outbox_depth(http: httpx.Client) -> float | None:
    metrics = http.get("/metrics").text
    return next((float(line.split()[-1]) for line in metrics.splitlines() if line.startswith("gpid_outbox_depth")), None)


def client_loop(n: int, api: str, keys: dict[str, str], stop_at: float, recorder: Recorder) -> None:
    seller = {"Authorization": f"Bearer {keys['seller']}"}
    broker = {"Authorization": f"Bearer {keys['broker']}"}
    customs = {"Authorization": f"Bearer {keys['customs']}"}
    with httpx.Client(base_url=api, timeout=120) as http:
        i = 0
        while time.monotonic() < stop_at:
            number = f"SOAK-{n:02d}-{i:07d}"
            data = sample_key_data_set(number, lines=3, seed=i)
            i += 1
            registered = recorder.call("register", lambda: http.post("/v1/key-data-sets", json=data, headers=seller), (201, 202))
            if registered is None:
                continue
            gpid = registered.json()["gpid"]
            goods = [dict(line) for line in data["goods"]]
            goods[0]["value"] = f"{float(goods[0]['value']) * 0.9:.2f}"
            amendment = {"changes": {"goods": goods}, "reason": "credit note", "reason_code": "price"}
            recorder.call("amend", lambda: http.post(f"/v1/key-data-sets/{gpid}/amendments", json=amendment, headers=seller),
                          (201, 202))  # fmt: skip
            reference = f"26DE{n:02d}{i:012d}"
            link = {"reference": reference, "country": "DE", "direction": "export", "gpids": [gpid]}
            if recorder.call("link", lambda: http.post("/v1/declarations", json=link, headers=broker), (201, 202)) is None:
                continue
            items = [{"gpid": gpid, "goods_sequence": g["sequence"], **{k: g[k] for k in VERIFIED_FIELDS}} for g in goods]
            check = {"declaration": {"reference": reference, "country": "DE", "direction": "export",
                                     "filed_at": datetime.now(UTC).isoformat(), "items": items}}  # fmt: skip
            recorder.call("verify", lambda: http.post("/v1/verifications", json=check, headers=customs), (200,))
            recorder.call("read", lambda: http.get(f"/v1/key-data-sets/{gpid}", headers=seller), (200,))


def run(minutes: float, clients: int, sample_s: float) -> dict[str, Any]:
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory(prefix="gpid-bench-soak-") as tmp:
        data_dir, port = Path(tmp) / "data", free_port()
        data_dir.mkdir()
        process = start([str(root / ".venv/bin/gpid-node"), "dev", "--port", str(port), "--data-dir", str(data_dir)],
                        data_dir, Path(tmp) / "node.log", GPID_LOG_LEVEL="warning", **RATE_LIMITS)  # fmt: skip
        try:
            api = f"http://127.0.0.1:{port}"
            wait_http(f"{api}/healthz", process=process)
            creds = credentials(data_dir)
            keys = {"seller": api_key(creds, "seller"), "broker": api_key(creds, "broker", "DE"),
                    "customs": api_key(creds, "customs", "DE")}  # fmt: skip
            anvil_pid = int((data_dir / "chain" / "anvil.pid").read_text())
            recorder = Recorder()
            started = time.monotonic()
            stop_at = started + minutes * 60
            samples: list[dict[str, Any]] = []
            threads = [threading.Thread(target=client_loop, args=(n, api, keys, stop_at, recorder), daemon=True)
                       for n in range(clients)]  # fmt: skip
            for thread in threads:
                thread.start()
            while any(t.is_alive() for t in threads):
                node_kb, anvil_kb = rss_kb(process.pid), rss_kb(anvil_pid)
                samples.append({"t_s": round(time.monotonic() - started, 1),
                                "node_rss_mb": None if node_kb is None else round(node_kb / 1024, 1),
                                "anvil_rss_mb": None if anvil_kb is None else round(anvil_kb / 1024, 1)})  # fmt: skip
                for thread in threads:
                    thread.join(timeout=sample_s / len(threads))
            elapsed = time.monotonic() - started
            with httpx.Client(base_url=api, timeout=30) as http:
                # Customs' verification outcomes are sent after their answer: give them time to drain.
                drain_started = time.monotonic()
                while (outbox_depth := _outbox_depth(http)) and time.monotonic() - drain_started < 60:
                    time.sleep(0.2)
                drained_s = time.monotonic() - drain_started
                ready = http.get("/readyz").json()
            node_series = [(s["t_s"], s["node_rss_mb"]) for s in samples if s["node_rss_mb"] is not None]
            second_half = [s for s in node_series if s[0] >= elapsed / 2]
            total_ops = sum(len(v) for v in recorder.latencies.values())
            return {
                "minutes": minutes,
                "clients": clients,
                "seconds": round(elapsed, 1),
                "operations": recorder.summary(),
                "operations_per_s": round(total_ops / elapsed, 1),
                "accepted_202": recorder.accepted_202,
                "errors": sum(sum(c.values()) for c in recorder.errors.values()),
                "node_rss_mb": {
                    "start": node_series[0][1] if node_series else None,
                    "end": node_series[-1][1] if node_series else None,
                    "peak": max((s[1] for s in node_series), default=None),
                    "slope_mb_per_min": round(s, 3) if (s := slope_mb_per_min(node_series)) is not None else None,
                    "slope_second_half_mb_per_min":
                        round(s, 3) if (s := slope_mb_per_min(second_half)) is not None else None,
                },
                "anvil_rss_mb": {"start": samples[0]["anvil_rss_mb"] if samples else None,
                                 "end": samples[-1]["anvil_rss_mb"] if samples else None},
                "end_state": {"outbox_depth": outbox_depth, "outbox_drained_in_s": round(drained_s, 1),
                              "index_lag_blocks": ready["checks"]["indexer"].get("lag_blocks"), "ready": ready["status"]},
                "rss_samples": samples,
            }  # fmt: skip
        finally:
            stop(process)
            kill_anvil_of(data_dir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--sample-s", type=float, default=5.0, help="seconds between RSS samples")
    args = parser.parse_args()
    print(json.dumps(run(args.minutes, args.clients, args.sample_s)))


if __name__ == "__main__":
    main()
