"""Fixtures of the security tests: one development node (real anvil, contracts, participants, outbox
and indexer) with its app under a test client."""

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
    running = start_api(tmp_path_factory.mktemp("gpid-security"))
    yield running
    stop_api(running)
