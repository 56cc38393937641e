"""The indexer and format-2 payloads this node wrote itself (services/own_payloads.py), on a real
anvil into real SQLite and PostgreSQL: a registration or amendment whose payload and commitments are
byte for byte those of an outbox entry about the same GPID is read without the Merkle check and gives
the rows a full check gives; one byte of payload or commitments off, or another GPID, and it is
checked in full and refused as before."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import event
from support.builders import SELLER_TRADER_ID, amended, key_data_set
from support.recipients import issuer_key, recipient_keys
from support.invoice_keys import gpid_of as gpid_of_invoice
from support.invoice_keys import invoice_key

from gpid_node.chain.keystore import EncryptionKeyring
from gpid_node.chain.writes import Amend, Register
from gpid_node.domain import canonical, merkle, payload_crypto
from gpid_node.domain.encryption_keys import EncryptionKeyPair
from gpid_node.domain.gpid import GPID
from gpid_node.services.indexer import Indexer
from gpid_node.services.outbox import Outbox
from gpid_node.store import queries
from gpid_node.store.database import Store

SEED = b"\x33" * 32


@dataclass
class Written:
    """One format-2 GPID as written on chain: what an outbox entry of this node would hold."""

    gpid: GPID
    binding: payload_crypto.Binding
    content_key: bytes
    number: bytes  # the invoice key
    payload: bytes
    commitments: tuple[bytes, ...]


def prepare(registry: Any, data: dict[str, Any], key: EncryptionKeyPair) -> Written:
    client, seller = registry.client, registry.people.seller
    number = invoice_key(canonical.trader_key(SELLER_TRADER_ID), data["invoice"]["number"])  # what register sends
    gpid = gpid_of_invoice(client, canonical.trader_key(SELLER_TRADER_ID), data["invoice"]["number"])
    binding = payload_crypto.Binding(client.chain_id, client.address, gpid)
    content_key = secrets.token_bytes(32)
    wrapped = recipient_keys(content_key, issuer_key(client, seller), [(seller.address, key.public_bytes)], binding)
    payload = payload_crypto.build_payload(data, SEED, content_key, binding, 1, wrapped)
    return Written(gpid, binding, content_key, number, payload, merkle.commitments_v2(data, SEED).as_tuple())


def register(registry: Any, written: Written, payload: bytes | None = None, commitments: tuple[bytes, ...] | None = None) -> None:
    registry.client.transact(registry.people.seller, "register", written.number, commitments or written.commitments, payload or written.payload)


def record(store: Store, sender: str, write: Register | Amend, gpid: GPID) -> None:
    with store.transaction() as connection:
        Outbox.record(connection, sender, write, gpid.hex)


def flip_last(payload: bytes) -> bytes:
    return payload[:-1] + bytes([payload[-1] ^ 1])


@pytest.fixture
def merkle_checks(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The data sets whose commitments are computed from here on (the Merkle check of the indexer)."""
    computed: list[dict[str, Any]] = []
    original = merkle.commitments_v2

    def spy(data: dict[str, Any], seed: bytes) -> canonical.Commitments:
        computed.append(data)
        return original(data, seed)

    monkeypatch.setattr(merkle, "commitments_v2", spy)
    return computed


def sync(registry: Any, store: Store, key: EncryptionKeyPair) -> None:
    keyring = EncryptionKeyring({registry.people.seller.address: [key]})
    Indexer(store, registry.client, start_block=registry.deployment.block, encryption=keyring, precheck_workers=0).sync()


def stored(store: Store, gpid: GPID) -> tuple[Any, list[Any]]:
    with store.session() as session:
        row = queries.key_data_set(session, gpid.hex)
        assert row is not None
        return row, queries.versions(session, gpid.hex)


def test_our_own_registration_and_amendment_are_read_without_the_merkle_check_and_index_alike(
    registry: Any, make_store: Callable[[], Store], same_index: Callable[[Store, Store], None], merkle_checks: list[dict[str, Any]]
) -> None:
    key, seller = EncryptionKeyPair.generate(), registry.people.seller.address
    v1 = key_data_set(invoice_number="OWN-1", lines=3)
    written = prepare(registry, v1, key)
    register(registry, written)
    v2 = amended(v1, **{"goods.1.value": "77.00"})
    after = merkle.commitments_v2(v2, SEED).as_tuple()
    payload2 = payload_crypto.build_payload(v2, SEED, written.content_key, written.binding, 2)
    amendment = Amend(written.gpid, written.commitments, after, 2, "price corrected", payload2)
    registry.client.transact(registry.people.seller, "amend", *amendment.call().args)
    own, fresh = make_store(), make_store()
    record(own, seller, Register(written.number, written.commitments, written.payload), written.gpid)
    record(own, seller, amendment, written.gpid)
    merkle_checks.clear()

    sync(registry, own, key)
    assert merkle_checks == [], "neither version was checked against its commitments again"
    row, (first, second) = stored(own, written.gpid)
    assert (row.readable, row.integrity_ok, row.current_version) == (True, True, 2)
    assert (row.content_key, row.seed) == ("0x" + written.content_key.hex(), "0x" + SEED.hex())
    assert (first.data, second.data, second.changed_fields) == (v1, v2, ["goods[1].value"])

    sync(registry, fresh, key)
    assert merkle_checks == [v1, v2], "without the outbox entries (a re-index of the chain), both are checked"
    same_index(own, fresh)


