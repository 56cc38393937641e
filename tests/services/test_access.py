"""The format-2 write path against real anvil: registrations encrypted for their recipients, grants
and mandates, links that need a right, amendments re-encrypted, Customs outcomes only for linked
declarations; every refusal leaves the outbox as it was.

The development node publishes its participants' encryption keys at onboarding, and its own indexer
fills the index (each write answers once its block is indexed); what is asserted about the payloads
is read off the chain's own events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import pytest
from api.harness import (
    BUYER,
    CUSTOMS_DE,
    CUSTOMS_GB,
    EXPORT_BROKER,
    IMPORT_BROKER,
    SELLER,
    Api,
    fresh_key_data_set,
    unique_reference,
)
from eth_account import Account
from sqlalchemy import func, select
from support.contract_checks import with_payload
from support.recipients import hint, hints_of, open_as

from gpid_node.chain.abi import decode_log, event_topic
from gpid_node.domain import errors as e
from gpid_node.domain import merkle, payload_crypto
from gpid_node.domain.access import Principal
from gpid_node.domain.encryption_keys import EncryptionKeyPair
from gpid_node.domain.gpid import GPID
from gpid_node.services.devmode import operator_account
from gpid_node.services.encryption_keys import publish_current_key
from gpid_node.services.importing import SourceRecord
from gpid_node.services.registration import Registration
from gpid_node.store.tables import FAILED, MINED, KeyDataSetRow, OutboxEntry, VersionRow

Of = Callable[[str], Principal]


def outbox_size(dev: Api) -> int:
    with dev.node.store.session() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxEntry)) or 0)


def events(dev: Api, name: str, gpid: str) -> list[Any]:
    """The registry's ``name`` events of ``gpid``, a key data set event with the payload its hash names."""
    logs = dev.node.client.find_logs(event_topic(name), GPID.parse(gpid).raw)
    return [with_payload(dev.node.client, decode_log(log)) for log in logs]


def key_id_of(dev: Api, name: str) -> bytes:
    pair = dev.node.keyring.encryption.current(dev.account(name))
    assert pair is not None
    return pair.key_id


def binding_of(dev: Api, gpid: str) -> payload_crypto.Binding:
    return payload_crypto.Binding(dev.node.client.chain_id, dev.node.client.address, GPID.parse(gpid))


def seller_public(dev: Api) -> bytes:
    """The seller's published key, which issues the hints of its registrations."""
    pair = dev.node.keyring.encryption.current(dev.account(SELLER))
    assert pair is not None
    return pair.public_bytes


def hint_of(dev: Api, pair: EncryptionKeyPair, gpid: str) -> bytes:
    """The hint of ``pair``'s wrapped key in the seller's registration of ``gpid``."""
    return hint(seller_public(dev), pair, binding_of(dev, gpid))


def hints_for(dev: Api, names: Iterable[str], gpid: str) -> set[bytes]:
    found = set()
    for name in names:
        pair = dev.node.keyring.encryption.current(dev.account(name))
        assert pair is not None
        found.add(hint_of(dev, pair, gpid))
    return found


def content_key_for(dev: Api, name: str, gpid: str, payload: bytes) -> bytes:
    """The content key of a version 1 payload as ``name``'s key alone opens it."""
    account = dev.account(name)
    pair = dev.node.keyring.encryption.current(account)
    assert pair is not None
    content_key = open_as(payload, seller_public(dev), account, pair, binding_of(dev, gpid))
    assert content_key is not None, f"{name} is no recipient"
    return content_key


def opens_for(dev: Api, name: str, gpid: str, payload: bytes, version: int = 1) -> payload_crypto.Plaintext:
    """The plaintext as ``name``'s key alone opens it."""
    return payload_crypto.read_payload(payload, content_key_for(dev, name, gpid, payload), binding_of(dev, gpid), version)


def indexed(dev: Api) -> None:
    """Waits until the node's indexer has applied the chain's head (after transactions sent directly)."""
    assert dev.node.indexer.wait_for(dev.node.client.block_number(), 10.0)


def register(dev: Api, seller: Principal, **changes: Any) -> tuple[str, dict[str, Any]]:
    data = fresh_key_data_set(**changes)
    gpid = dev.node.registration.register(data, seller)["gpid"]
    return gpid, data


