"""What the node needs of a chain endpoint where EVM implementations answer differently, checked on
the chain GPID_TEST_CHAIN selects (anvil, or the Hardhat network): gpid_node/chain/ makes the answers
the same, and docs/operations.md ("What differs between chains") names each difference.
"""

from __future__ import annotations

from typing import Any

from eth_hash.auto import keccak
from support.builders import key_data_set
from support.chains import TEST_CHAIN, anvil_only
from support.contract_checks import deploy_relay, events, relay_call, reverts
from support.invoice_keys import invoice_key

from gpid_node.chain.client import RegistryClient
from gpid_node.chain.deploy import deploy
from gpid_node.chain.devchain import DevChain
from gpid_node.chain.errors import RpcRefused
from gpid_node.chain.payloads import find_payloads, wanted_of
from gpid_node.domain import canonical

SALT = b"\x11" * 32


def _relayed_registration(registry: Any, number: str) -> tuple[Any, bytes]:
    client, operator = registry.client, registry.people.operator
    relay = deploy_relay(client, operator)
    client.transact(operator, "bindTrader", relay, "EORI:NL123456789")
    data = key_data_set(number, seller_eori="NL123456789")
    payload = canonical.encode_payload(data, SALT)
    key = invoice_key(canonical.trader_key("EORI:NL123456789"), number)
    receipt = relay_call(client, operator, relay, "register", key, canonical.commitments(data, SALT).as_tuple(), payload)
    return receipt, payload


def test_a_refusal_is_the_contracts_error_from_eth_call_and_from_eth_estimate_gas(registry: Any) -> None:
    # anvil answers code 3 with the revert data as `data`; Hardhat -32603 with it in `data.data`
    client, operator = registry.client, registry.people.operator
    data = client.encode("bindTrader", registry.people.delegate.address, "not normal")
    with reverts("IdentifierNotNormalised", identifier="not normal"):
        client.simulate(operator.address, data)
    with reverts("IdentifierNotNormalised", identifier="not normal"):
        client.estimate_gas(operator.address, data)


def test_a_transaction_that_reverts_on_chain_is_sent_and_its_receipt_says_it_failed(registry: Any) -> None:
    # Hardhat mines it and answers eth_sendRawTransaction with the revert (the hash in its data);
    # anvil answers the hash. The client gives the hash either way, and the receipt tells.
    client, stranger = registry.client, registry.people.stranger
    data = client.encode("bindTrader", registry.people.delegate.address, "EORI:DE999")
    signed = client.sign(stranger, data, client.next_nonce(stranger.address), 200_000)
    assert client.broadcast(signed.raw) == signed.hash
    receipt = client.wait(signed.hash)
    assert not receipt.succeeded and receipt.transaction_hash == signed.hash
    assert client.next_nonce(stranger.address) == signed.nonce + 1  # the nonce is spent: no resend with it
    with reverts("AccessControlUnauthorizedAccount", account=stranger.address):
        client.simulate(stranger.address, data, block=hex(receipt.block_number - 1))
    assert client.trader_key_of(registry.people.delegate.address) == bytes(32)


def test_a_relayed_registrations_payload_is_found_in_its_call_trace(registry: Any) -> None:
    # Hardhat's debug_traceTransaction has no callTracer: the client rebuilds the frames from its steps
    receipt, payload = _relayed_registration(registry, "RELAYED-CHAINS-1")
    (event,) = events(receipt, "KeyDataSetRegistered")
    found = find_payloads(registry.client, wanted_of([event]))
    assert found.traced == 1 and not found.missing and not found.moved
    assert found.payloads == {keccak(payload): payload}


@anvil_only("debug_traceTransaction's callTracer, to compare the rebuilt frames with")
def test_the_frames_rebuilt_from_the_steps_are_the_call_tracers() -> None:
    from conftest import Participants, Registry
    from support.builders import dev_account

    def shape(frame: dict[str, Any]) -> tuple[Any, ...]:
        return (frame["type"], (frame.get("to") or "").lower(), frame.get("input", "0x").lower(), bool(frame.get("error")),
                tuple(shape(c) for c in frame.get("calls") or ()))  # fmt: skip

    with DevChain(extra_args=("--steps-tracing",)) as chain:  # anvil gives the default tracer's steps only so
        people = Participants(*(dev_account(i) for i in range(8)))
        deployment, _ = deploy(chain.url, people.operator)
        client = RegistryClient.connect(chain.url, deployment.registry)
        receipt, _ = _relayed_registration(Registry(client, deployment, people), "RELAYED-CHAINS-2")
        traced = client.call_trace(receipt.transaction_hash)
        rebuilt = client._call_trace_from_steps(receipt.transaction_hash, RpcRefused("no callTracer"))
    assert traced["calls"] and shape(rebuilt) == shape(traced), (shape(rebuilt), shape(traced))


def test_the_suite_runs_on_the_chain_selected(registry: Any) -> None:
    # GPID_TEST_CHAIN=hardhat must not quietly run anvil (nor the reverse)
    version = str(registry.client.request("web3_clientVersion")).lower()
    assert version.startswith({"anvil": "anvil/", "hardhat": "hardhatnetwork/"}[TEST_CHAIN]), version


def test_every_block_header_hashes_to_its_hash(registry: Any) -> None:
    # the proof bundles (docs/operations.md, section 10) rest on it; Hardhat's blocks carry Osaka's fields
    from gpid_node.domain.block_header import hashed_fields, header_hash

    client = registry.client
    registry.register(key_data_set("HEADER-1"))
    head = client.block_number()
    for number in sorted({0, 1, head - 1, head}):
        block = client.block_json(number)
        assert "0x" + header_hash(hashed_fields(block)).hex() == block["hash"], number
