"""Checks the contract tests share: a refusal with its error and arguments, decoded events, the
per-GPID record by field name, the GPID the registry derives."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from gpid_node.chain.abi import Event, decode_log
from gpid_node.domain.errors import GPIDError
from support.invoice_keys import gpid_of


@contextmanager
def reverts(name: str, **expected: Any) -> Iterator[None]:
    with pytest.raises(GPIDError) as info:
        yield
    error = info.value.contract_error
    assert error is not None, f"not a contract refusal: {info.value!r}"
    assert error.name == name, error
    for key, value in expected.items():
        assert error.args[key] == value, (key, error.args)


def events(receipt: Any, name: str | None = None) -> list[Event]:
    decoded = [decode_log(log) for log in receipt.logs]
    return [e for e in decoded if e is not None and (name is None or e.name == name)]


def record_of(registry: Any, gpid: bytes) -> dict[str, Any]:
    """The registry's per-GPID record, by field name."""
    issuer, registered_at, version, links, format_ = registry.client.view("recordOf", gpid)
    return {"issuer": issuer, "registered_at": registered_at, "version": version, "links": links, "format": format_}


def expected_gpid(registry: Any, trader_key: bytes, number: str) -> bytes:
    """The GPID of invoice ``number`` of the trader, its invoice key under the trader's test secret."""
    return gpid_of(registry.client, trader_key, number).raw


def deploy_relay(client: Any, sender: Any) -> str:
    """Deploys a ``CallRelay`` (contracts/test: a stand-in for a multisig or smart wallet); its address."""
    from gpid_node.chain.artifacts import contract

    artifact = contract("CallRelay")
    factory = client.w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    tx = factory.constructor().build_transaction(
        {"from": sender.address, "nonce": client.next_nonce(sender.address), "chainId": client.chain_id, "gas": 500_000, **client.fee_fields()}
    )
    receipt = client.wait(client.broadcast(bytes(sender.sign_transaction(tx).raw_transaction)))
    address = client.w3.eth.get_transaction_receipt(receipt.transaction_hash)["contractAddress"]
    return str(address)


def relay_call(client: Any, sender: Any, relay: str, function: str, *args: Any) -> Any:
    """``sender`` has ``relay`` call the registry's ``function``: the transaction's input is the
    relay's ``forward``, the registry's call (and its payload) is only in the call trace."""
    from gpid_node.chain.artifacts import contract

    inner = client.encode(function, *args)
    relay_contract = client.w3.eth.contract(address=relay, abi=contract("CallRelay")["abi"])
    data = bytes.fromhex(relay_contract.encode_abi("forward", args=[client.address, inner]).removeprefix("0x"))
    tx = {"to": relay, "data": data, "nonce": client.next_nonce(sender.address), "chainId": client.chain_id,
          "gas": 2_000_000, "value": 0, **client.fee_fields()}  # fmt: skip
    receipt = client.wait(client.broadcast(bytes(sender.sign_transaction(tx).raw_transaction)))
    assert receipt.succeeded, "the relayed call reverted"
    return receipt


def payload_of(client: Any, event: Event) -> bytes:
    """The payload a key data set event names by its ``payloadHash``, found as the indexer finds it:
    in the calldata of the event's transaction (chain/payloads.py)."""
    from gpid_node.chain.payloads import find_payloads, wanted_of

    found = find_payloads(client, wanted_of([event]))
    assert not found.moved and not found.missing, (found.moved, found.missing)
    return found.payloads[bytes(event.args["payloadHash"])]


def with_payload(client: Any, event: Event) -> Event:
    """The event with its payload attached (``event.payload``), for the key data set events."""
    return event.with_payload(payload_of(client, event)) if "payloadHash" in event.args else event
