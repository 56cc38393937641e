"""The registry's rights and confidentiality rules (issue 19) on a real anvil: encryption keys,
format-2 payloads, rights that follow the trader's current binding, grants, mandates, the format-2
link rule and Customs outcomes. Each refusal asserts the error and its arguments."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from eth_abi import encode
from eth_hash.auto import keccak

from gpid_node.domain import canonical
from support.builders import BUYER_TRADER_ID, SELLER_TRADER_ID, dev_account, key_data_set
from support.vectors import VECTORS_FILE
from gpid_node.domain.errors import GPIDError
from support.contract_checks import events, expected_gpid, record_of, reverts
from support.invoice_keys import invoice_key

SELLER_KEY = canonical.trader_key(SELLER_TRADER_ID)
BUYER_KEY = canonical.trader_key(BUYER_TRADER_ID)
BUYER_SALT = keccak(b"GPID/buyer-salt/v2" + b"\x5e" * 32)
EXPORT, IMPORT = 1, 2
WRAPPED_KEY_BYTES = 112  # a grant's: keyId (32) || enc (32) || ct (48)
RECIPIENT_KEY_BYTES = 88  # a registration payload's: hint (8) || enc (32) || ct (48)


def key_id(public_key: bytes) -> bytes:
    return keccak(public_key)


def buyer_commitment(salt: bytes, trader_key: bytes) -> bytes:
    """PROTOCOL-V2: keccak256(abi.encode(bytes32 buyerSalt, bytes32 buyerTraderKey))."""
    return keccak(encode(["bytes32", "bytes32"], [salt, trader_key]))


def roots(tag: int, buyer: bytes = BUYER_KEY, salt: bytes = BUYER_SALT) -> tuple[bytes, ...]:
    """Format-2 commitments: four section roots (arbitrary here) and the salted buyer commitment."""
    return (keccak(b"identity"), keccak(b"seller%d" % tag), keccak(b"buyer%d" % tag), keccak(b"goods%d" % tag),
            buyer_commitment(salt, buyer))  # fmt: skip


def wrapped_for(public_key: bytes) -> bytes:
    """A wrapped content key in the layout of PROTOCOL-V2: keyId (32) || enc (32) || ct (48)."""
    return key_id(public_key) + os.urandom(WRAPPED_KEY_BYTES - 32)


def recipient_key() -> bytes:
    """A content key wrapped for a registration's recipient: hint (8) || enc (32) || ct (48)."""
    return os.urandom(RECIPIENT_KEY_BYTES)


def confidential_payload(recipients: list[bytes], ciphertext_bytes: int = 600) -> bytes:
    """0x02 || count || recipient keys || nonce (12) || ciphertext and tag: random bytes of that layout."""
    body = b"".join(recipient_key() for _ in recipients)
    return bytes([2, len(recipients)]) + body + os.urandom(12) + os.urandom(ciphertext_bytes + 16)


def x25519_key(tag: int) -> bytes:
    return keccak(b"x25519 public key %d" % tag)


def register_confidential(registry: Any, number: str = "RM-2026-900001", *, batch: bool = False,
                          sender: Any = None, payload: bytes | None = None, tag: int = 1) -> bytes:
    commitments = roots(tag)
    payload = payload if payload is not None else confidential_payload([x25519_key(1), x25519_key(2)])
    sender = sender or registry.people.seller
    key = invoice_key(registry.client.trader_key_of(sender.address), number)
    if batch:
        registry.client.transact(sender, "registerBatch", [(key, commitments, payload)])
    else:
        registry.client.transact(sender, "register", key, commitments, payload)
    return expected_gpid(registry, SELLER_KEY, number)


def register_plain(registry: Any, number: str = "RM-2026-000123") -> bytes:
    registry.register(key_data_set(invoice_number=number))
    return expected_gpid(registry, SELLER_KEY, number)


def amend_confidential(registry: Any, gpid: bytes, sender: Any, before: int = 1, after: int = 2) -> Any:
    return registry.client.transact(sender, "amend", gpid, roots(before), roots(after), 2, "price corrected",
                                    bytes([2, 0]) + os.urandom(300))  # fmt: skip


