"""A real ``gpid-node dev`` process on loopback, for the end-to-end tests that need one of their own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gpid_node.chain.devchain import free_port
from support.processes import GPID_NODE, api_key, credentials, kill_anvil_of, start, stop, wait_http


@pytest.fixture
def node(tmp_path: Path) -> Iterator[tuple[object, str, dict[str, str], Path]]:
    """The process, its API URL, the seller's authorization header, its data folder."""
    data_dir, port = tmp_path / "data", free_port()
    data_dir.mkdir()
    process = start([GPID_NODE, "dev", "--port", str(port), "--data-dir", str(data_dir)], data_dir, tmp_path / "node.log")
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", process=process)
        seller = {"Authorization": f"Bearer {api_key(credentials(data_dir), 'seller')}"}
        yield process, f"http://127.0.0.1:{port}", seller, data_dir
    finally:
        stop(process)
        kill_anvil_of(data_dir)
