"""The use cases called directly, as the CLI calls them: a write answers once its block is indexed
(the next read sees it, with no wait of the caller's), and an invoice is registered once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from api.harness import BUYER, EXPORT_BROKER, SELLER, Api, fresh_key_data_set, unique_reference
from sqlalchemy import func, select

from gpid_node.domain import canonical
from gpid_node.domain import errors as e
from gpid_node.domain.access import Principal
from gpid_node.store.tables import OutboxEntry


def outbox_size(dev: Api) -> int:
    with dev.node.store.session() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxEntry)) or 0)


def test_each_write_is_read_back_at_once(dev: Api, principal: Callable[[str], Principal]) -> None:
    node, seller = dev.node, principal(SELLER)
    registered = node.registration.register(fresh_key_data_set(), seller)
    assert registered["status"] == "registered"
    assert node.indexer.status()["cursor"] >= registered["block"]
    assert node.reads.key_data_set(registered["gpid"], seller)["version"] == 1

    amended = node.amendments.amend(registered["gpid"], {"buyer": {"name": "Thames Tools Limited"}}, "legal name", seller)
    assert amended["status"] == "amended" and amended["changed_fields"] == ["buyer.name"]
    read = node.reads.key_data_set(registered["gpid"], seller)
    assert (read["version"], read["data"]["buyer"]["name"]) == (2, "Thames Tools Limited")

    reference = unique_reference("26DE")
    node.access.grant(registered["gpid"], dev.account(EXPORT_BROKER), "exports it", seller)  # format 2: a right first
    linked = node.declarations.link(reference, "DE", "export", [registered["gpid"]], principal(EXPORT_BROKER))
    assert [link["status"] for link in linked["links"]] == ["mined"]
    declaration = node.declarations.declaration("DE", reference, principal(EXPORT_BROKER))
    assert [g["gpid"] for g in declaration["gpids"]] == [registered["gpid"]]


def test_an_invoice_registered_or_on_its_way_is_refused_without_recording(dev: Api, principal: Callable[[str], Principal]) -> None:
    node, seller = dev.node, principal(SELLER)
    data = fresh_key_data_set()
    on_its_way = node.registration.register(data, seller, wait=False)
    assert on_its_way["status"] == "pending"
    before = outbox_size(dev)
    with pytest.raises(e.InvoiceAlreadyRegistered) as refused:
        node.registration.register(data, seller)
    assert refused.value.gpid == on_its_way["gpid"]
    assert outbox_size(dev) == before


def test_an_amendment_may_not_touch_the_identity(dev: Api, principal: Callable[[str], Principal]) -> None:
    node, seller = dev.node, principal(SELLER)
    gpid = node.registration.register(fresh_key_data_set(), seller)["gpid"]
    before = outbox_size(dev)
    with pytest.raises(e.SectionImmutable) as refused:
        node.amendments.amend(gpid, {"invoice": {"number": "OTHER-1"}}, "typo", seller)
    assert refused.value.fields == ["invoice.number"]
    assert outbox_size(dev) == before
    with pytest.raises(e.PermissionDenied):
        node.amendments.amend(gpid, {"buyer": {"name": "X Ltd"}}, "typo", principal(BUYER))


def test_a_registration_sends_the_keyed_invoice_key_and_the_gpid_follows_from_it(dev: Api, principal: Callable[[str], Principal]) -> None:
    node, seller = dev.node, principal(SELLER)
    data = fresh_key_data_set()
    data["invoice"]["number"] = "rm-" + data["invoice"]["number"]  # as written; the node keys its normal form
    registered = node.registration.register(data, seller)
    seller_key = canonical.trader_key(canonical.trader_id_text(data["seller"]["trader_id"]))
    secret = node.keyring.traders.get(seller_key)
    assert secret is not None  # made at the seller's onboarding in dev mode, kept in keys/traders/
    invoice_key = canonical.invoice_key(secret, canonical.normal_identifier(data["invoice"]["number"]))
    assert registered["gpid"] == str(canonical.gpid_of_invoice(node.client.chain_id, node.client.address, seller_key, invoice_key))
    sent = bytes(node.client.w3.eth.get_transaction(registered["transaction"])["input"])
    assert sent[4:36] == invoice_key
    number = canonical.normal_identifier(data["invoice"]["number"])
    assert number.encode() not in sent and data["invoice"]["number"].encode() not in sent


def test_an_invoice_the_index_holds_under_a_lost_trader_secret_is_refused_without_recording(
    dev: Api, principal: Callable[[str], Principal]
) -> None:
    node, seller = dev.node, principal(SELLER)
    data = fresh_key_data_set()
    first = node.registration.register(data, seller)
    seller_key = canonical.trader_key(canonical.trader_id_text(data["seller"]["trader_id"]))
    kept = node.keyring.traders.get(seller_key)
    assert kept is not None
    node.keyring.traders.add(seller_key, bytes(32))  # the secret lost and made anew: another invoice key, another GPID
    try:
        before = outbox_size(dev)
        with pytest.raises(e.InvoiceAlreadyRegistered) as refused:
            node.registration.register(data, seller)
        assert refused.value.gpid == first["gpid"]
        assert outbox_size(dev) == before
    finally:
        node.keyring.traders.add(seller_key, kept)
