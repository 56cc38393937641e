"""The audit console's test harness: a real development node (``gpid-node dev`` as a process, on a
free loopback port) with the demo participants' API keys, and builders that seed it through the
REST API as the export/import flow would."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from gpid_node.services import credentials
from gpid_node.chain.devchain import free_port
from gpid_node.store.database import Store
from support.builders import key_data_set
from support.processes import GPID_NODE, start, stop, wait_http

SELLER = "Rhein Maschinenbau GmbH"
EXPORT_BROKER = "Export broker (DE)"
IMPORT_BROKER = "Import broker (GB)"
CUSTOMS_GB = "Customs GB"
OTHER_SELLER = "Other seller (FR)"
OTHER_SELLER_TRADER_ID = "EORI:FR12345678901"
OTHER_SELLER_ACCOUNT = "0x00000000000000000000000000000000000000f1"


@dataclass
class DevNode:
    """A running ``gpid-node dev`` process: its URL, data folder and the demo API keys."""

    url: str
    data_dir: Path
    keys: dict[str, str]
    extra_keys: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)  # the demo participants' accounts, by name

    def auth(self, name: str) -> dict[str, str]:
        key = self.keys.get(name) or self.extra_keys[name]
        return {"Authorization": f"Bearer {key}"}

    def post(self, path: str, body: dict[str, Any], name: str) -> dict[str, Any]:
        response = httpx.post(f"{self.url}{path}", json=body, headers=self.auth(name), timeout=60)
        assert response.status_code == 201, response.text
        return response.json()

    def get(self, path: str, name: str) -> dict[str, Any]:
        response = httpx.get(f"{self.url}{path}", headers=self.auth(name), timeout=60)
        assert response.status_code == 200, response.text
        return response.json()

    def link(self, name: str, country: str, direction: str, gpid: str) -> str:
        reference = f"26{country}{uuid.uuid4().hex[:14].upper()}"
        self.post("/v1/declarations", {"reference": reference, "country": country, "direction": direction, "gpids": [gpid]}, name)
        return reference


@dataclass
class Seeded:
    """One GPID as the export/import flow leaves it: registered, exported, amended, imported."""

    gpid: str
    data: dict[str, Any]
    amended_data: dict[str, Any]
    export_reference: str
    import_reference: str


def start_dev_node(data_dir: Path) -> tuple[DevNode, subprocess.Popen[bytes]]:
    """``gpid-node dev`` on a free port with its data in ``data_dir``, once it answers /healthz."""
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir.parent / "node.log"
    port = free_port()
    process = start([GPID_NODE, "dev", "--port", str(port), "--data-dir", str(data_dir)], data_dir, log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/healthz", timeout_s=120, process=process)
        creds = json.loads((data_dir / "dev-credentials.json").read_text())
    except Exception:
        stop(process)
        raise AssertionError(log.read_text()[-3000:]) from None
    keys = {p["name"]: p["api_key"] for p in creds["participants"]}
    return DevNode(url, data_dir, keys, accounts={p["name"]: p["account"] for p in creds["participants"]}), process


def create_key(data_dir: Path, role: str, account: str, trader_id: str, name: str) -> str:
    """An API key in the running node's database, made as ``gpid-node keys create`` makes it (in
    this process: the CLI would spend seconds starting up for the same call)."""
    store = Store(f"sqlite:///{(data_dir / 'index.sqlite3').resolve()}")
    try:
        with store.session() as session:
            return credentials.create_key(session, role, account, name=name, trader_id=trader_id)
    finally:
        store.dispose()


def seed(node: DevNode) -> Seeded:
    """The seller mandates its export broker, registers, the broker links the export declaration, the
    seller amends (credit note) and grants the import broker access, who links the import declaration."""
    node.post("/v1/mandates", {"agent": node.accounts[EXPORT_BROKER], "direction": "export"}, SELLER)
    data = key_data_set(invoice_number=f"UI-{uuid.uuid4().hex[:10].upper()}", lines=2)
    gpid = node.post("/v1/key-data-sets", data, SELLER)["gpid"]
    export_reference = node.link(EXPORT_BROKER, "DE", "export", gpid)
    goods = json.loads(json.dumps(data["goods"]))
    goods[0]["value"], goods[0]["net_mass_kg"] = "18000.00", "305.250"
    time.sleep(1.02 - time.time() % 1)  # anvil stamps blocks of one second alike: the amendment is a second later
    node.post(f"/v1/key-data-sets/{gpid}/amendments", {"changes": {"goods": goods}, "reason": "credit note CN-77"}, SELLER)
    node.post(f"/v1/key-data-sets/{gpid}/grants", {"grantee": node.accounts[IMPORT_BROKER], "reason": "import declaration GB"}, SELLER)
    import_reference = node.link(IMPORT_BROKER, "GB", "import", gpid)
    return Seeded(gpid, data, {**data, "goods": goods}, export_reference, import_reference)
