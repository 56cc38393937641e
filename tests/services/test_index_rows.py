"""The indexer's mappers are pure: recorded node responses (anvil 1.7.1's eth_getLogs answer) become
index rows with no chain and no database, as ethereum-etl tests its mappers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gpid_node.chain.abi import Event, decode_log
from gpid_node.domain.amendment_policy import amendment_problems
from gpid_node.services.index_rows import (
    BlockRef,
    amendment_row,
    binding_row,
    check_payload,
    link_row,
    registration_problems,
    registration_rows,
    seller_trader_id_of,
)

RECORDED = json.loads((Path(__file__).parents[1] / "chain" / "recorded" / "anvil-1.7.1-logs.json").read_text())


def recorded(name: str) -> tuple[Event, BlockRef]:
    for raw in RECORDED["logs"]:
        event = decode_log(raw)
        if event is not None and event.name == name:
            block = BlockRef.of_log(raw)
            assert block is not None and block.hash == event.block_hash
            return event, block
    raise AssertionError(f"no {name} in the recording")


def registered() -> tuple[dict[str, Any], dict[str, Any]]:
    event, block = recorded("KeyDataSetRegistered")
    seller_key, invoice_key = bytes(event.args["sellerTraderKey"]), bytes(event.args["invoiceKey"])
    check = check_payload(event.args["payload"], event.args["commitments"])
    assert check.data is not None
    check = check.adding(registration_problems(check.data, seller_key, invoice_key))
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
    check = check_payload(event.args["payload"], event.args["commitments"])
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


def test_a_payload_that_does_not_match_its_commitments_is_kept_with_the_problem() -> None:
    event, _ = recorded("KeyDataSetRegistered")
    commitments = [bytes(c) for c in event.args["commitments"]]
    commitments[3] = b"\0" * 32
    check = check_payload(event.args["payload"], commitments)
    assert check.data is not None and not check.ok
    assert "differing: goods" in (check.problem or "")
