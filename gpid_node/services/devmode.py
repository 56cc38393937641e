"""Development mode: an embedded chain, the contracts, demo participants and their API keys.

``gpid-node dev`` (what ``./scripts/run`` starts) uses this. Everything lives in the data folder:
the chain state, the deployment record, the participants' encrypted keys (signing keys in
``keys/*.json``, encryption keys in ``keys/encryption/``), the index database and
``dev-credentials.json``; a restart with the same folder keeps every GPID and every key, so what
was encrypted for a participant stays readable. The keys are encrypted with a development password
and the operator is anvil's first development account: never use a development data folder for
real data.

Demo participants: a seller (DE) and a buyer (GB), an export broker (DE) and an import broker (GB),
Customs DE and Customs GB, and, to show the rights concept on one node, a competing seller (FR) and
Customs FR. Each one's encryption key is published on chain at onboarding (by the operator, only when
the chain names another). No mandate and no grant is given: the demo starts from the bare rules.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from gpid_node.chain.client import RegistryClient
from gpid_node.chain.deploy import Deployment, deploy
from gpid_node.chain.devchain import DevChain, find_anvil
from gpid_node.chain.keystore import (
    EncryptionKeyring,
    EncryptionKeystore,
    Keyring,
    LocalAccount,
    TraderSecrets,
    create_keystore,
    dev_account,
    load_keystore,
)
from gpid_node.chain.records import RegistryRole
from gpid_node.domain import canonical
from gpid_node.files import write_private
from gpid_node.services.credentials import authenticate, create_key
from gpid_node.store.database import Store

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
    address: tuple[str, str, str] | None = None  # street, postcode, city (traders)

    def party(self) -> dict[str, Any]:
        """The trader as a key data set names it (seller or buyer), e.g. for the demo's invoices."""
        if self.trader_id is None or self.address is None or self.country is None:
            raise ValueError(f"the demo participant {self.name!r} is not a trader")
        street, postcode, city = self.address
        scheme, _, value = self.trader_id.partition(":")
        return {"name": self.name, "address": {"street": street, "postcode": postcode, "city": city, "country": self.country},
                "trader_id": {"scheme": scheme, "value": value}}  # fmt: skip