def publish(registry: Any, account: Any, tag: int) -> bytes:
    registry.client.transact(account, "publishEncryptionKey", x25519_key(tag))
    return x25519_key(tag)


def new_seller_account(registry: Any) -> Any:
    """The seller trader's new account after a key loss: account 8, bound to the seller's trader ID."""
    account = dev_account(8)
    registry.client.transact(registry.people.operator, "bindTrader", account.address, SELLER_TRADER_ID)
    return account


def unbind(registry: Any, account: Any) -> None:
    registry.client.transact(registry.people.operator, "unbindTrader", account.address)


def submit(registry: Any, sender: Any, function: str, *args: Any) -> Any:
    return registry.client.transact(sender, function, *args)


# ------------------------------------------------------------------ encryption keys


def test_an_account_publishes_and_rotates_its_encryption_key(registry: Any) -> None:
    stranger = registry.people.stranger
    assert registry.client.view("encryptionKeyOf", stranger.address) == (b"\0" * 32, b"\0" * 32)
    receipt = registry.client.transact(stranger, "publishEncryptionKey", x25519_key(1))
    (event,) = events(receipt, "EncryptionKeyPublished")
    assert event.args == {"account": stranger.address, "keyId": key_id(x25519_key(1)), "publicKey": x25519_key(1)}
    assert registry.client.view("encryptionKeyOf", stranger.address) == (x25519_key(1), key_id(x25519_key(1)))

    rotated = registry.client.transact(stranger, "publishEncryptionKey", x25519_key(2))
    assert events(rotated, "EncryptionKeyPublished")[0].args["keyId"] == key_id(x25519_key(2))
    assert registry.client.view("encryptionKeyOf", stranger.address) == (x25519_key(2), key_id(x25519_key(2)))


def test_onboarding_publishes_a_key_for_an_account_and_no_one_else_may(registry: Any) -> None:
    people = registry.people
    receipt = registry.client.transact(people.operator, "publishEncryptionKeyFor", people.broker.address, x25519_key(3))
    assert events(receipt, "EncryptionKeyPublished")[0].args["account"] == people.broker.address
    assert registry.client.view("encryptionKeyOf", people.broker.address)[1] == key_id(x25519_key(3))
    with reverts("AccessControlUnauthorizedAccount", account=people.stranger.address):
        registry.client.transact(people.stranger, "publishEncryptionKeyFor", people.broker.address, x25519_key(4))


@pytest.mark.parametrize("function", ["publishEncryptionKey", "publishEncryptionKeyFor"])
def test_the_zero_encryption_key_is_refused(registry: Any, function: str) -> None:
    operator = registry.people.operator
    args = [b"\0" * 32] if function == "publishEncryptionKey" else [registry.people.broker.address, b"\0" * 32]
    account = operator.address if function == "publishEncryptionKey" else registry.people.broker.address
    with reverts("InvalidEncryptionKey", account=account, publicKey=b"\0" * 32):
        registry.client.transact(operator, function, *args)


# ------------------------------------------------------------------ format 2 payloads


@pytest.mark.parametrize("batch", [False, True], ids=["single", "batch"])
def test_a_format_2_registration_stores_its_format(registry: Any, batch: bool) -> None:
    gpid = register_confidential(registry, batch=batch)
    record = record_of(registry, gpid)
    assert (record["issuer"], record["version"], record["format"]) == (registry.people.seller.address, 1, 2)
    assert registry.client.view("sellerTraderKeyOf", gpid) == SELLER_KEY
    digest = registry.client.view("versionOf", gpid, 1)[0]
    assert digest == keccak(encode(["bytes32"] * 5, list(roots(1))))


