"""The committed contract build artifacts, as the node loads them at run time."""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACT_FILE = Path(os.environ.get("GPID_ARTIFACTS", REPO_ROOT / "contracts" / "artifacts" / "build.json"))


@cache
def load_build() -> dict[str, Any]:
    """The whole artifact document (compiler, settings, source hashes, contracts)."""
    return json.loads(ARTIFACT_FILE.read_text(encoding="utf-8"))


def contract(name: str = "GPIDRegistry") -> dict[str, Any]:
    """ABI, bytecode and deployed bytecode of one contract."""
    return load_build()["contracts"][name]


def registry_abi() -> list[dict[str, Any]]:
    return contract("GPIDRegistry")["abi"]


def artifact_hash(name: str = "GPIDRegistry") -> str:
    """SHA-256 of a contract's creation bytecode: what a deployment record names."""
    return hashlib.sha256(contract(name)["bytecode"].encode()).hexdigest()
