"""Read answers under the rules of issue 19, through the REST facade of a development node: the
operator gets public facts (``data`` null); a format-2 key data set this node holds a key for is
read like any other, one it holds no key for gives its readers the public facts only; a grant to an
agent of this node opens it to that agent. An amendment's reason in words goes with the data: to its
readers, never to the operator, nor where this node holds no key."""

from __future__ import annotations

import secrets
from typing import Any

from api.harness import CUSTOMS_GB, EXPORT_BROKER, OPERATOR, SELLER, Api, fresh_key_data_set, next_second
from support.recipients import recipient_keys

from gpid_node.domain import canonical, merkle, payload_crypto
from gpid_node.domain.access import Principal, Role
from gpid_node.domain.amendment_policy import amended
from gpid_node.domain.encryption_keys import EncryptionKeyPair
from gpid_node.domain.gpid import GPID
from gpid_node.services.audit_reports import audit_report, trail
from gpid_node.store import queries
from gpid_node.store.tables import OutboxEntry

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


# ---------------------------------------------------------------------- reasons in words

SAID = "unit price corrected from 12.40 to 14.10 EUR"


def history(api: Api, gpid: GPID | str, name: str) -> list[dict[str, Any]]:
    answer = api.client.get(f"/v1/key-data-sets/{gpid}/history", headers=api.auth(name))
    assert answer.status_code == 200, answer.text
    return list(answer.json()["versions"])


def outbox_entries(api: Api) -> int:
    with api.node.store.session() as session:
        return session.query(OutboxEntry).count()


def amended_events(api: Api, gpid: GPID | str, name: str) -> list[dict[str, Any]]:
    items, after = [], None
    while True:
        params: dict[str, Any] = {"limit": 1000, "types": "key_data_set.amended", **({"after": after} if after else {})}
        page = api.client.get("/v1/events", params=params, headers=api.auth(name)).json()
        items += [item for item in page["items"] if item["gpid"] == str(gpid)]
        if not page["items"]:
            return items
        after = page["next"]


def test_an_amendments_reason_goes_to_whoever_reads_the_data_and_not_to_the_operator(api: Api) -> None:
    written = api.register()
    gpid = written["gpid"]
    current = read(api, gpid, SELLER).json()["data"]
    next_second()
    goods = [dict(current["goods"][0], value="14.10")]
    answer = api.client.post(f"/v1/key-data-sets/{gpid}/amendments", headers=api.auth(SELLER),
                             json={"changes": {"goods": goods}, "reason": f"  {SAID} ", "reason_code": "price"})  # fmt: skip
    assert answer.status_code == 201, answer.text
    with api.node.store.session() as session:
        (_, version) = queries.versions(session, GPID.parse(gpid).hex, data=False)
        assert (version.reason, version.chain_reason) == (SAID, None), "read from the payload; the chain carried none"

    for name in (SELLER, CUSTOMS_GB):  # the seller, and Customs of the buyer's country (a recipient)
        first, second = history(api, gpid, name)
        assert (first["reason"], second["reason"], second["reason_code"], second["changed_fields"]) == (None, SAID, 2, ["goods[0].value"])
        (event,) = amended_events(api, gpid, name)
        assert (event["data"]["reason"], event["data"]["changed_fields"]) == (SAID, ["goods[0].value"])
    seller_view = history(api, gpid, SELLER)[1]

    first, second = history(api, gpid, OPERATOR)
    assert (first["reason"], second["reason"], second["changed_fields"]) == (None, None, None)
    # the reason code and the changed sections stay public facts
    assert (second["reason_code"], second["changed_sections"]) == (seller_view["reason_code"], seller_view["changed_sections"])
    (event,) = amended_events(api, gpid, OPERATOR)
    assert (event["data"]["reason"], event["data"]["changed_fields"], event["data"]["reason_code"]) == (
        None, None, seller_view["reason_code"])  # fmt: skip

    operator = Principal(Role.OPERATOR, api.participants[OPERATOR]["account"])
    report = audit_report(api.node.reads, api.node.declarations, gpid, operator)
    assert [v["reason"] for v in report["history"]] == [None, None]
    assert [row["reason"] for row in trail(report) if row["record"] == "version"] == [None, None]
    seller = Principal(Role.SELLER, api.participants[SELLER]["account"], trader_id=api.participants[SELLER]["trader_id"])
    report = audit_report(api.node.reads, api.node.declarations, gpid, seller)
    assert [v["reason"] for v in report["history"]] == [None, SAID]


def test_a_reason_longer_than_500_bytes_is_refused_naming_reason_and_nothing_is_written(api: Api) -> None:
    gpid = api.register()["gpid"]
    current = read(api, gpid, SELLER).json()["data"]
    goods = [dict(current["goods"][0], value="1.00")]
    entries = outbox_entries(api)
    answer = api.client.post(f"/v1/key-data-sets/{gpid}/amendments", headers=api.auth(SELLER),
                             json={"changes": {"goods": goods}, "reason": "é" * 251})  # 251 characters, 502 bytes
    assert answer.status_code == 422, answer.text
    assert [(p["path"], p["message"]) for p in answer.json()["errors"]] == [("reason", "at most 500 bytes")]
    assert [v["version"] for v in history(api, gpid, SELLER)] == [1]
    assert outbox_entries(api) == entries


def test_where_this_node_holds_no_key_an_amendments_reason_is_null_even_one_sent_in_clear(api: Api) -> None:
    """A format-2 amendment written before reasons moved inside the payload carried its reason on
    chain: this node, holding no key of that GPID, shows its readers none (as it shows no data)."""
    client, seller = api.node.client, api.env.accounts[SELLER]
    data = fresh_key_data_set()
    gpid, content_key = register2(api, data, [(seller.address, EncryptionKeyPair.generate().public_bytes)])
    binding = payload_crypto.Binding(client.chain_id, client.address, gpid)
    after = amended(data, {"goods": [dict(data["goods"][0], value="1.00")]})
    payload = payload_crypto.build_payload(after, SEED, content_key, binding, 2)
    receipt = client.transact(seller, "amend", gpid.raw, merkle.commitments_v2(data, SEED).as_tuple(),
                              merkle.commitments_v2(after, SEED).as_tuple(), 2, "price in clear, written before", payload)  # fmt: skip
    assert api.node.indexer.wait_for(receipt.block_number, 10)
    first, second = history(api, gpid, SELLER)
    assert (first["reason"], second["reason"], second["changed_fields"]) == (None, None, None)
    (event,) = amended_events(api, gpid, SELLER)
    assert event["data"]["reason"] is None
