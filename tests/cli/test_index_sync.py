"""``gpid-node index sync``: a rebuild from the command line indexes with the data folder's keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gpid_node.domain.gpid import GPID
from gpid_node.domain.samples import sample_key_data_set
from gpid_node.store.database import Store
from gpid_node.store.tables import KeyDataSetRow, VersionRow
from support.cli import cli

pytestmark = pytest.mark.slow


def test_a_rebuild_from_the_command_line_opens_this_nodes_format_2_key_data_sets(dev_folder: Any, tmp_path: Path) -> None:
    data_dir, seller = dev_folder
    source = tmp_path / "invoice.json"
    source.write_text(json.dumps(sample_key_data_set("CLI-SYNC-1", lines=2)))
    registered = cli(data_dir, "register", str(source), "--data-dir", str(data_dir), "--as", seller)
    assert registered.returncode == 0, registered.stderr
    gpid = GPID.parse(json.loads(registered.stdout)["gpid"])

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
