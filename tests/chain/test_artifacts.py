"""The committed build artifacts are what the sources compile to, for the EVM version they name."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_account import Account

from gpid_node.chain import build
from gpid_node.chain.artifacts import load_build
from gpid_node.chain.client import RegistryClient, connect
from gpid_node.chain.deploy import deploy
from gpid_node.chain.devchain import DevChain
from gpid_node.domain import canonical
from support.builders import SELLER_TRADER_ID, dev_account, key_data_set
from support.invoice_keys import gpid_of, invoice_key

STALE = "gpid_node/chain/build.json is stale: run ./scripts/compile and commit the result"


def test_artifact_source_hashes_match_the_sources() -> None:
    assert load_build()["sources"] == build.source_hashes(), STALE


def test_artifact_records_compiler_and_settings() -> None:
    document = load_build()
    assert document["compiler"]["version"] == build.SOLC_VERSION
    assert document["settings"] == build.SETTINGS, STALE


def test_artifact_names_its_evm_version_the_oldest_without_a_lost_rule() -> None:
    document = load_build()
    assert build.EVM_VERSION == "paris"
    assert document["evmVersion"] == document["settings"]["evmVersion"] == build.EVM_VERSION, STALE


@pytest.mark.parametrize("name", build.CONTRACTS)
def test_artifact_code_holds_no_opcode_its_evm_version_lacks(name: str) -> None:
    artifact = load_build()["contracts"][name]
    pieces = build.executable_code(artifact)
    assert len(pieces["constructor"]) > 20 and len(pieces["runtime"]) > 400
    for part, code in pieces.items():
        assert build.opcodes_missing_on(code, load_build()["evmVersion"]) == [], (name, part)


@pytest.mark.parametrize(
    ("code", "missing_on_paris"),
    [
        ("5f5ff3", ["PUSH0"]),  # PUSH0 PUSH0 RETURN
        ("605f60005e00", ["MCOPY"]),  # PUSH1 0x5f (data, not PUSH0) ... MCOPY STOP
        ("7f" + "5f5e5c5d494a" * 5 + "00" * 2 + "00", []),  # every later opcode, but as PUSH32 data
        ("60015c60015d", ["TLOAD", "TSTORE"]),
        ("600049004a", ["BLOBBASEFEE", "BLOBHASH"]),
        ("6000600055", []),  # PUSH1 PUSH1 SSTORE: Frontier
    ],
)
def test_the_opcode_walk_skips_push_data(code: str, missing_on_paris: list[str]) -> None:
    assert build.opcodes_missing_on(bytes.fromhex(code), "paris") == missing_on_paris
    assert build.opcodes_missing_on(bytes.fromhex(code), "cancun") == []
    assert build.opcodes_missing_on(bytes.fromhex(code), "shanghai") == [n for n in missing_on_paris if n != "PUSH0"]


def test_the_metadata_tail_is_not_walked_as_code() -> None:
    code = bytes.fromhex("6000" + "fe")
    tail = bytes.fromhex("a164736f6c634300081d") + (10).to_bytes(2, "big")  # {"solc": 0.8.29}, its length
    assert build.strip_metadata(code + tail) == code
    assert build.strip_metadata(code) == code


@pytest.mark.slow
@pytest.mark.parametrize("hardfork", [build.EVM_VERSION, "berlin"])
def test_the_registry_deploys_and_runs_on_a_chain_of_its_evm_version_and_older(hardfork: str, tmp_path: Path) -> None:
    """Paris code holds nothing newer than Istanbul's CHAINID: it also runs on Berlin (no base fee,
    legacy transactions), as older GoQuorum and Besu networks have it."""
    with DevChain(hardfork=hardfork, log_file=tmp_path / "anvil.log") as chain:
        w3 = connect(chain.url)
        block = w3.eth.get_block("latest")
        assert "withdrawalsRoot" not in block and ("baseFeePerGas" in block) == (hardfork == "paris"), "not that hardfork"
        # the chain enforces its rules: code with PUSH0 (Shanghai) fails to deploy
        account = dev_account(9)
        tx = Account.sign_transaction(
            {"to": None, "data": "0x5f5ff3", "gas": 100_000, "gasPrice": 2 * w3.eth.gas_price,
             "nonce": w3.eth.get_transaction_count(account.address), "chainId": w3.eth.chain_id},
            account.key,
        )  # fmt: skip
        assert w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(tx.raw_transaction))["status"] == 0
        deployment, _ = deploy(chain.url, dev_account(0))
        registry = RegistryClient.connect(chain.url, deployment.registry)
        registry.transact(dev_account(0), "bindTrader", dev_account(1).address, SELLER_TRADER_ID)
        data, salt = key_data_set("EVM-1"), b"\x23" * 32
        seller_key = canonical.trader_key(SELLER_TRADER_ID)
        key = invoice_key(seller_key, "EVM-1")
        registry.transact(dev_account(1), "register", key, canonical.commitments(data, salt).as_tuple(), canonical.encode_payload(data, salt))
        gpid = registry.gpid_for(seller_key, key)
        assert gpid == gpid_of(registry, seller_key, "EVM-1")
        assert registry.record_of(gpid).version == 1


@pytest.mark.slow
def test_recompiling_gives_the_committed_bytecode() -> None:
    fresh = build.compile_contracts()
    committed = load_build()
    assert fresh["evmVersion"] == committed["evmVersion"], STALE
    for name in build.CONTRACTS:
        assert fresh["contracts"][name]["bytecode"] == committed["contracts"][name]["bytecode"], STALE
        assert fresh["contracts"][name]["abi"] == committed["contracts"][name]["abi"], STALE


def test_registry_source_pins_the_compiler_version() -> None:
    from gpid_node.chain.artifacts import REPO_ROOT

    source = (REPO_ROOT / "contracts/src/GPIDRegistry.sol").read_text()
    assert f"pragma solidity {build.SOLC_VERSION};" in source


def test_the_whole_suite_runs_the_contracts_and_e2e_again_on_the_artifacts_evm() -> None:
    from gpid_node.chain.artifacts import REPO_ROOT

    script = (REPO_ROOT / "scripts/test").read_text()
    assert f"GPID_TEST_HARDFORK={build.EVM_VERSION} .venv/bin/python -m pytest tests/contracts tests/e2e" in script
