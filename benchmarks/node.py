"""``scripts/bench node``: import N generated 10-line key data sets into the embedded dev chain
(validated, submitted, mined, indexed), then re-index them from block 0 into an empty database.

Prints one JSON object: import_per_s, reindex_per_s, import_peak_rss_mb (the node process; anvil
runs in its own process).
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from gpid_node.services.devmode import DEMO_PARTICIPANTS, start_dev_chain
from gpid_node.domain.access import Principal, Role
from gpid_node.services.importing import SourceRecord
from gpid_node.services.indexer import Indexer
from gpid_node.services.node import open_node
from gpid_node.domain.samples import sample_key_data_set
from gpid_node.settings import Settings
from gpid_node.store.database import Store
from gpid_node.store.tables import KeyDataSetRow


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(count: int, lines: int, batch_size: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="gpid-bench-") as tmp:
        data_dir = Path(tmp)
        env = start_dev_chain(data_dir)
        try:
            settings = Settings(data_dir=data_dir, rpc_url=env.chain.url, batch_size=batch_size)
            node = open_node(settings, env.keyring).start()
            seller_name = next(p.name for p in DEMO_PARTICIPANTS if p.role == "seller")
            seller = Principal(Role.SELLER, env.accounts[seller_name].address, "EORI:DE123456789012345")
            records = (
                SourceRecord(i + 1, sample_key_data_set(f"BENCH-{i:06d}", lines=lines, seed=i)) for i in range(count)
            )
            started = time.perf_counter()
            report = node.registration.import_key_data_sets(records, seller)
            while True:
                with node.store.session() as session:
                    indexed = session.scalar(select(func.count()).select_from(KeyDataSetRow))
                if indexed >= count:
                    break
                time.sleep(0.02)
            imported_s = time.perf_counter() - started
            peak = _rss_mb()
            node.stop()
            assert report.summary()["registered"] == count, report.summary()

            fresh = Store(f"sqlite:///{data_dir / 'reindex.sqlite3'}")
            fresh.migrate()
            started = time.perf_counter()
            Indexer(fresh, node.client, start_block=env.deployment.block, encryption=node.keyring.encryption).sync()
            reindex_s = time.perf_counter() - started
            with fresh.session() as session:
                assert session.scalar(select(func.count()).select_from(KeyDataSetRow)) == count
            return {
                "count": count,
                "lines_per_key_data_set": lines,
                "import_per_s": round(count / imported_s, 1),
                "reindex_per_s": round(count / reindex_s, 1),
                "import_peak_rss_mb": round(peak, 1),
                "import_seconds": round(imported_s, 2),
                "reindex_seconds": round(reindex_s, 2),
                "transactions": node.outbox.sent_transactions,
            }
        finally:
            env.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=50)
    args = parser.parse_args()
    print(json.dumps(run(args.count, args.lines, args.batch_size)))


if __name__ == "__main__":
    main()
