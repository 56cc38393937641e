"""The indexer and format-2 (encrypted) key data sets on a real anvil, into real SQLite and
PostgreSQL: a node reads what its encryption keys open and only the public facts of the rest;
ciphertexts and commitments that do not match are integrity failures that do not stop it; a grant
to one of its accounts opens the versions indexed before; a rotated key keeps old versions readable;
the new event tables are indexed, rewound and rebuilt alike."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from support.builders import BUYER_TRADER_ID, SELLER_TRADER_ID, amended, key_data_set
from support.recipients import ISSUER_KEY, issuer_key, recipient_keys, remember
from support.invoice_keys import gpid_of as gpid_of_invoice
from support.invoice_keys import invoice_key

from gpid_node.chain.client import RegistryClient
from gpid_node.chain.keystore import EncryptionKeyring
from gpid_node.domain import canonical, merkle, payload_crypto
from gpid_node.domain.encryption_keys import EncryptionKeyPair
from gpid_node.domain.gpid import GPID
from gpid_node.services.block_rows import ContentKeys
from gpid_node.services.indexer import Indexer
from gpid_node.store import queries
from gpid_node.store.database import Store
from gpid_node.store.tables import (
    AmendmentDelegateRow,
    CustomsAccountRow,
    EncryptionKeyRow,
    GrantRow,
    KeyDataSetRow,
    MandateRow,
)

SEED = b"\x22" * 32


def rpc(client: RegistryClient, method: str, *params: Any) -> Any:
    return client.w3.provider.make_request(method, list(params))["result"]


def gpid_of(client: RegistryClient, data: dict[str, Any]) -> GPID:
    return gpid_of_invoice(client, canonical.trader_key(SELLER_TRADER_ID), data["invoice"]["number"])


@dataclass
class Encrypted:
    """One format-2 GPID as a test writes it: its content key, seed and the versions' data."""

    gpid: GPID
    binding: payload_crypto.Binding
    content_key: bytes
    seed: bytes
    versions: list[dict[str, Any]]


def register2(
    registry: Any,
    data: dict[str, Any],
    recipients: list[tuple[str, EncryptionKeyPair]],
    *,
    payload_edit: Callable[[bytes], bytes] | None = None,
    commitments_of: dict[str, Any] | None = None,
    issuer: EncryptionKeyPair | None = None,
) -> Encrypted:
    """Registers ``data`` as format 2 with the content key wrapped for ``recipients``, hinted with the
    seller's published key (support.recipients.issuer_key)."""
    client = registry.client
    gpid = gpid_of(client, data)
    binding = payload_crypto.Binding(client.chain_id, client.address, gpid)
    content_key = secrets.token_bytes(32)
    wrapped = []
    if recipients:
        issuer = issuer or issuer_key(client, registry.people.seller)
        wrapped = recipient_keys(content_key, issuer, [(account, pair.public_bytes) for account, pair in recipients], binding)
    payload = payload_crypto.build_payload(data, SEED, content_key, binding, 1, wrapped)
    if payload_edit is not None:
        payload = payload_edit(payload)
    commitments = merkle.commitments_v2(commitments_of or data, SEED).as_tuple()
    key = invoice_key(canonical.trader_key(SELLER_TRADER_ID), data["invoice"]["number"])
    client.transact(registry.people.seller, "register", key, commitments, payload)
    return Encrypted(gpid, binding, content_key, SEED, [data])


def amend2(registry: Any, kds: Encrypted, after: dict[str, Any], reason: str = "price corrected", inside: str | None = None) -> None:
    """Amends ``kds`` to ``after`` with ``reason`` on chain and, when given, ``inside`` as the reason
    inside the payload (as the node writes it; without, as it wrote amendments before)."""
    version = len(kds.versions) + 1
    extra = None if inside is None else {payload_crypto.REASON_MEMBER: inside}
    payload = payload_crypto.build_payload(after, kds.seed, kds.content_key, kds.binding, version, extra=extra)
    before = merkle.commitments_v2(kds.versions[-1], kds.seed).as_tuple()
    registry.client.transact(
        registry.people.seller, "amend", kds.gpid.raw, before, merkle.commitments_v2(after, kds.seed).as_tuple(), 2, reason, payload
    )
    kds.versions.append(after)


