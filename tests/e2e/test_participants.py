"""The operator's onboarding commands on a real anvil: ``gpid-node participants onboard | offboard |
rebind | list``, run through the command line (in process, for speed; tests/e2e/test_consortium.py
runs them as separate processes).

Each test onboards fresh accounts on one registry deployed for this module by ``gpid-node deploy`` with a funded
operator key; every outcome is checked on chain (views of the
registry), in the node's database (API keys) or in the index (``participants list``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from typer.testing import CliRunner

from gpid_node.chain.client import RegistryClient
from gpid_node.chain.deploy import Deployment
from gpid_node.chain.devchain import DevChain
from gpid_node.chain.keystore import create_keystore
from gpid_node.cli import app
from gpid_node.services.credentials import authenticate
from gpid_node.domain import canonical
from gpid_node.domain import errors as e
from gpid_node.store.database import Store, sqlite_url
from gpid_node.store.fingerprint import fingerprint
from support.builders import dev_account, key_data_set
from support.chains import new_chain

pytestmark = pytest.mark.slow

OPERATOR_PASSWORD = "operator password"
NODE_PASSWORD = "node password"
LIGHT_SCRYPT = 2**14  # participants' keys made by the tests themselves: fast to decrypt


@dataclass
class Consortium:
    chain: DevChain
    root: Path
    operator_dir: Path
    client: RegistryClient

    def env(self, data_dir: Path | None = None, password: str = OPERATOR_PASSWORD) -> dict[str, str | None]:
        """The command's environment. GPID_DATA_DIR is listed so that the runner restores it afterwards (the CLI
        sets it for its settings); None unsets a variable the outer environment may hold."""
        return {"GPID_DATA_DIR": str(data_dir or self.operator_dir), "GPID_RPC_URL": self.chain.url,
                "GPID_KEYSTORE_PASSWORD": password, "GPID_DEPLOYMENT_FILE": str(self.root / "deployment.json"),
                "GPID_DATABASE_URL": None, "GPID_CONFIG": None}  # fmt: skip

    def gpid_node(self, *args: str, data_dir: Path | None = None, password: str = OPERATOR_PASSWORD) -> Any:
        """Runs ``gpid-node ARGS``; the JSON document it printed, or the node's error when it refused."""
        result = CliRunner().invoke(app, list(args), env=self.env(data_dir, password))
        if isinstance(result.exception, e.GPIDError):
            return result.exception
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert result.exit_code == 0, result.output
        return _document(result.stdout)

    def node_dir(self, name: str) -> Path:
        """A participant's node: its data folder with a key (light scrypt) and a migrated database."""
        folder = self.root / name
        create_keystore(folder / "keystore.json", NODE_PASSWORD, scrypt_n=LIGHT_SCRYPT)
        Store(sqlite_url(folder)).migrate()
        return folder

    def principal_of(self, node: Path, api_key: str) -> Any:
        store = Store(sqlite_url(node))
        try:
            with store.session() as session:
                return authenticate(session, api_key)
        finally:
            store.dispose()


@pytest.fixture(scope="module")
def consortium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Consortium]:
    root = tmp_path_factory.mktemp("consortium")
    chain = new_chain(log_file=root / "anvil.log").start()
    try:
        c = Consortium(chain, root, root / "operator", None)  # type: ignore[arg-type]
        # The operator's funded key, with a light scrypt: every command here decrypts it (`gpid-node init`
        # makes a standard one; tests/e2e/test_consortium.py runs it).
        create_keystore(c.operator_dir / "keystore.json", OPERATOR_PASSWORD, dev_account(0).key, scrypt_n=LIGHT_SCRYPT)
        c.gpid_node("deploy", "--data-dir", str(c.operator_dir))
        c.client = RegistryClient.connect(chain.url, Deployment.read(root / "deployment.json").registry)
        yield c
    finally:
        chain.stop()


def _document(output: str) -> Any:
    """The JSON document a command printed (log lines around it are skipped)."""
    decoder = json.JSONDecoder()
    for start in [0] + [i + 1 for i, ch in enumerate(output) if ch == "\n"]:
        if output.startswith("{", start):
            try:
                return decoder.raw_decode(output, start)[0]
            except json.JSONDecodeError:
                continue
    return output


def _onboard(c: Consortium, *args: str) -> Any:
    return c.gpid_node("participants", "onboard", "--data-dir", str(c.operator_dir), *args)


def _new_account() -> str:
    return str(Account.create().address)


def _trader_id(c: Consortium, account: str) -> bytes:
    return bytes(c.client.view("traderKeyOf", account))


# ---------------------------------------------------------------------- onboarding


