"""Finding the payloads that key data set events name by hash (chain/payloads.py), on the answers
recorded from anvil 1.7.1 (``recorded/record.py``): a registration and an amendment sent to the
registry, and a registration relayed by a contract (found in its ``callTracer`` trace). The client
below answers from the recording as an endpoint would, or refuses as one without the debug API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eth_hash.auto import keccak

from gpid_node.chain.abi import Event, decode_log
from gpid_node.chain.errors import RpcRefused
from gpid_node.chain.payloads import (
    find_payloads,
    payload_function_names,
    payloads_in_calldata,
    payloads_in_trace,
    wanted_of,
)
from gpid_node.domain import canonical

RECORDED = json.loads((Path(__file__).parent / "recorded" / "anvil-1.7.1-logs.json").read_text())
REGISTRY = RECORDED["registry"]


def key_data_set_events() -> list[Event]:
    return [e for e in (decode_log(raw) for raw in RECORDED["logs"]) if e is not None and "payloadHash" in e.args]


class RecordedEndpoint:
    """What find_payloads asks of a client, answered from the recording."""

    def __init__(self, traces: bool = True, transactions: dict[str, Any] | None = None) -> None:
        self.address = REGISTRY
        self.traces = traces
        self.recorded = RECORDED["transactions"] if transactions is None else transactions
        self.asked: list[list[str]] = []
        self.traced: list[str] = []

    def transactions(self, hashes: list[str]) -> dict[str, Any]:
        self.asked.append(list(hashes))
        return {h: self.recorded.get(h) for h in hashes}

    def call_trace(self, tx_hash: str) -> dict[str, Any]:
        self.traced.append(tx_hash)
        if not self.traces:
            raise RpcRefused("Method not found", {"error": {"code": -32601, "message": "Method not found"}})
        return dict(RECORDED["traces"][tx_hash])


def test_every_registry_function_that_takes_a_payload_is_decoded() -> None:
    assert payload_function_names() == ["amend", "register", "registerBatch"]


def test_the_payloads_of_calls_to_the_registry_are_found_in_the_transactions_input() -> None:
    registered, amended, relayed = key_data_set_events()
    for event in (registered, amended):
        tx = RECORDED["transactions"][event.transaction_hash]
        (payload,) = payloads_in_calldata(bytes.fromhex(tx["input"][2:]))
        assert keccak(payload) == event.args["payloadHash"]
    relay_input = bytes.fromhex(RECORDED["transactions"][relayed.transaction_hash]["input"][2:])
    assert payloads_in_calldata(relay_input) == []  # the relay's own call is not the registry's


def test_a_relayed_registration_is_found_in_the_call_trace() -> None:
    *_, relayed = key_data_set_events()
    (payload,) = payloads_in_trace(RECORDED["traces"][relayed.transaction_hash], REGISTRY)
    assert keccak(payload) == relayed.args["payloadHash"]
    assert canonical.decode_payload(payload)[0]["invoice"]["number"] == "REC-2"
    assert payloads_in_trace(RECORDED["traces"][relayed.transaction_hash], "0x" + "11" * 20) == []


def test_a_failed_frame_of_the_trace_carries_no_payload() -> None:
    *_, relayed = key_data_set_events()
    trace = json.loads(json.dumps(RECORDED["traces"][relayed.transaction_hash]))
    for call in trace["calls"]:
        call["error"] = "execution reverted"
    assert payloads_in_trace(trace, REGISTRY) == []


def test_find_payloads_fetches_each_transaction_once_and_traces_only_the_relayed_one() -> None:
    events = key_data_set_events()
    endpoint = RecordedEndpoint()
    found = find_payloads(endpoint, wanted_of(events))  # type: ignore[arg-type]
    assert sorted(found.payloads) == sorted(bytes(e.args["payloadHash"]) for e in events)
    assert len(endpoint.asked) == 1 and sorted(endpoint.asked[0]) == sorted({e.transaction_hash for e in events})
    assert endpoint.traced == [events[-1].transaction_hash]
    assert (found.moved, found.missing, found.traced) == (set(), {}, 1)


def test_without_the_debug_api_a_relayed_payload_is_missing_with_the_reason() -> None:
    events = key_data_set_events()
    found = find_payloads(RecordedEndpoint(traces=False), wanted_of(events))  # type: ignore[arg-type]
    relayed = events[-1].transaction_hash
    assert list(found.missing) == [relayed] and "debug_traceTransaction" in found.missing[relayed]
    assert sorted(found.payloads) == sorted(bytes(e.args["payloadHash"]) for e in events[:2])


def test_a_transaction_in_another_block_than_its_logs_is_a_chain_that_moved() -> None:
    events = key_data_set_events()
    first = events[0].transaction_hash
    elsewhere = {**RECORDED["transactions"], first: {**RECORDED["transactions"][first], "blockHash": "0x" + "ee" * 32}}
    del elsewhere[events[1].transaction_hash]  # and one the endpoint no longer knows
    found = find_payloads(RecordedEndpoint(transactions=elsewhere), wanted_of(events))  # type: ignore[arg-type]
    assert found.moved == {first, events[1].transaction_hash}
    assert list(found.payloads) == [bytes(events[-1].args["payloadHash"])]


# ------------------------------------------------------------------ the client's requests, on a real anvil


def test_the_client_fetches_transactions_in_one_batch_and_a_relayed_calls_trace(registry: Any) -> None:
    from support.builders import key_data_set
    from support.contract_checks import deploy_relay, events, relay_call
    from support.invoice_keys import invoice_key

    client, operator = registry.client, registry.people.operator
    direct = registry.register(key_data_set("BATCHED-1"))
    relay = deploy_relay(client, operator)
    client.transact(operator, "bindTrader", relay, "EORI:NL123456789")
    data = key_data_set("RELAYED-9", seller_eori="NL123456789")
    salt = b"\x11" * 32
    relayed = relay_call(client, operator, relay, "register", invoice_key(canonical.trader_key("EORI:NL123456789"), "RELAYED-9"), canonical.commitments(data, salt).as_tuple(),
                         canonical.encode_payload(data, salt))  # fmt: skip
    posted: list[Any] = []
    real = client.w3.provider.make_batch_request
    client.w3.provider.make_batch_request = lambda requests: posted.append(requests) or real(requests)  # type: ignore[method-assign]
    try:
        answers = client.transactions([direct.transaction_hash, relayed.transaction_hash, "0x" + "00" * 32])
    finally:
        client.w3.provider.make_batch_request = real  # type: ignore[method-assign]
    assert len(posted) == 1 and len(posted[0]) == 3
    assert answers[direct.transaction_hash]["to"].lower() == client.address.lower()
    assert answers[relayed.transaction_hash]["to"].lower() == relay.lower() and answers["0x" + "00" * 32] is None
    (event,) = events(relayed, "KeyDataSetRegistered")
    (payload,) = payloads_in_trace(client.call_trace(relayed.transaction_hash), client.address)
    assert keccak(payload) == event.args["payloadHash"] == keccak(canonical.encode_payload(data, salt))