def publish(registry: Any, account: Any, pair: EncryptionKeyPair) -> None:
    registry.client.transact(account, "publishEncryptionKey", remember(pair).public_bytes)


def grant(registry: Any, kds: Encrypted, grantee: str, pair: EncryptionKeyPair) -> Any:
    wrapped = payload_crypto.wrap_content_key(kds.content_key, pair.public_bytes, grantee, kds.binding)
    return registry.client.transact(registry.people.seller, "grantAccess", kds.gpid.raw, grantee, wrapped.to_bytes())


def indexer(registry: Any, store: Store, keyring: EncryptionKeyring | None) -> Indexer:
    return Indexer(store, registry.client, start_block=registry.deployment.block, encryption=keyring)


def stored(store: Store, gpid: GPID) -> tuple[KeyDataSetRow, list[Any]]:
    with store.session() as session:
        row = queries.key_data_set(session, gpid.hex)
        assert row is not None
        return row, queries.versions(session, gpid.hex)


# ------------------------------------------------------------------ reading what our keys open


def test_a_node_holding_a_recipient_key_reads_the_data_and_a_node_without_reads_public_facts(
    registry: Any, make_store: Callable[[], Store]
) -> None:
    seller, customs = registry.people.seller, registry.people.customs
    seller_key, customs_key = EncryptionKeyPair.generate(), EncryptionKeyPair.generate()
    v1 = key_data_set(lines=2)
    kds = register2(registry, v1, [(seller.address, seller_key), (customs.address, customs_key)])
    v2 = amended(v1, **{"goods.1.value": "2300.00", "buyer.address.city": "Tilbury"})
    amend2(registry, kds, v2)

    ours = make_store()
    indexer(registry, ours, EncryptionKeyring({customs.address: [customs_key]})).sync()
    row, (first, second) = stored(ours, kds.gpid)
    assert (row.format, row.readable, row.integrity_ok, row.current_version) == (2, True, True, 2)
    assert (row.content_key, row.seed) == ("0x" + kds.content_key.hex(), "0x" + SEED.hex())
    assert (row.seller_trader_id, row.buyer_trader_id, row.seller_country, row.buyer_country) == (
        SELLER_TRADER_ID, BUYER_TRADER_ID, "DE", "GB")  # fmt: skip
    assert (first.data, second.data) == (v1, v2)
    assert first.integrity_ok and second.integrity_ok and first.integrity_problem is None
    assert second.changed_fields == ["buyer.address.city", "goods[1].value"]
    assert first.payload is not None and first.payload[0] == 2 and first.salt == "0x" + SEED.hex()
    assert first.digest == "0x" + merkle.commitments_v2(v1, SEED).digest.hex()

    theirs = make_store()
    indexer(registry, theirs, EncryptionKeyring({registry.people.stranger.address: [EncryptionKeyPair.generate()]})).sync()
    row, (first, second) = stored(theirs, kds.gpid)
    assert (row.format, row.readable, row.content_key, row.seed, row.current_version) == (2, False, None, None, 2)
    assert row.integrity_ok, "a payload not for us is not an integrity failure"
    assert row.seller_trader_id == SELLER_TRADER_ID, "from the binding of the registering account"
    assert (row.buyer_trader_id, row.seller_country, row.invoice_number) == (None, None, None)
    assert (first.data, second.data, first.integrity_ok, second.integrity_ok) == (None, None, True, True)
    assert second.payload is not None and second.changed_fields == []

    nokeys = make_store()
    indexer(registry, nokeys, None).sync()
    assert stored(nokeys, kds.gpid)[0].readable is False


