"""Fixtures of the API tests: one development node for the whole session.

Tests register their own invoices (unique numbers) and declarations (unique references), so they do
not see each other's data. The chain-outage tests start their own node, because they stop its chain.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from api.harness import Api, start_api, stop_api
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from support.requirements import POSTGRES_URL, require_postgres


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


@pytest.fixture
def postgres_api(tmp_path: Path) -> Iterator[Api]:
    """A development node of its own whose index is a fresh PostgreSQL database (dropped after)."""
    require_postgres(POSTGRES_URL)
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"gpid_api_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    running = start_api(tmp_path, database_url=make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False))
    try:
        yield running
    finally:
        stop_api(running)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