def test_onboard_seller_binds_funds_and_issues_its_api_key_once(consortium: Consortium) -> None:
    c = consortium
    node = c.node_dir("seller-a")
    first = _onboard(c, "--role", "seller", "--name", "Rhein Maschinenbau GmbH", "--trader-id", "eori:de 123456789012345",
                     "--account", str(node / "keystore.json"), "--fund-eth", "2", "--api-key-for-node", str(node))  # fmt: skip
    account = first["account"]
    assert first["trader_id"] == "EORI:DE123456789012345" and first["country"] == "DE"
    assert [s["action"] for s in first["steps"]] == ["fund", "bind trader"]
    assert _trader_id(c, account) == canonical.trader_key("EORI:DE123456789012345")
    assert c.client.w3.eth.get_balance(account) == 2 * 10**18
    principal = c.principal_of(node, first["api_key"])
    assert (principal.role, principal.account, principal.trader_id) == ("seller", account, "EORI:DE123456789012345")

    again = _onboard(c, "--role", "seller", "--name", "Rhein Maschinenbau GmbH", "--trader-id", "EORI:DE123456789012345",
                     "--account", account, "--fund-eth", "2", "--api-key-for-node", str(node))  # fmt: skip
    assert [s["transaction"] for s in again["steps"]] == [None, None], "a second run sends nothing"
    assert again["api_key"] is None and again["api_key_id"] == first["api_key_id"]

    # The onboarded seller registers through its own node's command line.
    invoice = node / "invoice.json"
    invoice.write_text(json.dumps(key_data_set(invoice_number="ONB-0001")))
    registered = c.gpid_node("register", str(invoice), "--data-dir", str(node), password=NODE_PASSWORD)
    assert registered["status"] == "registered" and registered["gpid"].startswith("GP")


def test_onboard_broker_and_customs_grant_their_roles(consortium: Consortium) -> None:
    c = consortium
    broker, customs = _new_account(), _new_account()
    granted = _onboard(c, "--role", "broker", "--name", "Channel Brokers", "--account", broker)
    assert [s["action"] for s in granted["steps"]] == ["grant broker"] and "api_key" not in granted
    assert c.client.view("hasRole", c.client.view("BROKER_ROLE"), broker)
    granted = _onboard(c, "--role", "customs", "--name", "Customs FR", "--country", "fr", "--account", customs)
    assert granted["country"] == "FR"
    assert bytes(c.client.view("customsCountryOf", customs)) == b"FR"


def test_onboard_with_create_key_on_the_participants_node_issues_the_key_there(consortium: Consortium) -> None:
    """Run on the node that will hold the key (here the operator's own folder): the key file is created
    with its encryption key beside it (as ``init`` does), the account onboarded, its encryption key
    published and its API key issued in that node's database."""
    from gpid_node.chain.keystore import EncryptionKeystore

    c = consortium
    key_path = c.operator_dir / "keys" / "customs-nl.json"
    created = _onboard(c, "--role", "customs", "--name", "Customs NL", "--country", "NL", "--create-key", str(key_path),
                       "--password", OPERATOR_PASSWORD)  # fmt: skip
    assert key_path.is_file()
    principal = c.principal_of(c.operator_dir, created["api_key"])
    assert (principal.role, principal.country, principal.account) == ("customs", "NL", created["account"])
    pairs = EncryptionKeystore(c.operator_dir / "keys", OPERATOR_PASSWORD).load(created["account"])
    assert pairs is not None and len(pairs) == 1
    assert [s["action"] for s in created["steps"]][-1] == "publish encryption key" and created["steps"][-1]["transaction"]
    assert c.client.encryption_key_of(created["account"]) == (pairs[0].public_bytes, pairs[0].key_id)
    again = _onboard(c, "--role", "customs", "--name", "Customs NL", "--country", "NL", "--create-key", str(key_path),
                     "--password", OPERATOR_PASSWORD)  # fmt: skip
    assert again["account"] == created["account"]
    assert [s["transaction"] for s in again["steps"]] == [None, None], "a second run sends nothing and keeps the key"
    both = _onboard(c, "--role", "customs", "--name", "Customs NL", "--country", "NL", "--create-key", str(key_path),
                    "--password", OPERATOR_PASSWORD, "--encryption-key", "0x" + pairs[0].public_bytes.hex())  # fmt: skip
    assert isinstance(both, e.ValidationFailed) and [p.path for p in both.problems] == ["--encryption-key"]


