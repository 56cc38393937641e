"""The indexer's mappers are pure: recorded node responses (anvil 1.7.1's eth_getLogs answer, and the
transactions whose calldata holds the payloads the key data set events name by hash) become index
rows with no chain and no database, as ethereum-etl tests its mappers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gpid_node.chain.abi import Event, decode_log
from gpid_node.chain.payloads import by_hash, payloads_in_calldata
from gpid_node.domain import canonical, merkle, payload_crypto
from gpid_node.domain.amendment_policy import amendment_problems
from gpid_node.services.index_rows import (
    BlockRef,
    PayloadCheck,
    amendment_row,
    binding_row,
    check_encrypted_payload,
    check_payload,
    customs_row,
    delegate_row,
    encryption_key_row,
    grant_row,
    link_row,
    mandate_row,
    registration_problems,
    registration_rows,
    seller_trader_id_of,
)
from support.builders import key_data_set

RECORDED = json.loads((Path(__file__).parents[1] / "chain" / "recorded" / "anvil-1.7.1-logs.json").read_text())


def recorded(name: str) -> tuple[Event, BlockRef]:
    """The first ``name`` event of the recording, a key data set event with the payload its
    ``payloadHash`` names (from its recorded transaction's input, as the indexer attaches it)."""
    for raw in RECORDED["logs"]:
        event = decode_log(raw)
        if event is not None and event.name == name:
            block = BlockRef.of_log(raw)
            assert block is not None and block.hash == event.block_hash
            if "payloadHash" in event.args:
                tx = RECORDED["transactions"][event.transaction_hash]
                payloads = by_hash(payloads_in_calldata(bytes.fromhex(tx["input"].removeprefix("0x"))))
                event = event.with_payload(payloads[bytes(event.args["payloadHash"])])
            return event, block
    raise AssertionError(f"no {name} in the recording")


def registered() -> tuple[dict[str, Any], dict[str, Any]]:
    event, block = recorded("KeyDataSetRegistered")
    # A recording of a registry before invoice keys: its registry key derives from the invoice number.
    seller_key, registry_key = bytes(event.args["sellerTraderKey"]), bytes(event.args["registryKey"])
    check = check_payload(bytes(event.payload or b""), event.args["commitments"])
    assert check.data is not None
    check = check.adding(registration_problems(check.data, seller_key, registry_key))
    assert check.ok
    return registration_rows(event, block, check, seller_trader_id_of(check.data, seller_key))


def test_a_recorded_registration_maps_to_its_key_data_set_and_version_1() -> None:
    kds, version = registered()
    assert kds["gpid_text"] == "GP3NVWY74M8YF418ZPBCZKS4652DP"
    assert (kds["invoice_number"], kds["integrity_ok"]) == ("REC-1", True)
    assert (kds["seller_trader_id"], kds["buyer_trader_id"]) == ("EORI:DE123456789012345", "EORI:GB123456789000")
    assert (kds["seller_country"], kds["buyer_country"], kds["current_version"]) == ("DE", "GB", 1)
    assert (version["version"], version["changed_sections"], version["changed_fields"], version["reason"]) == (1, 15, [], None)
    assert version["gpid"] == kds["gpid"] and version["integrity_ok"] and version["block_number"] == kds["registered_block"]


def test_a_recorded_amendment_maps_to_version_2_with_its_changed_fields() -> None:
    _, first = registered()
    event, block = recorded("KeyDataSetAmended")
    check = check_payload(bytes(event.payload or b""), event.args["commitments"])
    assert check.data is not None
    check = check.adding(amendment_problems(check.data, first["data"], 1))
    row = amendment_row(event, block, check, first["data"])
    assert (row["version"], row["reason_code"], row["reason"], row["changed_sections"]) == (2, 2, "credit note", 8)
    assert row["changed_fields"] == ["goods[0].value"] and row["integrity_ok"] and row["gpid"] == first["gpid"]


def test_a_recorded_link_and_binding_map_to_their_rows() -> None:
    link = link_row(*recorded("DeclarationLinked"))
    assert (link["country"], link["reference"], link["direction"]) == ("DE", "26DE0000001", "export")
    binding = binding_row(*recorded("TraderBound"))
    assert (binding["trader_id"], binding["bound"], binding["account"]) == (
        "EORI:DE123456789012345", True, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")  # fmt: skip


def test_a_registration_whose_payload_was_not_found_maps_to_public_facts_of_the_stored_format() -> None:
    event, block = recorded("KeyDataSetRegistered")
    missing = event.with_payload(None, stored_format=1)
    kds, version = registration_rows(missing, block, PayloadCheck(None, None), "EORI:DE123456789012345")
    assert (kds["format"], kds["readable"], kds["integrity_ok"], kds["invoice_number"]) == (1, False, True, None)
    assert (version["data"], version["payload"], version["integrity_ok"]) == (None, None, True)
    unknown, _ = registration_rows(event.with_payload(None), block, PayloadCheck(None, None), None)
    assert (unknown["format"], unknown["readable"]) == (2, False)


def test_a_payload_that_does_not_match_its_commitments_is_kept_with_the_problem() -> None:
    event, _ = recorded("KeyDataSetRegistered")
    commitments = [bytes(c) for c in event.args["commitments"]]
    commitments[3] = b"\0" * 32
    check = check_payload(bytes(event.payload or b""), commitments)
    assert check.data is not None and not check.ok
    assert "differing: goods" in (check.problem or "")


# ------------------------------------------------------------------ format 2 and the new events (issue 19)

REGISTRY = "0x" + "5f" * 20
BLOCK = BlockRef(7, "0x" + "ab" * 32, datetime(2026, 5, 4, 9, 30, tzinfo=UTC))


def _event(name: str, **args: Any) -> Event:
    return Event(name, args, BLOCK.number, BLOCK.hash, "0x" + "cd" * 32, 3)


def test_a_format2_payload_is_decrypted_and_checked_against_its_merkle_commitments() -> None:
    data, seed, content_key = key_data_set(lines=2), b"\x07" * 32, b"\x09" * 32
    binding = payload_crypto.Binding(31337, REGISTRY, canonical.gpid_of(31337, REGISTRY, b"\x01" * 32))
    payload = payload_crypto.build_payload(data, seed, content_key, binding, 1)
    committed = merkle.commitments_v2(data, seed).as_tuple()
    check = check_encrypted_payload(payload, committed, content_key, binding, 1)
    assert (check.ok, check.data, check.salt) == (True, data, seed)
    other = list(committed)
    other[2] = b"\0" * 32
    assert "differing: buyer" in (check_encrypted_payload(payload, other, content_key, binding, 1).problem or "")
    moved = check_encrypted_payload(payload, committed, content_key, binding, 2)
    assert moved.data is None and "does not decrypt as version 2" in (moved.problem or "")
    assert "cannot be read" in (check_encrypted_payload(payload, committed, b"\x08" * 32, binding, 1).problem or "")


def test_the_new_events_map_to_their_history_rows() -> None:
    seller, agent = "0x" + "11" * 20, "0x" + "22" * 20
    mandate = mandate_row(_event("MandateSet", traderKey=b"\x01" * 32, agent=agent, direction=2, active=True), BLOCK)
    assert (mandate["trader_key"], mandate["agent"], mandate["direction"], mandate["active"]) == ("0x" + "01" * 32, agent, "import", True)
    granted = grant_row(_event("AccessGranted", gpid=b"\x02" * 16, grantee=agent, granter=seller, wrappedKey=b"\x03" * 112), BLOCK)
    assert (granted["gpid"], granted["granter"], granted["active"], granted["wrapped_key"]) == ("0x" + "02" * 16, seller, True, "0x" + "03" * 112)
    revoked = grant_row(_event("AccessRevoked", gpid=b"\x02" * 16, grantee=agent, revoker=seller), BLOCK)
    assert (revoked["granter"], revoked["active"], revoked["wrapped_key"]) == (seller, False, None)
    key = encryption_key_row(_event("EncryptionKeyPublished", account=agent, keyId=b"\x04" * 32, publicKey=b"\x05" * 32), BLOCK)
    assert (key["account"], key["key_id"], key["public_key"], key["block_number"]) == (agent, "0x" + "04" * 32, "0x" + "05" * 32, 7)
    assert customs_row(_event("CustomsCountrySet", account=agent, country=b"FR"), BLOCK)["country"] == "FR"
    delegate = delegate_row(_event("AmendmentDelegateSet", gpid=b"\x02" * 16, delegate=agent, allowed=False), BLOCK)
    assert (delegate["delegate"], delegate["allowed"], delegate["log_index"]) == (agent, False, 3)


def test_the_invoice_number_is_checked_against_the_registry_key_where_this_node_can() -> None:
    data = key_data_set("RM-2026-000777")
    seller = canonical.trader_key(canonical.trader_id_text(data["seller"]["trader_id"]))
    secret, other = bytes(range(32)), bytes(range(1, 33))
    registered = canonical.registry_key(seller, canonical.invoice_key(secret, "RM-2026-000777"))
    assert registration_problems(data, seller, registered, secret) == []  # the seller's node
    assert registration_problems(data, seller, registered) == []  # any other node: the identity commitment binds it
    wrong = canonical.registry_key(seller, canonical.invoice_key(other, "RM-2026-000777"))
    (problem,) = registration_problems(data, seller, wrong, secret)
    assert "not the invoice number registered on chain" in problem
    assert registration_problems(data, seller, canonical.legacy_registry_key(seller, "RM-2026-000777")) == []  # an old chain
