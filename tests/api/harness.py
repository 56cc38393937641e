"""The API test harness: a development node (real anvil, contracts, demo participants, outbox and
indexer), its app and a test client, with the demo participants' API keys and small builders."""

from __future__ import annotations

import time
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

with warnings.catch_warnings():  # starlette 1.x prefers httpx2; httpx works the same for these tests
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from gpid_node.api.app import create_app
from gpid_node.domain.gpid import GPID
from gpid_node.services.devmode import DevEnvironment, credentials, start_dev_chain
from gpid_node.services.node import Node, open_node
from gpid_node.settings import Settings
from gpid_node.store import access_queries
from support.builders import key_data_set

SELLER = "Rhein Maschinenbau GmbH"
BUYER = "Thames Tools Ltd"
EXPORT_BROKER = "Export broker (DE)"
IMPORT_BROKER = "Import broker (GB)"
CUSTOMS_DE = "Customs DE"
CUSTOMS_GB = "Customs GB"
OPERATOR = "Consortium operator"
API_URL = "http://testserver"


@dataclass
class Api:
    """A running node, its app, a test client and the demo participants' API keys."""

    env: DevEnvironment
    node: Node
    settings: Settings
    client: TestClient
    keys: dict[str, str]
    participants: dict[str, dict[str, Any]] = field(default_factory=dict)

    def auth(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[name]}"}

    def register(self, data: dict[str, Any] | None = None, name: str = SELLER) -> dict[str, Any]:
        """Registers a fresh key data set (a unique invoice number) and returns the 201 answer."""
        data = data if data is not None else fresh_key_data_set()
        response = self.client.post("/v1/key-data-sets", json=data, headers=self.auth(name))
        assert response.status_code == 201, response.text
        return response.json()

    def account(self, name: str) -> str:
        return str(self.participants[name]["account"])

    def grant(self, gpid: str, grantee_name: str, by: str = SELLER, reason: str = "declares this consignment") -> dict[str, Any]:
        """The seller (or ``by``) grants ``grantee_name`` access to ``gpid``; the 201 answer."""
        body = {"grantee": self.account(grantee_name), "reason": reason}
        response = self.client.post(f"/v1/key-data-sets/{gpid}/grants", json=body, headers=self.auth(by))
        assert response.status_code == 201, response.text
        return response.json()

    def mandate(self, agent_name: str, direction: str, by: str = SELLER) -> dict[str, Any]:
        """The seller (or ``by``) gives ``agent_name`` a standing mandate for ``direction``; the 201 answer."""
        body = {"agent": self.account(agent_name), "direction": direction}
        response = self.client.post("/v1/mandates", json=body, headers=self.auth(by))
        assert response.status_code == 201, response.text
        return response.json()

    def has_right(self, name: str, gpid: str, direction: str) -> bool:
        """Whether ``name`` may link ``gpid`` (format 1: any broker; format 2: a grant or a mandate)."""
        parsed = GPID.parse(gpid)
        if self.node.client.record_of(parsed).format != 2:
            return True
        account = self.account(name)
        seller_key = "0x" + bytes(self.node.client.view("sellerTraderKeyOf", parsed.raw)).hex()
        with self.node.store.session() as session:
            grant = access_queries.grant_state(session, parsed.hex, account)
            return (grant is not None and grant.active) or access_queries.active_mandate(session, seller_key, account, direction)

    def link(self, name: str, reference: str, country: str, direction: str, gpids: list[str]) -> dict[str, Any]:
        """Links as ``name``; a broker without a right to a format-2 GPID is granted it by the seller first."""
        if self.participants[name]["role"] == "broker":
            for gpid in gpids:
                if not self.has_right(name, gpid, direction):
                    self.grant(gpid, name)
        body = {"reference": reference, "country": country, "direction": direction, "gpids": gpids}
        response = self.client.post("/v1/declarations", json=body, headers=self.auth(name))
        assert response.status_code == 201, response.text
        return response.json()


def fresh_key_data_set(**changes: Any) -> dict[str, Any]:
    return key_data_set(invoice_number=f"API-{uuid.uuid4().hex[:12].upper()}", **changes)


def next_second() -> None:
    """Waits for the next wall-clock second: anvil stamps blocks mined within one second alike, so a
    write after this one lands in a later second than every write before it."""
    time.sleep(1.02 - time.time() % 1)


def unique_reference(prefix: str = "26GB") -> str:
    return f"{prefix}{uuid.uuid4().hex[:14].upper()}"


def start_api(data_dir: Path, **overrides: Any) -> Api:
    """Chain, deployment, onboarding, node (started), app and client, all in ``data_dir``."""
    env = start_dev_chain(data_dir)
    try:
        # The API tests send many requests with few keys: rate limits only where a test sets them.
        limits = {"rate_limit_per_s": 0, "rate_limit_writes_per_s": 0}
        settings = Settings(data_dir=data_dir, rpc_url=env.chain.url, poll_interval_s=0.02, **{**limits, **overrides})
        node = open_node(settings, env.keyring).start()
    except BaseException:
        env.stop()
        raise
    document = credentials(node.store, data_dir, env.accounts, API_URL, env.chain_facts())
    participants = {p["name"]: p for p in document["participants"]}
    client = TestClient(create_app(node, settings), base_url=API_URL)
    return Api(env, node, settings, client, {n: p["api_key"] for n, p in participants.items()}, participants)


def stop_api(api: Api) -> None:
    api.client.close()
    api.node.stop()
    api.node.store.dispose()
    api.env.stop()


