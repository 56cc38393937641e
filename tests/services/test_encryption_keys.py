"""Publishing and rotating the accounts' encryption keys, on a real anvil: each account's current
key is what the registry's ``encryptionKeyOf`` names, sent only when the chain names another."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from gpid_node.chain.keystore import EncryptionKeyring, EncryptionKeystore, Keyring, create_keystore
from gpid_node.domain.canonical import keccak
from gpid_node.domain.encryption_keys import EncryptionKeyPair
from gpid_node.services.encryption_keys import key_statuses, publish_current_keys, rotate_key
from gpid_node.services.engine_process import EngineSpec
from gpid_node.services.node import open_node
from gpid_node.settings import Settings


def test_an_account_without_a_published_key_has_none_on_chain(registry: Any) -> None:
    assert registry.client.encryption_key_of(Account.create().address) is None


def test_keys_are_published_once_and_a_second_round_sends_nothing(registry: Any) -> None:
    people = registry.people
    keyring = Keyring({"seller": people.seller, "broker": people.broker})
    sent = publish_current_keys(registry.client, keyring)
    assert sorted(sent) == sorted([people.seller.address, people.broker.address])
    for account in (people.seller.address, people.broker.address):
        pair = keyring.encryption.current(account)
        assert pair is not None
        assert registry.client.encryption_key_of(account) == (pair.public_bytes, keccak(pair.public_bytes))
    head = registry.client.block_number()
    assert publish_current_keys(registry.client, keyring) == {}
    assert registry.client.block_number() == head, "nothing is sent when the chain names the current keys"


def test_an_account_that_cannot_pay_is_skipped_and_the_others_published(registry: Any) -> None:
    poor = Account.create()  # no ether: anvil refuses its transaction
    keyring = Keyring({"poor": poor, "seller": registry.people.seller})
    sent = publish_current_keys(registry.client, keyring)
    assert list(sent) == [registry.people.seller.address]
    assert registry.client.encryption_key_of(poor.address) is None


def test_a_node_publishes_its_keys_when_it_starts_and_not_again_on_restart(registry: Any, chain: Any, tmp_path: Path) -> None:
    registry.deployment.write(tmp_path / "deployment.json")
    settings = Settings(data_dir=tmp_path, rpc_url=chain.url, poll_interval_s=0.02)
    pair = EncryptionKeyPair.generate()
    keyring = Keyring({"buyer": registry.people.buyer}, EncryptionKeyring({registry.people.buyer.address: [pair]}))
    for start in (1, 2):
        head = registry.client.block_number()
        node = open_node(settings, keyring).start()
        try:
            assert registry.client.encryption_key_of(registry.people.buyer.address) == (pair.public_bytes, pair.key_id)
            sent = registry.client.block_number() - head
        finally:
            node.stop()
            node.store.dispose()
        assert sent == (1 if start == 1 else 0), f"start {start} sent {sent} transactions"


@pytest.fixture
def keys_folder(tmp_path: Path, registry: Any) -> Iterator[tuple[Path, Keyring]]:
    folder = tmp_path / "keys"
    create_keystore(folder / "seller.json", "pw", registry.people.seller.key, scrypt_n=2**4)
    yield folder, Keyring.load(folder, "pw")


def test_rotation_publishes_the_new_key_and_keeps_the_old_one(registry: Any, keys_folder: tuple[Path, Keyring]) -> None:
    folder, keyring = keys_folder
    seller = registry.people.seller.address
    publish_current_keys(registry.client, keyring)
    old = keyring.encryption.current(seller)
    assert old is not None
    rotated = rotate_key(registry.client, keyring, EncryptionKeystore(folder, "pw"), seller)
    assert rotated["published"] is True and rotated["transaction"] and rotated["keys"] == 2
    new = keyring.encryption.current(seller)
    assert new is not None and rotated["key_id"] == "0x" + new.key_id.hex() != "0x" + old.key_id.hex()
    assert registry.client.encryption_key_of(seller) == (new.public_bytes, new.key_id)
    statuses = key_statuses(registry.client, keyring)
    assert [(s.key_id, s.current, s.published) for s in statuses] == [
        ("0x" + old.key_id.hex(), False, False), ("0x" + new.key_id.hex(), True, True)]  # fmt: skip
    reloaded = Keyring.load(folder, "pw")
    assert set(reloaded.encryption.holders()) == {old.key_id, new.key_id}, "the old key stays for the data wrapped to it"


def test_the_engine_spec_carries_the_encryption_keys_and_never_shows_them(registry: Any, chain: Any, tmp_path: Path) -> None:
    registry.deployment.write(tmp_path / "deployment.json")
    settings = Settings(data_dir=tmp_path, rpc_url=chain.url)
    keyring = Keyring({"seller": registry.people.seller})
    keyring.encryption.add(registry.people.seller.address, EncryptionKeyPair.generate())  # a rotated one
    node = open_node(settings, keyring)
    try:
        spec = EngineSpec.of(node.engines, settings)
    finally:
        node.store.dispose()
    assert spec.encryption_keys == keyring.encryption.private_keys()
    rebuilt = EncryptionKeyring.of_private_keys(spec.encryption_keys)
    assert set(rebuilt.holders()) == set(keyring.encryption.holders())
    shown = repr(spec)
    assert "encryption_keys=2" in shown
    for _, raws in spec.encryption_keys:
        assert all(raw.hex() not in shown for raw in raws)
    assert all(key.hex() not in shown for key in spec.keys)


def test_an_unreachable_chain_postpones_the_publication_without_failing(registry: Any) -> None:
    from gpid_node.chain.client import RegistryClient
    from gpid_node.chain.devchain import free_port

    down = RegistryClient.connect(f"http://127.0.0.1:{free_port()}", registry.deployment.registry)
    assert publish_current_keys(down, Keyring({"seller": registry.people.seller})) == {}
