"""Event decoding is pure: it is tested on logs recorded from anvil 1.7.1 (eth_getLogs answers, and
the transactions the key data set events came from; ``recorded/record.py`` records them again), as
ethereum-etl tests its mappers on recorded node responses."""

from __future__ import annotations

import json
from pathlib import Path

from eth_hash.auto import keccak

from gpid_node.chain.abi import Event, decode_log
from gpid_node.chain.payloads import payloads_in_calldata
from gpid_node.domain import canonical

RECORDED = json.loads((Path(__file__).parent / "recorded" / "anvil-1.7.1-logs.json").read_text())


def decoded() -> list:
    return [e for e in (decode_log(log) for log in RECORDED["logs"]) if e is not None]


def payload_of(event: Event) -> bytes:
    """The payload of a key data set event: the one in its transaction's input with the event's hash."""
    tx = RECORDED["transactions"][event.transaction_hash]
    (payload,) = [p for p in payloads_in_calldata(bytes.fromhex(tx["input"][2:])) if keccak(p) == event.args["payloadHash"]]
    return payload


def test_recorded_logs_decode_to_the_registry_events_in_order() -> None:
    assert [e.name for e in decoded()] == [
        "RoleGranted", "RoleGranted", "RoleAdminChanged", "RoleAdminChanged",  # the constructor (OpenZeppelin)
        "TraderBound", "RoleGranted", "KeyDataSetRegistered", "KeyDataSetAmended", "DeclarationLinked",
        "TraderBound", "KeyDataSetRegistered",  # the relayed registration (recorded/record.py)
    ]  # fmt: skip


def test_registration_event_carries_the_hash_of_the_payload_in_its_transaction() -> None:
    event = next(e for e in decoded() if e.name == "KeyDataSetRegistered")
    assert "payload" not in event.args and len(event.args["payloadHash"]) == 32
    data, salt = canonical.decode_payload(payload_of(event))
    assert data["invoice"]["number"] == "REC-1"
    assert canonical.commitments(data, salt).as_tuple() == tuple(bytes(c) for c in event.args["commitments"])
    assert event.args["sellerTraderKey"] == canonical.trader_key("EORI:DE123456789012345")
    assert event.block_number > 0 and event.block_hash.startswith("0x") and len(event.transaction_hash) == 66


def test_amendment_event_names_version_sections_and_reason() -> None:
    event = next(e for e in decoded() if e.name == "KeyDataSetAmended")
    assert (event.args["version"], event.args["changedSections"]) == (2, canonical.SECTION_GOODS)
    assert (event.args["reasonCode"], event.args["reason"]) == (2, "credit note")
    assert canonical.decode_payload(payload_of(event))[0]["goods"][0]["value"] == "1.00"


def test_link_event_and_addresses_are_checksummed() -> None:
    event = next(e for e in decoded() if e.name == "DeclarationLinked")
    assert event.args["declarationReference"] == "26DE0000001" and event.args["country"] == b"DE"
    from eth_utils import to_checksum_address

    assert event.args["linker"] == to_checksum_address(event.args["linker"])


def test_a_foreign_log_is_ignored() -> None:
    foreign = dict(RECORDED["logs"][0], topics=["0x" + "ab" * 32])
    assert decode_log(foreign) is None
