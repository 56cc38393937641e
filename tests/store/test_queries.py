"""Read-side queries over an index built from a real anvil: versions by number and time, who may
see which key data set, and paging."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session

from gpid_node.chain.client import RegistryClient
from gpid_node.domain import canonical
from gpid_node.domain.gpid import GPID
from gpid_node.domain.limits import MAX_LINKS, MAX_VERSIONS
from gpid_node.services.indexer import Indexer
from gpid_node.store import queries
from gpid_node.store.database import Store
from gpid_node.store.tables import DeclarationLinkRow, KeyDataSetRow, VerificationRow, VersionRow
from support.builders import BUYER_TRADER_ID, SELLER_TRADER_ID, amended, key_data_set
from support.invoice_keys import gpid_of as gpid_of_invoice
from support.invoice_keys import invoice_key

SALT = b"\x11" * 32
OTHER_SELLER_TRADER_ID = "EORI:FR12345678901"


def rpc(client: RegistryClient, method: str, *params: Any) -> Any:
    return client.w3.provider.make_request(method, list(params))["result"]


def gpid_of(client: RegistryClient, data: dict[str, Any], trader_id: str = SELLER_TRADER_ID) -> GPID:
    return gpid_of_invoice(client, canonical.trader_key(trader_id), data["invoice"]["number"])


def amend(registry: Any, before: dict[str, Any], after: dict[str, Any]) -> Any:
    return registry.client.transact(
        registry.people.seller,
        "amend",
        gpid_of(registry.client, before).raw,
        canonical.commitments(before, SALT).as_tuple(),
        canonical.commitments(after, SALT).as_tuple(),
        5,
        "corrected",
        canonical.encode_payload(after, SALT),
    )


def block_time(client: RegistryClient, number: int) -> datetime:
    return datetime.fromtimestamp(int(client.block(number)["timestamp"]), UTC)


# ------------------------------------------------------------------ versions


def test_version_at_by_number_and_by_time(registry: Any, store: Store, indexer_for: Callable[..., Indexer]) -> None:
    client = registry.client
    start = int(client.block("latest")["timestamp"])
    rpc(client, "evm_setNextBlockTimestamp", start + 100)
    v1 = key_data_set("ASOF-1")
    t1 = block_time(client, registry.register(v1, SALT).block_number)
    rpc(client, "evm_setNextBlockTimestamp", start + 200)
    v2 = amended(v1, **{"goods.0.value": "18000.00"})
    t2 = block_time(client, amend(registry, v1, v2).block_number)
    rpc(client, "evm_setNextBlockTimestamp", start + 300)
    v3 = amended(v2, **{"buyer.name": "Thames Tools plc"})
    amend(registry, v2, v3)
    indexer_for(store).sync()
    gpid = gpid_of(client, v1).hex

    def at(**when: Any) -> int | None:
        with store.session() as session:
            found = queries.version_at(session, gpid, **when)
        return None if found is None else found.version

    assert t2 - t1 == timedelta(seconds=100)
    assert [at(version=n) for n in (1, 2, 3, 4)] == [1, 2, 3, None]
    assert at() == 3, "neither version nor time: the current version"
    assert at(as_of=t1 - timedelta(seconds=1)) is None, "before the registration there is no version"
    assert at(as_of=t1) == 1
    assert at(as_of=t2 - timedelta(microseconds=1)) == 1
    assert at(as_of=t2) == 2
    assert at(as_of=t2.astimezone(timezone(timedelta(hours=2)))) == 2, "an offset names the same instant"
    assert at(as_of=(t2 + timedelta(seconds=99)).replace(tzinfo=None)) == 2, "a naive time is read as UTC"
    assert at(as_of=t2 + timedelta(days=3650)) == 3
    with store.session() as session:
        assert queries.version_at(session, gpid.upper().replace("0X", "0x"), version=2).data == v2
        assert queries.version_at(session, "0x" + "00" * 16) is None
        with pytest.raises(ValueError, match="not both"):
            queries.version_at(session, gpid, version=1, as_of=t1)


# ------------------------------------------------------------------ visibility


def _visible(session: Session, gpids: dict[str, str], role: str, account: str | None = None,
             trader_id: str | None = None, country: str | None = None) -> set[str]:
    """The names of the key data sets a caller sees, checked one by one and as a list (they must agree)."""
    one_by_one = {name for name, gpid in gpids.items() if queries.is_visible(session, gpid, role, account, trader_id, country)}
    rows, total = queries.list_visible(session, role, account, trader_id, country, limit=100, offset=0)
    listed = {name for name, gpid in gpids.items() if gpid in {r.gpid for r in rows}}
    assert listed == one_by_one and total == len(rows) == len(one_by_one)
    return one_by_one


def test_visibility_per_role(registry: Any, store: Store, indexer_for: Callable[..., Indexer]) -> None:
    client, people = registry.client, registry.people
    ours = key_data_set("VIS-1")  # seller DE, buyer GB
    theirs = amended(
        key_data_set("VIS-2", seller_eori="FR12345678901", buyer_eori="NL123456789"),
        **{"seller.address.country": "FR", "buyer.address.country": "NL"},
    )
    registry.register(ours, SALT)
    registry.register(theirs, SALT, sender=people.other_seller)
    g1, g2 = gpid_of(client, ours), gpid_of(client, theirs, OTHER_SELLER_TRADER_ID)
    client.transact(people.broker, "linkDeclaration", g1.raw, "26GB00000000000001", b"GB", 2)
    indexer = indexer_for(store)
    indexer.sync()
    gpids = {"ours": g1.hex, "theirs": g2.hex}

    with store.session() as session:
        seller, buyer = people.seller.address, people.buyer.address
        assert _visible(session, gpids, "seller", seller, SELLER_TRADER_ID) == {"ours"}
        assert _visible(session, gpids, "seller", seller) == {"ours"}, "the issuing account"
        assert _visible(session, gpids, "seller", people.stranger.address, SELLER_TRADER_ID) == {"ours"}, "the trader ID"
        assert _visible(session, gpids, "seller", people.other_seller.address, OTHER_SELLER_TRADER_ID) == {"theirs"}
        assert _visible(session, gpids, "buyer", buyer, BUYER_TRADER_ID) == {"ours"}
        assert _visible(session, gpids, "buyer", people.stranger.address, "EORI:NL123456789") == {"theirs"}
        assert _visible(session, gpids, "buyer", people.stranger.address, "EORI:NL000") == set()

        assert _visible(session, gpids, "broker", people.broker.address) == {"ours"}, "holds a declaration"
        assert _visible(session, gpids, "broker", people.broker.address.lower()) == {"ours"}
        assert _visible(session, gpids, "broker", people.delegate.address) == set(), "holds none"

        assert _visible(session, gpids, "customs", people.customs.address, None, "DE") == {"ours"}, "seller's country"
        assert _visible(session, gpids, "customs", people.customs.address, None, "GB") == {"ours"}, "buyer's country"
        assert _visible(session, gpids, "customs", people.customs.address, None, "FR") == {"theirs"}
        assert _visible(session, gpids, "customs", people.customs.address, None, "NL") == {"theirs"}
        assert _visible(session, gpids, "customs", people.customs.address, None, "IT") == set()
        assert _visible(session, gpids, "customs", people.customs.address, None, None) == set()

        assert _visible(session, gpids, "operator", people.operator.address) == {"ours", "theirs"}
        assert _visible(session, gpids, "auditor", people.operator.address, SELLER_TRADER_ID, "DE") == set()

    # Customs of a third country see a key data set once a declaration of theirs references it.
    client.transact(people.broker, "linkDeclaration", g2.raw, "26IT00000000000001", b"IT", 2)
    indexer.sync()
    with store.session() as session:
        assert _visible(session, gpids, "customs", people.customs.address, None, "it") == {"theirs"}
        assert _visible(session, gpids, "broker", people.broker.address) == {"ours", "theirs"}
        assert [l.country for l in queries.declaration(session, "IT", "26IT00000000000001")] == ["IT"]
        seller_key = "0x" + canonical.trader_key(SELLER_TRADER_ID).hex()
        assert [b.account for b in queries.trader_bindings(session, trader_key_hex=seller_key)] == [people.seller.address]


def test_list_visible_pages_newest_registration_first(
    registry: Any, store: Store, indexer_for: Callable[..., Indexer]
) -> None:
    client, people = registry.client, registry.people
    batch = [key_data_set(f"PAGE-{i}") for i in range(3)]
    items = [
        (invoice_key(canonical.trader_key(SELLER_TRADER_ID), d["invoice"]["number"]), canonical.commitments(d, SALT).as_tuple(),
         canonical.encode_payload(d, SALT))
        for d in batch
    ]
    client.transact(people.seller, "registerBatch", items)
    singles = [key_data_set("PAGE-A"), key_data_set("PAGE-B")]
    for data in singles:
        registry.register(data, SALT)
    indexer_for(store).sync()
    in_batch = sorted(gpid_of(client, d).hex for d in batch)
    expected = [gpid_of(client, singles[1]).hex, gpid_of(client, singles[0]).hex, *in_batch]

    with store.session() as session:
        pages = [queries.list_visible(session, "operator", None, None, None, limit=2, offset=o) for o in (0, 2, 4, 6)]
        assert [total for _, total in pages] == [5, 5, 5, 5]
        assert [[r.gpid for r in rows] for rows, _ in pages] == [expected[0:2], expected[2:4], expected[4:5], []]
        assert all(r.registered_at.tzinfo is UTC for rows, _ in pages for r in rows)
        rows, total = queries.list_visible(session, "seller", people.seller.address, SELLER_TRADER_ID, None, 3, 1)
        assert ([r.gpid for r in rows], total) == (expected[1:4], 5)
        assert queries.list_visible(session, "customs", people.customs.address, None, "US", 10, 0) == ([], 0)


# ------------------------------------------------------------------ bounded reads


def _overgrown(store: Store, versions: int, links: int, checks: int) -> str:
    """Writes the index of one GPID with more versions and links than the registry allows (as a
    registry deployed before the caps could have left); returns its GPID key."""
    gpid, now, word = "0x" + "ab" * 16, datetime(2026, 11, 20, tzinfo=UTC), "0x" + "00" * 32
    chain = {"block_hash": word, "transaction_hash": word}
    with store.session() as session:
        session.add(KeyDataSetRow(gpid=gpid, gpid_text="GP-OVERGROWN", issuer="0x" + "11" * 20, seller_trader_key=word,
                                  invoice_key=word, current_version=versions, integrity_ok=True, registered_at=now,
                                  updated_at=now, registered_block=1))
        session.flush()
        session.add_all(
            VersionRow(gpid=gpid, version=n, author="0x" + "11" * 20, time=now, changed_sections=8, changed_fields=[],
                       data={"version": n}, commitments=[], digest=word, integrity_ok=True, block_number=n,
                       log_index=0, **chain)
            for n in range(1, versions + 1)
        )
        session.add_all(
            DeclarationLinkRow(gpid=gpid, country="DE", reference=f"R{n}", reference_key=f"0x{n:064x}", direction="export",
                               linker="0x" + "22" * 20, time=now, block_number=n, transaction_hash=word, log_index=0)
            for n in range(1, links + 1)
        )
        session.add_all(
            VerificationRow(gpid=gpid, reference_key=word, customs="0x" + "33" * 20, country="DE", version=1,
                            outcome="match", time=now, block_number=n, transaction_hash=word, log_index=1)
            for n in range(1, checks + 1)
        )
    return gpid


def test_reads_of_one_gpid_are_bounded_by_the_caps_even_in_an_overgrown_index(store: Store) -> None:
    gpid = _overgrown(store, versions=MAX_VERSIONS + 5, links=MAX_LINKS + 5, checks=7)
    with store.session() as session:
        versions = queries.versions(session, gpid)
        assert [v.version for v in versions] == list(range(6, MAX_VERSIONS + 6)), "the newest, oldest first"
        assert versions[-1].data == {"version": MAX_VERSIONS + 5}, "the current version is always read"
        facts = queries.versions(session, gpid, data=False)
        assert [v.version for v in facts] == [v.version for v in versions]
    with store.session() as session:
        (fact,) = queries.versions(session, gpid, data=False)[-1:]
        with pytest.raises(InvalidRequestError):
            _ = fact.data  # never loaded, not even one by one
        assert [link.reference for link in queries.links_for(session, gpid)] == [f"R{n}" for n in range(1, MAX_LINKS + 1)]
        pages = [queries.verifications_for(session, gpid, limit=3, offset=o) for o in (0, 3, 6, 9)]
        assert [[c.block_number for c in page] for page in pages] == [[1, 2, 3], [4, 5, 6], [7], []]
        assert len(queries.verifications_for(session, gpid)) == 7
