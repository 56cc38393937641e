"""Development mode: an embedded chain, the contracts, demo participants and their API keys.

``gpid-node dev`` (what ``./scripts/run`` starts) uses this. Everything lives in the data folder:
the chain state, the deployment record, the participants' encrypted keys, the index database and
``dev-credentials.json``; a restart with the same folder keeps every GPID and every key. The keys
are encrypted with a development password and the operator is anvil's first development account:
never use a development data folder for real data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

from gpid_node.chain.client import RegistryClient
from gpid_node.chain.deploy import Deployment, deploy
from gpid_node.chain.devchain import DevChain
from gpid_node.chain.keystore import Keyring, LocalAccount, create_keystore, dev_account, load_keystore
from gpid_node.chain.records import RegistryRole
from gpid_node.domain import canonical
from gpid_node.services.credentials import authenticate, create_key
from gpid_node.store.database import Store
from gpid_node.store.files import write_private

log = structlog.get_logger("gpid.dev")

DEV_PASSWORD = "development only"
FUNDING_WEI = 10**21
DEV_SCRYPT_N = 2**14  # development keys: 16 MiB to decrypt instead of 256 MiB


@dataclass(frozen=True)
class DemoParticipant:
    name: str
    role: str
    trader_id: str | None = None
    country: str | None = None


DEMO_PARTICIPANTS = (
    DemoParticipant("Rhein Maschinenbau GmbH", "seller", "EORI:DE123456789012345", "DE"),
    DemoParticipant("Thames Tools Ltd", "buyer", "EORI:GB123456789000", "GB"),
    DemoParticipant("Export broker (DE)", "broker", None, "DE"),
    DemoParticipant("Import broker (GB)", "broker", None, "GB"),
    DemoParticipant("Customs DE", "customs", None, "DE"),
    DemoParticipant("Customs GB", "customs", None, "GB"),
    DemoParticipant("Consortium operator", "operator", None, None),
)


def operator_account() -> LocalAccount:
    return dev_account(0)


def _slug(name: str) -> str:
    return "".join(c.lower() if c.isalnum() else "-" for c in name).strip("-")


def participant_keys(data_dir: Path) -> dict[str, LocalAccount]:
    """Each demo participant's key (created once, then loaded); the operator is anvil's account 0."""
    folder = data_dir / "keys"
    accounts: dict[str, LocalAccount] = {}
    for p in DEMO_PARTICIPANTS:
        if p.role == "operator":
            accounts[p.name] = operator_account()
            continue
        path = folder / f"{_slug(p.name)}.json"
        accounts[p.name] = (
            load_keystore(path, DEV_PASSWORD) if path.exists() else create_keystore(path, DEV_PASSWORD, scrypt_n=DEV_SCRYPT_N)
        )
    return accounts


def onboard(client: RegistryClient, accounts: dict[str, LocalAccount]) -> None:
    """Funds, binds and grants the demo participants (idempotent: only what is missing is sent)."""
    operator = operator_account()
    for p in DEMO_PARTICIPANTS:
        account = accounts[p.name]
        if p.role == "operator":
            continue
        if client.balance_of(account.address) < FUNDING_WEI // 2:
            client.request("anvil_setBalance", account.address, hex(FUNDING_WEI))
        if p.trader_id and client.trader_key_of(account.address) != canonical.trader_key(p.trader_id):
            client.transact(operator, "bindTrader", account.address, p.trader_id)
        if p.role == "broker" and not client.has_role(RegistryRole.BROKER, account.address):
            client.transact(operator, "grantRole", client.role_id(RegistryRole.BROKER), account.address)
        if p.role == "customs":
            if p.country is None:
                raise ValueError(f"the demo participant {p.name!r} is customs but names no country to guard")
            if client.customs_country_of(account.address) != p.country:
                client.transact(operator, "grantCustoms", account.address, p.country.encode())


def credentials(store: Store, data_dir: Path, accounts: dict[str, LocalAccount], api_url: str) -> dict[str, Any]:
    """dev-credentials.json: reuses the keys it lists while they still work, creates the others."""
    path = data_dir / "dev-credentials.json"
    previous: dict[str, str] = {}
    if path.exists():
        try:
            previous = {p["name"]: p["api_key"] for p in json.loads(path.read_text())["participants"]}
        except (ValueError, KeyError, TypeError):
            previous = {}
    participants = []
    with store.session() as session:
        for p in DEMO_PARTICIPANTS:
            account = accounts[p.name].address
            key = previous.get(p.name)
            principal = authenticate(session, key) if key else None
            if principal is None or principal.account != account:
                key = create_key(session, p.role, account, name=p.name, trader_id=p.trader_id, country=p.country)
            participants.append({
                "name": p.name, "role": p.role, "trader_id": p.trader_id, "country": p.country,
                "account": account, "api_key": key,
            })  # fmt: skip
    document = {"api_url": api_url, "participants": participants}
    write_private(path, json.dumps(document, indent=2) + "\n")  # API keys: 0600 from the first byte
    return document


@dataclass
class DevEnvironment:
    """A running development chain with the deployment and participants in place."""

    chain: DevChain
    deployment: Deployment
    accounts: dict[str, LocalAccount]

    @property
    def keyring(self) -> Keyring:
        return Keyring(dict(self.accounts))

    def stop(self) -> None:
        self.chain.stop()


def start_dev_chain(data_dir: Path, chain_port: int | None = None) -> DevEnvironment:
    """Starts anvil with its state in the data folder, deploys (or reuses) and onboards the demo."""
    data_dir.mkdir(parents=True, exist_ok=True)
    chain = DevChain(state_file=data_dir / "chain" / "state.json", log_file=data_dir / "chain" / "anvil.log")
    if chain_port:
        chain.port = chain_port
    chain.start()
    try:
        deployment, reused = deploy(chain.url, operator_account(), record_path=data_dir / "deployment.json")
        log.info("dev.deployment", registry=deployment.registry, reused=reused, block=deployment.block)
        accounts = participant_keys(data_dir)
        onboard(RegistryClient.connect(chain.url, deployment.registry), accounts)
    except BaseException:
        chain.stop()
        raise
    return DevEnvironment(chain, deployment, accounts)