@pytest.mark.parametrize("batch", [False, True], ids=["single", "batch"])
@pytest.mark.parametrize(
    ("payload", "error", "args"),
    [
        (bytes([2, 2]) + b"\1" * (176 + 27), "PayloadTooShort", {"size": 205, "minSize": 206}),
        (bytes([2]), "PayloadTooShort", {"size": 1, "minSize": 30}),
        (bytes([2, 0]) + b"\1" * 27, "PayloadTooShort", {"size": 29, "minSize": 30}),
        (bytes([3]) + b"\1" * 200, "UnsupportedPayloadFormat", {"format": 3}),
        (bytes([255, 1]), "UnsupportedPayloadFormat", {"format": 255}),
    ],
)
def test_a_malformed_payload_is_refused(registry: Any, batch: bool, payload: bytes, error: str, args: dict[str, Any]) -> None:
    if not batch:
        with reverts(error, **args):
            register_confidential(registry, payload=payload)
    else:
        with pytest.raises(GPIDError) as info:
            register_confidential(registry, payload=payload, batch=True)
        outer = info.value.contract_error
        assert outer.name == "BatchItemRejected" and outer.args["index"] == 0
        inner = outer.args["error"]
        assert inner.name == error and {k: inner.args[k] for k in args} == args, inner
    assert record_of(registry, expected_gpid(registry, SELLER_KEY, "RM-2026-900001"))["version"] == 0


def test_the_shortest_format_2_payload_is_accepted(registry: Any) -> None:
    gpid = register_confidential(registry, payload=bytes([2, 1]) + recipient_key() + b"\1" * 28)
    assert record_of(registry, gpid)["format"] == 2


def test_an_amendment_keeps_the_format_of_its_key_data_set(registry: Any) -> None:
    gpid = register_confidential(registry)
    plain = canonical.encode_payload(key_data_set(), b"\x11" * 32)
    with reverts("PayloadFormatMismatch", gpid=gpid, expected=2, given=1):
        registry.client.transact(registry.people.seller, "amend", gpid, roots(1), roots(2), 2, "x", plain)
    receipt = amend_confidential(registry, gpid, registry.people.seller)
    assert events(receipt, "KeyDataSetAmended")[0].args["version"] == 2


# ------------------------------------------------------------------ rights follow the trader


@pytest.mark.parametrize("fmt", [1, 2])
def test_an_unbound_seller_account_loses_the_right_to_amend_and_the_new_account_gains_it(registry: Any, fmt: int) -> None:
    seller = registry.people.seller
    if fmt == 1:
        data = key_data_set()
        gpid = register_plain(registry)
        after = json.loads(json.dumps(data))
        after["goods"][0]["value"] = "1.00"

        def amend(sender: Any) -> Any:
            salt = b"\x11" * 32
            return registry.client.transact(sender, "amend", gpid, canonical.commitments(data, salt).as_tuple(),
                                            canonical.commitments(after, salt).as_tuple(), 2, "price",
                                            canonical.encode_payload(after, salt))  # fmt: skip
    else:
        gpid = register_confidential(registry)

        def amend(sender: Any) -> Any:
            return amend_confidential(registry, gpid, sender)

    unbind(registry, seller)
    with reverts("NotAuthorisedAuthor", gpid=gpid, account=seller.address):
        amend(seller)
    successor = new_seller_account(registry)
    receipt = amend(successor)
    assert events(receipt, "KeyDataSetAmended")[0].args["author"] == successor.address
    assert record_of(registry, gpid)["issuer"] == seller.address, "the issuer stays the author of version 1"


def test_another_traders_account_never_amends(registry: Any) -> None:
    gpid = register_confidential(registry)
    with reverts("NotAuthorisedAuthor", gpid=gpid, account=registry.people.other_seller.address):
        amend_confidential(registry, gpid, registry.people.other_seller)


def test_an_account_never_acts_for_a_second_trader(registry: Any) -> None:
    """Else a retired account rebound to another trader would carry its old GPIDs' rights along."""
    seller, operator = registry.people.seller, registry.people.operator
    register_confidential(registry)
    unbind(registry, seller)
    with reverts("AccountOfAnotherTrader", account=seller.address, traderKey=SELLER_KEY):
        registry.client.transact(operator, "bindTrader", seller.address, "EORI:FR12345678901")
    registry.client.transact(operator, "bindTrader", seller.address, SELLER_TRADER_ID)  # its own trader: allowed
    assert registry.client.view("traderKeyOf", seller.address) == SELLER_KEY


