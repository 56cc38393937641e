"""The contract computes the same keys, GPIDs and digests as the Python domain code."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpid_node.chain.abi import decode_log
from gpid_node.chain.client import RegistryClient
from gpid_node.chain.deploy import deploy
from gpid_node.domain import canonical
from support.builders import SELLER_TRADER_ID, dev_account, key_data_set
from support.chains import new_chain
from support.invoice_keys import gpid_of, invoice_key
from support.vectors import VECTORS_FILE

VECTORS = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def fresh_registry() -> Any:
    """A registry at the vectors' address: account 0's first deployment on a fresh chain."""
    with new_chain() as chain:
        deployment, _ = deploy(chain.url, dev_account(0))
        assert deployment.registry == VECTORS["registry"]
        client = RegistryClient.connect(chain.url, deployment.registry)
        client.transact(dev_account(0), "bindTrader", dev_account(1).address, VECTORS["identifiers"][0]["trader_id"])
        yield client


def test_contract_reproduces_the_gpid_vectors(fresh_registry: RegistryClient) -> None:
    # The registry derives the registry key and the GPID from (trader key, invoice key); the invoice
    # key (an HMAC under the trader's secret) is the node's, checked in tests/domain/test_vectors.py.
    for case in VECTORS["identifiers"]:
        gpid = fresh_registry.gpid_for(bytes.fromhex(case["trader_key"][2:]), bytes.fromhex(case["invoice_key"][2:]))
        assert gpid.hex == case["gpid"], case


def test_a_registration_of_a_vector_invoice_key_emits_its_registry_key_and_gpid(fresh_registry: RegistryClient) -> None:
    case = VECTORS["identifiers"][0]
    data = key_data_set(invoice_number=case["invoice_number"])
    salt = b"\x22" * 32
    receipt = fresh_registry.transact(dev_account(1), "register", bytes.fromhex(case["invoice_key"][2:]),
                                      canonical.commitments(data, salt).as_tuple(), canonical.encode_payload(data, salt))  # fmt: skip
    (event,) = [e for e in (decode_log(log) for log in receipt.logs) if e is not None and e.name == "KeyDataSetRegistered"]
    assert "0x" + bytes(event.args["registryKey"]).hex() == case["registry_key"]
    assert "0x" + bytes(event.args["gpid"]).hex() == case["gpid"]


def test_contract_stores_the_digest_of_the_vector_commitments(fresh_registry: RegistryClient) -> None:
    v = VECTORS["commitments"]
    salt = bytes.fromhex(v["salt"][2:])
    data = v["data"]
    commitments = tuple(bytes.fromhex(v[k][2:]) for k in ("identity", "seller", "buyer", "goods", "buyer_trader_key"))
    trader_key = bytes.fromhex(VECTORS["identifiers"][0]["trader_key"][2:])
    key = invoice_key(trader_key, data["invoice"]["number"])
    fresh_registry.transact(dev_account(1), "register", key, commitments, canonical.encode_payload(data, salt))
    gpid = fresh_registry.gpid_for(trader_key, key)
    assert "0x" + fresh_registry.version_of(gpid, 1).digest.hex() == v["digest"]


def test_contract_caps_equal_the_vectors_and_the_node(fresh_registry: RegistryClient) -> None:
    from gpid_node.domain import limits

    caps = VECTORS["limits"]
    assert fresh_registry.view("MAX_VERSIONS") == caps["max_versions"] == limits.MAX_VERSIONS
    assert fresh_registry.view("MAX_LINKS") == caps["max_links"] == limits.MAX_LINKS


identifier = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=" "), min_size=1, max_size=24
).map(canonical.normal_identifier).filter(canonical.is_normal_identifier)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(trader=identifier, number=identifier, secret=st.binary(min_size=32, max_size=32))
def test_gpid_agrees_with_the_contract_view(registry: Any, trader: str, number: str, secret: bytes) -> None:
    key = canonical.trader_key(trader)
    invoice = canonical.invoice_key(secret, number)
    expected = canonical.gpid_of_invoice(registry.client.chain_id, registry.client.address, key, invoice)
    assert registry.client.gpid_for(key, invoice) == expected


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


def test_the_contract_accepts_exactly_the_direction_and_outcome_codes_of_the_table(registry: Any) -> None:
    # The contract keeps its codes private (DIRECTION_*, OUTCOME_*): it is asked instead, one code
    # below and one above the table's as well, and must refuse exactly the codes the table lacks.
    from gpid_node.domain import codes
    from gpid_node.domain.errors import GPIDError

    data = key_data_set(invoice_number="CODES-2026-1")
    registry.register(data)
    gpid = gpid_of(registry.client, canonical.trader_key(SELLER_TRADER_ID), "CODES-2026-1")
    assert VECTORS["codes"]["directions"] == dict(codes.DIRECTIONS)
    assert VECTORS["codes"]["outcomes"] == dict(codes.OUTCOMES)

    def accepted(sender: str, refusal: str, function: str, *args: Any) -> bool:
        try:
            registry.client.simulate(sender, registry.client.encode(function, *args))
        except GPIDError as exc:
            assert exc.contract_error.name == refusal, exc
            return False
        return True

    for code in range(max(codes.DIRECTIONS.values()) + 2):
        broker = registry.people.broker.address
        assert accepted(broker, "InvalidDirection", "linkDeclaration", gpid.raw, "26DE0000001", b"DE", code) == (
            code in codes.DIRECTIONS.values()
        ), code
    for code in range(max(codes.OUTCOMES.values()) + 2):
        customs = registry.people.customs.address
        assert accepted(customs, "InvalidOutcome", "recordVerification", gpid.raw, "26GB0000001", 1, code) == (
            code in codes.OUTCOMES.values()
        ), code
