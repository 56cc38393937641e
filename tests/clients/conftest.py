"""The generated Python client (clients/python) against a real ``gpid-node dev`` process on loopback."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

CLIENT = Path(__file__).resolve().parents[2] / "clients" / "python"
if str(CLIENT) not in sys.path:
    sys.path.insert(0, str(CLIENT))  # the client is a package of its own, not installed into the node's venv

from faults.chaos import DevNode, start_dev_node  # noqa: E402


@pytest.fixture(scope="module")
def dev_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevNode]:
    running = start_dev_node(tmp_path_factory.mktemp("client") / "data")
    try:
        yield running
    finally:
        running.stop()
