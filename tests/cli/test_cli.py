"""The command line as an operator uses it, against a real development chain."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from gpid_node.services.devmode import DEV_PASSWORD
from gpid_node.domain.samples import sample_key_data_set
from gpid_node.store.database import Store
from gpid_node.store.tables import OutboxEntry
from support.cli import cli, register_sample

pytestmark = pytest.mark.slow


def test_register_prints_the_gpid_and_show_and_history_read_it_back(dev_folder: Any, tmp_path: Path) -> None:
    data_dir, seller = dev_folder
    gpid = register_sample(data_dir, seller, tmp_path, "CLI-1", 2)
    shown = cli(data_dir, "show", gpid, "--data-dir", str(data_dir))
    assert shown.returncode == 0, shown.stderr
    body = json.loads(shown.stdout)
    assert body["integrity"]["verified"] is True and body["data"]["invoice"]["number"] == "CLI-1"
    history = json.loads(cli(data_dir, "history", gpid.lower(), "--data-dir", str(data_dir)).stdout)
    assert [v["version"] for v in history["versions"]] == [1]


def test_register_with_bad_data_names_every_field_and_writes_nothing(dev_folder: Any, tmp_path: Path) -> None:
    data_dir, seller = dev_folder
    bad = sample_key_data_set("CLI-BAD", lines=2)
    bad["goods"][0]["hs_code"] = "999999"
    bad["goods"][1]["currency"] = "euro"
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(bad))
    store = Store(f"sqlite:///{data_dir / 'index.sqlite3'}")
    store.migrate()  # as the node does on start: this test may be the first to open the folder
    with store.session() as session:
        before = session.scalar(select(func.count()).select_from(OutboxEntry))
    result = cli(data_dir, "register", str(source), "--data-dir", str(data_dir), "--as", seller)
    assert result.returncode == 2
    assert "goods[0].hs_code" in result.stderr and "goods[1].currency" in result.stderr
    assert "Traceback" not in result.stderr
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == before


def test_a_wrong_setting_is_named(dev_folder: Any) -> None:
    data_dir, _ = dev_folder
    result = cli(data_dir, "keys", "list", "--data-dir", str(data_dir), GPID_CONFIRMATIONS="many")
    assert result.returncode == 2
    assert "GPID_CONFIRMATIONS" in result.stderr


def test_show_with_a_mistyped_gpid_explains_the_check_character(dev_folder: Any) -> None:
    data_dir, _ = dev_folder
    from gpid_node.domain.gpid import GPID

    text = str(GPID(bytes(range(16))))
    typo = text[:-1] + ("0" if text[-1] != "0" else "1")
    result = cli(data_dir, "show", typo, "--data-dir", str(data_dir))
    assert result.returncode == 2 and "check character" in result.stderr


def test_encryption_keys_are_listed_and_rotate_publishes_the_new_key_keeping_the_old(dev_folder: Any) -> None:
    from gpid_node.chain.client import RegistryClient
    from gpid_node.chain.deploy import Deployment
    from gpid_node.chain.keystore import Keyring

    data_dir, _ = dev_folder
    customs_fr = Keyring.load(data_dir / "keys", DEV_PASSWORD)  # the demo keys as the CLI loads them
    deployment = Deployment.read(data_dir / "deployment.json")
    rpc_url = next(line.split('"')[1] for line in (data_dir / "node.toml").read_text().splitlines() if line.startswith("rpc_url"))
    client = RegistryClient.connect(rpc_url, deployment.registry)
    account = next(a for a in customs_fr.addresses if client.customs_country_of(a) == "FR")
    old = customs_fr.encryption.current(account)
    assert old is not None and client.encryption_key_of(account) == (old.public_bytes, old.key_id)

    listed = cli(data_dir, "keys", "encryption", "list", "--json", "--data-dir", str(data_dir))
    assert listed.returncode == 0, listed.stderr
    mine = [k for k in json.loads(listed.stdout)["keys"] if k["account"] == account]
    assert mine == [{"account": account, "key_id": "0x" + old.key_id.hex(), "public_key": "0x" + old.public_bytes.hex(),
                     "current": True, "published": True}]  # fmt: skip

    rotated = cli(data_dir, "keys", "encryption", "rotate", "--account", account, "--data-dir", str(data_dir))
    assert rotated.returncode == 0, rotated.stderr
    result = json.loads(rotated.stdout)
    assert result["published"] is True and result["keys"] == 2 and result["key_id"] != "0x" + old.key_id.hex()
    on_chain = client.encryption_key_of(account)
    assert on_chain is not None and "0x" + on_chain[1].hex() == result["key_id"]
    after = Keyring.load(data_dir / "keys", DEV_PASSWORD)
    assert [p.key_id for p in after.encryption.keys_of(account)] == [old.key_id, on_chain[1]], "the old key stays"
    listed = json.loads(cli(data_dir, "keys", "encryption", "list", "--json", "--data-dir", str(data_dir)).stdout)
    assert [(k["current"], k["published"]) for k in listed["keys"] if k["account"] == account] == [(False, False), (True, True)]


def test_rotate_beside_a_running_node_only_saves_the_key_and_leaves_sending_to_the_node(dev_folder: Any) -> None:
    """With the folder held (as a running `serve` or `dev` holds it) the command sends nothing: the node's
    outbox is the account's one writer (tests/e2e/test_key_rotation.py shows a real node publishing it).
    Here no node takes it on, so the command says so after --wait seconds."""
    from gpid_node.chain.client import RegistryClient
    from gpid_node.chain.deploy import Deployment
    from gpid_node.chain.keystore import EncryptionKeystore
    from gpid_node.store.lease import lock_file

    data_dir, seller = dev_folder
    deployment = Deployment.read(data_dir / "deployment.json")
    rpc_url = next(line.split('"')[1] for line in (data_dir / "node.toml").read_text().splitlines() if line.startswith("rpc_url"))
    client = RegistryClient.connect(rpc_url, deployment.registry)
    keystore = EncryptionKeystore(data_dir / "keys", DEV_PASSWORD)
    before, head = keystore.load(seller) or [], client.block_number()
    lock = lock_file(data_dir / "node.lock")
    assert lock is not None
    try:
        unnamed = cli(data_dir, "keys", "encryption", "rotate", "--data-dir", str(data_dir))
        result = cli(data_dir, "keys", "encryption", "rotate", "--account", seller, "--wait", "1", "--data-dir", str(data_dir))
    finally:
        os.close(lock)
    assert unnamed.returncode == 2 and "--account" in unnamed.stderr and "choose the account" in " ".join(unnamed.stderr.split())
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    after = keystore.load(seller) or []
    assert [p.public_bytes for p in after[:-1]] == [p.public_bytes for p in before] and len(after) == len(before) + 1
    assert answer["key_id"] == "0x" + after[-1].key_id.hex() and answer["keys"] == len(after)
    assert (answer["published"], answer["indexed"]) == (False, False) and "running node" in answer["note"]
    assert client.block_number() == head, "nothing was sent from the command line"


def test_init_creates_the_encryption_key_with_the_node_key_and_prints_it(tmp_path: Path) -> None:
    from gpid_node.chain.keystore import Keyring

    data_dir = tmp_path / "fresh"
    result = cli(data_dir, "init", "--data-dir", str(data_dir), "--password", "init password")
    assert result.returncode == 0, result.stderr
    keyring = Keyring.load(data_dir / "keys", "init password", node_keystore=data_dir / "keystore.json")
    (account,) = keyring.addresses
    pair = keyring.encryption.current(account)
    assert pair is not None and f"encryption key 0x{pair.public_bytes.hex()}" in result.stdout
    assert (data_dir / "keys" / "encryption" / f"{account}.json").is_file()
