"""The consortium: one chain, one operator, three organisations' nodes, each with its own key and database.

Everything runs as real processes with the node's own commands: anvil (state in a file), the
operator's ``gpid-node init`` + ``deploy``, each node's ``init``, the operator's ``participants
onboard`` (trader binding, broker role, Customs; gas money; the participant's API key), and three
``gpid-node serve``: the seller's node on SQLite, the broker's on PostgreSQL, the Customs node (the
UK administration) on SQLite. They share only the chain and the deployment record
(``GPID_DEPLOYMENT_FILE``). Each node publishes its encryption key when it starts; the seller
mandates the broker for export and import, so all three nodes are recipients of every key data set
(tests/e2e/test_consortium_confidential.py shows nodes that are not). The export/import flow of
DESIGN.md then runs across them over HTTP, every node's index converges on the same content, and a
new database of the seller's node is rebuilt from the chain with that node's keys.

It measures and prints how long a key data set registered on the seller's node takes to become
verifiable on the Customs node (p50/p99 over ``GPID_CONSORTIUM_SAMPLES`` registrations, 40 by
default; docs/operations.md quotes a run with 200) and how long a fresh node takes to index the
chain from the deployment block.

The command lines are templates (``COMMANDS``) that docker-compose.yml must use too:
tests/e2e/test_compose.py checks each command of the compose file against them.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from gpid_node.chain.client import RegistryClient
from gpid_node.chain.deploy import Deployment
from gpid_node.chain.devchain import DEV_MNEMONIC, free_port
from gpid_node.chain.keystore import keystore_address
from gpid_node.store.database import Store, sqlite_url
from gpid_node.store.fingerprint import fingerprint
from support.builders import dev_account, key_data_set
from support.chains import TEST_CHAIN, new_chain
from support.requirements import POSTGRES_URL, require_postgres
from support.processes import GPID_NODE, ROOT, env_for, start, stop, wait_http

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

SAMPLES = int(os.environ.get("GPID_CONSORTIUM_SAMPLES", "40"))
EXAMPLE = json.loads((ROOT / "schemas/examples/design-example.json").read_text())
SELLER_TRADER_ID = "EORI:DE123456789012345"
FUND_ETH = "10"


# ====================================================================== the commands (shared with docker-compose.yml)


@dataclass(frozen=True)
class Command:
    """A command line as a template: a token ``{name}`` stands for one argument whose value differs between
    this test and docker-compose.yml (paths, ports, passwords, URLs); every other token is literal.
    ``env`` names the GPID_* variables this test runs it with."""

    argv: tuple[str, ...]
    env: frozenset[str]

    def render(self, **values: str) -> list[str]:
        argv = [values[t[1:-1]] if t.startswith("{") and t.endswith("}") else t for t in self.argv]
        return [GPID_NODE if argv[0] == "gpid-node" else argv[0], *argv[1:]]

    def matches(self, argv: list[str]) -> bool:
        """Whether a command line (with ``gpid-node`` as its program) is this template filled in."""
        return len(argv) == len(self.argv) and all(
            (t.startswith("{") and t.endswith("}")) or t == a for t, a in zip(self.argv, argv, strict=True)
        )


# GPID_DATA_DIR and GPID_LOG_FORMAT: tests/support/processes.env_for sets them for every process.
_ALWAYS = {"GPID_DATA_DIR", "GPID_LOG_FORMAT"}
# The operator's tools (and each node's `init`, which the compose file runs in the same container).
OPERATOR_ENV = frozenset(_ALWAYS | {"GPID_RPC_URL", "GPID_DEPLOYMENT_FILE", "GPID_KEYSTORE_PASSWORD", "GPID_DATABASE_URL"})
NODE_ENV = frozenset(_ALWAYS | {"GPID_RPC_URL", "GPID_DEPLOYMENT_FILE", "GPID_KEYSTORE_PASSWORD", "GPID_DATABASE_URL"})
# The nodes read their keystore password from a file, as the compose file hands it over (a Docker secret).
SERVE_ENV = frozenset(_ALWAYS | {"GPID_RPC_URL", "GPID_DEPLOYMENT_FILE", "GPID_KEYSTORE_PASSWORD_FILE", "GPID_DATABASE_URL"})


def _onboard(role: str, *identity: str) -> Command:
    return Command(("gpid-node", "participants", "onboard", "--data-dir", "{data_dir}", "--role", role,
                    "--name", "{name}", *identity, "--account", "{account}", "--fund-eth", "{eth}",
                    "--api-key-for-node", "{node}"), OPERATOR_ENV)  # fmt: skip


COMMANDS: dict[str, Command] = {
    "chain": Command(("{anvil}", "--host", "{host}", "--port", "{port}", "--chain-id", "31337", "--mnemonic", DEV_MNEMONIC,
                      "--accounts", "10", "--code-size-limit", "49152", "--state", "{state}", "--state-interval", "1"),
                     frozenset()),  # fmt: skip
    "init-operator": Command(("gpid-node", "init", "--data-dir", "{data_dir}", "--password", "{password}",
                              "--private-key-file", "{key_file}"), OPERATOR_ENV),  # fmt: skip
    "init": Command(("gpid-node", "init", "--data-dir", "{data_dir}", "--password", "{password}"), OPERATOR_ENV),
    "deploy": Command(("gpid-node", "deploy", "--data-dir", "{data_dir}"), OPERATOR_ENV),
    "onboard-seller": _onboard("seller", "--trader-id", "{trader_id}"),
    "onboard-buyer": _onboard("buyer", "--trader-id", "{trader_id}"),
    "onboard-broker": _onboard("broker", "--country", "{country}"),
    "onboard-customs": _onboard("customs", "--country", "{country}"),
    "keys-create": Command(("gpid-node", "keys", "create", "--data-dir", "{data_dir}", "--role", "{role}", "--account",
                            "{account}", "--name", "{name}", "--country", "{country}"), NODE_ENV),  # fmt: skip
    "serve": Command(("gpid-node", "serve", "--data-dir", "{data_dir}", "--host", "{host}", "--port", "{port}"), SERVE_ENV),
    "index-sync": Command(("gpid-node", "index", "sync", "--data-dir", "{data_dir}", "--database-url", "{database_url}"),
                          NODE_ENV),  # fmt: skip
}


# ====================================================================== helpers


@dataclass
class Org:
    """One organisation's node: data folder, password, database, port and (once running) its process."""

    name: str
    data_dir: Path
    password: str
    database_url: str
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    api_key: str = ""

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def account(self) -> str:
        return keystore_address(self.data_dir / "keystore.json")

    def auth(self, key: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key or self.api_key}"}


