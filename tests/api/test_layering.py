"""Building the app is the only way to get one: importing the API package does no work (that nothing
outside gpid_node/api imports FastAPI or starlette is tests/test_layering.py's)."""

from __future__ import annotations

import importlib


def test_importing_the_api_builds_nothing() -> None:
    app_module = importlib.import_module("gpid_node.api.app")
    assert callable(app_module.create_app)
    assert not any(hasattr(app_module, name) for name in ("app", "application", "settings", "node"))