@pytest.mark.parametrize("fmt", [1, 2])
def test_delegates_lapse_with_the_account_that_appointed_them(registry: Any, fmt: int) -> None:
    seller, delegate = registry.people.seller, registry.people.delegate
    gpid = register_plain(registry) if fmt == 1 else register_confidential(registry)
    receipt = registry.client.transact(seller, "setAmendmentDelegate", gpid, delegate.address, True)
    assert events(receipt, "AmendmentDelegateSet")[0].args == {"gpid": gpid, "delegate": delegate.address, "allowed": True}
    assert registry.client.view("isAmendmentDelegate", gpid, delegate.address) is True

    unbind(registry, seller)
    assert registry.client.view("isAmendmentDelegate", gpid, delegate.address) is False
    if fmt == 2:
        with reverts("NotAuthorisedAuthor", gpid=gpid, account=delegate.address):
            amend_confidential(registry, gpid, delegate)
    with reverts("NotSeller", gpid=gpid, account=seller.address):
        registry.client.transact(seller, "setAmendmentDelegate", gpid, delegate.address, True)

    successor = new_seller_account(registry)
    registry.client.transact(successor, "setAmendmentDelegate", gpid, delegate.address, True)
    assert registry.client.view("isAmendmentDelegate", gpid, delegate.address) is True
    if fmt == 2:
        assert events(amend_confidential(registry, gpid, delegate), "KeyDataSetAmended")[0].args["author"] == delegate.address


def test_delegate_events_are_indexed_by_gpid_and_delegate() -> None:
    from gpid_node.chain.artifacts import registry_abi

    (event,) = [i for i in registry_abi() if i.get("type") == "event" and i["name"] == "AmendmentDelegateSet"]
    assert {i["name"]: i["indexed"] for i in event["inputs"]} == {"gpid": True, "delegate": True, "allowed": False}


# ------------------------------------------------------------------ grants


def test_the_seller_grants_access_once_and_revokes_it(registry: Any) -> None:
    seller, agent = registry.people.seller, registry.people.stranger
    gpid = register_confidential(registry)
    public_key = publish(registry, agent, 7)
    wrapped = wrapped_for(public_key)
    receipt = registry.client.transact(seller, "grantAccess", gpid, agent.address, wrapped)
    (event,) = events(receipt, "AccessGranted")
    assert event.args == {"gpid": gpid, "grantee": agent.address, "granter": seller.address, "wrappedKey": wrapped}
    assert registry.client.view("hasGrant", gpid, agent.address) is True
    with reverts("AlreadyGranted", gpid=gpid, grantee=agent.address):
        registry.client.transact(seller, "grantAccess", gpid, agent.address, wrapped)

    revoked = registry.client.transact(seller, "revokeAccess", gpid, agent.address)
    assert events(revoked, "AccessRevoked")[0].args == {"gpid": gpid, "grantee": agent.address, "revoker": seller.address}
    assert registry.client.view("hasGrant", gpid, agent.address) is False
    with reverts("NotGranted", gpid=gpid, grantee=agent.address):
        registry.client.transact(seller, "revokeAccess", gpid, agent.address)
    registry.client.transact(seller, "grantAccess", gpid, agent.address, wrapped)  # granted again after a revocation
    assert registry.client.view("hasGrant", gpid, agent.address) is True


def test_a_grant_needs_the_grantees_current_key(registry: Any) -> None:
    seller, agent = registry.people.seller, registry.people.stranger
    gpid = register_confidential(registry)
    with reverts("NoEncryptionKey", account=agent.address):
        registry.client.transact(seller, "grantAccess", gpid, agent.address, wrapped_for(x25519_key(7)))
    old = publish(registry, agent, 7)
    current = publish(registry, agent, 8)  # rotated: a key wrapped for the old one is refused
    with reverts("WrongKeyId", account=agent.address, expected=key_id(current), given=key_id(old)):
        registry.client.transact(seller, "grantAccess", gpid, agent.address, wrapped_for(old))
    for size in (111, 113, 0):
        with reverts("InvalidWrappedKey", size=size, expectedSize=WRAPPED_KEY_BYTES):
            registry.client.transact(seller, "grantAccess", gpid, agent.address, (wrapped_for(current) * 2)[:size])
    assert registry.client.view("hasGrant", gpid, agent.address) is False


