"""The registry's rules on a real anvil: each test asserts the error and its arguments, or the
event and its arguments and the stored state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from eth_hash.auto import keccak
from support.builders import BUYER_TRADER_ID, SELLER_TRADER_ID, amended, key_data_set
from support.contract_checks import events, expected_gpid, payload_of, record_of, reverts
from support.invoice_keys import invoice_key

from gpid_node.domain import canonical
from gpid_node.domain.errors import GPIDError
from gpid_node.domain.gpid import GPID

SALT = b"\x11" * 32
SELLER_KEY = canonical.trader_key(SELLER_TRADER_ID)
BUYER_KEY = canonical.trader_key(BUYER_TRADER_ID)


def register_single(registry: Any, data: dict[str, Any], sender: Any = None) -> Any:
    return registry.register(data, SALT, sender)


def register_in_batch(registry: Any, data: dict[str, Any], sender: Any = None) -> Any:
    key = invoice_key(registry.client.trader_key_of((sender or registry.people.seller).address), data["invoice"]["number"])
    item = (
        key,
        canonical.commitments(data, SALT).as_tuple(),
        canonical.encode_payload(data, SALT),
    )
    return registry.client.transact(sender or registry.people.seller, "registerBatch", [item])


REGISTER_PATHS: dict[str, Callable[..., Any]] = {"single": register_single, "batch": register_in_batch}


@pytest.fixture(params=sorted(REGISTER_PATHS))
def register(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """One behaviour module over both registration paths."""
    return REGISTER_PATHS[request.param]


def unwrap_batch(name: str, path: Callable[..., Any]) -> str:
    return "BatchItemRejected" if path is register_in_batch and name not in ("TraderNotBound",) else name


# ------------------------------------------------------------------ registration


def test_registration_stores_one_record_and_emits_the_payload_hash(registry: Any, register: Callable[..., Any]) -> None:
    data = key_data_set()
    receipt = register(registry, data)
    (event,) = events(receipt, "KeyDataSetRegistered")
    gpid = expected_gpid(registry, SELLER_KEY, "RM-2026-000123")
    commitments = canonical.commitments(data, SALT)
    assert event.args["gpid"] == gpid
    assert event.args["issuer"] == registry.people.seller.address
    assert event.args["sellerTraderKey"] == SELLER_KEY
    assert event.args["registryKey"] == canonical.registry_key(SELLER_KEY, invoice_key(SELLER_KEY, "RM-2026-000123"))
    assert [bytes(c) for c in event.args["commitments"]] == list(commitments.as_tuple())
    assert canonical.decode_payload(payload_of(registry.client, event)) == (data, SALT)
    assert event.args["payloadHash"] == keccak(canonical.encode_payload(data, SALT)) and "payload" not in event.args
    record = registry.client.record_of(GPID(gpid))
    block = registry.client.block(receipt.block_number)
    assert (record.issuer, record.registered_at, record.version, record.links, record.format) == (
        registry.people.seller.address, block["timestamp"], 1, 0, 1)  # fmt: skip
    assert registry.client.view("sellerTraderKeyOf", gpid) == SELLER_KEY
    v = registry.client.version_of(GPID(gpid), 1)
    assert (v.digest, v.author, v.time, v.changed_sections, v.reason_code) == (commitments.digest, record.issuer, record.registered_at, 15, 0)


def test_gpid_is_computable_before_registration(registry: Any) -> None:
    before = registry.client.gpid_for(SELLER_KEY, invoice_key(SELLER_KEY, "RM-2026-000123"))
    receipt = registry.register(key_data_set())
    (event,) = events(receipt, "KeyDataSetRegistered")
    assert before.raw == event.args["gpid"] == expected_gpid(registry, SELLER_KEY, "RM-2026-000123")


def test_duplicate_invoice_reverts_naming_the_existing_gpid(registry: Any, register: Callable[..., Any]) -> None:
    registry.register(key_data_set())
    gpid = expected_gpid(registry, SELLER_KEY, "RM-2026-000123")
    key = invoice_key(SELLER_KEY, "RM-2026-000123")
    changed = amended(key_data_set(), **{"buyer.name": "Someone Else Ltd"})
    if register is register_single:
        with reverts("InvoiceAlreadyRegistered", invoiceKey=key, gpid=gpid):
            register(registry, changed)
    else:
        with pytest.raises(GPIDError) as info:
            register(registry, changed)
        error = info.value.contract_error
        assert error.name == "BatchItemRejected" and error.args["index"] == 0
        assert error.args["error"].name == "InvoiceAlreadyRegistered"
        assert error.args["error"].args == {"invoiceKey": key, "gpid": gpid}


def test_batch_item_error_carries_the_item_error(registry: Any) -> None:
    registry.register(key_data_set("INV-2"))
    items = [
        (invoice_key(SELLER_KEY, number), canonical.commitments(d, SALT).as_tuple(), canonical.encode_payload(d, SALT))
        for number, d in (("INV-1", key_data_set("INV-1")), ("INV-2", key_data_set("INV-2")))
    ]
    with pytest.raises(GPIDError) as info:
        registry.client.transact(registry.people.seller, "registerBatch", items)
    error = info.value.contract_error
    assert error.name == "BatchItemRejected" and error.args["index"] == 1
    assert error.args["error"].name == "InvoiceAlreadyRegistered"
    assert error.args["error"].args["gpid"] == expected_gpid(registry, SELLER_KEY, "INV-2")
    assert info.value.details["batch_index"] == 1
    assert registry.client.record_of(GPID(expected_gpid(registry, SELLER_KEY, "INV-1"))).version == 0, "nothing written"


def test_batch_registers_every_item(registry: Any) -> None:
    datasets = [key_data_set(f"INV-{i}", lines=2) for i in range(5)]
    items = [
        (invoice_key(SELLER_KEY, d["invoice"]["number"]), canonical.commitments(d, SALT).as_tuple(), canonical.encode_payload(d, SALT))
        for d in datasets
    ]
    receipt = registry.client.transact(registry.people.seller, "registerBatch", items)
    registered = events(receipt, "KeyDataSetRegistered")
    assert [e.args["gpid"] for e in registered] == [expected_gpid(registry, SELLER_KEY, f"INV-{i}") for i in range(5)]


def test_empty_batch_is_refused(registry: Any) -> None:
    with reverts("EmptyBatch"):
        registry.client.transact(registry.people.seller, "registerBatch", [])


def test_unbound_caller_cannot_register(registry: Any, register: Callable[..., Any]) -> None:
    with reverts("TraderNotBound", caller=registry.people.stranger.address):
        register(registry, key_data_set(), registry.people.stranger)


def test_another_trader_cannot_squat_a_competitors_invoice(registry: Any) -> None:
    # The other seller sends a data set naming our seller's trader ID: the contract keys it under
    # the caller's own bound trader ID, so our seller's GPID for that invoice stays free.
    receipt = registry.register(key_data_set(), sender=registry.people.other_seller)
    (event,) = events(receipt, "KeyDataSetRegistered")
    other_key = canonical.trader_key("EORI:FR12345678901")
    assert event.args["sellerTraderKey"] == other_key
    assert event.args["gpid"] != expected_gpid(registry, SELLER_KEY, "RM-2026-000123")
    receipt = registry.register(key_data_set())
    assert events(receipt, "KeyDataSetRegistered")[0].args["gpid"] == expected_gpid(registry, SELLER_KEY, "RM-2026-000123")


def test_the_same_invoice_number_of_two_traders_makes_two_gpids(registry: Any) -> None:
    # Rule 1 keys on (seller trader, invoice key): the same invoice key sent by another trader (copied
    # off the chain, or the same number under the same secret) is another invoice with another GPID.
    key = invoice_key(SELLER_KEY, "RM-2026-000123")
    mine = registry.register(key_data_set())
    data = key_data_set()
    theirs = registry.client.transact(registry.people.other_seller, "register", key, canonical.commitments(data, SALT).as_tuple(),
                                      canonical.encode_payload(data, SALT))  # fmt: skip
    other_key = canonical.trader_key("EORI:FR12345678901")
    (a,), (b,) = events(mine, "KeyDataSetRegistered"), events(theirs, "KeyDataSetRegistered")
    assert a.args["gpid"] != b.args["gpid"]
    assert b.args["gpid"] == canonical.gpid_of_invoice(registry.client.chain_id, registry.client.address, other_key, key).raw
    assert b.args["registryKey"] == canonical.registry_key(other_key, key)


def test_zero_invoice_key_is_refused_on_both_paths(registry: Any) -> None:
    data = key_data_set()
    zero = bytes(32)
    with reverts("InvalidInvoiceKey", invoiceKey=zero):
        registry.client.transact(registry.people.seller, "register", zero, canonical.commitments(data, SALT).as_tuple(),
                                 canonical.encode_payload(data, SALT))  # fmt: skip
    with pytest.raises(GPIDError) as info:
        registry.client.transact(registry.people.seller, "registerBatch",
                                 [(zero, canonical.commitments(data, SALT).as_tuple(), canonical.encode_payload(data, SALT))])  # fmt: skip
    error = info.value.contract_error
    assert error.name == "BatchItemRejected" and error.args["error"].name == "InvalidInvoiceKey"


def _raw(value: Any) -> bytes:
    return bytes.fromhex(value.removeprefix("0x")) if isinstance(value, str) else bytes(value)


def test_the_invoice_number_is_nowhere_in_a_registration(registry: Any, register: Callable[..., Any]) -> None:
    # Rule 8 for the invoice number: neither the calldata nor the event holds it (format 2 keeps it
    # inside the ciphertext; this format-1 payload is deflated, and its number is checked not to
    # appear in clear in any other argument).
    data = key_data_set("CONFIDENTIAL-INVOICE-77")
    receipt = register(registry, data)
    raw = bytes(registry.client.w3.eth.get_transaction(receipt.transaction_hash)["input"])
    payload = canonical.encode_payload(data, SALT)
    outside = raw.replace(payload, b"")
    logs = b"".join(_raw(log["data"]) + b"".join(_raw(t) for t in log["topics"]) for log in receipt.logs)
    for needle in (b"CONFIDENTIAL-INVOICE-77", keccak(b"CONFIDENTIAL-INVOICE-77")):
        assert needle not in outside and needle not in logs


@pytest.mark.parametrize(("payload", "error"), [(b"", "InvalidPayload"), (b"\x00abc", "InvalidPayload"), (b"\x01" * 24_577, "PayloadTooLarge")])
def test_bad_payload_is_refused(registry: Any, payload: bytes, error: str) -> None:
    data = key_data_set()
    with reverts(error):
        registry.client.transact(
            registry.people.seller, "register", invoice_key(SELLER_KEY, "INV-1"), canonical.commitments(data, SALT).as_tuple(), payload
        )


def test_registration_time_comes_from_the_registry_clock(registry: Any) -> None:
    registry.client.transact(registry.people.operator, "setNow", 1_800_000_000)
    registry.register(key_data_set())
    record = registry.client.record_of(GPID(expected_gpid(registry, SELLER_KEY, "RM-2026-000123")))
    registry.client.transact(registry.people.operator, "setNow", 0)
    assert record.registered_at == 1_800_000_000


# ------------------------------------------------------------------ amendments


def _amend(registry: Any, before: dict, after: dict, sender: Any = None, reason: str = "price corrected",
           code: int = 2, salt_after: bytes = SALT) -> Any:
    gpid = expected_gpid(registry, SELLER_KEY, canonical.normal_identifier(before["invoice"]["number"]))
    return registry.client.transact(
        sender or registry.people.seller,
        "amend",
        gpid,
        canonical.commitments(before, SALT).as_tuple(),
        canonical.commitments(after, salt_after).as_tuple(),
        code,
        reason,
        canonical.encode_payload(after, salt_after),
    )


def test_issuer_amends_goods_and_the_version_is_recorded(registry: Any) -> None:
    before = key_data_set()
    registry.register(before)
    registry.client.transact(registry.people.operator, "setNow", 1_900_000_000)
    after = amended(before, **{"goods.0.value": "18000.00"})
    receipt = _amend(registry, before, after)
    registry.client.transact(registry.people.operator, "setNow", 0)
    (event,) = events(receipt, "KeyDataSetAmended")
    gpid = expected_gpid(registry, SELLER_KEY, "RM-2026-000123")
    assert event.args["gpid"] == gpid and event.args["version"] == 2
    assert event.args["changedSections"] == canonical.SECTION_GOODS
    assert (event.args["reasonCode"], event.args["reason"]) == (2, "price corrected")
    assert event.args["payloadHash"] == keccak(payload_of(registry.client, event))
    assert canonical.decode_payload(payload_of(registry.client, event))[0] == after
    assert registry.client.record_of(GPID(gpid)).version == 2
    v = registry.client.version_of(GPID(gpid), 2)
    assert v.digest == canonical.commitments(after, SALT).digest
    assert (v.author, v.time, v.changed_sections, v.reason_code) == (registry.people.seller.address, 1_900_000_000, 8, 2)
    assert registry.client.version_of(GPID(gpid), 1).digest == canonical.commitments(before, SALT).digest


def test_buyer_change_sets_the_buyer_bit(registry: Any) -> None:
    before = key_data_set()
    registry.register(before)
    after = amended(before, **{"buyer.address.city": "Tilbury", "seller.name": "Rhein Maschinenbau AG"})
    (event,) = events(_amend(registry, before, after), "KeyDataSetAmended")
    assert event.args["changedSections"] == canonical.SECTION_BUYER | canonical.SECTION_SELLER


@pytest.mark.parametrize("field", ["invoice.date", "seller.trader_id.value"])
def test_identity_section_is_immutable(registry: Any, field: str) -> None:
    before = key_data_set()
    registry.register(before)
    value = "2026-11-19" if field == "invoice.date" else "DE999999999"
    with reverts("SectionImmutable", section=canonical.SECTION_IDENTITY):
        _amend(registry, before, amended(before, **{field: value}))


def test_stranger_cannot_amend(registry: Any) -> None:
    before = key_data_set()
    registry.register(before)
    gpid = expected_gpid(registry, SELLER_KEY, "RM-2026-000123")
    with reverts("NotAuthorisedAuthor", gpid=gpid, account=registry.people.stranger.address):
        _amend(registry, before, amended(before, **{"buyer.name": "X"}), sender=registry.people.stranger)


def test_delegate_amends_once_the_issuer_allows_it(registry: Any) -> None:
    before = key_data_set()
    registry.register(before)
    gpid = expected_gpid(registry, SELLER_KEY, "RM-2026-000123")
    delegate = registry.people.delegate
    receipt = registry.client.transact(registry.people.seller, "setAmendmentDelegate", gpid, delegate.address, True)
    (event,) = events(receipt, "AmendmentDelegateSet")
    assert event.args == {"gpid": gpid, "delegate": delegate.address, "allowed": True}
    receipt = _amend(registry, before, amended(before, **{"buyer.name": "Thames Tools plc"}), sender=delegate)
    assert events(receipt, "KeyDataSetAmended")[0].args["author"] == delegate.address
    registry.client.transact(registry.people.seller, "setAmendmentDelegate", gpid, delegate.address, False)
    after = amended(before, **{"buyer.name": "Thames Tools plc"})
    with reverts("NotAuthorisedAuthor", account=delegate.address):
        _amend(registry, after, amended(after, **{"buyer.name": "Y"}), sender=delegate)


def test_only_the_seller_delegates(registry: Any) -> None:
    registry.register(key_data_set())
    gpid = expected_gpid(registry, SELLER_KEY, "RM-2026-000123")
    with reverts("NotSeller", gpid=gpid, account=registry.people.delegate.address):
        registry.client.transact(registry.people.delegate, "setAmendmentDelegate", gpid, registry.people.delegate.address, True)


def test_amendment_on_a_stale_version_is_refused(registry: Any) -> None:
    before = key_data_set()
    registry.register(before)
    v2 = amended(before, **{"buyer.name": "B2"})
    _amend(registry, before, v2)
    stale = canonical.commitments(before, SALT)
    with reverts("CommitmentsMismatch", expected=canonical.commitments(v2, SALT).digest, given=stale.digest):
        _amend(registry, before, amended(before, **{"buyer.name": "B3"}))


def test_amendment_that_changes_nothing_is_refused(registry: Any) -> None:
    before = key_data_set()
    registry.register(before)
    with reverts("NothingChanged", gpid=expected_gpid(registry, SELLER_KEY, "RM-2026-000123")):
        _amend(registry, before, before)


def test_overlong_reason_is_refused(registry: Any) -> None:
    before = key_data_set()
    registry.register(before)
    with reverts("ReasonTooLong", size=501, maxSize=500):
        _amend(registry, before, amended(before, **{"buyer.name": "B2"}), reason="x" * 501)


def test_unknown_gpid_is_refused(registry: Any) -> None:
    before = key_data_set("NEVER-REGISTERED")
    with reverts("UnknownGPID", gpid=expected_gpid(registry, SELLER_KEY, "NEVER-REGISTERED")):
        _amend(registry, before, amended(before, **{"buyer.name": "B2"}))


def _amend_to(registry: Any, data: dict, version: int) -> dict:
    """Amends a registered key data set (at version 1) up to ``version`` with real transactions;
    returns the data of that version."""
    for n in range(2, version + 1):
        after = amended(data, **{"buyer.name": f"Thames Tools {n}"})
        _amend(registry, data, after)
        data = after
    return data


def test_the_hundredth_version_is_accepted_and_the_hundred_and_first_refused(registry: Any) -> None:
    assert registry.client.view("MAX_VERSIONS") == 100
    gpid = _gpid(registry)
    current = _amend_to(registry, key_data_set(), 99)
    hundredth = amended(current, **{"buyer.name": "Thames Tools plc"})
    (event,) = events(_amend(registry, current, hundredth), "KeyDataSetAmended")
    assert event.args["version"] == 100
    with reverts("TooManyVersions", gpid=gpid, maxVersions=100):
        _amend(registry, hundredth, amended(hundredth, **{"buyer.name": "Thames Tools Group"}))
    # The cap comes before the commitments: a stale amendment learns that no amendment is possible.
    with reverts("TooManyVersions", gpid=gpid, maxVersions=100):
        _amend(registry, current, amended(current, **{"goods.0.value": "1.00"}))
    # ... but after the right to amend: a stranger is told it may not amend at all.
    with reverts("NotAuthorisedAuthor", gpid=gpid, account=registry.people.stranger.address):
        _amend(registry, hundredth, amended(hundredth, **{"buyer.name": "X"}), sender=registry.people.stranger)
    assert record_of(registry, gpid)["version"] == 100
    assert registry.client.view("versionOf", gpid, 100)[0] == canonical.commitments(hundredth, SALT).digest
    with reverts("UnknownVersion", gpid=gpid, version=101):
        registry.client.view("versionOf", gpid, 101)


# ------------------------------------------------------------------ declarations and verification


def _gpid(registry: Any) -> bytes:
    registry.register(key_data_set())
    return expected_gpid(registry, SELLER_KEY, "RM-2026-000123")


def test_broker_links_a_declaration_once(registry: Any) -> None:
    gpid = _gpid(registry)
    broker = registry.people.broker
    receipt = registry.client.transact(broker, "linkDeclaration", gpid, "26DE00000000000001", b"DE", 1)
    (event,) = events(receipt, "DeclarationLinked")
    assert event.args == {
        "gpid": gpid,
        "referenceKey": canonical.reference_key("26DE00000000000001"),
        "linker": broker.address,
        "country": b"DE",
        "direction": 1,
        "declarationReference": "26DE00000000000001",
    }
    assert registry.client.view("isLinked", gpid, b"DE", "26DE00000000000001") is True
    with reverts("DeclarationAlreadyLinked", gpid=gpid, country=b"DE"):
        registry.client.transact(broker, "linkDeclaration", gpid, "26DE00000000000001", b"DE", 1)


def test_seller_links_its_own_gpid(registry: Any) -> None:
    gpid = _gpid(registry)
    receipt = registry.client.transact(registry.people.seller, "linkDeclaration", gpid, "26DE0000001", b"DE", 1)
    assert events(receipt, "DeclarationLinked")[0].args["linker"] == registry.people.seller.address


def test_buyer_links_by_proving_it_is_the_buyer(registry: Any) -> None:
    gpid = _gpid(registry)
    current = canonical.commitments(key_data_set(), SALT).as_tuple()
    receipt = registry.client.transact(registry.people.buyer, "linkDeclarationAsBuyer", gpid, current, "26GB0000001", b"GB", 2)
    assert events(receipt, "DeclarationLinked")[0].args["direction"] == 2
    with reverts("NotAuthorisedLinker", gpid=gpid, account=registry.people.other_seller.address):
        registry.client.transact(registry.people.other_seller, "linkDeclarationAsBuyer", gpid, current, "26GB0000002", b"GB", 2)


def test_stranger_cannot_link(registry: Any) -> None:
    gpid = _gpid(registry)
    with reverts("NotAuthorisedLinker", gpid=gpid, account=registry.people.stranger.address):
        registry.client.transact(registry.people.stranger, "linkDeclaration", gpid, "26DE0000001", b"DE", 1)


@pytest.mark.parametrize(("country", "direction", "error"), [(b"de", 1, "InvalidCountry"), (b"DE", 3, "InvalidDirection"), (b"D1", 1, "InvalidCountry")])
def test_link_with_bad_country_or_direction_is_refused(registry: Any, country: bytes, direction: int, error: str) -> None:
    gpid = _gpid(registry)
    with reverts(error):
        registry.client.transact(registry.people.broker, "linkDeclaration", gpid, "26DE0000001", country, direction)


def link_as_broker(registry: Any, gpid: bytes, reference: str) -> Any:
    return registry.client.transact(registry.people.broker, "linkDeclaration", gpid, reference, b"DE", 1)


def link_as_buyer(registry: Any, gpid: bytes, reference: str) -> Any:
    current = canonical.commitments(key_data_set(), SALT).as_tuple()
    return registry.client.transact(registry.people.buyer, "linkDeclarationAsBuyer", gpid, current, reference, b"GB", 2)


LINK_PATHS: dict[str, Callable[..., Any]] = {"broker": link_as_broker, "buyer": link_as_buyer}


@pytest.fixture(params=sorted(LINK_PATHS))
def link(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """One behaviour over both link functions (they share the one link path)."""
    return LINK_PATHS[request.param]


def test_the_hundredth_link_is_accepted_and_the_hundred_and_first_refused(registry: Any, link: Callable[..., Any]) -> None:
    assert registry.client.view("MAX_LINKS") == 100
    gpid = _gpid(registry)
    for n in range(1, 100):
        link_as_broker(registry, gpid, f"26DE{n:014d}")
    assert record_of(registry, gpid)["links"] == 99
    (event,) = events(link(registry, gpid, "26XX00000000000100"), "DeclarationLinked")
    assert event.args["declarationReference"] == "26XX00000000000100"
    assert record_of(registry, gpid)["links"] == 100
    with reverts("TooManyLinks", gpid=gpid, maxLinks=100):
        link(registry, gpid, "26XX00000000000101")
    assert registry.client.view("isLinked", gpid, b"DE", "26XX00000000000101") is False
    assert registry.client.view("isLinked", gpid, b"GB", "26XX00000000000101") is False
    assert record_of(registry, gpid)["links"] == 100


def test_the_link_cap_counts_per_gpid_after_the_duplicate_rule(registry: Any) -> None:
    gpid = _gpid(registry)
    first = f"26DE{1:014d}"
    for n in range(1, 101):
        link_as_broker(registry, gpid, f"26DE{n:014d}")
    # A repeated link still names the link that exists, rather than the cap.
    with reverts("DeclarationAlreadyLinked", gpid=gpid, country=b"DE", referenceKey=canonical.reference_key(first)):
        link_as_broker(registry, gpid, first)
    # Another GPID has its own count: the same declaration may still reference it.
    registry.register(key_data_set("RM-2026-000124"))
    other = expected_gpid(registry, SELLER_KEY, "RM-2026-000124")
    (event,) = events(link_as_broker(registry, other, first), "DeclarationLinked")
    assert event.args["gpid"] == other
    assert record_of(registry, other)["links"] == 1


def test_customs_records_a_verification_outcome_for_its_country(registry: Any) -> None:
    gpid = _gpid(registry)
    customs = registry.people.customs
    receipt = registry.client.transact(customs, "recordVerification", gpid, "26GB0000001", 1, 2)
    (event,) = events(receipt, "VerificationRecorded")
    assert event.args == {
        "gpid": gpid,
        "referenceKey": canonical.reference_key("26GB0000001"),
        "customs": customs.address,
        "country": b"GB",
        "version": 1,
        "outcome": 2,
    }
    with reverts("InvalidOutcome", outcome=4):
        registry.client.transact(customs, "recordVerification", gpid, "26GB0000001", 1, 4)
    with reverts("UnknownVersion", gpid=gpid, version=2):
        registry.client.transact(customs, "recordVerification", gpid, "26GB0000001", 2, 1)


def test_only_customs_records_verifications(registry: Any) -> None:
    gpid = _gpid(registry)
    role = registry.client.view("CUSTOMS_ROLE")
    with reverts("AccessControlUnauthorizedAccount", account=registry.people.broker.address, neededRole=role):
        registry.client.transact(registry.people.broker, "recordVerification", gpid, "26GB0000001", 1, 1)


# ------------------------------------------------------------------ onboarding and roles


def test_onboarding_binds_and_unbinds_trader_ids(registry: Any) -> None:
    op, stranger = registry.people.operator, registry.people.stranger
    receipt = registry.client.transact(op, "bindTrader", stranger.address, "EORI:NL123456789")
    (event,) = events(receipt, "TraderBound")
    key = canonical.trader_key("EORI:NL123456789")
    assert event.args == {"traderKey": key, "account": stranger.address, "traderId": "EORI:NL123456789"}
    assert registry.client.view("traderKeyOf", stranger.address) == key
    with reverts("AccountAlreadyBound", account=stranger.address, traderKey=key):
        registry.client.transact(op, "bindTrader", stranger.address, "EORI:NL999")
    receipt = registry.client.transact(op, "unbindTrader", stranger.address)
    assert events(receipt, "TraderUnbound")[0].args == {"traderKey": key, "account": stranger.address}
    with reverts("TraderNotBound", caller=stranger.address):
        registry.register(key_data_set("NL-1"), sender=stranger)
    with reverts("TraderNotBound", caller=stranger.address):
        registry.client.transact(op, "unbindTrader", stranger.address)


def test_only_onboarding_binds_traders(registry: Any) -> None:
    role = registry.client.view("ONBOARDING_ROLE")
    stranger = registry.people.stranger
    with reverts("AccessControlUnauthorizedAccount", account=stranger.address, neededRole=role):
        registry.client.transact(stranger, "bindTrader", stranger.address, "EORI:NL123")
    with reverts("AccessControlUnauthorizedAccount", account=stranger.address, neededRole=role):
        registry.client.transact(stranger, "grantCustoms", stranger.address, b"NL")
    with reverts("AccessControlUnauthorizedAccount", account=stranger.address, neededRole=role):
        registry.client.transact(stranger, "grantRole", registry.client.view("BROKER_ROLE"), stranger.address)


def test_trader_id_must_be_in_normal_form(registry: Any) -> None:
    with reverts("IdentifierNotNormalised", identifier="eori:nl123"):
        registry.client.transact(registry.people.operator, "bindTrader", registry.people.stranger.address, "eori:nl123")


def test_customs_account_carries_its_country(registry: Any) -> None:
    op, stranger = registry.people.operator, registry.people.stranger
    receipt = registry.client.transact(op, "grantCustoms", stranger.address, b"NL")
    assert events(receipt, "CustomsCountrySet")[0].args == {"account": stranger.address, "country": b"NL"}
    assert registry.client.view("customsCountryOf", stranger.address) == b"NL"
    registry.client.transact(op, "revokeRole", registry.client.view("CUSTOMS_ROLE"), stranger.address)
    assert registry.client.view("customsCountryOf", stranger.address) == b"\x00\x00"