def test_a_payload_or_commitments_one_byte_off_ours_or_another_gpids_are_checked_in_full_and_refused(
    registry: Any, store: Store, merkle_checks: list[dict[str, Any]]
) -> None:
    key, seller = EncryptionKeyPair.generate(), registry.people.seller.address
    # on chain: our payload with one bit flipped; in the outbox: the payload as prepared
    tampered = prepare(registry, key_data_set(invoice_number="OWN-T"), key)
    register(registry, tampered, payload=flip_last(tampered.payload))
    record(store, seller, Register(tampered.number, tampered.commitments, tampered.payload), tampered.gpid)
    # on chain: our payload under commitments of other data; in the outbox: the commitments as prepared
    data = key_data_set(invoice_number="OWN-C")
    recommitted = prepare(registry, data, key)
    other = merkle.commitments_v2(amended(data, **{"goods.0.value": "1.00"}), SEED).as_tuple()
    register(registry, recommitted, commitments=other)
    record(store, seller, Register(recommitted.number, recommitted.commitments, recommitted.payload), recommitted.gpid)
    # in the outbox: exactly what is on chain, but recorded about another GPID
    foreign = prepare(registry, key_data_set(invoice_number="OWN-F"), key)
    register(registry, foreign)
    elsewhere = prepare(registry, key_data_set(invoice_number="OWN-E"), key).gpid
    record(store, seller, Register(foreign.number, foreign.commitments, foreign.payload), elsewhere)
    merkle_checks.clear()

    sync(registry, store, key)
    for written, text in (
        (tampered, "does not decrypt as version 1"),
        (recommitted, "does not match the commitments on chain (differing: goods)"),
    ):
        row, (first,) = stored(store, written.gpid)
        assert not row.integrity_ok and not first.integrity_ok
        assert text in (first.integrity_problem or ""), first.integrity_problem
    assert data in merkle_checks, "our payload under commitments we did not record was checked"
    row, (first,) = stored(store, foreign.gpid)
    assert row.integrity_ok and first.data is not None and first.data in merkle_checks, "checked, although its bytes are ours"


def test_an_amendment_differing_from_the_one_we_recorded_is_checked_in_full_and_refused(
    registry: Any, store: Store, merkle_checks: list[dict[str, Any]]
) -> None:
    key, seller = EncryptionKeyPair.generate(), registry.people.seller.address
    v1 = key_data_set(invoice_number="OWN-A")
    written = prepare(registry, v1, key)
    register(registry, written)
    record(store, seller, Register(written.number, written.commitments, written.payload), written.gpid)
    v2 = amended(v1, **{"goods.0.value": "9.00"})
    after = merkle.commitments_v2(v2, SEED).as_tuple()
    ours = Amend(written.gpid, written.commitments, after, 2, "price", payload_crypto.build_payload(v2, SEED, written.content_key, written.binding, 2))
    record(store, seller, ours, written.gpid)
    sent = payload_crypto.build_payload(amended(v2, **{"goods.0.value": "9.50"}), SEED, written.content_key, written.binding, 2)
    registry.client.transact(registry.people.seller, "amend", written.gpid.raw, written.commitments, after, 2, "price", sent)
    merkle_checks.clear()

    sync(registry, store, key)
    row, (first, second) = stored(store, written.gpid)
    assert first.integrity_ok and not second.integrity_ok and not row.integrity_ok
    assert "does not match the commitments on chain (differing: goods)" in (second.integrity_problem or "")
    assert len(merkle_checks) == 1, "the registration (ours) was not checked again, the amendment (not ours) was"


def test_the_own_registrations_of_a_block_are_looked_up_in_the_outbox_at_once(
    registry: Any, store: Store, merkle_checks: list[dict[str, Any]]
) -> None:
    key, seller = EncryptionKeyPair.generate(), registry.people.seller.address
    written = [prepare(registry, key_data_set(invoice_number=f"OWN-B{i}"), key) for i in range(4)]
    registry.client.transact(registry.people.seller, "registerBatch",
                             [Register(w.number, w.commitments, w.payload).batch_item() for w in written])  # fmt: skip
    for w in written:
        record(store, seller, Register(w.number, w.commitments, w.payload), w.gpid)
    asked: list[str] = []

    def outbox_reads(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FROM outbox" in statement:
            asked.append(statement)

    merkle_checks.clear()
    event.listen(store.engine, "before_cursor_execute", outbox_reads)
    try:
        sync(registry, store, key)
    finally:
        event.remove(store.engine, "before_cursor_execute", outbox_reads)
    assert merkle_checks == [], "all four were recognised as ours"
    assert len(asked) == 1, asked
    for w in written:
        row, (first,) = stored(store, w.gpid)
        assert row.integrity_ok and first.data is not None
