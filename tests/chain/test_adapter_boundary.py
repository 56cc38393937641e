"""web3 stays inside the chain adapter: no module above ``gpid_node/chain/`` imports it or its helpers."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "gpid_node"
CHAIN_LIBRARIES = {"web3", "eth_account", "eth_utils", "eth_abi", "eth_typing", "hexbytes"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_module_outside_chain_imports_web3_or_its_libraries() -> None:
    outside = [p for p in PACKAGE.rglob("*.py") if (PACKAGE / "chain") not in p.parents]
    assert len(outside) > 20
    offending = {
        str(path.relative_to(PACKAGE)): sorted(n for n in _imports(path) if n.split(".")[0] in CHAIN_LIBRARIES)
        for path in outside
    }
    assert {k: v for k, v in offending.items() if v} == {}


def test_the_boundary_check_sees_the_chain_adapters_own_imports() -> None:
    assert "web3" in _imports(PACKAGE / "chain" / "client.py")