def test_a_registration_is_encrypted_for_seller_buyer_and_both_customs(dev: Api, principal: Of) -> None:
    gpid, data = register(dev, principal(SELLER))
    (event,) = events(dev, "KeyDataSetRegistered", gpid)
    payload = bytes(event.payload)
    assert payload[0] == 2
    assert hints_of(payload) == hints_for(dev, (SELLER, BUYER, CUSTOMS_DE, CUSTOMS_GB), gpid)
    assert not any(key_id_of(dev, n) in payload for n in (SELLER, BUYER, CUSTOMS_DE, CUSTOMS_GB))
    assert data["buyer"]["name"].encode() not in payload and data["invoice"]["number"].encode() not in payload

    plain = opens_for(dev, SELLER, gpid, payload)
    assert plain.data["buyer"]["name"] == data["buyer"]["name"]
    committed = tuple(bytes(c) for c in event.args["commitments"])
    assert committed == merkle.commitments_v2(plain.data, plain.seed).as_tuple()
    assert opens_for(dev, BUYER, gpid, payload).seed == plain.seed
    assert opens_for(dev, CUSTOMS_GB, gpid, payload).data == plain.data
    with pytest.raises(AssertionError, match="no recipient"):
        opens_for(dev, EXPORT_BROKER, gpid, payload)


def test_customs_recipients_follow_the_chain_however_far_the_index_lags(dev: Api, principal: Of) -> None:
    """The recipients are read from the index: a registration waits until the index holds the chain's
    head, so a Customs account onboarded (and its key published) a moment before is not left out, as
    it was on a node that had just started; an offboarded one is left out at once."""
    operator = operator_account()
    newcomer = Account.create()
    key = EncryptionKeyPair.generate()
    client = dev.node.client
    client.request("anvil_setBalance", newcomer.address, hex(10**18))
    client.transact(operator, "grantCustoms", newcomer.address, b"GB")
    client.transact(operator, "publishEncryptionKeyFor", newcomer.address, key.public_bytes)
    gpid, _ = register(dev, principal(SELLER))  # no wait for the indexer in between
    (event,) = events(dev, "KeyDataSetRegistered", gpid)
    assert hint_of(dev, key, gpid) in hints_of(bytes(event.payload))
    # Offboarded (its Customs role revoked): no longer a recipient of the next registration.
    client.transact(operator, "revokeRole", client.view("CUSTOMS_ROLE"), newcomer.address)
    later, _ = register(dev, principal(SELLER))
    (event,) = events(dev, "KeyDataSetRegistered", later)
    hints = hints_of(bytes(event.payload))
    assert hint_of(dev, key, later) not in hints and hints_for(dev, [CUSTOMS_GB], later) <= hints
    # Given the role back without grantCustoms: the registry answers its old country again, and so does the index.
    client.transact(operator, "grantRole", client.view("CUSTOMS_ROLE"), newcomer.address)
    again, _ = register(dev, principal(SELLER))
    (event,) = events(dev, "KeyDataSetRegistered", again)
    assert hint_of(dev, key, again) in hints_of(bytes(event.payload))
    client.transact(operator, "revokeRole", client.view("CUSTOMS_ROLE"), newcomer.address)  # the other tests' recipients as they were


def test_format_1_stays_available_for_benchmarks(dev: Api, principal: Of) -> None:
    plain = Registration(dev.node.context, dev.node.submissions, payload_format=1)
    gpid = plain.register(fresh_key_data_set(), principal(SELLER))["gpid"]
    (event,) = events(dev, "KeyDataSetRegistered", gpid)
    assert bytes(event.payload)[0] == 1
    assert dev.node.client.record_of(GPID.parse(gpid)).format == 1
    with pytest.raises(ValueError, match="neither 1"):
        Registration(dev.node.context, dev.node.submissions, payload_format=3)


def test_an_import_looks_its_recipients_up_once_per_buyer_and_countries(
    dev: Api, principal: Of, monkeypatch: pytest.MonkeyPatch
) -> None:
    registration = dev.node.registration
    lookups: list[tuple[Any, ...]] = []
    original = registration._other_recipients

    def counted(*args: Any) -> Any:
        lookups.append(args)
        return original(*args)

    monkeypatch.setattr(registration, "_other_recipients", counted)
    records = [SourceRecord(line, fresh_key_data_set()) for line in range(1, 13)]
    report = registration.import_key_data_sets(records, principal(SELLER), chunk=5, timeout_s=60)
    assert len(report.registered) == 12 and not report.failed
    assert len(lookups) == 1
    gpid = report.registered[-1][1]
    (event,) = events(dev, "KeyDataSetRegistered", gpid)
    assert opens_for(dev, BUYER, gpid, bytes(event.payload)).data["invoice"]["number"] == records[-1].data["invoice"]["number"]


