"""``scripts/bench proof_bundle``: how long the offline check of a proof bundle takes (issue 20: at
most 100 ms, process start excluded).

Starts the embedded dev chain and a node, fills the registry with ``--fill`` format-2 key data sets
(so that its storage trie has some depth), registers one 10-line key data set in format 2 and one in
format 1, amends each once, and fetches the bundle of version 1 of each (the service, as
``GET /v1/key-data-sets/{gpid}/proof`` does). Then, for each bundle:

- ``cold_ms``: the ``gpid-node check-proof FILE --block-hash H --json`` command in a fresh
  ``python`` process, from after its imports (process start and imports excluded) to its verdict
  printed: reading, checking and every first-use cost; the median and the largest of
  ``--cold-runs`` processes;
- ``warm_ms``: the same in this process, ``--runs`` times (p50, p99, mean): the check alone;
- ``bytes``: the bundle as compact JSON.

Prints one JSON object. The machine may be shared: compare the two formats of one run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from gpid_node.domain import proof_bundle
from gpid_node.domain.access import Principal, Role
from gpid_node.domain.samples import sample_key_data_set
from gpid_node.services.devmode import DEMO_PARTICIPANTS, start_dev_chain
from gpid_node.services.importing import SourceRecord
from gpid_node.services.node import open_node
from gpid_node.services.registration import Registration
from gpid_node.settings import Settings

COLD = """
import contextlib, io, sys, time
from pathlib import Path
import typer
from gpid_node.cli import proofs
from gpid_node.domain import proof_bundle  # imported by the command itself; an import, not the check
started = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()) as printed:
    try:
        proofs.check_proof(Path(sys.argv[1]), sys.argv[2], as_json=True)
    except typer.Exit as exc:
        raise SystemExit(f"invalid: {printed.getvalue()}") from exc
sys.stderr.write(str((time.perf_counter() - started) * 1000))
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(file: Path, trusted: bytes, runs: int, cold_runs: int) -> dict[str, Any]:
    text = file.read_bytes()
    warm: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        verdict = proof_bundle.check(json.loads(text), trusted)
        warm.append((time.perf_counter() - started) * 1000)
        assert verdict.valid, verdict.problems
    cold = [float(subprocess.run([sys.executable, "-c", COLD, str(file), "0x" + trusted.hex()], capture_output=True,
                                 text=True, check=True).stderr) for _ in range(cold_runs)]  # fmt: skip
    return {
        "bytes": len(text),
        "cold_ms": {"median": round(statistics.median(cold), 2), "max": round(max(cold), 2)},
        "warm_ms": {"p50": round(percentile(warm, 0.5), 2), "p99": round(percentile(warm, 0.99), 2),
                    "mean": round(statistics.fmean(warm), 2)},  # fmt: skip
        "account_proof_nodes": len(json.loads(text)["proof"]["accountProof"]),
        "storage_proof_nodes": len(json.loads(text)["proof"]["storageProof"][0]["proof"]),
    }


def run(fill: int, lines: int, runs: int, cold_runs: int, keep: Path | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="gpid-bench-") as tmp:
        data_dir = Path(tmp)
        env = start_dev_chain(data_dir)
        try:
            node = open_node(Settings(data_dir=data_dir, rpc_url=env.chain.url), env.keyring).start()
            try:
                seller_name = next(p.name for p in DEMO_PARTICIPANTS if p.role == "seller")
                seller = Principal(Role.SELLER, env.accounts[seller_name].address, "EORI:DE123456789012345")
                if fill:
                    records = (SourceRecord(i + 1, sample_key_data_set(f"FILL-{i:06d}", lines=1, seed=i)) for i in range(fill))
                    node.registration.import_key_data_sets(records, seller)
                plain = Registration(node.context, node.submissions, payload_format=1)
                results: dict[str, Any] = {"fill": fill, "lines": lines}
                for name, registration in (("format_2", node.registration), ("format_1", plain)):
                    data = sample_key_data_set(f"BENCH-{name.upper()}", lines=lines)
                    gpid = registration.register(data, seller)["gpid"]
                    goods = data["goods"]
                    goods[0]["net_mass_kg"] = "1.000"
                    node.amendments.amend(gpid, {"goods": goods}, "weighed", seller)
                    bundle = node.proof_bundles.bundle(gpid, seller, version=1)
                    file = data_dir / f"{name}.json"
                    file.write_text(json.dumps(bundle, separators=(",", ":")))
                    trusted = bytes.fromhex(node.client.block_json(bundle["block"]["number"])["hash"][2:])
                    results[name] = measure(file, trusted, runs, cold_runs)
                    if keep is not None:
                        keep.mkdir(parents=True, exist_ok=True)
                        (keep / file.name).write_bytes(file.read_bytes())
                        (keep / f"{name}.block-hash").write_text("0x" + trusted.hex() + "\n")
                return results
            finally:
                node.stop()
                node.store.dispose()
        finally:
            env.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fill", type=int, default=200, help="format-2 key data sets registered first")
    parser.add_argument("--lines", type=int, default=10, help="goods lines of the bundled key data set")
    parser.add_argument("--runs", type=int, default=200, help="checks in this process")
    parser.add_argument("--cold-runs", type=int, default=5, help="fresh processes, one check each")
    parser.add_argument("--keep", type=Path, default=None, help="copy the bundles (and their block hashes) to this folder")
    args = parser.parse_args()
    print(json.dumps(run(args.fill, args.lines, args.runs, args.cold_runs, args.keep), indent=1))


if __name__ == "__main__":
    main()
