"""kill -9 of the node in the middle of an import, a restart and the same import: every key data
set is registered exactly once, the outbox is empty, and nothing is reported twice."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from gpid_node.chain.abi import decode_log, event_topic
from gpid_node.chain.client import RegistryClient
from gpid_node.devmode import DEMO_PARTICIPANTS, DEV_PASSWORD, start_dev_chain
from gpid_node.samples import sample_key_data_set
from support.processes import GPID_NODE, env_for

pytestmark = pytest.mark.slow
COUNT = 600


def _import(data_dir: Path, source: Path, account: str, report: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [GPID_NODE, "import", str(source), "--data-dir", str(data_dir), "--as", account, "--report", str(report)],
        env=env_for(data_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def _mined(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("select count(*) from outbox where status = 'mined'").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_kill_during_import_then_same_import_registers_each_exactly_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "node"
    env = start_dev_chain(data_dir)
    try:
        (data_dir / "node.toml").write_text(f'rpc_url = "{env.chain.url}"\nkeystore_password = "{DEV_PASSWORD}"\n')
        seller = env.accounts[next(p.name for p in DEMO_PARTICIPANTS if p.role == "seller")].address
        source = tmp_path / "invoices.jsonl"
        rows = [sample_key_data_set(f"KILL-{i:05d}", lines=3, seed=i) for i in range(COUNT)]
        rows.insert(7, {"schema_version": "1", "invoice": {"number": "BROKEN"}})  # one bad row: line 8
        source.write_text("\n".join(json.dumps(r) for r in rows) + "\n")

        first = _import(data_dir, source, seller, tmp_path / "first.json")
        deadline = time.monotonic() + 120
        while _mined(data_dir / "index.sqlite3") < COUNT // 4 and time.monotonic() < deadline:
            assert first.poll() is None, first.stdout.read().decode()[-2000:]
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert _mined(data_dir / "index.sqlite3") < COUNT, "the kill came too late to test anything"

        second = _import(data_dir, source, seller, tmp_path / "second.json")
        output, _ = second.communicate(timeout=300)
        assert second.returncode == 0, output.decode()[-3000:]
        report = json.loads((tmp_path / "second.json").read_text())
        summary = report["summary"]
        assert summary["rejected"] == 1 and report["rejected"][0][0] == 8
        assert summary["failed"] == 0 and summary["unfinished"] == 0
        reported = [gpid for _, gpid in report["registered"] + report["already_registered"]]
        assert len(reported) == len(set(reported)) == COUNT, "a key data set reported twice or missing"

        client = RegistryClient.connect(env.chain.url, env.deployment.registry)
        logs = client.w3.eth.get_logs({"address": client.address, "fromBlock": 0, "toBlock": "latest",
                                      "topics": [event_topic("KeyDataSetRegistered")]})  # fmt: skip
        gpids = [decode_log(log).args["gpid"] for log in logs]
        assert len(gpids) == len(set(gpids)) == COUNT, "registered twice, or lost"
        with sqlite3.connect(data_dir / "index.sqlite3") as conn:
            assert conn.execute("select count(*) from outbox where status in ('pending', 'sent')").fetchone()[0] == 0
            assert conn.execute("select count(*) from outbox where status = 'mined'").fetchone()[0] == COUNT
    finally:
        env.stop()