def test_a_tampered_ciphertext_or_wrong_commitments_are_integrity_failures_and_the_indexer_goes_on(
    registry: Any, store: Store
) -> None:
    seller = registry.people.seller
    key = EncryptionKeyPair.generate()
    mine = [(seller.address, key)]

    def flip_last(payload: bytes) -> bytes:
        return payload[:-1] + bytes([payload[-1] ^ 1])

    def flip_wrapped(payload: bytes) -> bytes:  # a byte of our wrapped key's HPKE ciphertext (its hint kept)
        at = 2 + 8 + 32 + 5
        return payload[:at] + bytes([payload[at] ^ 1]) + payload[at + 1 :]

    tampered = register2(registry, key_data_set(invoice_number="T-1"), mine, payload_edit=flip_last)
    unopened = register2(registry, key_data_set(invoice_number="T-2"), mine, payload_edit=flip_wrapped)
    other = key_data_set(invoice_number="T-3")
    mismatched = register2(registry, other, mine, commitments_of=amended(other, **{"goods.0.value": "1.00"}))
    fine = register2(registry, key_data_set(invoice_number="T-4"), mine)

    indexer(registry, store, EncryptionKeyring({seller.address: [key]})).sync()
    for kds, text in (
        (tampered, "does not decrypt as version 1"),
        (unopened, "does not open"),
        (mismatched, "does not match the commitments on chain (differing: goods)"),
    ):
        row, (first,) = stored(store, kds.gpid)
        assert not row.integrity_ok and not first.integrity_ok
        assert text in (first.integrity_problem or ""), first.integrity_problem
    row, (first,) = stored(store, mismatched.gpid)
    assert first.data == other and row.readable, "decrypted, but not what the chain committed to"
    row, (first,) = stored(store, fine.gpid)
    assert row.integrity_ok and row.readable and first.data == fine.versions[0]


def test_a_grant_to_our_account_opens_the_earlier_versions_and_later_amendments_decrypt(registry: Any, store: Store) -> None:
    people = registry.people
    seller_key, broker_key = EncryptionKeyPair.generate(), EncryptionKeyPair.generate()
    publish(registry, people.broker, broker_key)
    v1 = key_data_set(lines=2)
    kds = register2(registry, v1, [(people.seller.address, seller_key)])
    v2 = amended(v1, **{"goods.0.value": "999.00"})
    amend2(registry, kds, v2)
    broker_node = indexer(registry, store, EncryptionKeyring({people.broker.address: [broker_key]}))
    broker_node.sync()
    row, versions = stored(store, kds.gpid)
    assert not row.readable and [v.data for v in versions] == [None, None]

    grant(registry, kds, people.broker.address, broker_key)
    broker_node.sync()
    row, (first, second) = stored(store, kds.gpid)
    assert (row.readable, row.content_key, row.integrity_ok) == (True, "0x" + kds.content_key.hex(), True)
    assert (row.buyer_trader_id, row.seller_country, row.buyer_country, row.invoice_number) == (
        BUYER_TRADER_ID, "DE", "GB", v1["invoice"]["number"])  # fmt: skip
    assert (first.data, second.data) == (v1, v2) and first.integrity_ok and second.integrity_ok
    assert second.changed_fields == ["goods[0].value"]
    with store.session() as session:
        (granted,) = session.query(GrantRow).all()
        assert (granted.grantee, granted.granter, granted.active) == (people.broker.address, people.seller.address, True)

    v3 = amended(v2, **{"goods.1.value": "5.00"})
    amend2(registry, kds, v3)
    broker_node.sync()
    row, versions = stored(store, kds.gpid)
    assert versions[-1].data == v3 and versions[-1].integrity_ok and row.current_version == 3

    registry.client.transact(people.seller, "revokeAccess", kds.gpid.raw, people.broker.address)
    broker_node.sync()
    assert stored(store, kds.gpid)[0].readable, "what was shared stays shared"
    with store.session() as session:
        assert [g.active for g in session.query(GrantRow).order_by(GrantRow.block_number)] == [True, False]