def test_a_broker_links_only_with_a_grant_until_it_is_revoked(dev: Api, principal: Of) -> None:
    node, seller, broker = dev.node, principal(SELLER), principal(EXPORT_BROKER)
    gpid, _ = register(dev, seller)
    before = outbox_size(dev)
    with pytest.raises(e.NotAuthorisedLinker) as refused:
        node.declarations.link(unique_reference("26DE"), "DE", "export", [gpid], broker)
    assert refused.value.details["path"] == "gpids[0]" and "grant" in refused.value.message
    assert outbox_size(dev) == before

    granted = node.access.grant(gpid, dev.account(EXPORT_BROKER), "exports it for us", seller)
    assert granted["status"] == "granted" and granted["grantee"] == dev.account(EXPORT_BROKER)
    assert set(granted) >= {"gpid", "grantee", "transaction", "block", "status", "submission"}
    (event,) = events(dev, "AccessGranted", gpid)
    wrapped = payload_crypto.GrantedKey.from_bytes(bytes(event.args["wrappedKey"]))
    assert wrapped.key_id == key_id_of(dev, EXPORT_BROKER)
    assert b"exports it for us" not in bytes(event.args["wrappedKey"])
    (registered,) = events(dev, "KeyDataSetRegistered", gpid)
    pair = node.keyring.encryption.current(dev.account(EXPORT_BROKER))
    assert pair is not None
    binding = payload_crypto.Binding(node.client.chain_id, node.client.address, GPID.parse(gpid))
    content_key = payload_crypto.unwrap_content_key(wrapped, pair, dev.account(EXPORT_BROKER), binding)
    assert payload_crypto.read_payload(bytes(registered.payload), content_key, binding, 1).data["goods"]
    with node.store.session() as session:
        request = session.scalars(select(OutboxEntry.request).where(OutboxEntry.id == granted["submission"])).one()
    assert request["reason"] == "exports it for us"

    listed = node.access.grants(gpid, seller)["items"]
    assert [(g["grantee"], g["granter"], g["active"], g["revoked_at"]) for g in listed] == [
        (dev.account(EXPORT_BROKER), dev.account(SELLER), True, None)]  # fmt: skip

    linked = node.declarations.link(unique_reference("26DE"), "DE", "export", [gpid], broker)
    assert [link["status"] for link in linked["links"]] == [MINED]

    before = outbox_size(dev)
    with pytest.raises(e.AlreadyGranted):
        node.access.grant(gpid, dev.account(EXPORT_BROKER), "again", seller)
    assert outbox_size(dev) == before

    revoked = node.access.revoke(gpid, dev.account(EXPORT_BROKER), seller)
    assert revoked["revoked"] is True and "stays shared" in revoked["note"]
    (entry,) = node.access.grants(gpid, seller)["items"]
    assert entry["active"] is False and entry["revoked_at"] is not None
    before = outbox_size(dev)
    with pytest.raises(e.NotGranted):
        node.access.revoke(gpid, dev.account(EXPORT_BROKER), seller)
    with pytest.raises(e.NotAuthorisedLinker):
        node.declarations.link(unique_reference("26DE"), "DE", "export", [gpid], broker)
    assert outbox_size(dev) == before


