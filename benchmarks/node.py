"""``scripts/bench node``: import N generated 10-line key data sets into the embedded dev chain
(validated, encrypted or not, submitted, mined, indexed), then re-index them from block 0 into an
empty database, decrypting what the node's encryption keys open.

Both payload formats in one sitting, each run in a fresh process (so that its peak memory is its
own), in the order ``--formats`` gives (default ``2,1``: the encrypted path, the node's default,
then the plaintext one). Prints one JSON object: per run import_per_s, reindex_per_s,
import_peak_rss_mb (the node process; anvil runs in its own process), and the node process's CPU
time per key data set in each phase (import_cpu_ms_per_set, reindex_cpu_ms_per_set), and that of the
import's sealing worker processes (import_workers_cpu_ms_per_set; GPID_IMPORT_WORKERS sets how many). ``--profile-reindex`` adds
the re-index's top functions under cProfile (file:function, share of the re-index's time).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from gpid_node.domain import errors as e
from gpid_node.domain.access import Principal, Role
from gpid_node.domain.samples import sample_key_data_set
from gpid_node.services.devmode import DEMO_PARTICIPANTS, start_dev_chain
from gpid_node.services.importing import SourceRecord
from gpid_node.services.indexer import Indexer
from gpid_node.services.node import open_node
from gpid_node.settings import Settings
from gpid_node.store.database import Store
from gpid_node.store.tables import KeyDataSetRow, VersionRow

NAMES = {1: "plain", 2: "encrypted"}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_cpu_s() -> float:
    """CPU time of this process's ended children (anvil runs on until the end, so only the import's
    sealing workers, which end with it, count)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def top_functions(profile: cProfile.Profile, total_s: float, limit: int = 15) -> list[dict[str, Any]]:
    """The functions with the most own time (``file:line:function``), with their share of ``total_s``
    by own time and by cumulated time."""
    stats = pstats.Stats(profile)
    rows = []
    for (file, line, name), (_, calls, own, cumulated, _) in stats.stats.items():  # type: ignore[attr-defined]
        short = "/".join(Path(file).parts[-3:]) if file != "~" else "~"
        rows.append({"function": f"{short}:{line}:{name}", "calls": calls, "own_share": round(own / total_s, 3),
                     "cumulated_share": round(cumulated / total_s, 3)})  # fmt: skip
    rows.sort(key=lambda r: -r["own_share"])
    return rows[:limit]


def top_files(profile: cProfile.Profile, total_s: float, limit: int = 12) -> dict[str, float]:
    """Own time by source file (C functions under ``~``), as shares of ``total_s``."""
    by_file: dict[str, float] = {}
    for (file, _, _), (_, _, own, _, _) in pstats.Stats(profile).stats.items():  # type: ignore[attr-defined]
        short = "/".join(Path(file).parts[-3:]) if file != "~" else "~ (C functions)"
        by_file[short] = by_file.get(short, 0.0) + own
    ordered = sorted(by_file.items(), key=lambda kv: -kv[1])[:limit]
    return {name: round(own / total_s, 3) for name, own in ordered}


