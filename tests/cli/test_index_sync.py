"""``gpid-node index sync``: a rebuild from the command line indexes with the data folder's keys."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gpid_node.domain.gpid import GPID
from gpid_node.domain.samples import sample_key_data_set
from gpid_node.services.devmode import DEMO_PARTICIPANTS, DEV_PASSWORD, start_dev_chain
from gpid_node.store.database import Store
from gpid_node.store.tables import KeyDataSetRow, VersionRow
from support.processes import GPID_NODE, env_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dev_folder(tmp_path_factory: pytest.TempPathFactory) -> Any:
    data_dir = tmp_path_factory.mktemp("cli-index") / "node"
    env = start_dev_chain(data_dir)
    (data_dir / "node.toml").write_text(f'rpc_url = "{env.chain.url}"\nkeystore_password = "{DEV_PASSWORD}"\n')
    seller = env.accounts[next(p.name for p in DEMO_PARTICIPANTS if p.role == "seller")].address
    yield data_dir, seller
    env.stop()


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([GPID_NODE, *args], env=env_for(data_dir), capture_output=True, text=True, timeout=180)


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