def test_only_the_sellers_current_account_grants_and_revokes(registry: Any) -> None:
    seller, agent, stranger = registry.people.seller, registry.people.broker, registry.people.stranger
    gpid = register_confidential(registry)
    wrapped = wrapped_for(publish(registry, agent, 7))
    with reverts("NotSeller", gpid=gpid, account=stranger.address):
        registry.client.transact(stranger, "grantAccess", gpid, agent.address, wrapped)
    unbind(registry, seller)
    with reverts("NotSeller", gpid=gpid, account=seller.address):
        registry.client.transact(seller, "grantAccess", gpid, agent.address, wrapped)
    successor = new_seller_account(registry)
    registry.client.transact(successor, "grantAccess", gpid, agent.address, wrapped)
    with reverts("NotSeller", gpid=gpid, account=seller.address):
        registry.client.transact(seller, "revokeAccess", gpid, agent.address)
    registry.client.transact(successor, "revokeAccess", gpid, agent.address)


def test_grants_exist_only_for_format_2(registry: Any) -> None:
    gpid = register_plain(registry)
    agent = registry.people.stranger
    wrapped = wrapped_for(publish(registry, agent, 7))
    with reverts("WrongFormat", gpid=gpid, format=1, required=2):
        registry.client.transact(registry.people.seller, "grantAccess", gpid, agent.address, wrapped)
    with reverts("WrongFormat", gpid=gpid, format=1, required=2):
        registry.client.transact(registry.people.seller, "revokeAccess", gpid, agent.address)
    unknown = b"\x42" * 16
    with reverts("UnknownGPID", gpid=unknown):
        registry.client.transact(registry.people.seller, "grantAccess", unknown, agent.address, wrapped)


def test_the_buyer_grants_and_revokes_by_opening_its_commitment(registry: Any) -> None:
    buyer, agent = registry.people.buyer, registry.people.stranger
    gpid = register_confidential(registry)
    wrapped = wrapped_for(publish(registry, agent, 7))
    receipt = registry.client.transact(buyer, "grantAccessAsBuyer", gpid, roots(1), BUYER_SALT, agent.address, wrapped)
    assert events(receipt, "AccessGranted")[0].args["granter"] == buyer.address
    assert registry.client.view("hasGrant", gpid, agent.address) is True
    revoked = registry.client.transact(buyer, "revokeAccessAsBuyer", gpid, roots(1), BUYER_SALT, agent.address)
    assert events(revoked, "AccessRevoked")[0].args["revoker"] == buyer.address
    assert registry.client.view("hasGrant", gpid, agent.address) is False


def test_a_buyer_that_cannot_open_the_commitment_is_refused(registry: Any) -> None:
    buyer, seller, agent = registry.people.buyer, registry.people.seller, registry.people.stranger
    gpid = register_confidential(registry)
    wrapped = wrapped_for(publish(registry, agent, 7))
    with reverts("NotBuyer", gpid=gpid, account=buyer.address):  # wrong salt
        registry.client.transact(buyer, "grantAccessAsBuyer", gpid, roots(1), b"\1" * 32, agent.address, wrapped)
    with reverts("NotBuyer", gpid=gpid, account=seller.address):  # the right salt, another trader
        registry.client.transact(seller, "grantAccessAsBuyer", gpid, roots(1), BUYER_SALT, agent.address, wrapped)
    stale = roots(9)
    with reverts("CommitmentsMismatch", given=keccak(encode(["bytes32"] * 5, list(stale)))):
        registry.client.transact(buyer, "grantAccessAsBuyer", gpid, stale, BUYER_SALT, agent.address, wrapped)
    with reverts("NotBuyer", gpid=gpid, account=registry.people.stranger.address):
        registry.client.transact(registry.people.stranger, "revokeAccessAsBuyer", gpid, roots(1), BUYER_SALT, agent.address)
    unbind(registry, buyer)
    with reverts("NotBuyer", gpid=gpid, account=buyer.address):  # an unbound buyer account opens nothing
        registry.client.transact(buyer, "grantAccessAsBuyer", gpid, roots(1), BUYER_SALT, agent.address, wrapped)


