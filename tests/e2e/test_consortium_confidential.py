"""The consortium, confidential: seven organisations' nodes on one chain, each reading exactly what its
keys open (issue 19, item 5 b).

Real processes with the node's own commands (the templates of tests/e2e/test_consortium.py): anvil,
the operator's ``deploy`` and ``participants onboard``, and one ``gpid-node serve`` per
organisation, each with its own signing and encryption keys and its own SQLite index: the seller
(DE), the buyer (GB), the seller's export broker (DE), Customs DE, Customs GB, a competing seller
(FR) and Customs FR. Each node publishes its encryption key when it starts.

- The broker's node reads nothing of the seller's key data sets and may not link them until the
  seller grants it one GPID (then it reads and links that one) or gives it a standing export
  mandate (then it is a recipient of the seller's next registrations).
- The export/import flow with verification runs end to end: the broker files the export
  declaration, Customs DE checks it, the seller amends, the buyer files the import declaration
  itself (opening its salted commitment), Customs GB checks it.
- The competing seller and Customs FR see the DE seller's key data sets as public facts only (404
  through their API, no data in their index, none of the plaintext in their database files);
  the FR seller's own key data set (sold to the same GB buyer) is read by it, the buyer, Customs GB
  and Customs FR, and by none of the DE organisations.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e.test_consortium import COMMANDS, FUND_ETH, Org, after_second, declared, parse_time, run_json, wait_for
from support.builders import dev_account, key_data_set
from support.chains import new_chain
from support.processes import start, stop, wait_http

from gpid_node.chain.client import RegistryClient
from gpid_node.chain.deploy import Deployment
from gpid_node.chain.devchain import free_port
from gpid_node.chain.keystore import EncryptionKeystore, create_keystore
from gpid_node.domain.gpid import GPID
from gpid_node.store import queries
from gpid_node.store.database import Store, sqlite_url

pytestmark = pytest.mark.slow
LIGHT_SCRYPT_N = 2**14  # the development keys' cost (gpid_node.services.devmode)

SELLER_DE, SELLER_FR, BUYER_GB = "EORI:DE123456789012345", "EORI:FR44123456700018", "EORI:GB123456789000"
FR_SELLER_PARTY = {"name": "Ateliers de la Loire SAS",
                   "address": {"street": "14 quai de la Fosse", "postcode": "44000", "city": "Nantes", "country": "FR"},
                   "trader_id": {"scheme": "EORI", "value": SELLER_FR.partition(":")[2]}}  # fmt: skip
# name: (role, onboarding command, identity options)
ORGANISATIONS: dict[str, tuple[str, str, dict[str, str]]] = {
    "seller": ("seller", "onboard-seller", {"trader_id": SELLER_DE}),
    "buyer": ("buyer", "onboard-buyer", {"trader_id": BUYER_GB}),
    "broker": ("broker", "onboard-broker", {"country": "DE"}),
    "customs_de": ("customs", "onboard-customs", {"country": "DE"}),
    "customs_gb": ("customs", "onboard-customs", {"country": "GB"}),
    "seller_fr": ("seller", "onboard-seller", {"trader_id": SELLER_FR}),
    "customs_fr": ("customs", "onboard-customs", {"country": "FR"}),
}
# Who reads what: each GPID of the test and the organisations whose keys open it.
DE_READERS = {"seller", "buyer", "customs_de", "customs_gb"}
FR_READERS = {"seller_fr", "buyer", "customs_gb", "customs_fr"}


def invoice(tag: str, **changes: Any) -> dict[str, Any]:
    """A key data set of the DE seller to the GB buyer with a unique invoice number and description."""
    data = key_data_set(invoice_number=f"CONF-{tag}")
    data["goods"][0]["description"] = f"Spindle {tag}, 24 kW"
    data.update(changes)
    return data


def test_seven_nodes_each_read_exactly_what_their_keys_open_and_the_flow_runs_end_to_end(tmp_path: Path) -> None:
    began = time.perf_counter()
    phases: dict[str, float] = {}

    def phase(name: str) -> None:
        phases[name] = round(time.perf_counter() - began - sum(phases.values()), 1)

    chain = new_chain(state_file=tmp_path / "chain" / "state.json", log_file=tmp_path / "chain" / "anvil.log")
    chain.start()
    orgs: dict[str, Org] = {}
    try:
        deployment_file = tmp_path / "shared" / "deployment.json"
        operator_dir, operator_password = tmp_path / "operator", "operator password"
        operator_env = {"GPID_RPC_URL": chain.url, "GPID_DEPLOYMENT_FILE": str(deployment_file),
                        "GPID_KEYSTORE_PASSWORD": operator_password}  # fmt: skip
        orgs = {name: Org(name, tmp_path / name, f"{name} password", sqlite_url(tmp_path / name)) for name in ORGANISATIONS}

        # ------------------------------------------------------------ keys, deployment, onboarding (the operator)
        # Each folder's signing and encryption keys are made as `gpid-node init` makes them, at the
        # development scrypt cost: seven inits and every start at the standard cost took a minute and a
        # half of this test (tests/e2e/test_consortium.py runs `init` itself).
        make_keys(operator_dir, operator_password, dev_account(0).key)
        for org in orgs.values():
            make_keys(org.data_dir, org.password)
        phase("keys")
        run_json("deploy", operator_env, data_dir=str(operator_dir))
        for name, (_role, command, identity) in ORGANISATIONS.items():
            org = orgs[name]
            onboarded = run_json(command, operator_env, data_dir=str(operator_dir), name=name, eth=FUND_ETH,
                                 account=str(org.data_dir / "keystore.json"), node=str(org.data_dir), **identity)  # fmt: skip
            org.api_key = onboarded["api_key"]
        phase("deploy and onboard")

        # ------------------------------------------------------------ seven nodes; each publishes its encryption key
        for org in orgs.values():
            org.port = free_port()
            password_file = tmp_path / "secrets" / f"{org.name}_keystore_password"
            password_file.parent.mkdir(exist_ok=True)
            password_file.write_text(org.password + "\n")
            env = {"GPID_RPC_URL": chain.url, "GPID_DEPLOYMENT_FILE": str(deployment_file),
                   "GPID_KEYSTORE_PASSWORD_FILE": str(password_file), "GPID_DATABASE_URL": org.database_url,
                   "GPID_ENGINE_PROCESS": "false", "GPID_POLL_INTERVAL_S": "0.2"}  # fmt: skip
            org.process = start(COMMANDS["serve"].render(data_dir=str(org.data_dir), host="127.0.0.1", port=str(org.port)),
                                org.data_dir, tmp_path / f"{org.name}.log", **env)  # fmt: skip
        for org in orgs.values():
            try:
                wait_http(f"{org.api}/healthz", timeout_s=120, process=org.process)
            except Exception as exc:
                raise AssertionError((tmp_path / f"{org.name}.log").read_text()[-3000:]) from exc
        registry = RegistryClient.connect(chain.url, Deployment.read(deployment_file).registry)
        wait_for("every node's encryption key on chain",
                 lambda: all(registry.encryption_key_of(o.account) is not None for o in orgs.values()), timeout_s=60, every_s=0.2)  # fmt: skip
        # A registering node finds its recipients' keys in its index: every index past those publications.
        keys_block = _head(chain.url)
        for org in orgs.values():
            wait_for(f"the {org.name} node's index past the keys", lambda org=org: _cursor(org) >= keys_block, every_s=0.1)

        phase("serve")
        clients = {name: httpx.Client(base_url=org.api, timeout=60, headers=org.auth()) for name, org in orgs.items()}

        def read(name: str, gpid: str) -> httpx.Response:
            return clients[name].get(f"/v1/key-data-sets/{gpid}")

        def readable_by(name: str, gpid: str, version: int = 1) -> dict[str, Any]:
            return wait_for(f"{gpid} v{version} readable on the {name} node", lambda: (
                (r := read(name, gpid)).status_code == 200 and r.json()["data"] is not None
                and r.json()["version"] >= version and r.json()) or None, timeout_s=30, every_s=0.1)  # fmt: skip

        def post(name: str, path: str, body: dict[str, Any], status: int | set[int] = 201) -> dict[str, Any]:
            answer = clients[name].post(path, json=body)
            assert answer.status_code in (status if isinstance(status, set) else {status}), \
                f"{name} {path}: {answer.status_code} {answer.text}"
            return answer.json()  # type: ignore[no-any-return]

        def link(name: str, gpid: str, country: str, direction: str, status: int | set[int] = 201) -> dict[str, Any]:
            reference = f"26{country}{uuid.uuid4().hex[:14].upper()}"
            body = {"reference": reference, "country": country, "direction": direction, "gpids": [gpid]}
            return {**post(name, "/v1/declarations", body, status), "reference": reference}

        broker = orgs["broker"].account
        run_tag = uuid.uuid4().hex[:8].upper()

        # ------------------------------------------------------------ A: no right for the broker, ever
        data_a = invoice(f"{run_tag}-A")
        gpid_a = post("seller", "/v1/key-data-sets", data_a)["gpid"]
        for name in DE_READERS:
            assert readable_by(name, gpid_a)["data"] == data_a
        assert read("broker", gpid_a).status_code == 404
        link("broker", gpid_a, "DE", "export", status={403, 404})  # no right to link it (nor to know it)

        # ------------------------------------------------------------ B: the seller grants the broker this GPID
        data_b = invoice(f"{run_tag}-B")
        gpid_b = post("seller", "/v1/key-data-sets", data_b)["gpid"]
        readable_by("customs_de", gpid_b)
        assert read("broker", gpid_b).status_code == 404
        granted = post("seller", f"/v1/key-data-sets/{gpid_b}/grants", {"grantee": broker, "reason": "export declaration"})
        assert granted["grantee"] == broker
        assert readable_by("broker", gpid_b)["data"] == data_b  # its node opened the content key from the grant
        export = link("broker", gpid_b, "DE", "export")
        assert read("broker", gpid_a).status_code == 404  # the grant is for B alone

        # ------------------------------------------------------------ C: a standing export mandate, then a registration
        post("seller", "/v1/mandates", {"agent": broker, "direction": "export"})
        data_c = invoice(f"{run_tag}-C")
        gpid_c = post("seller", "/v1/key-data-sets", data_c)["gpid"]
        assert readable_by("broker", gpid_c)["data"] == data_c  # a recipient at registration
        link("broker", gpid_c, "DE", "export")
        link("broker", gpid_c, "GB", "import", status=403)  # the mandate is for export declarations
        # A was registered before the mandate: a mandate opens the seller's key data sets from the
        # mandate on, and the broker's node never received A's content key.
        assert read("broker", gpid_a).status_code == 404

        # ------------------------------------------------------------ the export/import flow of B across the nodes
        export_decl = wait_for("the export declaration on the Customs DE node", lambda: (
            (r := clients["customs_de"].get(f"/v1/declarations/DE/{export['reference']}")).status_code == 200 and r.json()),
            every_s=0.1)  # fmt: skip
        export_filed = parse_time(export_decl["gpids"][0]["linked_at"])
        line = data_b["goods"][0]
        verdict = post("customs_de", "/v1/verifications", {"declaration": {
            "reference": export["reference"], "country": "DE", "direction": "export", "filed_at": export_filed.isoformat(),
            "items": [{"gpid": gpid_b, **declared(line)}]}}, status=200)  # fmt: skip
        assert verdict["result"] == "match", verdict
        assert verdict["gpids"][0]["integrity"]["verified"] is True

        after_second(export_filed)
        amended_line = dict(line, value="18000.00")
        post("seller", f"/v1/key-data-sets/{gpid_b}/amendments",
             {"changes": {"goods": [amended_line]}, "reason": "credit note CN-77", "reason_code": "price"})  # fmt: skip
        for name in (*DE_READERS, "broker"):  # every reader of B reads version 2: the same content key
            assert readable_by(name, gpid_b, version=2)["data"]["goods"][0]["value"] == "18000.00"
        readable_by("buyer", gpid_b, version=2)
        after_second(datetime.now(UTC))
        imported = link("buyer", gpid_b, "GB", "import")  # the buyer, opening its salted commitment
        wait_for("the import declaration on the Customs GB node",
                 lambda: clients["customs_gb"].get(f"/v1/declarations/GB/{imported['reference']}").status_code == 200, every_s=0.1)
        verdict = post("customs_gb", "/v1/verifications", {"declaration": {
            "reference": imported["reference"], "country": "GB", "direction": "import",
            "filed_at": datetime.now(UTC).isoformat(), "items": [{"gpid": gpid_b, **declared(amended_line)}]}}, status=200)  # fmt: skip
        assert verdict["result"] == "match", verdict
        facts = verdict["gpids"][0]
        assert facts["integrity"]["verified"] is True and facts["version_at_filing"] == 2
        assert [(d["country"], d["reference"]) for d in facts["other_declarations"]] == [("DE", export["reference"])]

        # ------------------------------------------------------------ F: the competing seller's own key data set
        data_f = invoice(f"{run_tag}-F", seller=FR_SELLER_PARTY)
        gpid_f = post("seller_fr", "/v1/key-data-sets", data_f)["gpid"]
        for name in FR_READERS:
            assert readable_by(name, gpid_f)["data"] == data_f

        phase("flow")
        # ------------------------------------------------------------ each index holds exactly what its keys open
        expected = {gpid_a: DE_READERS, gpid_b: DE_READERS | {"broker"}, gpid_c: DE_READERS | {"broker"}, gpid_f: FR_READERS}
        secrets = {gpid_a: data_a, gpid_b: data_b, gpid_c: data_c, gpid_f: data_f}
        head = _head(chain.url)
        # what each organisation's API answers: "data" (200 with the data), or 404
        answers = {name: {gpid: "data" if name in readers else 404 for gpid, readers in expected.items()} for name in orgs}
        for name, org in orgs.items():
            wait_for(f"the {name} node's index at the chain's head", lambda org=org: _cursor(org) >= head, every_s=0.1)
            held = _readable(org, list(expected))
            assert held == {gpid: name in readers for gpid, readers in expected.items()}, name
            assert {gpid: _answer(read(name, gpid)) for gpid in expected} == answers[name], name
            files = _database_bytes(org)
            for gpid, readers in expected.items():
                if name not in readers:  # nothing of it in this organisation's database, in any form
                    description = secrets[gpid]["goods"][0]["description"].encode()
                    assert description not in files and description.hex().encode() not in files, (name, gpid)
        phase("checks")
        print("\nconfidential consortium phases (s): " + json.dumps(phases))
    finally:
        for org in orgs.values():
            if org.process is not None:
                stop(org.process)
        chain.stop()


def make_keys(data_dir: Path, password: str, private_key: bytes | None = None) -> None:
    """A data folder's signing key (``keystore.json``) and encryption key (``keys/encryption/``), as
    ``gpid-node init`` makes them, sealed at the development scrypt cost."""
    data_dir.mkdir(parents=True, exist_ok=True)
    account = create_keystore(data_dir / "keystore.json", password, private_key, scrypt_n=LIGHT_SCRYPT_N)
    EncryptionKeystore(data_dir / "keys", password, scrypt_n=LIGHT_SCRYPT_N).ensure(account.address)


def _head(rpc_url: str) -> int:
    answer = httpx.post(rpc_url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []}, timeout=10)
    return int(answer.json()["result"], 16)


def _answer(response: httpx.Response) -> str | int:
    if response.status_code != 200:
        return response.status_code
    return "public" if response.json()["data"] is None else "data"


def _cursor(org: Org) -> int:
    store = Store(org.database_url)
    try:
        with store.session() as session:
            cursor = queries.cursor(session)
            return -1 if cursor is None else int(cursor.block_number)
    finally:
        store.dispose()


def _readable(org: Org, gpids: list[str]) -> dict[str, bool]:
    """Whether the organisation's index holds each GPID's data (its public facts it holds in any case)."""
    store = Store(org.database_url)
    try:
        with store.session() as session:
            held = {}
            for gpid in gpids:
                row = queries.key_data_set(session, GPID.parse(gpid).hex)
                assert row is not None, f"{org.name} has not indexed {gpid}"
                versions = queries.versions(session, GPID.parse(gpid).hex)
                held[gpid] = bool(row.readable) and all(v.data is not None for v in versions)
                assert held[gpid] or all(v.data is None for v in versions), (org.name, gpid)
            return held
    finally:
        store.dispose()


def _database_bytes(org: Org) -> bytes:
    """The organisation's SQLite database as bytes, with its write-ahead log."""
    folder = Path(org.data_dir)
    return b"".join(path.read_bytes() for path in sorted(folder.glob("index.sqlite3*")) if path.is_file())

