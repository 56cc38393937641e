"""Only the HTTP layer knows HTTP: nothing outside gpid_node/api imports FastAPI or starlette, and
building the app is the only way to get one (importing the package does no work)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "gpid_node"
HTTP_LIBRARIES = {"fastapi", "starlette"}


def test_nothing_outside_api_imports_the_web_framework() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if (PACKAGE / "api") in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            else:
                continue
            offenders += [f"{path.relative_to(PACKAGE)}: {n}" for n in names if n.split(".")[0] in HTTP_LIBRARIES]
    assert offenders == []


def test_importing_the_api_builds_nothing() -> None:
    app_module = importlib.import_module("gpid_node.api.app")
    assert callable(app_module.create_app)
    assert not any(hasattr(app_module, name) for name in ("app", "application", "settings", "node"))
