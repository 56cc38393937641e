"""Erasing a GPID's data on a node, on a real anvil into real SQLite and PostgreSQL: the content key,
the seed, the decrypted versions and what was derived from them leave the index; the record (who,
when, why) stays; neither an amendment indexed later, nor a grant, nor a rewind, nor an index rebuilt
from the chain brings them back; the other GPIDs are untouched."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from store.test_indexer_format2 import amend2, amended, grant, indexer, publish, register2, rpc, stored
from support.builders import key_data_set

from gpid_node.chain.keystore import EncryptionKeyring
from gpid_node.domain import errors as e
from gpid_node.domain.encryption_keys import EncryptionKeyPair
from gpid_node.services.erasures import erase, erasure_of, erasures_list
from gpid_node.store.database import Store
from gpid_node.store.tables import KeyDataSetRow, VersionRow

WHEN = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)


def _raw(store: Store, gpid_hex: str) -> tuple[Any, list[Any]]:
    """The key data set's row and its versions' data as the database holds them."""
    with store.session() as session:
        row = session.get(KeyDataSetRow, gpid_hex)
        versions = session.query(VersionRow).filter(VersionRow.gpid == gpid_hex).order_by(VersionRow.version).all()
        return ((row.content_key, row.seed, row.readable, row.invoice_number, row.buyer_trader_id, row.seller_country,
                 row.buyer_country) if row else None, [(v.data, v.salt) for v in versions])  # fmt: skip


ERASED_ROW = (None, None, False, None, None, None, None)


def _reasons(store: Store, gpid_hex: str) -> list[str | None]:
    """The reasons in words the database holds for the key data set's versions."""
    with store.session() as session:
        return [v.reason for v in session.query(VersionRow).filter(VersionRow.gpid == gpid_hex).order_by(VersionRow.version)]


def test_erasure_removes_the_data_and_content_key_and_keeps_the_record(registry: Any, store: Store) -> None:
    people = registry.people
    key = EncryptionKeyPair.generate()
    ours = register2(registry, key_data_set(invoice_number="ERASE-1", lines=2), [(people.seller.address, key)])
    kept = register2(registry, key_data_set(invoice_number="ERASE-2", lines=1), [(people.seller.address, key)])
    node = indexer(registry, store, EncryptionKeyring({people.seller.address: [key]}))
    node.sync()
    assert stored(store, ours.gpid)[0].readable

    answer = erase(store, str(ours.gpid), reason="erasure request of the buyer, 2026-12-01", erased_by="dpo", now=WHEN)

    assert answer == {"gpid": str(ours.gpid), "erased_by": "dpo", "reason": "erasure request of the buyer, 2026-12-01",
                      "erased_at": "2026-12-04T18:00:00Z", "already_erased": False, "versions_erased": 1, "indexed": True}  # fmt: skip
    row, versions = _raw(store, ours.gpid.hex)
    assert row == ERASED_ROW and versions == [(None, None)]
    assert stored(store, ours.gpid)[1][0].payload is not None, "the ciphertext as the chain carries it stays"
    assert _raw(store, kept.gpid.hex)[0][2] is True and _raw(store, kept.gpid.hex)[1][0][0] is not None, "others untouched"
    assert erasure_of(store, ours.gpid) == {"erased_at": "2026-12-04T18:00:00Z", "reason": "erasure request of the buyer, 2026-12-01"}
    assert erasure_of(store, kept.gpid) is None
    again = erase(store, str(ours.gpid), reason="a second request", erased_by="someone else")
    assert (again["already_erased"], again["reason"], again["erased_by"], again["versions_erased"]) == (
        True, "erasure request of the buyer, 2026-12-01", "dpo", 0)  # fmt: skip
    assert [x["gpid"] for x in erasures_list(store)] == [str(ours.gpid)]


def test_nothing_the_indexer_does_later_brings_the_data_back(registry: Any, store: Store) -> None:
    people, client = registry.people, registry.client
    seller_key, broker_key = EncryptionKeyPair.generate(), EncryptionKeyPair.generate()
    publish(registry, people.broker, broker_key)
    v1 = key_data_set(invoice_number="ERASE-3", lines=2)
    kds = register2(registry, v1, [(people.seller.address, seller_key)])
    node = indexer(registry, store, EncryptionKeyring({people.seller.address: [seller_key], people.broker.address: [broker_key]}))
    node.sync()
    erase(store, str(kds.gpid), reason="retention period ended", erased_by="operator")

    said = "unit price corrected to 999.00 EUR"  # decrypted like the data: erased like it
    amend2(registry, kds, amended(v1, **{"goods.0.value": "999.00"}), inside=said)  # the indexer remembers the content key
    node.sync()
    assert _raw(store, kds.gpid.hex) == (ERASED_ROW, [(None, None), (None, None)])
    assert _reasons(store, kds.gpid.hex) == [None, None]

    snapshot = rpc(client, "evm_snapshot")
    grant(registry, kds, people.broker.address, broker_key)  # a grant opens the stored versions again
    node.sync()
    assert _raw(store, kds.gpid.hex) == (ERASED_ROW, [(None, None), (None, None)])

    rpc(client, "evm_revert", snapshot)  # a rewind re-derives the key data set
    rpc(client, "evm_mine")
    rpc(client, "evm_mine")
    node.sync()
    assert _raw(store, kds.gpid.hex) == (ERASED_ROW, [(None, None), (None, None)])

    rebuilt = indexer(registry, store, EncryptionKeyring({people.seller.address: [seller_key]}))
    rebuilt._wipe("0x" + "00" * 20)  # the index rebuilt from the chain (as for another registry)
    assert _raw(store, kds.gpid.hex) == (None, [])
    rebuilt.sync()
    assert _raw(store, kds.gpid.hex) == (ERASED_ROW, [(None, None), (None, None)])
    assert _reasons(store, kds.gpid.hex) == [None, None]
    assert erasure_of(store, kds.gpid) is not None


def test_a_gpid_not_indexed_yet_is_recorded_and_never_gets_its_data(registry: Any, store: Store) -> None:
    key = EncryptionKeyPair.generate()
    kds = register2(registry, key_data_set(invoice_number="ERASE-4", lines=1), [(registry.people.seller.address, key)])
    answer = erase(store, str(kds.gpid), reason="request", erased_by="operator")
    assert (answer["indexed"], answer["versions_erased"]) == (False, 0)
    indexer(registry, store, EncryptionKeyring({registry.people.seller.address: [key]})).sync()
    assert _raw(store, kds.gpid.hex) == (ERASED_ROW, [(None, None)])


@pytest.mark.parametrize(("gpid", "reason", "by", "paths"), [
    ("GPID-NOT-ONE", "request", "dpo", ["gpid"]),
    (None, "  ", "dpo", ["--reason"]),
    (None, "request", "", ["--by"]),
    (None, "x" * 501, "dpo", ["--reason"]),
    ("nope", "", "", ["gpid", "--reason", "--by"]),
])  # fmt: skip
def test_bad_input_names_every_field_and_records_nothing(registry: Any, store: Store, gpid: str | None, reason: str, by: str,
                                                          paths: list[str]) -> None:  # fmt: skip
    kds = register2(registry, key_data_set(invoice_number="ERASE-5", lines=1), [])
    with pytest.raises(e.ValidationFailed) as refused:
        erase(store, gpid or str(kds.gpid), reason=reason, erased_by=by)
    assert [p.path for p in refused.value.problems] == paths
    assert erasures_list(store) == []