def test_grants_are_refused_with_the_reason_and_nothing_written(dev: Api, principal: Of) -> None:
    node, seller = dev.node, principal(SELLER)
    gpid, _ = register(dev, seller)
    plain = Registration(node.context, node.submissions, payload_format=1).register(fresh_key_data_set(), seller)["gpid"]
    other_buyer, _ = register(dev, seller, buyer_eori="GB999999999000")
    stranger = "0x" + "ab" * 20
    before = outbox_size(dev)
    with pytest.raises(e.NoEncryptionKey) as no_key:
        node.access.grant(gpid, stranger, "broker", seller)
    assert [p.path for p in no_key.value.problems] == ["grantee"]
    with pytest.raises(e.ValidationFailed) as bad:
        node.access.grant(gpid, "not-an-account", " ", seller)
    assert [p.path for p in bad.value.problems] == ["grantee", "reason"]
    with pytest.raises(e.ValidationFailed) as long_reason:
        node.access.grant(gpid, dev.account(IMPORT_BROKER), "x" * 501, seller)
    assert [p.path for p in long_reason.value.problems] == ["reason"]
    with pytest.raises(e.PermissionDenied):
        node.access.grant(gpid, dev.account(IMPORT_BROKER), "broker", principal(EXPORT_BROKER))
    with pytest.raises(e.UnknownGPID):  # the buyer of another invoice may not even see it
        node.access.grant(other_buyer, dev.account(IMPORT_BROKER), "broker", principal(BUYER))
    with pytest.raises(e.WrongFormat):
        node.access.grant(plain, dev.account(IMPORT_BROKER), "broker", seller)
    with pytest.raises(e.NotAuthorisedLinker) as not_the_buyer:  # its trader does not open the buyer commitment
        node.declarations.link(unique_reference("26GB"), "GB", "import", [gpid, other_buyer], principal(BUYER))
    assert not_the_buyer.value.details["path"] == "gpids[1]"
    assert outbox_size(dev) == before


def test_the_buyer_grants_and_links_by_opening_its_salted_commitment(dev: Api, principal: Of) -> None:
    node, buyer = dev.node, principal(BUYER)
    gpid, _ = register(dev, principal(SELLER))
    granted = node.access.grant(gpid, dev.account(IMPORT_BROKER), "our import broker", buyer)
    assert granted["status"] == "granted"
    with node.store.session() as session:
        kind = session.scalars(select(OutboxEntry.kind).where(OutboxEntry.id == granted["submission"])).one()
    assert kind == "grant_as_buyer"
    assert [g["granter"] for g in node.access.grants(gpid, buyer)["items"]] == [dev.account(BUYER)]
    linked = node.declarations.link(unique_reference("26GB"), "GB", "import", [gpid], buyer)
    assert [link["status"] for link in linked["links"]] == [MINED]
    (event,) = events(dev, "DeclarationLinked", gpid)
    assert event.args["linker"] == dev.account(BUYER)
    broker_link = node.declarations.link(unique_reference("26GB"), "GB", "import", [gpid], principal(IMPORT_BROKER))
    assert [link["status"] for link in broker_link["links"]] == [MINED]
    revoked = node.access.revoke(gpid, dev.account(IMPORT_BROKER), buyer)
    assert revoked["revoked"] is True


def test_a_mandate_lets_the_agent_link_in_its_direction_and_receive_later_key_data_sets(dev: Api, principal: Of) -> None:
    node, seller, broker = dev.node, principal(SELLER), principal(EXPORT_BROKER)
    before_mandate, _ = register(dev, seller)
    mandated = node.access.set_mandate(dev.account(EXPORT_BROKER), "export", seller)
    assert (mandated["agent"], mandated["direction"], mandated["active"]) == (dev.account(EXPORT_BROKER), "export", True)
    assert node.access.mandates(seller)["items"] == [
        {"agent": dev.account(EXPORT_BROKER), "direction": "export", "since": node.access.mandates(seller)["items"][0]["since"]}]  # fmt: skip
    try:
        linked = node.declarations.link(unique_reference("26DE"), "DE", "export", [before_mandate], broker)
        assert [link["status"] for link in linked["links"]] == [MINED]
        with pytest.raises(e.NotAuthorisedLinker):  # the mandate is for exports only
            node.declarations.link(unique_reference("26GB"), "GB", "import", [before_mandate], broker)
        after, _ = register(dev, seller)
        (event,) = events(dev, "KeyDataSetRegistered", after)
        assert opens_for(dev, EXPORT_BROKER, after, bytes(event.payload)).data["invoice"]
        assert node.reads.history(after, broker)["gpid"] == after  # the agent reads from the mandate on
        with pytest.raises(e.UnknownGPID):  # not what its seller registered before (linking it opens nothing)
            node.reads.history(before_mandate, broker)
    finally:
        ended = node.access.end_mandate(dev.account(EXPORT_BROKER), "export", seller)
    assert ended["active"] is False
    assert node.access.mandates(seller)["items"] == []
    before = outbox_size(dev)
    with pytest.raises(e.NotFound):
        node.access.end_mandate(dev.account(EXPORT_BROKER), "export", seller)
    with pytest.raises(e.ValidationFailed) as bad:
        node.access.set_mandate("0x12", "sideways", seller)
    assert [p.path for p in bad.value.problems] == ["agent", "direction"]
    with pytest.raises(e.PermissionDenied):
        node.access.set_mandate(dev.account(EXPORT_BROKER), "export", broker)
    assert outbox_size(dev) == before