def run(command: str, env: dict[str, str], timeout_s: float = 120, **values: str) -> str:
    """Runs one of COMMANDS to completion; its stdout (a failure shows both streams)."""
    template = COMMANDS[command]
    assert set(env) <= template.env, f"{command} runs with {set(env) - template.env} that COMMANDS does not list"
    data_dir = Path(values.get("data_dir", "."))
    done = subprocess.run(template.render(**values), cwd=ROOT, env=env_for(data_dir, **env), capture_output=True,
                          text=True, timeout=timeout_s)  # fmt: skip
    assert done.returncode == 0, f"{command} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def run_json(command: str, env: dict[str, str], **values: str) -> dict[str, Any]:
    output = run(command, env, **values)
    return json.loads(output[output.index("{"):])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def wait_for(what: str, check: Any, timeout_s: float = 30, every_s: float = 0.02) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every_s)


def after_second(moment: datetime) -> None:
    """Waits until the wall clock is past ``moment`` by at least one second (anvil stamps blocks in seconds)."""
    while datetime.now(UTC) < moment + timedelta(seconds=1.05):
        time.sleep(0.05)


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def postgres_databases() -> Iterator[Any]:
    """Creates PostgreSQL databases on demand (URLs), drops them afterwards; skips without a server."""
    require_postgres(POSTGRES_URL)
    admin: Engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    names: list[str] = []

    def create(prefix: str) -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with admin.connect() as connection:
            connection.execute(text(f'create database "{name}"'))
        names.append(name)
        return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    yield create
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'drop database if exists "{name}" with (force)'))
    admin.dispose()


