"""Read answers under the rules of issue 19, through the REST facade of a development node: the
operator gets public facts (``data`` null); a format-2 key data set this node holds a key for is
read like any other, one it holds no key for gives its readers the public facts only; a grant to an
agent of this node opens it to that agent."""

from __future__ import annotations

import secrets
from typing import Any

from api.harness import CUSTOMS_GB, EXPORT_BROKER, OPERATOR, SELLER, Api, fresh_key_data_set
from support.recipients import recipient_keys

from gpid_node.domain import canonical, merkle, payload_crypto
from gpid_node.domain.encryption_keys import EncryptionKeyPair
from gpid_node.domain.gpid import GPID

SEED = b"\x33" * 32


def register2(api: Api, data: dict[str, Any], recipients: list[tuple[str, bytes]]) -> tuple[GPID, bytes]:
    """Registers ``data`` as format 2 straight through the contract (the seller's account), the
    content key wrapped for ``recipients`` (account, public key), hinted with the key this node holds
    for the seller (published in dev mode); waits until it is indexed."""
    client, seller = api.node.client, api.env.accounts[SELLER]
    seller_key = canonical.trader_key(canonical.trader_id_text(data["seller"]["trader_id"]))
    invoice_key = api.node.registration.invoice_key(seller_key, data["invoice"]["number"])  # the node's own derivation
    gpid = canonical.gpid_of_invoice(client.chain_id, client.address, seller_key, invoice_key)
    binding = payload_crypto.Binding(client.chain_id, client.address, gpid)
    content_key = secrets.token_bytes(32)
    issuer = api.node.keyring.encryption.current(seller.address)
    assert issuer is not None
    wrapped = recipient_keys(content_key, issuer, recipients, binding)
    payload = payload_crypto.build_payload(data, SEED, content_key, binding, 1, wrapped)
    receipt = client.transact(seller, "register", invoice_key, merkle.commitments_v2(data, SEED).as_tuple(), payload)
    assert api.node.indexer.wait_for(receipt.block_number, 10)
    return gpid, content_key


def read(api: Api, gpid: GPID | str, name: str) -> Any:
    return api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(name))


def test_the_operator_sees_public_facts_only(api: Api) -> None:
    written = api.register()
    seller = read(api, written["gpid"], SELLER).json()
    assert seller["data"] is not None and (seller["format"], seller["readable"]) == (2, True)
    operator = read(api, written["gpid"], OPERATOR)
    assert operator.status_code == 200
    body = operator.json()
    assert (body["data"], body["format"], body["readable"], body["version"]) == (None, 2, False, 1)
    assert body["integrity"]["digest"] == seller["integrity"]["digest"]
    listed = api.client.get("/v1/key-data-sets", params={"limit": 200}, headers=api.auth(OPERATOR)).json()
    (item,) = [i for i in listed["items"] if i["gpid"] == written["gpid"]]
    assert (item["invoice_number"], item["buyer_trader_id"], item["readable"]) == (None, None, False)
    history = api.client.get(f"/v1/key-data-sets/{written['gpid']}/history", headers=api.auth(OPERATOR)).json()
    assert history["versions"][0]["changed_fields"] is None


def test_a_format2_key_data_set_is_read_with_this_nodes_key_and_public_facts_without(api: Api) -> None:
    seller_account = api.env.accounts[SELLER].address
    ours = api.node.keyring.encryption.current(seller_account)
    assert ours is not None
    data = fresh_key_data_set()
    gpid, _ = register2(api, data, [(seller_account, ours.public_bytes)])
    body = read(api, gpid, SELLER).json()
    assert (body["data"], body["format"], body["readable"]) == (data, 2, True)
    assert body["integrity"]["verified"] is True and body["integrity"]["payload_matches_commitments"] is True

    elsewhere = fresh_key_data_set()  # wrapped for a key this node does not hold
    gpid, _ = register2(api, elsewhere, [(seller_account, EncryptionKeyPair.generate().public_bytes)])
    answer = read(api, gpid, SELLER)
    assert answer.status_code == 200, "the seller may read it: public facts, as this node cannot decrypt it"
    body = answer.json()
    assert (body["data"], body["format"], body["readable"]) == (None, 2, False)
    assert body["integrity"]["verified"] is False and "no key" in body["integrity"]["problem"]
    assert read(api, gpid, CUSTOMS_GB).status_code == 404, "nothing tells Customs GB the buyer's country"


def test_a_grant_opens_a_format2_key_data_set_to_the_agent(api: Api) -> None:
    client = api.node.client
    seller, broker = api.env.accounts[SELLER], api.env.accounts[EXPORT_BROKER]
    seller_key = api.node.keyring.encryption.current(seller.address)
    broker_key = api.node.keyring.encryption.current(broker.address)
    assert seller_key is not None and broker_key is not None
    data = fresh_key_data_set()
    gpid, content_key = register2(api, data, [(seller.address, seller_key.public_bytes)])
    assert read(api, gpid, EXPORT_BROKER).status_code == 404
    client.transact(broker, "publishEncryptionKey", broker_key.public_bytes)
    binding = payload_crypto.Binding(client.chain_id, client.address, gpid)
    wrapped = payload_crypto.wrap_content_key(content_key, broker_key.public_bytes, broker.address, binding)
    receipt = client.transact(seller, "grantAccess", gpid.raw, broker.address, wrapped.to_bytes())
    assert api.node.indexer.wait_for(receipt.block_number, 10)
    body = read(api, gpid, EXPORT_BROKER).json()
    assert (body["data"], body["readable"]) == (data, True)
    receipt = client.transact(seller, "revokeAccess", gpid.raw, broker.address)
    assert api.node.indexer.wait_for(receipt.block_number, 10)
    assert read(api, gpid, EXPORT_BROKER).json()["data"] == data, "what was shared stays shared"