def test_a_format_2_amendment_is_encrypted_under_the_gpids_content_key_without_wrapped_keys(dev: Api, principal: Of) -> None:
    node, seller = dev.node, principal(SELLER)
    gpid, _ = register(dev, seller)
    amended = node.amendments.amend(gpid, {"buyer": {"name": "Thames Tools Limited"}}, "legal name", seller)
    assert amended["version"] == 2 and amended["changed_fields"] == ["buyer.name"]
    (registered,) = events(dev, "KeyDataSetRegistered", gpid)
    (event,) = events(dev, "KeyDataSetAmended", gpid)
    payload = bytes(event.payload)
    assert payload[0] == 2 and payload_crypto.decode_payload(payload).recipient_keys == ()
    content_key = content_key_for(dev, SELLER, gpid, bytes(registered.payload))
    first = opens_for(dev, SELLER, gpid, bytes(registered.payload))
    second = payload_crypto.read_payload(payload, content_key, binding_of(dev, gpid), 2)
    assert second.seed == first.seed
    assert second.data["buyer"]["name"] == "Thames Tools Limited"
    assert tuple(bytes(c) for c in event.args["commitments"]) == merkle.commitments_v2(second.data, first.seed).as_tuple()
    with node.store.session() as session:  # the node's indexer opened version 2 with the content key of version 1
        stored = session.get(VersionRow, (GPID.parse(gpid).hex, 2))
        assert stored is not None and stored.integrity_ok and stored.data == second.data
    assert bytes(event.args["commitments"][0]) == bytes(registered.args["commitments"][0])  # identity unchanged


def test_this_node_without_the_content_key_refuses_to_amend_or_grant(dev: Api, principal: Of) -> None:
    node, seller = dev.node, principal(SELLER)
    gpid, _ = register(dev, seller)
    with node.store.session() as session:
        row = session.get(KeyDataSetRow, GPID.parse(gpid).hex)
        assert row is not None
        kept = (row.content_key, row.seed)
        row.content_key = row.seed = None
    before = outbox_size(dev)
    try:
        with pytest.raises(e.Conflict, match="no content key"):
            node.amendments.amend(gpid, {"buyer": {"name": "X Ltd"}}, "typo", seller)
        with pytest.raises(e.Conflict, match="no content key"):
            node.access.grant(gpid, dev.account(IMPORT_BROKER), "broker", seller)
    finally:
        with node.store.session() as session:
            row = session.get(KeyDataSetRow, GPID.parse(gpid).hex)
            assert row is not None
            row.content_key, row.seed = kept
    assert outbox_size(dev) == before


def verification_body(reference: str, gpid: str) -> dict[str, Any]:
    filed_at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    items = [{"gpid": gpid, "goods_sequence": 1, "hs_code": "84669340", "value": "18450.00", "currency": "EUR",
              "packages": 2, "net_mass_kg": "310.500", "country_of_origin": "DE", "preferential_origin": "EU"}]  # fmt: skip
    return {"declaration": {"reference": reference, "country": "DE", "direction": "export", "filed_at": filed_at, "items": items}}


def test_customs_outcomes_of_a_format_2_gpid_are_recorded_only_for_linked_declarations(dev: Api, principal: Of) -> None:
    node, customs = dev.node, principal(CUSTOMS_DE)
    gpid, _ = register(dev, principal(SELLER))
    reference = unique_reference("26DE")
    before = outbox_size(dev)
    unlinked = node.verifications.verify(verification_body(reference, gpid), customs)
    (entry,) = unlinked["gpids"]
    assert entry["outcome_recorded"] is False and "not linked" in entry["outcome_not_recorded"]
    assert unlinked["recorded"] == [] and outbox_size(dev) == before

    node.declarations.link(reference, "DE", "export", [gpid], principal(SELLER))
    linked = node.verifications.verify(verification_body(reference, gpid), customs)
    assert linked["gpids"][0]["outcome_recorded"] is True
    (recorded,) = linked["recorded"]
    (row,) = node.outbox.wait([recorded["submission"]], 30)
    assert row.status == MINED and row.status != FAILED


