"""What an operator runs beside a running ``gpid-node dev``, on its data folder: a second node is
refused (it would stop the first one's chain), and CLI commands share the node's database without
sending anything twice (only one process at a time runs the outbox worker)."""

from __future__ import annotations

import json
import subprocess
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from gpid_node.chain.devchain import free_port
from gpid_node.domain.samples import sample_key_data_set
from gpid_node.store.database import Store, sqlite_url
from gpid_node.store.tables import OutboxEntry
from support.processes import GPID_NODE, api_key, credentials, env_for
from support.chains import anvil_only

pytestmark = [pytest.mark.slow, anvil_only("the development mode's embedded anvil (gpid-node dev starts its own chain)")]


def test_a_second_node_on_the_same_data_folder_is_refused_and_the_first_goes_on(node: Any) -> None:
    process, api, seller, data_dir = node
    second = subprocess.run([GPID_NODE, "dev", "--port", str(free_port()), "--data-dir", str(data_dir)],
                            env=env_for(data_dir), capture_output=True, text=True, timeout=60)  # fmt: skip
    assert second.returncode == 2, second.stderr
    message = " ".join(second.stderr.split())
    assert f"the data folder {data_dir} is in use by another gpid-node serve or dev (pid {process.pid})" in message
    served = httpx.post(f"{api}/v1/key-data-sets", json=sample_key_data_set("BESIDE-1", lines=1), headers=seller, timeout=60)
    assert served.status_code == 201, served.text  # its chain still runs


def test_an_import_run_while_the_node_serves_writes_sends_every_entry_once(node: Any, tmp_path: Path) -> None:
    """`gpid-node import` beside the node: its worker stands by and the node's sends its entries too.
    (Two workers each sent the entries they found pending: links went out twice, the second refused and
    its entry marked failed though the link was on chain.)"""
    process, api, seller, data_dir = node
    creds = credentials(data_dir)
    broker = {"Authorization": f"Bearer {api_key(creds, 'broker', 'DE')}"}
    seller_account = next(p["account"] for p in creds["participants"] if p["role"] == "seller")
    source = tmp_path / "invoices.jsonl"
    source.write_text("".join(json.dumps(sample_key_data_set(f"IMPORT-{i:04d}", lines=1, seed=i)) + "\n" for i in range(150)))
    answers: Counter[tuple[str, int]] = Counter()
    export_broker = next(p["account"] for p in creds["participants"] if p["role"] == "broker" and p["country"] == "DE")
    mandated = httpx.post(f"{api}/v1/mandates", headers=seller, json={"agent": export_broker, "direction": "export"}, timeout=60)
    assert mandated.status_code == 201, mandated.text  # the broker links the seller's GPIDs with its mandate

    def serve_writes(n: int) -> None:
        with httpx.Client(base_url=api, timeout=60) as http:
            for i in range(15):
                registered = http.post("/v1/key-data-sets", json=sample_key_data_set(f"HTTP-{n}-{i}", lines=1, seed=i), headers=seller)
                answers["register", registered.status_code] += 1
                if registered.status_code == 201:
                    linked = http.post("/v1/declarations", headers=broker, json={
                        "reference": f"26DEBESIDE{n}{i:07d}", "country": "DE", "direction": "export",
                        "gpids": [registered.json()["gpid"]]})  # fmt: skip
                    answers["link", linked.status_code] += 1

    clients = [threading.Thread(target=serve_writes, args=(n,)) for n in range(3)]
    for client in clients:
        client.start()
    imported = subprocess.run([GPID_NODE, "import", str(source), "--data-dir", str(data_dir), "--as", seller_account],
                              env=env_for(data_dir), capture_output=True, text=True, timeout=300)  # fmt: skip
    for client in clients:
        client.join(timeout=120)
    assert imported.returncode == 0, imported.stderr[-2000:]
    summary = json.loads(imported.stdout[imported.stdout.index("{"):])
    assert (summary["registered"], summary["failed"], summary["unfinished"]) == (150, 0, 0), summary
    assert answers == {("register", 201): 45, ("link", 201): 45}, answers

    store = Store(sqlite_url(data_dir))
    try:
        with store.session() as session:
            entries = list(session.scalars(select(OutboxEntry)))
    finally:
        store.dispose()
    assert Counter((x.kind, x.status) for x in entries) == Counter({("register", "mined"): 195, ("link", "mined"): 45,
                                                                    ("mandate", "mined"): 1})  # fmt: skip
    batches = {x.transaction_hash for x in entries if x.kind == "link"}
    assert len(batches) == 45, "a link was sent in two transactions"
    assert "outbox.standing_by" in imported.stderr, "the import's worker stood by beside the node's"