# ------------------------------------------------------------------ mandates


def test_a_trader_sets_and_withdraws_a_mandate(registry: Any) -> None:
    seller, agent = registry.people.seller, registry.people.stranger
    receipt = registry.client.transact(seller, "setMandate", agent.address, EXPORT, True)
    assert events(receipt, "MandateSet")[0].args == {"traderKey": SELLER_KEY, "agent": agent.address, "direction": EXPORT,
                                                    "active": True}  # fmt: skip
    assert registry.client.view("hasMandate", SELLER_KEY, agent.address, EXPORT) is True
    assert registry.client.view("hasMandate", SELLER_KEY, agent.address, IMPORT) is False
    registry.client.transact(seller, "setMandate", agent.address, IMPORT, True)
    registry.client.transact(seller, "setMandate", agent.address, EXPORT, False)
    assert registry.client.view("hasMandate", SELLER_KEY, agent.address, EXPORT) is False
    assert registry.client.view("hasMandate", SELLER_KEY, agent.address, IMPORT) is True


def test_a_mandate_needs_a_bound_account_and_a_direction(registry: Any) -> None:
    stranger, agent = registry.people.stranger, registry.people.broker
    with reverts("TraderNotBound", caller=stranger.address):
        registry.client.transact(stranger, "setMandate", agent.address, EXPORT, True)
    for direction in (0, 3):
        with reverts("InvalidDirection", direction=direction):
            registry.client.transact(registry.people.seller, "setMandate", agent.address, direction, True)


# ------------------------------------------------------------------ the link rule of format 2


def link(registry: Any, sender: Any, gpid: bytes, reference: str = "26DE000000000000017", country: bytes = b"DE",
         direction: int = EXPORT) -> Any:
    return registry.client.transact(sender, "linkDeclaration", gpid, reference, country, direction)


def test_a_broker_without_a_right_cannot_link_a_format_2_gpid(registry: Any) -> None:
    gpid = register_confidential(registry)
    broker = registry.people.broker  # BROKER_ROLE is not a right to a confidential key data set
    with reverts("NotAuthorisedLinker", gpid=gpid, account=broker.address):
        link(registry, broker, gpid)
    plain = register_plain(registry)
    assert events(link(registry, broker, plain), "DeclarationLinked")[0].args["linker"] == broker.address


def test_the_sellers_current_account_links_a_format_2_gpid(registry: Any) -> None:
    seller = registry.people.seller
    gpid = register_confidential(registry)
    link(registry, seller, gpid, "26DE0000000001")
    unbind(registry, seller)
    with reverts("NotAuthorisedLinker", gpid=gpid, account=seller.address):
        link(registry, seller, gpid, "26DE0000000002")
    link(registry, new_seller_account(registry), gpid, "26DE0000000002")
    assert record_of(registry, gpid)["links"] == 2


def test_a_grantee_links_until_its_grant_is_revoked(registry: Any) -> None:
    seller, agent = registry.people.seller, registry.people.stranger
    gpid = register_confidential(registry)
    registry.client.transact(seller, "grantAccess", gpid, agent.address, wrapped_for(publish(registry, agent, 7)))
    assert events(link(registry, agent, gpid, "26GB0000000001", b"GB", IMPORT), "DeclarationLinked")[0].args["linker"] == agent.address
    registry.client.transact(seller, "revokeAccess", gpid, agent.address)
    with reverts("NotAuthorisedLinker", gpid=gpid, account=agent.address):
        link(registry, agent, gpid, "26GB0000000002", b"GB", IMPORT)