def _wait_for_recipients(node: Any, seller: str, data: dict[str, Any], expected: int = 4, timeout_s: float = 60.0) -> int:
    """The recipients a registration of ``data`` gets, once all ``expected`` are known (seller, buyer,
    Customs DE and GB: their keys are published when the node starts) or after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            found = len(node.registration.recipients(seller, data))
        except e.PermissionDenied:  # the seller's own published key is not indexed yet
            if time.monotonic() > deadline:
                raise
            found = 0
        if found >= expected or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def run(
    count: int,
    lines: int,
    batch_size: int,
    payload_format: int,
    profile_reindex: bool = False,
    profile_import: bool = False,
    precheck_workers: int | None = None,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="gpid-bench-") as tmp:
        data_dir = Path(tmp)
        env = start_dev_chain(data_dir)
        try:
            settings = Settings(data_dir=data_dir, rpc_url=env.chain.url, batch_size=batch_size)
            node = open_node(settings, env.keyring, payload_format=payload_format).start()
            seller_name = next(p.name for p in DEMO_PARTICIPANTS if p.role == "seller")
            seller = Principal(Role.SELLER, env.accounts[seller_name].address, "EORI:DE123456789012345")
            if payload_format == 2:  # the recipients' keys are published at start: wait until they are indexed
                recipients = _wait_for_recipients(node, seller.account, sample_key_data_set("BENCH-RECIPIENTS", lines=1))
            records = (SourceRecord(i + 1, sample_key_data_set(f"BENCH-{i:06d}", lines=lines, seed=i)) for i in range(count))
            import_profile = cProfile.Profile() if profile_import else None
            started, cpu_started = time.perf_counter(), time.process_time()
            children_started = _children_cpu_s()
            if import_profile is not None:
                import_profile.enable()  # the importing thread only (not the outbox's nor the indexer's)
            report = node.registration.import_key_data_sets(records, seller)
            if import_profile is not None:
                import_profile.disable()
            prepared_s = time.perf_counter() - started
            while True:
                with node.store.session() as session:
                    indexed = session.scalar(select(func.count()).select_from(KeyDataSetRow))
                if indexed >= count:
                    break
                time.sleep(0.02)
            imported_s, import_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
            workers_cpu_s = _children_cpu_s() - children_started  # the sealing workers, ended with the import
            peak = _rss_mb()
            node.stop()
            assert report.summary()["registered"] == count, report.summary()

            fresh = Store(f"sqlite:///{data_dir / 'reindex.sqlite3'}")
            fresh.migrate()
            indexer = Indexer(fresh, node.client, start_block=env.deployment.block, encryption=node.keyring.encryption,
                              precheck_workers=precheck_workers)  # fmt: skip
            profile = cProfile.Profile() if profile_reindex else None
            started, cpu_started = time.perf_counter(), time.process_time()
            if profile is not None:
                profile.enable()
            indexer.sync()
            if profile is not None:
                profile.disable()
            reindex_s, reindex_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
            with fresh.session() as session:
                rows = session.scalar(select(func.count()).select_from(KeyDataSetRow))
                readable = session.scalar(select(func.count()).select_from(KeyDataSetRow).where(KeyDataSetRow.readable.is_(True)))
                opened = session.scalar(select(func.count()).select_from(VersionRow).where(VersionRow.data.is_not(None)))
                payload_bytes = session.scalar(select(func.avg(func.length(VersionRow.payload))))  # format 2 keeps it
            assert rows == count, (rows, count)
            assert readable == opened == count, f"the re-index opened {opened} of {count} key data sets ({readable} readable)"
            figures: dict[str, Any] = {
                "payload_format": payload_format,
                "count": count,
                "lines_per_key_data_set": lines,
                "import_per_s": round(count / imported_s, 1),
                "reindex_per_s": round(count / reindex_s, 1),
                "import_peak_rss_mb": round(peak, 1),
                "import_seconds": round(imported_s, 2),
                "reindex_seconds": round(reindex_s, 2),
                # CPU time of the node's process (every thread; anvil and workers not counted) per key
                # data set: on a machine shared with other work, steadier than the rates
                "import_cpu_ms_per_set": round(import_cpu_s / count * 1000, 3),
                "import_workers": node.registration.import_workers,
                "import_workers_cpu_ms_per_set": round(workers_cpu_s / count * 1000, 3),
                "reindex_cpu_ms_per_set": round(reindex_cpu_s / count * 1000, 3),
                "reindex_precheck_workers": precheck_workers,
                "reindex_readable": readable,
                "recipients": recipients if payload_format == 2 else None,
                "payload_bytes_mean": None if payload_bytes is None else round(float(payload_bytes), 1),
                "transactions": node.outbox.sent_transactions,
            }
            if import_profile is not None:
                figures["import_thread_seconds"] = round(prepared_s, 2)
                figures["import_profile_functions"] = top_functions(import_profile, prepared_s)
                figures["import_profile_files"] = top_files(import_profile, prepared_s)
            if profile is not None:
                figures["reindex_profile_functions"] = top_functions(profile, reindex_s)
                figures["reindex_profile_files"] = top_files(profile, reindex_s)
            return figures
        finally:
            env.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--formats", default="2,1", help="payload formats to run, in order (2 encrypted, 1 plain)")
    parser.add_argument("--profile-reindex", action="store_true", help="cProfile the re-index (slows it)")
    parser.add_argument("--profile-import", action="store_true", help="cProfile the importing thread (slows it)")
    parser.add_argument("--precheck-workers", type=int, help="the re-index's worker processes for format-2 checks (default: the indexer's)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child run of one format
    args = parser.parse_args()
    if args.one is not None:
        figures = run(args.count, args.lines, args.batch_size, args.one, args.profile_reindex, args.profile_import, args.precheck_workers)
        print(json.dumps(figures))
        return
    runs = []
    for payload_format in (int(f) for f in args.formats.split(",")):
        child = [sys.executable, "-m", "benchmarks.node", "--one", str(payload_format), "--count", str(args.count),
                 "--lines", str(args.lines), "--batch-size", str(args.batch_size)]  # fmt: skip
        if args.precheck_workers is not None:
            child += ["--precheck-workers", str(args.precheck_workers)]
        child += ["--profile-reindex"] * args.profile_reindex + ["--profile-import"] * args.profile_import
        out = subprocess.run(child, check=True, stdout=subprocess.PIPE, text=True)
        runs.append({"path": NAMES[payload_format], **json.loads(out.stdout.strip().splitlines()[-1])})
    print(json.dumps({"runs": runs}))


if __name__ == "__main__":
    main()
