"""The committed build artifacts are what the sources compile to."""

from __future__ import annotations

import pytest

from gpid_node.chain import build
from gpid_node.chain.artifacts import load_build

STALE = "gpid_node/chain/build.json is stale: run ./scripts/compile and commit the result"


def test_artifact_source_hashes_match_the_sources() -> None:
    assert load_build()["sources"] == build.source_hashes(), STALE


def test_artifact_records_compiler_and_settings() -> None:
    document = load_build()
    assert document["compiler"]["version"] == build.SOLC_VERSION
    assert document["settings"] == build.SETTINGS, STALE


@pytest.mark.slow
def test_recompiling_gives_the_committed_bytecode() -> None:
    fresh = build.compile_contracts()
    committed = load_build()
    for name in build.CONTRACTS:
        assert fresh["contracts"][name]["bytecode"] == committed["contracts"][name]["bytecode"], STALE
        assert fresh["contracts"][name]["abi"] == committed["contracts"][name]["abi"], STALE


def test_registry_source_pins_the_compiler_version() -> None:
    from gpid_node.chain.artifacts import REPO_ROOT

    source = (REPO_ROOT / "contracts/src/GPIDRegistry.sol").read_text()
    assert f"pragma solidity {build.SOLC_VERSION};" in source
