"""Fixtures of the API tests: one development node for the whole session.

Tests register their own invoices (unique numbers) and declarations (unique references), so they do
not see each other's data. The chain-outage tests start their own node, because they stop its chain.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from api.harness import Api, start_api, stop_api


@pytest.fixture(scope="session", autouse=True)
def _no_config_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Settings read only what the tests give (no node.toml of a developer's ./data folder)."""
    before = os.environ.get("GPID_CONFIG")
    os.environ["GPID_CONFIG"] = str(tmp_path_factory.mktemp("no-config") / "absent.toml")
    yield
    if before is None:
        os.environ.pop("GPID_CONFIG", None)
    else:
        os.environ["GPID_CONFIG"] = before


@pytest.fixture(scope="session")
def api(tmp_path_factory: pytest.TempPathFactory, _no_config_file: None) -> Iterator[Api]:
    running = start_api(tmp_path_factory.mktemp("gpid-api"))
    yield running
    stop_api(running)
