"""A key rotated into the keystore while the node runs, on a real anvil: the node takes it on, hands it
to its engines before anything is published, and publishes it through its own outbox, once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.waiting import wait_until

from gpid_node.chain.keystore import EncryptionKeystore, Keyring, create_keystore
from gpid_node.chain.writes import PublishEncryptionKey, write_from_json
from gpid_node.domain import errors as e
from gpid_node.services.key_rotations import KeyRotations
from gpid_node.services.node import Node, open_node
from gpid_node.settings import Settings
from gpid_node.store import outbox_queries
from gpid_node.store.tables import MINED, OutboxEntry

PASSWORD = "pw"


@dataclass
class Running:
    node: Node
    settings: Settings
    keystore: EncryptionKeystore
    seller: str


@pytest.fixture
def running(registry: Any, chain: Any, tmp_path: Path) -> Iterator[Running]:
    """A node with its keys in a folder (the seller's), its engines running as threads; its own key
    watcher is not started (the tests call :meth:`KeyRotations.check` themselves)."""
    registry.deployment.write(tmp_path / "deployment.json")
    create_keystore(tmp_path / "keys" / "seller.json", PASSWORD, registry.people.seller.key, scrypt_n=2**4)
    settings = Settings(data_dir=tmp_path, rpc_url=chain.url, poll_interval_s=0.02, keystore_password=PASSWORD,
                        engine_process=False)  # fmt: skip
    node = open_node(settings, Keyring.load(tmp_path / "keys", PASSWORD)).start()  # publishes the first key
    try:
        yield Running(node, settings, EncryptionKeystore(tmp_path / "keys", PASSWORD), registry.people.seller.address)
    finally:
        node.stop()
        node.store.dispose()


def _publications(node: Node) -> list[OutboxEntry]:
    with node.store.session() as session:
        return [x for x in session.query(OutboxEntry).order_by(OutboxEntry.id) if x.kind == PublishEncryptionKey.kind]


def test_a_rotated_key_is_held_then_published_through_the_outbox_once(running: Running) -> None:
    node, seller = running.node, running.seller
    seen: list[tuple[int, int]] = []  # (keys held, publications recorded) when the engines are handed the keys
    rotations = KeyRotations(running.keystore, node.keyring, node.store, node.outbox,
                             lambda a: (node.client.encryption_key_of(a) or (None,))[0],
                             lambda: seen.append((len(node.keyring.encryption.keys_of(seller)), len(_publications(node)))) is None)  # fmt: skip
    old = node.keyring.encryption.current(seller)
    assert old is not None
    assert rotations.check() == [], "the first look reads the files and finds nothing new"

    new = running.keystore.rotate(seller)  # what `keys encryption rotate` does beside a running node
    [rotation] = rotations.check()

    assert (rotation.account, rotation.key_id, rotation.keys) == (seller, "0x" + new.key_id.hex(), 2)
    assert [p.public_bytes for p in node.keyring.encryption.keys_of(seller)] == [old.public_bytes, new.public_bytes]
    assert seen == [(2, 0)], "the engines hold the new key before its publication is recorded"
    [entry] = node.outbox.wait([rotation.publication or 0], 30)
    assert entry.status == MINED
    [row] = _publications(node)
    assert (row.sender, write_from_json(row.kind, row.request)) == (seller, PublishEncryptionKey(new.public_bytes))
    assert node.client.encryption_key_of(seller) == (new.public_bytes, new.key_id)
    assert rotations.check() == [] and len(_publications(node)) == 1, "an unchanged file publishes nothing again"


def test_a_refused_hand_over_publishes_nothing_until_the_engines_hold_the_key(running: Running) -> None:
    node, seller = running.node, running.seller
    engines_answer = [False]
    rotations = KeyRotations(running.keystore, node.keyring, node.store, node.outbox,
                             lambda a: (node.client.encryption_key_of(a) or (None,))[0], lambda: engines_answer[0])  # fmt: skip
    rotations.check()
    new = running.keystore.rotate(seller)
    with pytest.raises(e.GPIDError, match="engine process did not confirm"):
        rotations.check()
    assert _publications(node) == []
    assert node.client.encryption_key_of(seller) != (new.public_bytes, new.key_id)

    engines_answer[0] = True
    [rotation] = rotations.check()  # the file did not change again: the publication is still owed
    [entry] = node.outbox.wait([rotation.publication or 0], 30)
    assert entry.status == MINED and node.client.encryption_key_of(seller) == (new.public_bytes, new.key_id)


def test_a_file_the_node_cannot_open_leaves_its_keys_as_they_are(running: Running) -> None:
    node, seller = running.node, running.seller
    rotations = node.key_rotations(running.settings)
    rotations.check()
    held = node.keyring.encryption.keys_of(seller)
    EncryptionKeystore(running.settings.data_dir / "keys", "another password").save(seller, [*held])
    assert rotations.check() == []
    running.keystore.path_of(seller).write_text("{not json")
    assert rotations.check() == []
    assert node.keyring.encryption.keys_of(seller) == held and _publications(node) == []


def test_a_chain_that_names_the_key_already_gets_no_transaction(running: Running) -> None:
    """A rotation published meanwhile (by the operator at onboarding, say) is held and not sent again."""
    node, seller = running.node, running.seller
    rotations = node.key_rotations(running.settings)
    rotations.check()
    new = running.keystore.rotate(seller)
    node.client.transact(node.keyring.get(seller), "publishEncryptionKey", new.public_bytes)
    [rotation] = rotations.check()
    assert rotation.publication is None and _publications(node) == []
    current = node.keyring.encryption.current(seller)
    assert current is not None and current.public_bytes == new.public_bytes


def test_the_node_watches_its_keystore_while_it_runs(registry: Any, chain: Any, tmp_path: Path) -> None:
    """``Node.start`` with settings starts the watcher: a rotation reaches the chain with no call from here."""
    registry.deployment.write(tmp_path / "deployment.json")
    create_keystore(tmp_path / "keys" / "seller.json", PASSWORD, registry.people.seller.key, scrypt_n=2**4)
    settings = Settings(data_dir=tmp_path, rpc_url=chain.url, poll_interval_s=0.02, keystore_password=PASSWORD,
                        engine_process=False)  # fmt: skip
    node = open_node(settings, Keyring.load(tmp_path / "keys", PASSWORD)).start(settings)
    try:
        seller = registry.people.seller.address
        new = EncryptionKeystore(tmp_path / "keys", PASSWORD).rotate(seller)
        wait_until(lambda: bool(_publications(node)), timeout_s=30, what="the node to record the publication")
        ids = [x.id for x in _publications(node)]
        [entry] = node.outbox.wait(ids, 30)
        assert entry.status == MINED and node.client.encryption_key_of(seller) == (new.public_bytes, new.key_id)
        assert outbox_queries.depth(node.store) == 0
    finally:
        node.stop()
        node.store.dispose()
