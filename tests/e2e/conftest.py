"""A real ``gpid-node dev`` process on loopback, for the end-to-end tests that need one of their own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from faults.chaos import start_dev_node


@pytest.fixture
def node(tmp_path: Path) -> Iterator[tuple[object, str, dict[str, str], Path]]:
    """The process, its API URL, the seller's authorization header, its data folder."""
    running = start_dev_node(tmp_path / "data")
    try:
        yield running.process, running.url, {"Authorization": f"Bearer {running.key('seller')}"}, running.data_dir
    finally:
        running.stop()
