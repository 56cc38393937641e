"""``RegistryClient.storage_proof`` and ``block_json`` on a real anvil: the proof of a version's digest
slot, taken by block hash (EIP-1898) or, where an endpoint refuses a hash there, by block number,
makes a bundle that the offline check proves against the block's hash."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Registry
from support.builders import key_data_set
from support.invoice_keys import gpid_of

from gpid_node.chain.errors import RpcRefused
from gpid_node.domain import canonical, proof_bundle
from gpid_node.domain.registry_storage import record_slot, slot_text, version_digest_slot

SALT = b"\x11" * 32


def _bundle(registry: Registry, data: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    client = registry.client
    seller_id = canonical.trader_id_text(data["seller"]["trader_id"])
    gpid = gpid_of(client, canonical.trader_key(seller_id), data["invoice"]["number"])
    head = client.block_number()
    block = client.block_json(head)
    proof = client.storage_proof([slot_text(version_digest_slot(gpid, 1)), slot_text(record_slot(gpid))], block["hash"], head)
    bundle = proof_bundle.assemble(chain_id=client.chain_id, registry=client.address, gpid=gpid, version=1, payload_format=1,
                                   data=data, opening=SALT, block=block, proof=proof)  # fmt: skip
    return bundle, bytes.fromhex(block["hash"][2:])


def test_a_storage_proof_by_block_hash_proves_the_digest(registry: Registry) -> None:
    data = key_data_set(invoice_number="PROOF-CHAIN-1")
    registry.register(data, SALT)
    bundle, trusted = _bundle(registry, data)
    verdict = proof_bundle.check(bundle, trusted)
    assert verdict.valid, verdict.problems
    assert bundle["digest"] == "0x" + canonical.commitments(data, SALT).digest.hex()


def test_an_endpoint_that_takes_no_block_hash_is_asked_by_number(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    data = key_data_set(invoice_number="PROOF-CHAIN-2")
    registry.register(data, SALT)
    client, asked = registry.client, []
    request = client.request

    def no_eip1898(method: str, *params: Any) -> Any:
        asked.append(params[-1] if method == "eth_getProof" else None)
        if method == "eth_getProof" and isinstance(params[-1], dict):
            raise RpcRefused("invalid block parameter", {"error": {"code": -32602, "message": "invalid block parameter"}})
        return request(method, *params)

    monkeypatch.setattr(client, "request", no_eip1898)
    bundle, trusted = _bundle(registry, data)
    assert [a for a in asked if a is not None] == [{"blockHash": "0x" + trusted.hex()}, hex(bundle["block"]["number"])]
    assert proof_bundle.check(bundle, trusted).valid