def test_onboard_publishes_the_encryption_key_the_participants_init_printed_once(consortium: Consortium) -> None:
    from gpid_node.domain.encryption_keys import EncryptionKeyPair

    c = consortium
    broker, pair = _new_account(), EncryptionKeyPair.generate()
    public = "0x" + pair.public_bytes.hex()
    first = _onboard(c, "--role", "broker", "--name", "Channel Brokers", "--account", broker, "--encryption-key", public)
    assert [s["action"] for s in first["steps"]] == ["grant broker", "publish encryption key"]
    assert first["steps"][1]["transaction"]
    assert c.client.encryption_key_of(broker) == (pair.public_bytes, pair.key_id)
    again = _onboard(c, "--role", "broker", "--name", "Channel Brokers", "--account", broker, "--encryption-key", public.upper()[2:])
    assert [s["transaction"] for s in again["steps"]] == [None, None], "a second run sends nothing"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--role", "seller", "--name", "X", "--account", "{new}"), "a seller needs its trader ID"),
        (("--role", "seller", "--name", "X", "--trader-id", "DE123", "--account", "{new}"), "is not SCHEME:VALUE"),
        (("--role", "seller", "--name", "X", "--trader-id", "EORI:XX1", "--account", "{new}"), "is not an EORI number"),
        (("--role", "customs", "--name", "X", "--account", "{new}"), "needs the country of its administration"),
        (("--role", "customs", "--name", "X", "--country", "ZZ", "--account", "{new}"), "not an ISO 3166-1 alpha-2"),
        (("--role", "auditor", "--name", "X", "--account", "{new}"), "is not a role"),
        (("--role", "broker", "--name", "X"), "give the participant's account"),
        (("--role", "broker", "--name", "X", "--account", "not-an-address"), "neither an account address nor a keystore"),
        (("--role", "broker", "--name", "X", "--trader-id", "EORI:DE1", "--account", "{new}"), "only sellers and buyers are bound"),
        (("--role", "broker", "--name", "X", "--account", "{new}", "--fund-eth", "lots"), "is not an amount of ether"),
        (("--role", "broker", "--name", "X", "--account", "{new}", "--encryption-key", "0x1234"), "is not an X25519 public key"),
        (("--role", "broker", "--name", "X", "--account", "{new}", "--encryption-key", "0x" + "00" * 32), "is not an X25519 public key"),
    ],
)
def test_onboard_refuses_bad_input_before_sending_anything(consortium: Consortium, args: tuple[str, ...], expected: str) -> None:
    c = consortium
    block = c.client.block_number()
    refused = _onboard(c, *(_new_account() if a == "{new}" else a for a in args))
    assert isinstance(refused, e.ValidationFailed), refused
    assert expected in refused.message
    assert c.client.block_number() == block


def test_an_account_bound_to_another_trader_is_refused_with_what_to_do(consortium: Consortium) -> None:
    c = consortium
    account = _new_account()
    _onboard(c, "--role", "buyer", "--name", "Thames Tools", "--trader-id", "EORI:GB123456789000", "--account", account)
    refused = _onboard(c, "--role", "seller", "--name", "X", "--trader-id", "EORI:FR12345678901", "--account", account)
    assert isinstance(refused, e.Conflict)
    assert "EORI:GB123456789000" in refused.message and f"participants offboard --account {account}" in refused.message


def test_a_key_without_the_onboarding_role_is_refused(consortium: Consortium) -> None:
    c = consortium
    node = c.node_dir("not-operator")
    refused = c.gpid_node("participants", "onboard", "--data-dir", str(node), "--role", "broker", "--name", "X",
                          "--account", _new_account(), password=NODE_PASSWORD)  # fmt: skip
    assert isinstance(refused, e.PermissionDenied)
    assert "does not hold the registry's onboarding role" in refused.message


# ---------------------------------------------------------------------- offboarding


def test_offboard_revokes_roles_on_chain_and_api_keys_in_the_node(consortium: Consortium) -> None:
    c = consortium
    node = c.node_dir("broker-b")
    onboarded = _onboard(c, "--role", "broker", "--name", "Broker B", "--account", str(node / "keystore.json"),
                         "--api-key-for-node", str(node))  # fmt: skip
    account, key = onboarded["account"], onboarded["api_key"]
    assert c.principal_of(node, key) is not None

    offboarded = c.gpid_node("participants", "offboard", "--data-dir", str(c.operator_dir), "--account", account,
                             "--revoke-keys-in", str(node))  # fmt: skip
    assert [s["action"] for s in offboarded["steps"]] == ["revoke broker"]
    assert [k["key_id"] for k in offboarded["revoked_api_keys"]] == [onboarded["api_key_id"]]
    assert not c.client.view("hasRole", c.client.view("BROKER_ROLE"), account)
    assert c.principal_of(node, key) is None, "the API key still works"

    again = c.gpid_node("participants", "offboard", "--data-dir", str(c.operator_dir), "--account", account)
    assert isinstance(again, e.NotFound) and "nothing to offboard" in again.message