DEMO_PARTICIPANTS = (
    DemoParticipant("Rhein Maschinenbau GmbH", "seller", "EORI:DE123456789012345", "DE", ("Hafenstrasse 12", "47119", "Duisburg")),
    DemoParticipant("Thames Tools Ltd", "buyer", "EORI:GB123456789000", "GB", ("1 Dock Road", "E16 1AA", "London")),
    DemoParticipant("Export broker (DE)", "broker", None, "DE"),
    DemoParticipant("Import broker (GB)", "broker", None, "GB"),
    DemoParticipant("Customs DE", "customs", None, "DE"),
    DemoParticipant("Customs GB", "customs", None, "GB"),
    DemoParticipant("Ateliers de la Loire SAS", "seller", "EORI:FR44123456700018", "FR",
                    ("14 quai de la Fosse", "44000", "Nantes")),  # the competing seller (FR)
    DemoParticipant("Customs FR", "customs", None, "FR"),
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


def participant_encryption_keys(data_dir: Path, accounts: dict[str, LocalAccount]) -> EncryptionKeyring:
    """Each demo participant's encryption keys, kept in ``keys/encryption/`` (created once, then loaded
    with those rotated since): a restart reads what was encrypted for them before."""
    store = EncryptionKeystore(data_dir / "keys", DEV_PASSWORD, scrypt_n=DEV_SCRYPT_N)
    keyring = EncryptionKeyring()
    for account in accounts.values():
        if account.address not in keyring:
            for pair in store.ensure(account.address):
                keyring.add(account.address, pair)
    return keyring


def participant_trader_secrets(data_dir: Path) -> TraderSecrets:
    """The demo sellers' trader secrets (k_trader, docs/protocol.md "Invoice key"), kept in
    ``keys/traders/``: created at their onboarding here, then loaded, so a restart derives the same
    invoice keys and GPIDs."""
    traders = TraderSecrets.load(data_dir / "keys", DEV_PASSWORD, scrypt_n=DEV_SCRYPT_N)
    for p in DEMO_PARTICIPANTS:
        if p.role == "seller" and p.trader_id:
            traders.ensure(canonical.trader_key(p.trader_id))
    return traders


def publish_encryption_keys(client: RegistryClient, encryption: EncryptionKeyring) -> None:
    """The operator publishes each account's current encryption key where the chain names another."""
    operator = operator_account()
    for account in encryption.accounts:
        pair = encryption.current(account)
        published = client.encryption_key_of(account)
        if pair is not None and (published is None or published[0] != pair.public_bytes):
            client.transact(operator, "publishEncryptionKeyFor", account, pair.public_bytes)


def onboard(client: RegistryClient, accounts: dict[str, LocalAccount], encryption: EncryptionKeyring | None = None) -> None:
    """Funds, binds and grants the demo participants and publishes their encryption keys (idempotent:
    only what is missing is sent)."""
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
    if encryption is not None:
        publish_encryption_keys(client, encryption)


def credentials(
    store: Store, data_dir: Path, accounts: dict[str, LocalAccount], api_url: str, chain: dict[str, Any]
) -> dict[str, Any]:
    """dev-credentials.json: reuses the keys it lists while they still work, creates the others;
    ``chain`` is ``{"rpc_url", "chain_id", "registry"}`` (:meth:`DevEnvironment.chain_facts`)."""
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
    document = {"api_url": api_url, "chain": {k: chain[k] for k in ("rpc_url", "chain_id", "registry")}, "participants": participants}
    write_private(path, json.dumps(document, indent=2) + "\n")  # API keys: 0600 from the first byte
    return document


@dataclass
class DevEnvironment:
    """A running development chain with the deployment and participants in place."""

    chain: DevChain
    deployment: Deployment
    accounts: dict[str, LocalAccount]
    encryption: EncryptionKeyring
    traders: TraderSecrets = field(default_factory=TraderSecrets)

    @property
    def keyring(self) -> Keyring:
        """The participants' signing keys with their encryption keys and the sellers' trader secrets
        (as kept in the data folder)."""
        return Keyring(dict(self.accounts), EncryptionKeyring({a: self.encryption.keys_of(a) for a in self.encryption.accounts}),
                       traders=self.traders)  # fmt: skip

    def chain_facts(self) -> dict[str, Any]:
        """What dev-credentials.json says of the chain: ``{"rpc_url", "chain_id", "registry"}``."""
        return {"rpc_url": self.chain.url, "chain_id": self.deployment.chain_id, "registry": self.deployment.registry}

    def stop(self) -> None:
        self.chain.stop()


def start_dev_chain(data_dir: Path, chain_port: int | None = None) -> DevEnvironment:
    """Starts anvil with its state in the data folder, deploys (or reuses) and onboards the demo."""
    data_dir.mkdir(parents=True, exist_ok=True)
    chain = DevChain(state_file=data_dir / "chain" / "state.json", log_file=data_dir / "chain" / "anvil.log")
    if chain_port:
        chain.port = chain_port
    anvil, found_in = find_anvil()
    log.info("dev.anvil", path=str(anvil), found_in=found_in)
    chain.start()
    try:
        deployment, reused = deploy(chain.url, operator_account(), record_path=data_dir / "deployment.json")
        log.info("dev.deployment", registry=deployment.registry, reused=reused, block=deployment.block)
        accounts = participant_keys(data_dir)
        encryption = participant_encryption_keys(data_dir, accounts)
        traders = participant_trader_secrets(data_dir)
        onboard(RegistryClient.connect(chain.url, deployment.registry), accounts, encryption)
    except BaseException:
        chain.stop()
        raise
    return DevEnvironment(chain, deployment, accounts, encryption, traders)
