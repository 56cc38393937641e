"""The contract computes the same keys, GPIDs and digests as the Python domain code."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpid_node.chain.client import RegistryClient
from gpid_node.chain.deploy import deploy
from gpid_node.chain.devchain import DevChain
from gpid_node.domain import canonical
from support.builders import dev_account
from support.vectors import VECTORS_FILE

VECTORS = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def fresh_registry() -> Any:
    """A registry at the vectors' address: account 0's first deployment on a fresh chain."""
    with DevChain() as chain:
        deployment, _ = deploy(chain.url, dev_account(0))
        assert deployment.registry == VECTORS["registry"]
        client = RegistryClient.connect(chain.url, deployment.registry)
        client.transact(dev_account(0), "bindTrader", dev_account(1).address, VECTORS["identifiers"][0]["trader_id"])
        yield client


def test_contract_reproduces_the_gpid_vectors(fresh_registry: RegistryClient) -> None:
    for case in VECTORS["identifiers"]:
        gpid = fresh_registry.gpid_for(bytes.fromhex(case["trader_key"][2:]), case["invoice_number"])
        assert gpid.hex == case["gpid"], case


def test_contract_stores_the_digest_of_the_vector_commitments(fresh_registry: RegistryClient) -> None:
    v = VECTORS["commitments"]
    salt = bytes.fromhex(v["salt"][2:])
    data = v["data"]
    commitments = tuple(bytes.fromhex(v[k][2:]) for k in ("identity", "seller", "buyer", "goods", "buyer_trader_key"))
    number = data["invoice"]["number"]
    fresh_registry.transact(dev_account(1), "register", number, commitments, canonical.encode_payload(data, salt))
    gpid = fresh_registry.gpid_for(bytes.fromhex(VECTORS["identifiers"][0]["trader_key"][2:]), number)
    assert "0x" + fresh_registry.version_of(gpid, 1).digest.hex() == v["digest"]


identifier = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=" "), min_size=1, max_size=24
).map(canonical.normal_identifier).filter(canonical.is_normal_identifier)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(trader=identifier, number=identifier)
def test_gpid_agrees_with_the_contract_view(registry: Any, trader: str, number: str) -> None:
    key = canonical.trader_key(trader)
    expected = canonical.gpid_of(registry.client.chain_id, registry.client.address, canonical.invoice_key(key, number))
    assert registry.client.gpid_for(key, number) == expected


@settings(max_examples=40, deadline=None)
@given(text=st.text(max_size=30))
def test_normal_form_rule_agrees_with_the_contract(fresh_registry: RegistryClient, text: str) -> None:
    # The contract's check is reachable through gpidFor's sibling rule in bindTrader; we use a view-free
    # comparison: the contract refuses exactly the identifiers Python calls not normal.
    from gpid_node.domain.errors import GPIDError

    data = fresh_registry.encode("bindTrader", dev_account(5).address, text)
    try:
        fresh_registry.simulate(dev_account(0).address, data)
        accepted = True
    except GPIDError as exc:
        assert exc.contract_error.name == "IdentifierNotNormalised"
        accepted = False
    assert accepted == canonical.is_normal_identifier(text)