def test_a_grant_and_a_registration_in_one_block_and_a_fresh_reindex_give_the_same_rows(
    registry: Any, make_store: Callable[[], Store], same_index: Callable[[Store, Store], None]
) -> None:
    people, client = registry.people, registry.client
    broker_key = EncryptionKeyPair.generate()
    publish(registry, people.broker, broker_key)
    keyring = EncryptionKeyring({people.broker.address: [broker_key]})
    live = make_store()
    node = indexer(registry, live, keyring)
    rpc(client, "evm_setAutomine", False)
    try:
        v1 = key_data_set(invoice_number="ONE-BLOCK")
        gpid = gpid_of(client, v1)
        binding = payload_crypto.Binding(client.chain_id, client.address, gpid)
        content_key = secrets.token_bytes(32)
        payload = payload_crypto.build_payload(v1, SEED, content_key, binding, 1)
        commitments = merkle.commitments_v2(v1, SEED).as_tuple()
        wrapped = payload_crypto.wrap_content_key(content_key, broker_key.public_bytes, people.broker.address, binding)
        nonce = client.next_nonce(people.seller.address)
        for n, (function, args) in enumerate((
            ("register", (invoice_key(canonical.trader_key(SELLER_TRADER_ID), "ONE-BLOCK"), commitments, payload)),
            ("grantAccess", (gpid.raw, people.broker.address, wrapped.to_bytes())),
        )):  # fmt: skip
            client.broadcast(client.sign(people.seller, client.encode(function, *args), nonce + n, 1_500_000).raw)
        rpc(client, "evm_mine")
    finally:
        rpc(client, "evm_setAutomine", True)
    node.sync()
    row, (first,) = stored(live, gpid)
    assert row.readable and first.data == v1 and first.integrity_ok

    fresh = make_store()
    indexer(registry, fresh, keyring).sync()
    same_index(live, fresh)


def test_a_rotated_key_keeps_old_versions_readable(registry: Any, store: Store) -> None:
    seller = registry.people.seller
    old, new = EncryptionKeyPair.generate(), EncryptionKeyPair.generate()
    publish(registry, seller, old)
    before = register2(registry, key_data_set(invoice_number="ROT-1"), [(seller.address, old)])
    publish(registry, seller, new)  # the rotation
    after = register2(registry, key_data_set(invoice_number="ROT-2"), [(seller.address, new)])
    keyring = EncryptionKeyring({seller.address: [old, new]})
    assert keyring.current(seller.address) == new
    indexer(registry, store, keyring).sync()
    for kds in (before, after):
        row, (first,) = stored(store, kds.gpid)
        assert row.readable and first.data == kds.versions[0] and first.integrity_ok
    with store.session() as session:
        keys = session.query(EncryptionKeyRow).order_by(EncryptionKeyRow.block_number).all()
        assert [(k.account, k.key_id, k.public_key) for k in keys] == [
            (seller.address, "0x" + pair.key_id.hex(), "0x" + pair.public_bytes.hex()) for pair in (old, new)
        ]


# ------------------------------------------------------------------ reasons in words


def reasons(store: Store, gpid: GPID) -> list[tuple[str | None, str | None]]:
    """(reason, chain_reason) of every version, oldest first."""
    return [(v.reason, v.chain_reason) for v in stored(store, gpid)[1]]


def test_a_reader_gets_the_reason_inside_the_payload_or_an_older_amendments_on_chain_and_a_node_without_the_key_none(
    registry: Any, make_store: Callable[[], Store]
) -> None:
    seller, customs = registry.people.seller, registry.people.customs
    seller_key, customs_key = EncryptionKeyPair.generate(), EncryptionKeyPair.generate()
    v1 = key_data_set(invoice_number="WHY-1")
    kds = register2(registry, v1, [(seller.address, seller_key), (customs.address, customs_key)])
    v2 = amended(v1, **{"goods.0.value": "14.10"})
    amend2(registry, kds, v2, reason="", inside="unit price corrected from 12.40 to 14.10 EUR")
    v3 = amended(v2, **{"goods.0.value": "15.00"})
    amend2(registry, kds, v3, reason="price corrected before reasons went inside")  # an amendment written before

    reader = make_store()
    indexer(registry, reader, EncryptionKeyring({customs.address: [customs_key]})).sync()
    assert reasons(reader, kds.gpid) == [
        (None, None),
        ("unit price corrected from 12.40 to 14.10 EUR", None),
        ("price corrected before reasons went inside", "price corrected before reasons went inside"),
    ]
    assert [v.reason_code for v in stored(reader, kds.gpid)[1]] == [0, 2, 2], "the reason code stays public"

    for keyring in (EncryptionKeyring({registry.people.stranger.address: [EncryptionKeyPair.generate()]}), None):
        keyless = make_store()
        indexer(registry, keyless, keyring).sync()
        assert reasons(keyless, kds.gpid) == [(None, None), (None, None), (None, "price corrected before reasons went inside")]
        assert [v.reason_code for v in stored(keyless, kds.gpid)[1]] == [0, 2, 2]


