"""The committed contract build artifacts, as the node loads them at run time.

``gpid_node/chain/build.json`` is package data: the one committed copy, which ``./scripts/compile``
rewrites (:mod:`gpid_node.chain.build`) and which an installed wheel carries, so the node finds it
inside the package wherever it is installed. ``GPID_ARTIFACTS`` names another file (tests).
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

PACKAGED_FILE = Path(__file__).resolve().parent / "build.json"
# The checkout the package runs from (contracts/ sources, node_modules): meaningful only in the
# repository, never needed by an installed node.
REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACT_FILE = Path(os.environ.get("GPID_ARTIFACTS", PACKAGED_FILE))


@cache
def load_build() -> dict[str, Any]:
    """The whole artifact document (compiler, settings, source hashes, contracts)."""
    return json.loads(ARTIFACT_FILE.read_text(encoding="utf-8"))


def contract(name: str = "GPIDRegistry") -> dict[str, Any]:
    """ABI, bytecode and deployed bytecode of one contract."""
    return load_build()["contracts"][name]


def registry_abi() -> list[dict[str, Any]]:
    return contract("GPIDRegistry")["abi"]


def build_facts() -> dict[str, str]:
    """The compiler and EVM version the contracts were built with (for ``gpid_build_info``)."""
    document = load_build()
    return {
        "solc": str(document.get("compiler", {}).get("version", "")),
        "evm_version": str(document.get("settings", {}).get("evmVersion", "")),
    }


def artifact_hash(name: str = "GPIDRegistry") -> str:
    """SHA-256 of a contract's creation bytecode: what a deployment record names."""
    return hashlib.sha256(contract(name)["bytecode"].encode()).hexdigest()
