"""Typed writes: each outbox kind reads the JSON its rows hold (those written by earlier versions of
the node included) and gives the registry call with bytes, not hex."""

from __future__ import annotations

from typing import Any

import pytest

from gpid_node.chain.writes import (
    Amend,
    Link,
    LinkAsBuyer,
    RecordVerification,
    Register,
    register_batch,
    write_from_json,
)
from gpid_node.domain.gpid import GPID

GPID_ = GPID(bytes(range(16)))
WORDS = tuple(bytes([i]) * 32 for i in range(1, 6))
NEXT = tuple(bytes([i]) * 32 for i in range(6, 11))


def hexes(words: tuple[bytes, ...]) -> list[str]:
    return ["0x" + w.hex() for w in words]


# Requests exactly as the previous node code built them (node.py) and left them in outbox rows (a
# registration with its invoice key, as since issue 19).
OLD_ROWS: list[tuple[str, dict[str, Any]]] = [
    ("register", {"invoice_key": "0x" + "ab" * 32, "commitments": hexes(WORDS), "payload": "0x02ab"}),
    ("amend", {"gpid": GPID_.hex, "previous": hexes(WORDS), "next": hexes(NEXT), "reason_code": 2,
               "reason": "price corrected", "payload": "0x02cd"}),
    ("link", {"gpid": GPID_.hex, "reference": "26DE000000000001", "country": "0x" + b"DE".hex(), "direction": 1}),
    ("link_as_buyer", {"gpid": GPID_.hex, "reference": "26GB000000000001", "country": "0x" + b"GB".hex(),
                       "direction": 2, "current": hexes(WORDS)}),
    ("verification", {"gpid": GPID_.hex, "reference": "26DE000000000001", "version": 2, "outcome": 3}),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "request_json"), OLD_ROWS, ids=[k for k, _ in OLD_ROWS])
def test_a_request_in_the_previous_json_form_is_read_and_written_back_unchanged(
    kind: str, request_json: dict[str, Any]
) -> None:
    write = write_from_json(kind, request_json)
    assert write.kind == kind
    assert write.to_json() == request_json


def test_each_write_gives_its_registry_call_with_bytes_not_hex() -> None:
    calls = {kind: write_from_json(kind, request).call() for kind, request in OLD_ROWS}
    assert (calls["register"].function, calls["register"].args) == ("register", (b"\xab" * 32, list(WORDS), b"\x02\xab"))
    assert (calls["amend"].function, calls["amend"].args) == (
        "amend", (GPID_.raw, list(WORDS), list(NEXT), 2, "price corrected", b"\x02\xcd"))  # fmt: skip
    assert (calls["link"].function, calls["link"].args) == ("linkDeclaration", (GPID_.raw, "26DE000000000001", b"DE", 1))
    assert (calls["link_as_buyer"].function, calls["link_as_buyer"].args) == (
        "linkDeclarationAsBuyer", (GPID_.raw, list(WORDS), "26GB000000000001", b"GB", 2))  # fmt: skip
    assert (calls["verification"].function, calls["verification"].args) == (
        "recordVerification", (GPID_.raw, "26DE000000000001", 2, 3))  # fmt: skip


def test_a_registration_recorded_with_its_invoice_number_goes_out_with_the_zero_key_the_registry_refuses() -> None:
    # Before issue 19 a registration named the invoice number; the registry now takes invoice keys, and
    # refuses the zero one (InvalidInvoiceKey): the entry fails with that reason instead of blocking.
    write = write_from_json("register", {"invoice_number": "RM-2026-000123", "commitments": hexes(WORDS), "payload": "0x02ab"})
    assert write.call().args == (bytes(32), list(WORDS), b"\x02\xab")


def test_writes_built_by_the_node_hold_typed_values() -> None:
    link = Link(GPID_, "26DE000000000001", "DE", 1)
    assert write_from_json("link", link.to_json()) == link
    buyer = LinkAsBuyer(GPID_, WORDS, "26GB000000000001", "GB", 2)
    assert write_from_json("link_as_buyer", buyer.to_json()) == buyer
    amend = Amend(GPID_, WORDS, NEXT, 1, "typo", b"\x02")
    assert write_from_json("amend", amend.to_json()) == amend
    verification = RecordVerification(GPID_, "26DE000000000001", 1, 1)
    assert write_from_json("verification", verification.to_json()) == verification


def test_registrations_of_one_sender_go_out_as_one_batch_call() -> None:
    first = Register(b"\x01" * 32, WORDS, b"\x02\x01")
    second = Register(b"\x02" * 32, NEXT, b"\x02\x02")
    call = register_batch([first, second])
    assert call.function == "registerBatch"
    assert call.args == ([(b"\x01" * 32, list(WORDS), b"\x02\x01"), (b"\x02" * 32, list(NEXT), b"\x02\x02")],)


def test_an_unknown_kind_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown outbox entry kind 'frobnicate'.*register, amend.*grant.*mandate"):
        write_from_json("frobnicate", {})


ACCOUNT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
SALT = b"\x07" * 32
WRAPPED = b"\x09" * 112
NEW_ROWS: list[tuple[str, dict[str, Any], str, tuple[Any, ...]]] = [
    ("grant", {"gpid": GPID_.hex, "grantee": ACCOUNT, "wrapped_key": "0x" + WRAPPED.hex(), "reason": "export broker"},
     "grantAccess", (GPID_.raw, ACCOUNT, WRAPPED)),
    ("grant_as_buyer", {"gpid": GPID_.hex, "current": hexes(WORDS), "buyer_salt": "0x" + SALT.hex(), "grantee": ACCOUNT,
                        "wrapped_key": "0x" + WRAPPED.hex(), "reason": "import broker"},
     "grantAccessAsBuyer", (GPID_.raw, list(WORDS), SALT, ACCOUNT, WRAPPED)),
    ("revoke", {"gpid": GPID_.hex, "grantee": ACCOUNT}, "revokeAccess", (GPID_.raw, ACCOUNT)),
    ("revoke_as_buyer", {"gpid": GPID_.hex, "current": hexes(WORDS), "buyer_salt": "0x" + SALT.hex(), "grantee": ACCOUNT},
     "revokeAccessAsBuyer", (GPID_.raw, list(WORDS), SALT, ACCOUNT)),
    ("mandate", {"agent": ACCOUNT, "direction": 1, "active": True}, "setMandate", (ACCOUNT, 1, True)),
    ("link_as_salted_buyer", {"gpid": GPID_.hex, "reference": "26GB000000000002", "country": "0x" + b"GB".hex(),
                              "direction": 2, "current": hexes(WORDS), "buyer_salt": "0x" + SALT.hex()},
     "linkDeclarationAsSaltedBuyer", (GPID_.raw, list(WORDS), SALT, "26GB000000000002", b"GB", 2)),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "request_json", "function", "args"), NEW_ROWS, ids=[k for k, *_ in NEW_ROWS])
def test_the_rights_writes_round_trip_and_give_their_registry_call(
    kind: str, request_json: dict[str, Any], function: str, args: tuple[Any, ...]
) -> None:
    write = write_from_json(kind, request_json)
    assert write.kind == kind and len(kind) <= 20  # the outbox's kind column
    assert write.to_json() == request_json
    call = write.call()
    assert (call.function, call.args) == (function, args)


def test_a_grants_reason_stays_in_the_outbox_request_and_never_reaches_the_call() -> None:
    write = write_from_json(*NEW_ROWS[0][:2])
    assert write.to_json()["reason"] == "export broker"
    assert all("export broker" not in repr(arg) for arg in write.call().args)
