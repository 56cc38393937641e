"""``scripts/bench disclosure``: the figures of issue 20's disclosures, one function per figure.

- :func:`gate_disclosure_size`: the disclosure of packages and net mass of a 10-line key data set,
  as compact JSON (target <= 2,000 bytes) and as a QR code (its ``GPD1:`` text at error correction M:
  QR version, modules a side, the module's size when printed 60 mm wide on A4), no node needed;
- :func:`verify_load`: ``POST /v1/disclosures/verify`` of that document from 20 concurrent clients
  against a real ``gpid-node dev`` process (p50/p99, target p99 <= 20 ms): back to back (the node
  saturated: latency >= 20 / throughput) and paced, each client a gate checking one document every
  0.2 s; and ``GET /healthz`` from
  the same clients in the same sitting as the machine's floor (the ratio is what survives a loaded
  machine);
- :func:`offline_check_time`: ``gpid-node check-disclosure``'s work without the process start (parse,
  connect, the registry's views, the proof; target <= 200 ms), and one whole process for scale.

Prints one JSON object. Other figures of issue 20 (proof bundles) live in ``benchmarks/proof_bundle.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import threading
import time
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import segno
from support.processes import GPID_NODE, api_key, credentials, kill_anvil_of, start, stop, wait_http

from gpid_node.chain.devchain import free_port
from gpid_node.domain import disclosure, disclosure_proof
from gpid_node.domain.gpid import GPID
from gpid_node.domain.samples import sample_key_data_set

GATE_FIELDS = ["goods[*].packages", "goods[*].net_mass_kg"]
PRINTED_WIDTH_MM = 60.0  # the code's width on the driver's papers (A4), quiet zone included
QUIET_ZONE = 4
# 20 gates each checking a disclosure every 0.2 s (100 a second in all): the load of a busy border
# crossing's gates, far above a real one's, where the back-to-back clients above measure the
# node's saturation (their latency is at least clients / throughput).
GATE_PACE_S = 0.2
# The limiter stays on (its cost is part of the figures) with limits far above what the clients send;
# a verification is a POST, counted as a write.
RATE_LIMITS = {
    "GPID_RATE_LIMIT_PER_S": "100000",
    "GPID_RATE_LIMIT_BURST": "100000",
    "GPID_RATE_LIMIT_WRITES_PER_S": "100000",
    "GPID_RATE_LIMIT_WRITES_BURST": "100000",
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def qr_figures(text: str) -> dict[str, Any]:
    """The QR code of ``text`` at error correction M: version, mode, modules, printed module size."""
    code = segno.make(text, error="m", boost_error=False)
    modules = code.symbol_size(border=0)[0]
    return {"version": code.version, "mode": code.mode, "error": code.error, "modules": modules,
            "module_mm_at_60mm": round(PRINTED_WIDTH_MM / (modules + 2 * QUIET_ZONE), 3)}  # fmt: skip


def gate_disclosure_size(document: dict[str, Any] | None = None) -> dict[str, Any]:
    """The gate disclosure's sizes: of ``document`` (one a node made) or of the sample's own."""
    if document is None:
        data = sample_key_data_set("BENCH-GATE-0001", lines=10)
        proof = disclosure_proof.prove(data, b"\x42" * 32, disclosure_proof.select_paths(data, GATE_FIELDS))
        made = disclosure.Disclosure(GPID.from_hex("0x" + "5a" * 16), 1, 31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3", proof)
    else:
        made = disclosure.read(document)
    compact = made.compact_json()
    qr_text = made.qr_text()
    return {
        "lines": made.proof.fields.get("goods.length"),
        "json_bytes": len(compact),
        "json_target_bytes": 2000,
        "qr_text_chars": len(qr_text),
        "qr": qr_figures(qr_text),
        "qr_of_the_json_itself": qr_figures(compact.decode("utf-8")),
        "siblings": sum(len(p.siblings) for p in made.proof.proofs.values()),
    }


def _load(
    url: str, path: str, body: bytes | None, clients: int, requests: int, pace_s: float = 0.0
) -> tuple[list[float], dict[str, int], float]:
    """``clients`` threads, each sending ``requests`` requests on one kept-alive connection, one
    after another (``pace_s`` 0: as fast as the node answers) or one every ``pace_s`` seconds (a
    gate scanning papers, not a load generator); the latencies, the answers that were not a 200
    (valid, for a verification) by status, the seconds."""
    parts = urlsplit(url)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)

    def client() -> None:
        http = HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
        mine: list[float] = []
        failed: list[str] = []
        ready.wait()
        due = time.perf_counter()
        for _ in range(requests):
            if pace_s:
                time.sleep(max(0.0, due - time.perf_counter()))
                due += pace_s
            started = time.perf_counter()
            if body is None:
                http.request("GET", path)
            else:
                http.request("POST", path, body=body, headers={"Content-Type": "application/json"})
            answer = http.getresponse()
            payload = answer.read()
            mine.append((time.perf_counter() - started) * 1000)
            if answer.status != 200:
                failed.append(str(answer.status))
            elif body is not None and not json.loads(payload)["valid"]:
                failed.append("not valid")
        http.close()
        with lock:
            latencies.extend(mine)
            for status in failed:
                errors[status] = errors.get(status, 0) + 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.monotonic()
    for thread in threads:
        thread.join()
    return latencies, errors, time.monotonic() - started


def verify_load(api: str, document: dict[str, Any], clients: int, requests: int) -> dict[str, Any]:
    """The verification's latency under ``clients`` concurrent clients, beside /healthz's."""
    body = json.dumps(document).encode()
    _load(api, "/v1/disclosures/verify", body, clients, 5)  # warm: the node's digest cache, connections
    floor, floor_errors, _ = _load(api, "/healthz", None, clients, requests)
    verify, errors, seconds = _load(api, "/v1/disclosures/verify", body, clients, requests)
    paced, paced_errors, paced_seconds = _load(api, "/v1/disclosures/verify", body, clients, requests, GATE_PACE_S)
    alone, alone_errors, _ = _load(api, "/v1/disclosures/verify", body, 1, requests)  # one client: the cost, no queue
    floor_alone, _, _ = _load(api, "/healthz", None, 1, requests)
    return {
        "clients": clients,
        "requests": len(verify),
        "errors": errors,
        "healthz_errors": floor_errors,
        "verify_p50_ms": round(statistics.median(verify), 2),
        "verify_p99_ms": round(percentile(verify, 0.99), 2),
        "verify_per_s": round(len(verify) / seconds, 1),
        "verify_target_p99_ms": 20,
        "paced_per_client_s": GATE_PACE_S,
        "paced_per_s": round(len(paced) / paced_seconds, 1),
        "paced_p50_ms": round(statistics.median(paced), 2),
        "paced_p99_ms": round(percentile(paced, 0.99), 2),
        "paced_errors": paced_errors,
        "one_client_p50_ms": round(statistics.median(alone), 2),
        "one_client_p99_ms": round(percentile(alone, 0.99), 2),
        "one_client_errors": alone_errors,
        "one_client_healthz_p50_ms": round(statistics.median(floor_alone), 2),
        "healthz_p50_ms": round(statistics.median(floor), 2),
        "healthz_p99_ms": round(percentile(floor, 0.99), 2),
    }


def offline_check_time(document: dict[str, Any], rpc_url: str, count: int, folder: Path) -> dict[str, Any]:
    """``check-disclosure``'s work in this process (each time a new client: connect, chain id, head,
    recordOf, versionOf, the proof), and one whole ``gpid-node check-disclosure`` process."""
    from gpid_node.cli.disclosures import check

    text = json.dumps(document)
    check(text, rpc_url)  # the imports (web3, eth-abi: seconds) belong to the process start, not to the check
    times = []
    for _ in range(count):
        started = time.perf_counter()
        verdict = check(text, rpc_url)
        times.append((time.perf_counter() - started) * 1000)
        assert verdict["valid"], verdict["problems"]
    file = folder / "gate.json"
    file.write_text(text)
    started = time.perf_counter()
    process = subprocess.run([GPID_NODE, "check-disclosure", str(file), "--rpc-url", rpc_url], capture_output=True,
                             text=True, timeout=120, env={"PATH": os.environ["PATH"], "HOME": str(folder)})  # fmt: skip
    whole = (time.perf_counter() - started) * 1000
    assert process.returncode == 0, process.stderr
    return {"checks": count, "check_p50_ms": round(statistics.median(times), 2), "check_p90_ms": round(percentile(times, 0.9), 2),
            "check_max_ms": round(max(times), 2),
            "check_target_ms": 200, "whole_process_ms": round(whole, 1)}  # fmt: skip


def run(clients: int, requests: int, checks: int) -> dict[str, Any]:
    """A dev node process: one 10-line key data set registered and disclosed, then the figures."""
    with tempfile.TemporaryDirectory(prefix="gpid-bench-disclosure-") as tmp:
        data_dir, port = Path(tmp) / "data", free_port()
        data_dir.mkdir()
        process = start([GPID_NODE, "dev", "--port", str(port), "--data-dir", str(data_dir)], data_dir,
                        Path(tmp) / "node.log", GPID_LOG_LEVEL="warning", **RATE_LIMITS)  # fmt: skip
        try:
            api = f"http://127.0.0.1:{port}"
            wait_http(f"{api}/healthz", process=process)
            creds = credentials(data_dir)
            seller = {"Authorization": f"Bearer {api_key(creds, 'seller')}"}
            with httpx.Client(base_url=api, headers=seller, timeout=60) as http:
                registered = http.post("/v1/key-data-sets", json=sample_key_data_set("BENCH-GATE-0001", lines=10))
                assert registered.status_code == 201, registered.text
                gpid = registered.json()["gpid"]
                made = http.post(f"/v1/key-data-sets/{gpid}/disclosures", json={"fields": GATE_FIELDS})
                assert made.status_code == 201, made.text
                png = http.post(f"/v1/key-data-sets/{gpid}/disclosures", json={"fields": GATE_FIELDS},
                                headers={"Accept": "image/png"})  # fmt: skip
            document = made.json()
            size = {**gate_disclosure_size(document), "api_answer_bytes": len(made.content), "png_bytes": len(png.content)}
            return {
                "size": size,
                "api": verify_load(api, document, clients, requests),
                "offline": offline_check_time(document, creds["chain"]["rpc_url"], checks, Path(tmp)),
                "load_average": [round(x, 2) for x in os.getloadavg()],
                "cpus": os.cpu_count(),
            }
        finally:
            stop(process)
            kill_anvil_of(data_dir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=50, help="verifications per client")
    parser.add_argument("--checks", type=int, default=20, help="offline checks timed in this process")
    parser.add_argument("--size-only", action="store_true", help="only the sizes (no node)")
    args = parser.parse_args()
    if args.size_only:
        print(json.dumps({"size": gate_disclosure_size()}))
        return
    print(json.dumps(run(args.clients, args.requests, args.checks)))


if __name__ == "__main__":
    main()