def test_offboard_a_customs_account_and_a_seller(consortium: Consortium) -> None:
    c = consortium
    customs, seller = _new_account(), _new_account()
    _onboard(c, "--role", "customs", "--name", "Customs IT", "--country", "IT", "--account", customs)
    _onboard(c, "--role", "seller", "--name", "Seller IT", "--trader-id", "EORI:IT12345678901", "--account", seller)
    for account, action in ((customs, "revoke customs"), (seller, "unbind trader")):
        done = c.gpid_node("participants", "offboard", "--data-dir", str(c.operator_dir), "--account", account)
        assert [s["action"] for s in done["steps"]] == [action]
    assert bytes(c.client.view("customsCountryOf", customs)) == b"\0\0"
    assert _trader_id(c, seller) == b"\0" * 32


# ---------------------------------------------------------------------- key loss: rebind


def test_rebind_after_key_loss_moves_the_trader_id_and_keeps_the_history(consortium: Consortium) -> None:
    c = consortium
    trader_id = "EORI:PL1234567890"
    old_node, new_node = c.node_dir("seller-old"), c.node_dir("seller-new")
    old = _onboard(c, "--role", "seller", "--name", "Seller PL", "--trader-id", trader_id, "--account",
                   str(old_node / "keystore.json"), "--fund-eth", "1", "--api-key-for-node", str(old_node))  # fmt: skip
    invoice = old_node / "invoice.json"
    invoice.write_text(json.dumps(key_data_set(invoice_number="PL-OLD-1", seller_eori="PL1234567890")))
    before = c.gpid_node("register", str(invoice), "--data-dir", str(old_node), password=NODE_PASSWORD)
    assert before["status"] == "registered"

    rebound = c.gpid_node("participants", "rebind", "--data-dir", str(c.operator_dir), "--trader-id", trader_id,
                          "--old-account", old["account"], "--new-account", str(new_node / "keystore.json"),
                          "--fund-eth", "1", "--revoke-keys-in", str(old_node), "--api-key-for-node", str(new_node))  # fmt: skip
    new_account = rebound["new_account"]
    assert [s["action"] for s in rebound["steps"]] == ["fund", "unbind trader", "bind trader"]
    assert _trader_id(c, old["account"]) == b"\0" * 32
    assert _trader_id(c, new_account) == canonical.trader_key(trader_id)
    assert c.principal_of(old_node, old["api_key"]) is None
    assert c.principal_of(new_node, rebound["api_key"]).account == new_account

    # The old key can no longer register; the new one registers for the same trader ID.
    invoice.write_text(json.dumps(key_data_set(invoice_number="PL-OLD-2", seller_eori="PL1234567890")))
    refused = c.gpid_node("register", str(invoice), "--data-dir", str(old_node), password=NODE_PASSWORD)
    assert isinstance(refused, e.TraderNotBound)
    registered = c.gpid_node("register", str(invoice), "--data-dir", str(new_node), password=NODE_PASSWORD)
    assert registered["status"] == "registered"

    # Run again (say, after an interruption): nothing more is sent.
    again = c.gpid_node("participants", "rebind", "--data-dir", str(c.operator_dir), "--trader-id", trader_id,
                        "--old-account", old["account"], "--new-account", new_account)  # fmt: skip
    assert [s["transaction"] for s in again["steps"]] == [None, None]

    listed = c.gpid_node("participants", "list", "--data-dir", str(c.operator_dir), "--json")
    history = [(b["trader_id"], b["account"], b["bound"]) for b in listed["bindings"] if b["trader_id"] == trader_id]
    assert history == [(trader_id, old["account"], True), (trader_id, old["account"], False), (trader_id, new_account, True)]


def test_index_fingerprint_prints_what_the_store_holds(consortium: Consortium) -> None:
    c = consortium
    c.gpid_node("participants", "list", "--data-dir", str(c.operator_dir), "--json")  # brings the index up to date
    printed = c.gpid_node("index", "fingerprint", "--data-dir", str(c.operator_dir))
    store = Store(sqlite_url(c.operator_dir))
    try:
        with store.session() as session:
            assert printed == fingerprint(session)
    finally:
        store.dispose()
    assert printed["tables"]["trader_bindings"]["rows"] >= 1 and len(printed["sha256"]) == 64


def test_rebind_refuses_an_old_account_that_never_held_the_trader_id(consortium: Consortium) -> None:
    c = consortium
    stranger, new = _new_account(), _new_account()
    refused = c.gpid_node("participants", "rebind", "--data-dir", str(c.operator_dir), "--trader-id", "EORI:AT123456",
                          "--old-account", stranger, "--new-account", new)  # fmt: skip
    assert isinstance(refused, e.ValidationFailed)
    assert "never was bound to EORI:AT123456" in refused.message and "participants onboard" in refused.message
    assert _trader_id(c, new) == b"\0" * 32
