"""``gpid-node index sync``: a rebuild from the command line indexes with the data folder's keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gpid_node.domain.gpid import GPID
from gpid_node.store.database import Store
from gpid_node.store.tables import KeyDataSetRow, VersionRow
from support.cli import cli, register_sample

pytestmark = pytest.mark.slow


def test_a_rebuild_from_the_command_line_opens_this_nodes_format_2_key_data_sets(dev_folder: Any, tmp_path: Path) -> None:
    data_dir, seller = dev_folder
    gpid = GPID.parse(register_sample(data_dir, seller, tmp_path, "CLI-SYNC-1", 2))

    fresh = f"sqlite:///{tmp_path / 'rebuilt.sqlite3'}"
    synced = cli(data_dir, "index", "sync", "--data-dir", str(data_dir), "--database-url", fresh)
    assert synced.returncode == 0, synced.stderr
    store = Store(fresh)
    try:
        with store.session() as session:
            row = session.get(KeyDataSetRow, gpid.hex)
            assert row is not None and row.format == 2
            assert row.readable is True and row.content_key is not None and row.invoice_number == "CLI-SYNC-1"
            version = session.get(VersionRow, (gpid.hex, 1))
            assert version is not None and version.data is not None and version.integrity_ok
            assert version.data["invoice"]["number"] == "CLI-SYNC-1"
    finally:
        store.dispose()
