"""kill -9 of the node in the middle of an import, a restart and the same import: every key data
set is registered exactly once, the outbox is empty, and nothing is reported twice.

The second test kills the import 2 or 3 times at random moments (a random time after the start, or
a random count of mined entries), then runs it to the end, and counts what was lost and duplicated
on chain; the seed is printed (``GPID_FAULT_SEED`` replays a run)."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from gpid_node.chain.abi import decode_log, event_topic
from gpid_node.chain.client import RegistryClient
from gpid_node.services.devmode import DEMO_PARTICIPANTS, DEV_PASSWORD, start_dev_chain
from gpid_node.domain.samples import sample_key_data_set
from gpid_node.domain.gpid import GPID
from gpid_node.services.indexer import Indexer
from gpid_node.store.database import Store
from support.processes import GPID_NODE, env_for

from faults.chaos import index_content, reindexed

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
        assert second.returncode == 1, output.decode()[-3000:]  # 1: the bad row of line 8 was left out
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


RANDOM_COUNT = 2000


def _kill(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def test_random_kills_during_an_import_of_2000_then_the_same_import_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    seed = int(os.environ.get("GPID_FAULT_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    data_dir = tmp_path / "node"
    env = start_dev_chain(data_dir)
    try:
        (data_dir / "node.toml").write_text(f'rpc_url = "{env.chain.url}"\nkeystore_password = "{DEV_PASSWORD}"\n')
        seller = env.accounts[next(p.name for p in DEMO_PARTICIPANTS if p.role == "seller")].address
        source = tmp_path / "invoices.jsonl"
        source.write_text("".join(json.dumps(sample_key_data_set(f"RK-{i:05d}", lines=1, seed=i)) + "\n" for i in range(RANDOM_COUNT)))
        db = data_dir / "index.sqlite3"

        kills = []
        for k in range(rng.choice((2, 3))):
            run = _import(data_dir, source, seller, tmp_path / f"run-{k}.json")
            before = _mined(db)
            if rng.random() < 0.4:  # a moment in time: start-up, validation, recording or sending
                moment = {"after_s": round(rng.uniform(0.2, 2.5), 2)}
                deadline = time.monotonic() + moment["after_s"]
                while time.monotonic() < deadline and run.poll() is None:
                    time.sleep(0.01)
            else:  # a point of progress: some entries mined in this run
                moment = {"mined_at_least": rng.randrange(before + 1, before + max(2, (RANDOM_COUNT - before) * 3 // 4))}
                deadline = time.monotonic() + 120
                while _mined(db) < moment["mined_at_least"] and time.monotonic() < deadline and run.poll() is None:
                    time.sleep(0.01)
            if run.poll() is not None:  # done before its moment came (what the run before left was little): no kill
                kills.append({**moment, "finished_first": True})
                break
            _kill(run)
            kills.append({**moment, "mined_then": _mined(db)})
        assert any(k.get("mined_then", RANDOM_COUNT) < RANDOM_COUNT for k in kills), f"seed {seed}: every kill came too late: {kills}"

        last = _import(data_dir, source, seller, tmp_path / "last.json")
        output, _ = last.communicate(timeout=300)
        assert last.returncode == 0, output.decode()[-3000:]
        report = json.loads((tmp_path / "last.json").read_text())
        assert report["summary"]["failed"] == 0 and report["summary"]["unfinished"] == 0, report["summary"]
        reported = Counter(gpid for _, gpid in report["registered"] + report["already_registered"])

        client = RegistryClient.connect(env.chain.url, env.deployment.registry)
        logs = client.w3.eth.get_logs({"address": client.address, "fromBlock": 0, "toBlock": "latest",
                                      "topics": [event_topic("KeyDataSetRegistered")]})  # fmt: skip
        on_chain = Counter(str(GPID(bytes(decode_log(log).args["gpid"]))) for log in logs)
        lost = RANDOM_COUNT - len(on_chain)
        duplicated = sum(n - 1 for n in on_chain.values())
        print(json.dumps({"fault": "kill -9 during import", "seed": seed, "kills": kills, "key_data_sets": RANDOM_COUNT,
                          "lost": lost, "duplicated": duplicated, "reported_twice": sum(n > 1 for n in reported.values())}))  # fmt: skip
        assert lost == 0 and duplicated == 0, f"seed {seed}: lost {lost}, duplicated {duplicated}"
        assert set(reported) == set(on_chain) and max(reported.values()) == 1, f"seed {seed}: reported twice or missing"

        with sqlite3.connect(db) as conn:
            statuses = dict(conn.execute("select status, count(*) from outbox group by status").fetchall())
        assert statuses == {"mined": RANDOM_COUNT}, f"seed {seed}: {statuses}"

        # Indexed: the node's index, brought up to the head, holds each once and equals a fresh re-index.
        store = Store(f"sqlite:///{db}")
        try:
            fresh = reindexed(client, env.deployment.block, tmp_path / "fresh.sqlite3", encryption=env.encryption)
            indexer = Indexer(store, client, start_block=env.deployment.block, encryption=env.encryption)
            indexer.sync()
            while indexer.lag():
                indexer.sync()
            ours = index_content(store)
            assert len(ours["key_data_sets"]) == RANDOM_COUNT
            assert ours == fresh, f"seed {seed}: the index differs from a fresh re-index"
        finally:
            store.dispose()
    finally:
        env.stop()
