"""Signing through a remote signer's JSON-RPC (tests/support/remote_signer.py, a process of its own
holding the seller's key): a real registration on anvil goes through the outbox with the key out of
the node; the signer down, nothing is sent and the entry waits, then goes out once when it is back; a
signer that answers another transaction than asked is refused."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_hash.auto import keccak
from sqlalchemy import select

from gpid_node.chain.client import RegistryClient
from gpid_node.chain.devchain import free_port
from gpid_node.chain.keystore import Keyring
from gpid_node.chain.remote_signer import RemoteAccount, SignerRefused, remote_accounts
from gpid_node.chain.writes import Register
from gpid_node.domain import canonical
from gpid_node.domain.errors import ChainUnavailable
from gpid_node.services.outbox import MINED, PENDING, Outbox
from gpid_node.store.database import Store
from gpid_node.store.tables import OutboxEntry
from support.builders import SELLER_TRADER_ID, key_data_set
from support.invoice_keys import invoice_key
from support.processes import ROOT
from support.waiting import wait_until

SIGNER = ROOT / "tests" / "support" / "remote_signer.py"
SELLER_KEY = canonical.trader_key(SELLER_TRADER_ID)


@dataclass
class Signer:
    url: str
    port: int
    key_file: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None
    mode: tuple[str, ...] = ()
    seen_from = 0  # where this test's part of the log begins

    def start(self, *args: str) -> Signer:
        handle = open(self.log, "ab")  # noqa: SIM115 - closed with the process
        start = len(self.log.read_bytes()) if self.log.exists() else 0
        self.mode = args
        self.process = subprocess.Popen([sys.executable, str(SIGNER), "--port", str(self.port), "--key-file", str(self.key_file), *args],
                                        stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)  # fmt: skip
        wait_until(lambda: b"ready" in self.log.read_bytes()[start:], 20, "the remote signer listens", every_s=0.05)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def requests(self) -> list[str]:
        """The methods asked of the signer since the test began."""
        return [line for line in self.log.read_bytes()[self.seen_from :].decode().splitlines() if line.startswith("eth_")]


@pytest.fixture(scope="module")
def signer_process(tmp_path_factory: pytest.TempPathFactory, registry_session: Any) -> Iterator[Signer]:
    """One signer process for the module (a test that stops it or changes its mode, the next one restarts)."""
    folder = tmp_path_factory.mktemp("signer")
    key_file = folder / "seller.key"
    key_file.write_text(registry_session.people.seller.key.hex())
    port = free_port()
    running = Signer(f"http://127.0.0.1:{port}", port, key_file, folder / "signer.log").start()
    yield running
    running.stop()


@pytest.fixture
def signer(signer_process: Signer, registry: Any) -> Signer:
    if signer_process.mode or signer_process.process is None or signer_process.process.poll() is not None:
        signer_process.stop()
        signer_process.start()
    signer_process.seen_from = len(signer_process.log.read_bytes())
    return signer_process


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(f"sqlite:///{tmp_path / 'index.sqlite3'}")
    s.migrate()
    return s


def outbox_of(store: Store, registry: Any, signer: Signer) -> Outbox:
    keyring = Keyring(remote=remote_accounts({registry.people.seller.address: signer.url}))
    assert keyring.private_keys() == [] and registry.people.seller.address in keyring  # the key is not in the node
    return Outbox(store, RegistryClient(registry.client.w3, registry.client.address), keyring, batch_size=10, poll_s=0.01)


def record(store: Store, sender: str, number: str) -> int:
    data = key_data_set(number, lines=2)
    salt = os.urandom(32)
    write = Register(invoice_key(SELLER_KEY, number), canonical.commitments(data, salt).as_tuple(), canonical.encode_payload(data, salt))
    with store.session() as session:
        return Outbox.record(session, sender, write)


def entry(store: Store, entry_id: int) -> OutboxEntry:
    with store.session() as session:
        found = session.scalars(select(OutboxEntry).where(OutboxEntry.id == entry_id)).one()
        session.expunge(found)
        return found


def on_chain(registry: Any, number: str) -> bool:
    gpid = registry.client.gpid_for(SELLER_KEY, invoice_key(SELLER_KEY, number))
    return registry.client.record_of(gpid).issuer == registry.people.seller.address


def test_a_registration_signed_by_the_remote_signer_is_mined(store: Store, registry: Any, signer: Signer) -> None:
    seller = registry.people.seller.address
    outbox = outbox_of(store, registry, signer)
    entry_id = record(store, seller, "REMOTE-1")
    outbox.drain(timeout_s=30)
    done = entry(store, entry_id)
    assert done.status == MINED and on_chain(registry, "REMOTE-1")
    assert done.raw_transaction is not None  # recorded before the broadcast, as with a local key
    assert "0x" + keccak(bytes.fromhex(done.raw_transaction)).hex() == done.transaction_hash
    mined = registry.client.w3.eth.get_transaction(done.transaction_hash)
    assert mined["from"] == seller and mined["nonce"] == done.nonce
    assert signer.requests() == ["eth_signTransaction"]


def test_with_the_signer_down_nothing_is_sent_and_the_entry_goes_out_once_it_is_back(store: Store, registry: Any, signer: Signer) -> None:
    seller = registry.people.seller.address
    nonce = registry.client.next_nonce(seller)
    outbox = outbox_of(store, registry, signer)
    signer.stop()
    entry_id = record(store, seller, "REMOTE-DOWN-1")
    stop = threading.Event()
    worker = threading.Thread(target=outbox.run, args=(stop,), daemon=True)
    worker.start()
    try:
        wait_until(lambda: "signer" in (outbox.last_error or ""), 10, "the worker finds the signer down", every_s=0.02)
        assert "cannot be reached" in (outbox.last_error or "")
        waiting = entry(store, entry_id)
        assert (waiting.status, waiting.transaction_hash, waiting.raw_transaction) == (PENDING, None, None)
        assert registry.client.next_nonce(seller) == nonce  # nothing broadcast
        signer.start()
        wait_until(lambda: entry(store, entry_id).status == MINED, 20, "the entry is mined once the signer is back", every_s=0.05)
    finally:
        stop.set()
        worker.join(timeout=10)
    assert on_chain(registry, "REMOTE-DOWN-1")
    assert registry.client.next_nonce(seller) == nonce + 1  # one transaction: no duplicate
    assert signer.requests() == ["eth_signTransaction"]


def test_a_signer_answering_another_transaction_is_refused_and_nothing_is_sent(store: Store, registry: Any, signer: Signer) -> None:
    signer.stop()
    signer.start("--lie", "nonce")
    seller = registry.people.seller.address
    nonce = registry.client.next_nonce(seller)
    outbox = outbox_of(store, registry, signer)
    entry_id = record(store, seller, "REMOTE-LIE-1")
    with pytest.raises(SignerRefused, match="whose nonce is not the one asked for"):
        outbox.step()
    assert entry(store, entry_id).status == PENDING and registry.client.next_nonce(seller) == nonce


def test_a_signer_without_the_accounts_key_is_named(registry: Any, signer: Signer) -> None:
    RemoteAccount(registry.people.seller.address, signer.url).check()
    stranger = RemoteAccount(registry.people.stranger.address, signer.url)
    with pytest.raises(SignerRefused, match="holds no key of this account"):
        stranger.check()
    with pytest.raises(ChainUnavailable, match="refused eth_signTransaction: no key for"):
        stranger.sign_transaction({"to": registry.client.address, "data": b"", "nonce": 0, "gas": 30_000, "chainId": 31337,
                                   "value": 0, "gasPrice": 0})  # fmt: skip
    assert repr(stranger).startswith("RemoteAccount(") and "key" not in repr(stranger).lower()


def test_the_remote_accounts_encryption_keys_stay_in_the_keystore(tmp_path: Path, registry: Any, signer: Signer) -> None:
    folder = tmp_path / "keys"
    keyring = Keyring.load(folder, "pw", remote=remote_accounts({registry.people.seller.address: signer.url}))
    assert keyring.addresses == [registry.people.seller.address] and keyring.private_keys() == []
    assert keyring.encryption.current(registry.people.seller.address) is not None
    assert (folder / "encryption" / f"{registry.people.seller.address}.json").is_file()
    assert keyring.remote_signers() == {registry.people.seller.address: signer.url}
    assert signer.requests() == []


@pytest.mark.slow
def test_the_command_line_registers_through_the_signer_named_in_the_settings(dev_folder: tuple[Path, str], tmp_path: Path) -> None:
    """`gpid-node register` on a development data folder whose seller keystore was taken away: the
    seller's account is in GPID_REMOTE_SIGNERS, its key only in a signer process; the registration
    is mined, signed there. (The seller's encryption key stays in the folder's keystore.)"""
    from gpid_node.chain.keystore import keystore_address, load_keystore
    from gpid_node.services.devmode import DEV_PASSWORD
    from support.cli import register_sample

    data_dir, seller = dev_folder
    keystores = [p for p in (data_dir / "keys").glob("*.json") if keystore_address(p).lower() == seller.lower()]
    assert len(keystores) == 1
    key = load_keystore(keystores[0], DEV_PASSWORD).key
    kept = tmp_path / "seller-keystore.json"
    keystores[0].rename(kept)  # the node no longer holds the seller's signing key
    key_file = tmp_path / "seller.key"
    key_file.write_text(key.hex())
    port = free_port()
    own = Signer(f"http://127.0.0.1:{port}", port, key_file, tmp_path / "signer.log").start()
    toml = data_dir / "node.toml"
    before = toml.read_text()
    try:
        toml.write_text(before + f'remote_signers = {{"{seller}" = "{own.url}"}}\n')
        gpid = register_sample(data_dir, seller, tmp_path, "REMOTE-CLI-1", lines=2)
        assert gpid.startswith("GP") and own.requests().count("eth_signTransaction") >= 1
        assert (data_dir / "keys" / "encryption" / f"{seller}.json").is_file()
    finally:
        own.stop()
        toml.write_text(before)
        kept.rename(keystores[0])


def test_the_engine_process_is_handed_the_remote_accounts_and_the_rpc_options() -> None:
    """The outbox runs in the node's engine process (services/engine_process.py): what it is sent
    crosses a pipe (pickled), and its keyring signs through the same signers."""
    import pickle

    from gpid_node.chain.transport import RpcOptions
    from gpid_node.services.engine_process import EngineSpec, _keyring_of

    account, token = "0x" + "12" * 20, "engine-" + os.urandom(8).hex()
    spec = EngineSpec(database="sqlite://", rpc_url="http://127.0.0.1:8545", deployment=None, fee_mode="auto",  # type: ignore[arg-type]
                      keys=[], encryption_keys=[], batch_size=1, confirmations=0, poll_s=0.1, log_level="info", log_format="json",
                      rpc_options=RpcOptions(bearer_token=token), remote_signers={account: "http://127.0.0.1:9000"})  # fmt: skip
    sent = pickle.loads(pickle.dumps(spec))
    assert sent.rpc_options.bearer_token == token and token not in repr(spec)
    keyring = _keyring_of(sent)
    remote = keyring.get(keyring.addresses[0])
    assert isinstance(remote, RemoteAccount) and remote.url == "http://127.0.0.1:9000" and keyring.private_keys() == []


@pytest.mark.parametrize("fees", [{"gasPrice": 0}, {"gasPrice": 7}, {"maxFeePerGas": 0, "maxPriorityFeePerGas": 0}])
def test_legacy_zero_gas_and_eip1559_transactions_are_signed_and_checked(registry: Any, signer: Signer, fees: dict[str, int]) -> None:
    """Free-gas networks (Besu with zeroBaseFee, GoQuorum) take legacy transactions at gas price 0:
    the signer's answer is decoded and checked in each form, and recovers to the account."""
    from eth_account import Account

    account = RemoteAccount(registry.people.seller.address, signer.url)
    tx = {"to": registry.client.address, "data": b"\x01\x02", "nonce": 5, "gas": 50_000, "chainId": 31337, "value": 0, **fees}
    signed = account.sign_transaction(tx)
    assert Account.recover_transaction(signed.raw_transaction) == registry.people.seller.address
    assert signed.raw_transaction == registry.people.seller.sign_transaction(tx).raw_transaction  # what a local key would sign