def test_a_reason_inside_the_payload_that_is_not_a_text_of_at_most_500_bytes_is_an_integrity_failure(registry: Any, store: Store) -> None:
    seller = registry.people.seller
    key = EncryptionKeyPair.generate()
    v1 = key_data_set(invoice_number="WHY-LONG")
    kds = register2(registry, v1, [(seller.address, key)])
    amend2(registry, kds, amended(v1, **{"goods.0.value": "1.00"}), reason="", inside="é" * 251)  # 502 bytes
    indexer(registry, store, EncryptionKeyring({seller.address: [key]})).sync()
    row, (_, second) = stored(store, kds.gpid)
    assert not second.integrity_ok and not row.integrity_ok and second.reason is None
    assert "the payload's reason is not a text of at most 500 bytes" in (second.integrity_problem or "")


def test_a_grant_fills_in_the_reasons_of_the_earlier_versions(registry: Any, store: Store) -> None:
    people = registry.people
    broker_key = EncryptionKeyPair.generate()
    publish(registry, people.broker, broker_key)
    v1 = key_data_set(invoice_number="WHY-GRANT")
    kds = register2(registry, v1, [(people.seller.address, EncryptionKeyPair.generate())])
    v2 = amended(v1, **{"goods.0.value": "2.00"})
    amend2(registry, kds, v2, reason="written before: on chain")
    v3 = amended(v2, **{"goods.0.value": "3.00"})
    amend2(registry, kds, v3, reason="", inside="credit note CN-7 of 2026-12-01")
    broker_node = indexer(registry, store, EncryptionKeyring({people.broker.address: [broker_key]}))
    broker_node.sync()
    assert reasons(store, kds.gpid) == [(None, None), (None, "written before: on chain"), (None, None)]

    grant(registry, kds, people.broker.address, broker_key)
    broker_node.sync()
    assert reasons(store, kds.gpid) == [
        (None, None), ("written before: on chain", "written before: on chain"), ("credit note CN-7 of 2026-12-01", None)
    ]
    v4 = amended(v3, **{"goods.0.value": "4.00"})
    amend2(registry, kds, v4, reason="", inside="after the grant")
    broker_node.sync()
    assert reasons(store, kds.gpid)[-1] == ("after the grant", None)


# ------------------------------------------------------------------ the new tables


def test_the_new_events_are_indexed_and_a_reorg_rewinds_them(
    registry: Any, store: Store, content: Callable[[Store], dict[str, list[dict[str, Any]]]]
) -> None:
    people, client = registry.people, registry.client
    node = indexer(registry, store, None)
    node.sync()
    before = content(store)
    with store.session() as session:
        (customs,) = session.query(CustomsAccountRow).all()
        assert (customs.account, customs.country) == (people.customs.address, "GB")

    snapshot = rpc(client, "evm_snapshot")
    broker_key = EncryptionKeyPair.generate()
    publish(registry, people.broker, broker_key)
    client.transact(people.operator, "grantCustoms", people.stranger.address, b"FR")
    client.transact(people.seller, "setMandate", people.broker.address, 1, True)
    client.transact(people.seller, "setMandate", people.broker.address, 1, False)
    kds = register2(registry, key_data_set(invoice_number="NEW-1"), [])
    client.transact(people.seller, "setAmendmentDelegate", kds.gpid.raw, people.delegate.address, True)
    grant(registry, kds, people.broker.address, broker_key)
    client.transact(people.seller, "revokeAccess", kds.gpid.raw, people.broker.address)
    node.sync()
    with store.session() as session:
        mandates = session.query(MandateRow).order_by(MandateRow.block_number).all()
        assert [(m.trader_key, m.agent, m.direction, m.active) for m in mandates] == [
            ("0x" + canonical.trader_key(SELLER_TRADER_ID).hex(), people.broker.address, "export", active) for active in (True, False)
        ]
        (delegate,) = session.query(AmendmentDelegateRow).all()
        assert (delegate.gpid, delegate.delegate, delegate.allowed) == (kds.gpid.hex, people.delegate.address, True)
        grants = session.query(GrantRow).order_by(GrantRow.block_number).all()
        assert [(g.active, g.wrapped_key is not None) for g in grants] == [(True, True), (False, False)]
        assert grants[1].granter == people.seller.address
        assert {c.country for c in session.query(CustomsAccountRow)} == {"GB", "FR"}
        assert session.query(EncryptionKeyRow).count() == 1

    rpc(client, "evm_revert", snapshot)
    rpc(client, "evm_mine")  # the chain moves on without those blocks
    node.sync()
    after = content(store)
    for table in ("encryption_keys", "customs_accounts", "mandates", "grants", "amendment_delegates", "key_data_sets", "versions"):
        assert after[table] == before[table], table