def _head(rpc_url: str) -> int:
    answer = httpx.post(rpc_url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []}, timeout=10)
    return int(answer.json()["result"], 16)


def index_fingerprint(url: str) -> dict[str, Any]:
    store = Store(url)
    try:
        with store.session() as session:
            return fingerprint(session)
    finally:
        store.dispose()


def declared(line: dict[str, Any]) -> dict[str, Any]:
    fields = ("hs_code", "value", "currency", "packages", "net_mass_kg", "country_of_origin", "preferential_origin")
    return {"goods_sequence": line["sequence"], **{k: line[k] for k in fields}}


# ====================================================================== the test


def test_three_nodes_run_the_export_import_flow_and_converge(tmp_path: Path, postgres_databases: Any) -> None:
    # ------------------------------------------------------------ the chain, started as the compose file starts it
    chain = new_chain(state_file=tmp_path / "chain" / "state.json", log_file=tmp_path / "chain" / "anvil.log")
    # a run with GPID_TEST_HARDFORK (issue 23) adds `--hardfork <name>` to the compose file's command
    assert TEST_CHAIN != "anvil" or COMMANDS["chain"].matches(replace(chain, hardfork=None).command()), \
        "the chain runs another command line than COMMANDS['chain']"
    chain.start()
    orgs: list[Org] = []
    try:
        deployment_file = tmp_path / "shared" / "deployment.json"
        operator_dir, operator_password = tmp_path / "operator", "operator password"
        operator_env = {"GPID_RPC_URL": chain.url, "GPID_DEPLOYMENT_FILE": str(deployment_file),
                        "GPID_KEYSTORE_PASSWORD": operator_password}  # fmt: skip
        seller = Org("seller", tmp_path / "seller", "seller password", sqlite_url(tmp_path / "seller"))
        broker = Org("broker", tmp_path / "broker", "broker password", postgres_databases("gpid_node_broker"))
        customs = Org("customs", tmp_path / "customs", "customs password", sqlite_url(tmp_path / "customs"))
        orgs = [seller, broker, customs]

        # ------------------------------------------------------------ keys: the operator's (funded), one per node
        key_file = tmp_path / "operator.key"
        key_file.write_text(dev_account(0).key.hex())
        key_file.chmod(0o600)

        def init(org: Org) -> str:
            env = dict(operator_env, GPID_DATABASE_URL=org.database_url) if org is broker else operator_env
            return run("init", env, data_dir=str(org.data_dir), password=org.password)

        with ThreadPoolExecutor(4) as pool:
            inits = [pool.submit(init, org) for org in orgs]
            run("init-operator", operator_env, data_dir=str(operator_dir), password=operator_password, key_file=str(key_file))
            for future in inits:
                future.result()
        assert len({org.account for org in orgs}) == 3

        # ------------------------------------------------------------ deployment and onboarding by the operator
        deployed = run_json("deploy", operator_env, data_dir=str(operator_dir))
        assert deployed["admin"] == dev_account(0).address and deployment_file.exists()

        def onboard(command: str, org: Org, name: str, **identity: str) -> dict[str, Any]:
            node = org.database_url if org is broker else str(org.data_dir)
            return run_json(command, operator_env, data_dir=str(operator_dir), name=name, eth=FUND_ETH,
                            account=str(org.data_dir / "keystore.json"), node=node, **identity)  # fmt: skip

        onboarded = {
            "seller": onboard("onboard-seller", seller, "Rhein Maschinenbau GmbH", trader_id=SELLER_TRADER_ID),
            "broker": onboard("onboard-broker", broker, "Channel Customs Brokers", country="GB"),
            "customs": onboard("onboard-customs", customs, "Customs GB", country="GB"),
        }
        for org in orgs:
            result = onboarded[org.name]
            assert result["account"] == org.account
            assert [s["action"] for s in result["steps"]] == ["fund", {"seller": "bind trader", "broker": "grant broker",
                                                                      "customs": "grant customs"}[org.name]]  # fmt: skip
            assert all(s["transaction"] for s in result["steps"]), result
            org.api_key = result["api_key"]
        # The Customs node's own key for a second officer (keys are the node's, not the operator's).
        officer_key = run("keys-create", {}, data_dir=str(customs.data_dir),
                          role="customs", account=customs.account, name="Officer 2", country="GB").strip()  # fmt: skip
        assert officer_key.startswith("gpid_")

        # ------------------------------------------------------------ three nodes, as the compose file runs them
        for org in orgs:
            org.port = free_port()
            password_file = tmp_path / "secrets" / f"{org.name}_keystore_password"
            password_file.parent.mkdir(exist_ok=True)
            password_file.write_text(org.password + "\n")
            env = {"GPID_RPC_URL": chain.url, "GPID_DEPLOYMENT_FILE": str(deployment_file),
                   "GPID_KEYSTORE_PASSWORD_FILE": str(password_file), "GPID_DATABASE_URL": org.database_url}  # fmt: skip
            assert set(env) | _ALWAYS <= COMMANDS["serve"].env
            org.process = start(COMMANDS["serve"].render(data_dir=str(org.data_dir), host="127.0.0.1", port=str(org.port)),
                                org.data_dir, tmp_path / f"{org.name}.log", **env)  # fmt: skip
        for org in orgs:
            try:
                wait_http(f"{org.api}/healthz", timeout_s=60, process=org.process)
            except Exception as exc:
                raise AssertionError((tmp_path / f"{org.name}.log").read_text()[-3000:]) from exc
        clients = {org.name: httpx.Client(base_url=org.api, timeout=60) for org in orgs}
        s, b, c = clients["seller"], clients["broker"], clients["customs"]
        officer = customs.auth(officer_key)

        # Each node publishes its encryption key when it starts; the seller's node finds its recipients'
        # keys in its index. The seller mandates the broker for both directions before registering, so
        # that the broker's node is a recipient of every key data set and the three indexes hold the same.
        registry = RegistryClient.connect(chain.url, Deployment.read(deployment_file).registry)
        wait_for("every node's encryption key on chain", lambda: all(registry.encryption_key_of(o.account) for o in orgs), timeout_s=60)
        keys_block = _head(chain.url)
        wait_for("the seller's index past the keys", lambda: index_fingerprint(seller.database_url)["cursor"] >= keys_block)
        for direction in ("export", "import"):
            mandated = s.post("/v1/mandates", headers=seller.auth(), json={"agent": broker.account, "direction": direction})
            assert mandated.status_code == 201, mandated.text

        # ------------------------------------------------------------ the export/import flow across the nodes
        registered = s.post("/v1/key-data-sets", json=EXAMPLE, headers=seller.auth())
        assert registered.status_code == 201, registered.text
        gpid = registered.json()["gpid"]
        line = EXAMPLE["goods"][0]

        export_ref, import_ref, second_import_ref = "26DE00000000000001", "26GB00000000000123", "26GB00000000000456"
        linked = b.post("/v1/declarations", headers=broker.auth(),
                        json={"reference": export_ref, "country": "DE", "direction": "export", "gpids": [gpid]})  # fmt: skip
        assert linked.status_code == 201, linked.text
        export_decl = wait_for("the export declaration on the Customs node",
                               lambda: (r := c.get(f"/v1/declarations/DE/{export_ref}", headers=officer)).status_code == 200 and r.json())  # fmt: skip
        export_filed = parse_time(export_decl["gpids"][0]["linked_at"])
        assert export_decl["gpids"][0]["linker"] == broker.account

        check = c.post("/v1/verifications", headers=officer, json={"declaration": {
            "reference": export_ref, "country": "DE", "direction": "export", "filed_at": export_filed.isoformat(),
            "items": [{"gpid": gpid, **declared(line)}]}})  # fmt: skip
        assert check.status_code == 200, check.text
        assert check.json()["result"] == "match"
        assert check.json()["gpids"][0]["version_at_filing"] == 1

        # The import declaration is filed after the export filing, and the seller amends after that.
        after_second(export_filed)
        import_filed = datetime.now(UTC)
        after_second(import_filed)
        amended_line = dict(line, value="18000.00")
        amended = s.post(f"/v1/key-data-sets/{gpid}/amendments", headers=seller.auth(),
                         json={"changes": {"goods": [amended_line]}, "reason": "credit note CN-77", "reason_code": "price"})  # fmt: skip
        assert amended.status_code == 201, amended.text
        linked = b.post("/v1/declarations", headers=broker.auth(),
                        json={"reference": import_ref, "country": "GB", "direction": "import", "gpids": [gpid]})  # fmt: skip
        assert linked.status_code == 201, linked.text
        wait_for("version 2 and the import declaration on the Customs node", lambda: (
            c.get(f"/v1/key-data-sets/{gpid}", headers=officer).json().get("version") == 2
            and c.get(f"/v1/declarations/GB/{import_ref}", headers=officer).status_code == 200))  # fmt: skip

        def verify_import(reference: str) -> dict[str, Any]:
            answer = c.post("/v1/verifications", headers=customs.auth(), json={"declaration": {
                "reference": reference, "country": "GB", "direction": "import", "filed_at": import_filed.isoformat(),
                "items": [{"gpid": gpid, **declared(line)}]}})  # fmt: skip
            assert answer.status_code == 200, answer.text
            return answer.json()

        verdict = verify_import(import_ref)
        facts = verdict["gpids"][0]
        assert verdict["result"] == "match", verdict  # judged against the version at filing
        assert facts["integrity"]["verified"] is True
        assert facts["version_at_filing"] == 1
        assert facts["amended_after_filing"] is True
        assert [a["version"] for a in facts["amendments"]] == [2]
        assert facts["amendments"][0]["reason"] == "credit note CN-77"
        assert [(d["country"], d["reference"]) for d in facts["other_declarations"]] == [("DE", export_ref)]

        linked = b.post("/v1/declarations", headers=broker.auth(),
                        json={"reference": second_import_ref, "country": "GB", "direction": "import", "gpids": [gpid]})  # fmt: skip
        assert linked.status_code == 201, linked.text
        wait_for("the second import declaration on the Customs node",
                 lambda: c.get(f"/v1/declarations/GB/{second_import_ref}", headers=officer).status_code == 200)
        others = verify_import(import_ref)["gpids"][0]["other_declarations"]
        assert {(d["country"], d["reference"], d["direction"]) for d in others} == {
            ("DE", export_ref, "export"), ("GB", second_import_ref, "import")}  # fmt: skip

        # The seller's own node shows the history with the author; the broker's node serves the broker.
        history = s.get(f"/v1/key-data-sets/{gpid}/history", headers=seller.auth()).json()
        assert [(v["version"], v["author"]) for v in history["versions"]] == [(1, seller.account), (2, seller.account)]
        assert b.get(f"/v1/key-data-sets/{gpid}", headers=broker.auth()).json()["version"] == 2

        # ------------------------------------------------------------ verifiable on the Customs node: how soon
        after_201: list[float] = []
        from_post: list[float] = []
        run_id = uuid.uuid4().hex[:8].upper()
        for i in range(SAMPLES):
            data = key_data_set(invoice_number=f"CONS-{run_id}-{i:05d}")
            posted = time.perf_counter()
            answer = s.post("/v1/key-data-sets", json=data, headers=seller.auth())
            mined = time.perf_counter()
            assert answer.status_code == 201, answer.text
            sample_gpid = answer.json()["gpid"]
            read = wait_for(f"{sample_gpid} on the Customs node", lambda: (
                (r := c.get(f"/v1/key-data-sets/{sample_gpid}", headers=officer)).status_code == 200 and r), every_s=0.005)  # fmt: skip
            visible = time.perf_counter()
            assert read.json()["integrity"]["verified"] is True
            after_201.append(visible - mined)
            from_post.append(visible - posted)

        # ------------------------------------------------------------ every index converges on the same content
        # (the Customs node records its verification outcomes on chain after answering: wait for them)
        def converged() -> dict[str, Any] | None:
            head = httpx.post(chain.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []}).json()
            prints = [index_fingerprint(org.database_url) for org in orgs]
            at_head = all(p["cursor"] == int(head["result"], 16) for p in prints)
            return prints[0] if at_head and all(p == prints[0] for p in prints) else None

        def outbox_depth(client: httpx.Client) -> float:
            metrics = client.get("/metrics").text
            return float(next(l.split()[-1] for l in metrics.splitlines() if l.startswith("gpid_outbox_depth ")))

        wait_for("every outbox to drain", lambda: all(outbox_depth(client) == 0 for client in clients.values()))
        content = wait_for("the three indexes to converge", converged, timeout_s=60, every_s=0.2)
        tables = content["tables"]
        assert tables["key_data_sets"]["rows"] == SAMPLES + 1
        assert tables["versions"]["rows"] == SAMPLES + 2
        assert tables["declaration_links"]["rows"] == 3
        # the (UK) Customs node recorded its two checks of GB declarations; the DE export declaration's
        # outcome is not its to record (Customs records only for declarations of its own country)
        assert tables["verifications"]["rows"] == 2
        assert tables["trader_bindings"]["rows"] == 1

        # ------------------------------------------------------------ a fresh node rebuilds the index from the chain
        fresh_url = postgres_databases("gpid_node_fresh")
        started = time.perf_counter()
        # a new database for the seller's node, filled from the chain with the keys of its data folder
        rebuilt = run_json("index-sync", {"GPID_RPC_URL": chain.url, "GPID_DEPLOYMENT_FILE": str(deployment_file),
                                          "GPID_KEYSTORE_PASSWORD": seller.password},
                           data_dir=str(seller.data_dir), database_url=fresh_url)  # fmt: skip
        rebuild_wall = time.perf_counter() - started
        assert rebuilt["fingerprint"] == content, "a fresh index differs from the running nodes' indexes"

        figures = {
            "samples": SAMPLES,
            "verifiable_after_201_p50_ms": round(statistics.median(after_201) * 1000, 1),
            "verifiable_after_201_p99_ms": round(percentile(after_201, 0.99) * 1000, 1),
            "verifiable_from_post_p50_ms": round(statistics.median(from_post) * 1000, 1),
            "verifiable_from_post_p99_ms": round(percentile(from_post, 0.99) * 1000, 1),
            "reindex_key_data_sets": rebuilt["key_data_sets"],
            "reindex_events": rebuilt["events"],
            "reindex_blocks": rebuilt["cursor"] - deployed["block"] + 1,
            "reindex_seconds": rebuilt["seconds"],
            "reindex_events_per_second": rebuilt["events_per_second"],
            "reindex_command_wall_seconds": round(rebuild_wall, 2),
        }
        (tmp_path / "figures.json").write_text(json.dumps(figures, indent=1))
        print("\nconsortium figures: " + json.dumps(figures))
    finally:
        for org in orgs:
            if org.process is not None:
                stop(org.process)
        chain.stop()
    for org in orgs:
        assert org.process is None or org.process.returncode is not None