def test_a_mandated_agent_links_the_sellers_gpids_in_its_direction_only(registry: Any) -> None:
    seller, agent, other = registry.people.seller, registry.people.broker, registry.people.other_seller
    gpid = register_confidential(registry)
    with reverts("NotAuthorisedLinker", gpid=gpid, account=agent.address):
        link(registry, agent, gpid)
    registry.client.transact(other, "setMandate", agent.address, EXPORT, True)  # another trader's mandate: no right
    with reverts("NotAuthorisedLinker", gpid=gpid, account=agent.address):
        link(registry, agent, gpid)
    registry.client.transact(seller, "setMandate", agent.address, EXPORT, True)
    link(registry, agent, gpid, "26DE0000000001", b"DE", EXPORT)
    with reverts("NotAuthorisedLinker", gpid=gpid, account=agent.address):
        link(registry, agent, gpid, "26GB0000000001", b"GB", IMPORT)
    later = register_confidential(registry, "RM-2026-900002", tag=2)  # standing: every GPID of the seller
    link(registry, agent, later, "26DE0000000003", b"DE", EXPORT)

    # the mandate belongs to the trader: it survives the rebinding of the seller to a new account
    unbind(registry, seller)
    new_seller_account(registry)
    link(registry, agent, gpid, "26DE0000000002", b"DE", EXPORT)
    registry.client.transact(dev_account(8), "setMandate", agent.address, EXPORT, False)
    with reverts("NotAuthorisedLinker", gpid=gpid, account=agent.address):
        link(registry, agent, gpid, "26DE0000000004", b"DE", EXPORT)


def test_the_buyer_links_a_format_2_gpid_by_opening_its_salted_commitment(registry: Any) -> None:
    buyer = registry.people.buyer
    gpid = register_confidential(registry)
    receipt = registry.client.transact(buyer, "linkDeclarationAsSaltedBuyer", gpid, roots(1), BUYER_SALT,
                                       "26GB0000000001", b"GB", IMPORT)  # fmt: skip
    assert events(receipt, "DeclarationLinked")[0].args["linker"] == buyer.address
    with reverts("NotAuthorisedLinker", gpid=gpid, account=buyer.address):
        registry.client.transact(buyer, "linkDeclarationAsSaltedBuyer", gpid, roots(1), b"\2" * 32,
                                 "26GB0000000002", b"GB", IMPORT)  # fmt: skip
    with reverts("NotAuthorisedLinker", gpid=gpid, account=registry.people.other_seller.address):
        registry.client.transact(registry.people.other_seller, "linkDeclarationAsSaltedBuyer", gpid, roots(1),
                                 BUYER_SALT, "26GB0000000002", b"GB", IMPORT)  # fmt: skip
    # the round-1 path (unsalted buyer key) cannot open a salted commitment
    with reverts("NotAuthorisedLinker", gpid=gpid, account=buyer.address):
        registry.client.transact(buyer, "linkDeclarationAsBuyer", gpid, roots(1), "26GB0000000002", b"GB", IMPORT)


def test_the_salted_buyer_path_is_for_format_2_only(registry: Any) -> None:
    gpid = register_plain(registry)
    with reverts("WrongFormat", gpid=gpid, format=1, required=2):
        registry.client.transact(registry.people.buyer, "linkDeclarationAsSaltedBuyer", gpid, roots(1), BUYER_SALT,
                                 "26GB0000000001", b"GB", IMPORT)  # fmt: skip


# ------------------------------------------------------------------ Customs outcomes


def test_customs_records_outcomes_of_a_format_2_gpid_only_for_its_own_linked_declarations(registry: Any) -> None:
    people = registry.people
    gpid = register_confidential(registry)
    reference_key = canonical.reference_key("26GB0000000001")
    with reverts("DeclarationNotLinked", gpid=gpid, country=b"GB", referenceKey=reference_key):
        registry.client.transact(people.customs, "recordVerification", gpid, "26GB0000000001", 1, 1)
    link(registry, people.seller, gpid, "26DE0000000001", b"DE", EXPORT)  # linked, but of another country
    with reverts("DeclarationNotLinked", gpid=gpid, country=b"GB", referenceKey=keccak(b"26DE0000000001")):
        registry.client.transact(people.customs, "recordVerification", gpid, "26DE0000000001", 1, 1)
    registry.client.transact(people.buyer, "linkDeclarationAsSaltedBuyer", gpid, roots(1), BUYER_SALT,
                             "26GB0000000001", b"GB", IMPORT)  # fmt: skip
    receipt = registry.client.transact(people.customs, "recordVerification", gpid, "26GB0000000001", 1, 2)
    (event,) = events(receipt, "VerificationRecorded")
    assert (event.args["country"], event.args["referenceKey"], event.args["outcome"]) == (b"GB", reference_key, 2)