def test_a_sellers_link_of_a_transit_countrys_declaration_grants_that_customs_in_the_same_step(dev: Api, principal: Of) -> None:
    node, seller = dev.node, principal(SELLER)
    customs_nl, pair = Account.create(), EncryptionKeyPair.generate()
    node.client.transact(operator_account(), "grantCustoms", customs_nl.address, b"NL")
    node.client.transact(operator_account(), "publishEncryptionKeyFor", customs_nl.address, pair.public_bytes)
    gpid, _ = register(dev, seller)
    indexed(dev)

    linked = node.declarations.link(unique_reference("26NL"), "NL", "import", [gpid], seller)
    assert [link["status"] for link in linked["links"]] == [MINED]
    assert [(g["grantee"], g["status"]) for g in linked["customs_grants"]] == [(customs_nl.address, MINED)]
    (event,) = events(dev, "AccessGranted", gpid)
    assert (event.args["grantee"], event.args["granter"]) == (customs_nl.address, dev.account(SELLER))
    binding = payload_crypto.Binding(node.client.chain_id, node.client.address, GPID.parse(gpid))
    wrapped = payload_crypto.GrantedKey.from_bytes(bytes(event.args["wrappedKey"]))
    content_key = payload_crypto.unwrap_content_key(wrapped, pair, customs_nl.address, binding)
    (registered,) = events(dev, "KeyDataSetRegistered", gpid)
    assert payload_crypto.read_payload(bytes(registered.payload), content_key, binding, 1).data["invoice"]

    again = node.declarations.link(unique_reference("26NL"), "NL", "import", [gpid], seller)
    assert again["customs_grants"] == []  # granted already
    at_home = node.declarations.link(unique_reference("26DE"), "DE", "export", [gpid], seller)
    assert at_home["customs_grants"] == []  # Customs DE received the key at registration


def test_a_seller_registers_with_the_key_it_published_and_not_at_all_without_one_on_chain(dev: Api, principal: Of) -> None:
    """Recipients find their hints with a key the seller published: a newer key this node made but
    did not publish (a rotation whose publication was refused) issues nothing until it is on chain,
    and with none of this node's keys on chain the registration is refused."""
    node, seller = dev.node, dev.account(SELLER)
    signer = node.keyring.get(seller)
    published = node.keyring.encryption.current(seller)
    assert signer is not None and published is not None
    rotated = EncryptionKeyPair.generate()
    node.keyring.encryption.add(seller, rotated)  # not published
    gpid, data = register(dev, principal(SELLER))
    payload = bytes(events(dev, "KeyDataSetRegistered", gpid)[0].payload)
    assert hint(published.public_bytes, published, binding_of(dev, gpid)) in hints_of(payload)
    assert open_as(payload, published.public_bytes, dev.account(BUYER), _current(dev, BUYER), binding_of(dev, gpid)) is not None

    node.client.transact(signer, "publishEncryptionKey", EncryptionKeyPair.generate().public_bytes)  # a key this node lacks
    before = outbox_size(dev)
    with pytest.raises(e.PermissionDenied, match="has not published on chain the encryption key") as refused:
        register(dev, principal(SELLER))
    assert "0x" + rotated.key_id.hex() in refused.value.message and outbox_size(dev) == before

    assert publish_current_key(node.client, node.keyring, seller) is not None  # the other tests go on with it
    gpid, data = register(dev, principal(SELLER))
    payload = bytes(events(dev, "KeyDataSetRegistered", gpid)[0].payload)
    assert hint(rotated.public_bytes, rotated, binding_of(dev, gpid)) in hints_of(payload)
    assert opens_for(dev, BUYER, gpid, payload).data == data and opens_for(dev, SELLER, gpid, payload).data == data


def _current(dev: Api, name: str) -> EncryptionKeyPair:
    pair = dev.node.keyring.encryption.current(dev.account(name))
    assert pair is not None
    return pair