def test_a_reorg_that_drops_the_grant_makes_the_gpid_unreadable_again(registry: Any, store: Store) -> None:
    people, client = registry.people, registry.client
    broker_key = EncryptionKeyPair.generate()
    publish(registry, people.broker, broker_key)
    kds = register2(registry, key_data_set(invoice_number="DROP-1"), [(people.seller.address, EncryptionKeyPair.generate())])
    node = indexer(registry, store, EncryptionKeyring({people.broker.address: [broker_key]}))
    node.sync()
    snapshot = rpc(client, "evm_snapshot")
    grant(registry, kds, people.broker.address, broker_key)
    node.sync()
    assert stored(store, kds.gpid)[0].readable
    rpc(client, "evm_revert", snapshot)
    rpc(client, "evm_mine")
    rpc(client, "evm_mine")
    node.sync()
    row, (first,) = stored(store, kds.gpid)
    assert (row.readable, row.content_key, first.data, row.buyer_trader_id) == (False, None, None, None)


def test_checks_made_ahead_in_worker_processes_give_the_same_rows(
    registry: Any, make_store: Callable[[], Store], same_index: Callable[[Store, Store], None], monkeypatch: Any
) -> None:
    seller = registry.people.seller
    key = EncryptionKeyPair.generate()
    keyring = EncryptionKeyring({seller.address: [key]})

    def flip_last(payload: bytes) -> bytes:
        return payload[:-1] + bytes([payload[-1] ^ 1])

    for n in range(5):
        register2(registry, key_data_set(invoice_number=f"AHEAD-{n}"), [(seller.address, key)])
    register2(registry, key_data_set(invoice_number="AHEAD-BAD"), [(seller.address, key)], payload_edit=flip_last)
    register2(registry, key_data_set(invoice_number="AHEAD-OTHER"), [(seller.address, EncryptionKeyPair.generate())])
    monkeypatch.setattr("gpid_node.services.indexer.PRECHECK_MIN", 2)
    monkeypatch.setattr("gpid_node.services.indexer.PRECHECK_CHUNK", 3)
    taken: list[Any] = []
    original = ContentKeys.prechecked

    def spy(self: ContentKeys, key: Any) -> Any:
        taken.append(original(self, key))
        return taken[-1]

    monkeypatch.setattr(ContentKeys, "prechecked", spy)
    ahead, serial = make_store(), make_store()
    workers = Indexer(ahead, registry.client, start_block=registry.deployment.block, encryption=keyring, precheck_workers=2)
    assert workers.sync() > 7
    # the checks of what our keys open ran in worker processes; the one for another key is a few hashes here
    assert len(taken) == 7 and sum(t is not None for t in taken) == 6
    taken.clear()
    Indexer(serial, registry.client, start_block=registry.deployment.block, encryption=keyring, precheck_workers=0).sync()
    assert taken == [None] * 7
    same_index(ahead, serial)
    with ahead.session() as session:
        rows = session.query(KeyDataSetRow).all()
        assert sorted((r.readable, r.integrity_ok) for r in rows) == [(False, False)] + [(False, True)] + [(True, True)] * 5


