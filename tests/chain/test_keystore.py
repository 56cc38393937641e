"""The keystore folder: signing keystores and, beside them, each account's encryption key file
(``keys/encryption/<address>.json``) and each seller trader's secret (``keys/traders/<trader
key>.json``), sealed with the keystore password."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from gpid_node.chain.keystore import (
    EncryptionKeystore,
    Keyring,
    TraderSecrets,
    create_keystore,
    keystore_scrypt_n,
)
from gpid_node.domain.encryption_keys import EncryptionKeyPair
from gpid_node.domain.errors import ValidationFailed

LIGHT = 2**4  # scrypt cost of the test keys: fast
PASSWORD = "keystore password 42"


def test_encryption_keys_round_trip_and_a_wrong_password_is_refused(tmp_path: Path) -> None:
    store = EncryptionKeystore(tmp_path, PASSWORD, scrypt_n=LIGHT)
    account = "0x" + "ab" * 20
    pairs = [EncryptionKeyPair.generate(), EncryptionKeyPair.generate()]
    path = store.save(account, pairs)
    assert path == tmp_path / "encryption" / f"{store.path_of(account).name}"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = store.load(account)
    assert loaded is not None
    assert [p.private_bytes for p in loaded] == [p.private_bytes for p in pairs]
    text = path.read_text()
    assert all(p.private_bytes.hex() not in text for p in pairs), "private keys are sealed, never in clear"
    assert json.loads(text)["keys"][1]["public_key"] == "0x" + pairs[1].public_bytes.hex()
    with pytest.raises(ValidationFailed, match="wrong password") as refused:
        EncryptionKeystore(tmp_path, "not the password").load(account)
    assert refused.value.problems[0].path == "keystore_password"
    assert store.load("0x" + "cd" * 20) is None


def test_a_key_moved_to_another_account_or_tampered_with_is_refused(tmp_path: Path) -> None:
    store = EncryptionKeystore(tmp_path, PASSWORD, scrypt_n=LIGHT)
    first, second = "0x" + "11" * 20, "0x" + "22" * 20
    store.save(first, [EncryptionKeyPair.generate()])
    store.save(second, [EncryptionKeyPair.generate()])
    document = json.loads(store.path_of(first).read_text())
    document["keys"] = json.loads(store.path_of(second).read_text())["keys"]  # the other account's sealed keys
    store.path_of(first).write_text(json.dumps(document))
    with pytest.raises(ValidationFailed):
        store.load(first)
    store.path_of(second).write_text("{not json")
    with pytest.raises(ValidationFailed, match="not an encryption key file"):
        store.load(second)


def test_rotation_keeps_the_old_keys_and_the_keyring_holds_both(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    account = create_keystore(keys / "seller.json", PASSWORD, scrypt_n=LIGHT)
    first = Keyring.load(keys, PASSWORD).encryption.current(account.address)
    assert first is not None
    new = EncryptionKeystore(keys, PASSWORD).rotate(account.address)
    keyring = Keyring.load(keys, PASSWORD)
    assert [p.key_id for p in keyring.encryption.keys_of(account.address)] == [first.key_id, new.key_id]
    current = keyring.encryption.current(account.address)
    assert current is not None and current.key_id == new.key_id
    holders = keyring.encryption.holders()
    assert holders[first.key_id][0] == account.address and holders[new.key_id][0] == account.address
    document = json.loads(EncryptionKeystore(keys, PASSWORD).path_of(account.address).read_text())
    assert document["kdf"]["n"] == LIGHT, "a rotation keeps the file's scrypt cost"


def test_a_folder_without_encryption_keys_is_upgraded_once(tmp_path: Path) -> None:
    # A data folder of before encryption keys: a node key and one more keystore in keys/, nothing else.
    keys = tmp_path / "keys"
    other = create_keystore(keys / "broker.json", PASSWORD, scrypt_n=LIGHT)
    node = create_keystore(tmp_path / "keystore.json", PASSWORD, scrypt_n=LIGHT)
    assert not (keys / "encryption").exists()
    keyring = Keyring.load(keys, PASSWORD, node_keystore=tmp_path / "keystore.json")
    assert keyring.addresses == sorted([other.address, node.address])
    assert sorted(keyring.encryption.accounts) == sorted([other.address, node.address])
    files = sorted(p.name for p in (keys / "encryption").iterdir())
    assert files == sorted(f"{a}.json" for a in (other.address, node.address))
    assert json.loads((keys / "encryption" / f"{node.address}.json").read_text())["kdf"]["n"] == LIGHT, (
        "sealed as strongly as the account's signing keystore"
    )
    again = Keyring.load(keys, PASSWORD, node_keystore=tmp_path / "keystore.json")
    for address in (other.address, node.address):
        assert [p.key_id for p in again.encryption.keys_of(address)] == [p.key_id for p in keyring.encryption.keys_of(address)]
    # The encryption folder is not read as signing keystores.
    assert len(again.addresses) == 2


def test_a_wrong_password_for_the_encryption_keys_stops_the_load(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    account = create_keystore(keys / "seller.json", PASSWORD, scrypt_n=LIGHT)
    Keyring.load(keys, PASSWORD)
    EncryptionKeystore(keys, "another").save(account.address, [EncryptionKeyPair.generate()], scrypt_n=LIGHT)
    with pytest.raises(ValidationFailed, match="wrong password"):
        Keyring.load(keys, PASSWORD)


def test_the_scrypt_cost_of_a_keystore_is_read_without_decrypting(tmp_path: Path) -> None:
    create_keystore(tmp_path / "k.json", PASSWORD, scrypt_n=2**5)
    assert keystore_scrypt_n(tmp_path / "k.json") == 2**5
    assert keystore_scrypt_n(tmp_path / "missing.json") == 2**18


def test_reprs_show_no_key(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    create_keystore(keys / "seller.json", PASSWORD, scrypt_n=LIGHT)
    keyring = Keyring.load(keys, PASSWORD)
    (address,) = keyring.addresses
    pair = keyring.encryption.current(address)
    account = keyring.get(address)
    assert pair is not None and account is not None
    shown = repr(keyring) + repr(EncryptionKeystore(keys, PASSWORD))
    assert pair.private_bytes.hex() not in shown and bytes(account.key).hex() not in shown and PASSWORD not in shown


TRADER = bytes.fromhex("4c255341bac9ddef87aeb9c5e9c29f1b13af84233e843e872b71bf9f329f1012")


def test_a_trader_secret_is_made_once_sealed_0600_and_loaded_by_every_keyring_of_the_folder(tmp_path: Path) -> None:
    create_keystore(tmp_path / "seller.json", PASSWORD, scrypt_n=LIGHT)
    first = Keyring.load(tmp_path, PASSWORD)
    assert TRADER not in first.traders
    secret = first.traders.ensure(TRADER)
    assert len(secret) == 32 and first.traders.ensure(TRADER) == secret
    path = tmp_path / "traders" / f"0x{TRADER.hex()}.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret.hex() not in path.read_text() and json.loads(path.read_text())["trader_key"] == "0x" + TRADER.hex()
    # a restart, or a new account of the same trader on this node: the same secret, so the same invoice keys
    create_keystore(tmp_path / "seller-new.json", PASSWORD, scrypt_n=LIGHT)
    assert Keyring.load(tmp_path, PASSWORD).traders.get(TRADER) == secret


def test_a_trader_secret_under_a_wrong_password_or_moved_to_another_trader_is_refused(tmp_path: Path) -> None:
    TraderSecrets(tmp_path / "traders", PASSWORD, scrypt_n=LIGHT).ensure(TRADER)
    with pytest.raises(ValidationFailed, match="wrong password"):
        TraderSecrets.load(tmp_path, "another password")
    path = tmp_path / "traders" / f"0x{TRADER.hex()}.json"
    path.rename(tmp_path / "traders" / f"0x{'11' * 32}.json")
    with pytest.raises(ValidationFailed, match="another trader key"):
        TraderSecrets.load(tmp_path, PASSWORD)


def test_trader_secrets_in_memory_are_made_per_trader_and_never_shown() -> None:
    traders = TraderSecrets()
    one, two = traders.ensure(TRADER), traders.ensure(b"\x01" * 32)
    assert one != two and traders.get(TRADER) == one
    assert one.hex() not in repr(traders) and one.hex() not in repr(Keyring(traders=traders))