def test_customs_outcomes_of_a_format_1_gpid_keep_the_round_1_rule(registry: Any) -> None:
    """The node of this round records the outcome of each verification it makes, linked or not."""
    gpid = register_plain(registry)
    receipt = registry.client.transact(registry.people.customs, "recordVerification", gpid, "26GB0000000009", 1, 1)
    assert events(receipt, "VerificationRecorded")[0].args["gpid"] == gpid


# ------------------------------------------------------------------ the format-2 derivations


def test_the_buyer_commitment_and_digest_follow_protocol_v2(registry: Any) -> None:
    for salt, key in ((BUYER_SALT, BUYER_KEY), (b"\0" * 32, SELLER_KEY), (b"\xff" * 32, b"\1" * 32)):
        assert registry.client.view("buyerCommitmentOf", salt, key) == buyer_commitment(salt, key)
    assert registry.client.view("digestOf", roots(1)) == keccak(encode(["bytes32"] * 5, list(roots(1))))


def _format2_vectors() -> dict[str, Any]:
    vectors = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))
    if "format2" not in vectors:
        pytest.skip("contracts/test/vectors.json has no format2 member yet (written by the protocol side)")
    return vectors["format2"]


def _hex(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x"))


@pytest.mark.parametrize("example", ["design_example", "three_lines"])
def test_the_contract_reproduces_the_format_2_golden_commitments(registry: Any, example: str) -> None:
    v = _format2_vectors()[example]
    commitment = registry.client.view("buyerCommitmentOf", _hex(v["buyer_salt"]), _hex(v["buyer_trader_key"]))
    assert commitment == _hex(v["buyer_commitment"])
    members = tuple(_hex(v["roots"][k]) for k in ("identity", "seller", "buyer", "goods")) + (commitment,)
    assert registry.client.view("digestOf", members) == _hex(v["digest"])


def test_the_golden_format_2_payload_registers_with_its_digest_and_the_buyer_opens_it(registry: Any) -> None:
    f = _format2_vectors()
    v, (first, _) = f["design_example"], f["payloads"]
    members = tuple(_hex(v["roots"][k]) for k in ("identity", "seller", "buyer", "goods")) + (_hex(v["buyer_commitment"]),)
    number = canonical.normal_identifier(v["data"]["invoice"]["number"])
    registry.client.transact(registry.people.seller, "register", invoice_key(SELLER_KEY, number), members, _hex(first["payload"]))
    gpid = expected_gpid(registry, SELLER_KEY, number)
    assert record_of(registry, gpid)["format"] == 2
    assert registry.client.view("versionOf", gpid, 1)[0] == _hex(first["digest"]) == _hex(v["digest"])
    assert _hex(v["buyer_trader_key"]) == BUYER_KEY
    registry.client.transact(registry.people.buyer, "linkDeclarationAsSaltedBuyer", gpid, members,
                             _hex(v["buyer_salt"]), "26GB0000000001", b"GB", IMPORT)  # fmt: skip


def test_the_contract_key_id_is_the_golden_one(registry: Any) -> None:
    hpke = _format2_vectors()["hpke"]
    registry.client.transact(registry.people.stranger, "publishEncryptionKey", _hex(hpke["recipient_public_key"]))
    assert registry.client.view("encryptionKeyOf", registry.people.stranger.address)[1] == _hex(hpke["key_id"])
    assert _hex(hpke["granted_key"])[:32] == _hex(hpke["key_id"]) and len(_hex(hpke["granted_key"])) == WRAPPED_KEY_BYTES