def test_a_format2_amendment_that_does_not_decrypt_as_its_version_is_an_integrity_failure(registry: Any, store: Store) -> None:
    seller = registry.people.seller
    key = EncryptionKeyPair.generate()
    v1 = key_data_set(invoice_number="AM-1")
    kds = register2(registry, v1, [(seller.address, key)])
    v2 = amended(v1, **{"goods.0.value": "10.00"})
    replayed = payload_crypto.build_payload(v2, kds.seed, kds.content_key, kds.binding, 1)  # sealed as version 1
    registry.client.transact(
        seller, "amend", kds.gpid.raw, merkle.commitments_v2(v1, SEED).as_tuple(), merkle.commitments_v2(v2, SEED).as_tuple(), 2,
        "price", replayed,
    )  # fmt: skip
    kds.versions.append(v2)
    v3 = amended(v2, **{"goods.0.value": "11.00"})
    amend2(registry, kds, v3)
    indexer(registry, store, EncryptionKeyring({seller.address: [key]})).sync()
    row, (first, second, third) = stored(store, kds.gpid)
    assert first.integrity_ok and not second.integrity_ok and not row.integrity_ok
    assert second.data is None and "does not decrypt as version 2" in (second.integrity_problem or "")
    assert third.data == v3 and not third.integrity_ok, "version 3 cannot be compared with an unreadable version 2"
    assert "version 2 could not be read" in (third.integrity_problem or "")


def test_only_the_keys_the_issuer_published_find_a_recipient_ahead_or_not(
    registry: Any, make_store: Callable[[], Store], same_index: Callable[[Store, Store], None], monkeypatch: Any
) -> None:
    """A worker does not know a registration's issuer and tries every published key: what it opens
    with a key of another account (here the broker's, whose private half the seller could only have
    by collusion) counts for nothing, so a node reads the same with and without workers. A key the
    issuer publishes in the registration's own block counts."""
    people, client = registry.people, registry.client
    broker_key, customs_key, late_key = EncryptionKeyPair.generate(), EncryptionKeyPair.generate(), EncryptionKeyPair.generate()
    publish(registry, people.broker, broker_key)
    recipients = [(people.customs.address, customs_key)]
    foreign = [register2(registry, key_data_set(invoice_number=f"FOREIGN-{n}"), recipients, issuer=broker_key) for n in range(2)]
    own = register2(registry, key_data_set(invoice_number="OWN-1"), recipients)
    rpc(client, "evm_setAutomine", False)
    try:  # the seller publishes a new key and registers with it in one block
        data = key_data_set(invoice_number="SAME-BLOCK")
        gpid = gpid_of(client, data)
        binding = payload_crypto.Binding(client.chain_id, client.address, gpid)
        content_key = secrets.token_bytes(32)
        wrapped = recipient_keys(content_key, late_key, [(people.customs.address, customs_key.public_bytes)], binding)
        payload = payload_crypto.build_payload(data, SEED, content_key, binding, 1, wrapped)
        nonce = client.next_nonce(people.seller.address)
        for n, (function, args) in enumerate((
            ("publishEncryptionKey", (late_key.public_bytes,)),
            ("register", (invoice_key(canonical.trader_key(SELLER_TRADER_ID), "SAME-BLOCK"), merkle.commitments_v2(data, SEED).as_tuple(), payload)),
        )):  # fmt: skip
            client.broadcast(client.sign(people.seller, client.encode(function, *args), nonce + n, 1_500_000).raw)
        rpc(client, "evm_mine")
    finally:
        rpc(client, "evm_setAutomine", True)
    monkeypatch.setattr("gpid_node.services.indexer.PRECHECK_MIN", 2)
    taken: list[Any] = []
    original = ContentKeys.prechecked

    def spy(self: ContentKeys, key: Any) -> Any:
        taken.append(original(self, key))
        return taken[-1]

    monkeypatch.setattr(ContentKeys, "prechecked", spy)
    keyring = EncryptionKeyring({people.customs.address: [customs_key]})
    ahead, serial = make_store(), make_store()
    Indexer(ahead, client, start_block=registry.deployment.block, encryption=keyring, precheck_workers=2).sync()
    opened_with = sorted(t[2] for t in taken if t is not None)
    assert opened_with == sorted([broker_key.public_bytes] * 2 + [ISSUER_KEY.public_bytes, late_key.public_bytes]), \
        "the workers opened all four, the foreign two with the broker's key"
    Indexer(serial, client, start_block=registry.deployment.block, encryption=keyring, precheck_workers=0).sync()
    same_index(ahead, serial)
    for kds in foreign:
        row, (first,) = stored(serial, kds.gpid)
        assert (row.readable, row.integrity_ok, first.data) == (False, True, None)
    assert stored(serial, own.gpid)[0].readable
    row, (first,) = stored(serial, gpid)
    assert row.readable and first.data == data
