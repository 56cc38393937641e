"""The command line as an operator uses it, against a real development chain."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from gpid_node.services.devmode import DEMO_PARTICIPANTS, DEV_PASSWORD, start_dev_chain
from gpid_node.domain.samples import sample_key_data_set
from gpid_node.store.database import Store
from gpid_node.store.tables import OutboxEntry
from support.processes import GPID_NODE, env_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dev_folder(tmp_path_factory: pytest.TempPathFactory) -> Any:
    data_dir = tmp_path_factory.mktemp("cli") / "node"
    env = start_dev_chain(data_dir)
    (data_dir / "node.toml").write_text(f'rpc_url = "{env.chain.url}"\nkeystore_password = "{DEV_PASSWORD}"\n')
    seller = env.accounts[next(p.name for p in DEMO_PARTICIPANTS if p.role == "seller")].address
    yield data_dir, seller
    env.stop()


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([GPID_NODE, *args], env=env_for(data_dir), capture_output=True, text=True, timeout=120)


def test_register_prints_the_gpid_and_show_and_history_read_it_back(dev_folder: Any, tmp_path: Path) -> None:
    data_dir, seller = dev_folder
    source = tmp_path / "invoice.json"
    source.write_text(json.dumps(sample_key_data_set("CLI-1", lines=2)))
    registered = cli(data_dir, "register", str(source), "--data-dir", str(data_dir), "--as", seller)
    assert registered.returncode == 0, registered.stderr
    gpid = json.loads(registered.stdout)["gpid"]
    shown = cli(data_dir, "show", gpid, "--data-dir", str(data_dir))
    assert shown.returncode == 0, shown.stderr
    body = json.loads(shown.stdout)
    assert body["integrity"]["verified"] is True and body["data"]["invoice"]["number"] == "CLI-1"
    history = json.loads(cli(data_dir, "history", gpid.lower(), "--data-dir", str(data_dir)).stdout)
    assert [v["version"] for v in history["versions"]] == [1]


def test_register_with_bad_data_names_every_field_and_writes_nothing(dev_folder: Any, tmp_path: Path) -> None:
    data_dir, seller = dev_folder
    bad = sample_key_data_set("CLI-BAD", lines=2)
    bad["goods"][0]["hs_code"] = "999999"
    bad["goods"][1]["currency"] = "euro"
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(bad))
    store = Store(f"sqlite:///{data_dir / 'index.sqlite3'}")
    store.migrate()  # as the node does on start: this test may be the first to open the folder
    with store.session() as session:
        before = session.scalar(select(func.count()).select_from(OutboxEntry))
    result = cli(data_dir, "register", str(source), "--data-dir", str(data_dir), "--as", seller)
    assert result.returncode == 2
    assert "goods[0].hs_code" in result.stderr and "goods[1].currency" in result.stderr
    assert "Traceback" not in result.stderr
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == before


def test_a_wrong_setting_is_named(dev_folder: Any) -> None:
    data_dir, _ = dev_folder
    result = subprocess.run([GPID_NODE, "keys", "list", "--data-dir", str(data_dir)], capture_output=True, text=True,
                            env=env_for(data_dir, GPID_CONFIRMATIONS="many"), timeout=60)  # fmt: skip
    assert result.returncode == 2
    assert "GPID_CONFIRMATIONS" in result.stderr


def test_show_with_a_mistyped_gpid_explains_the_check_character(dev_folder: Any) -> None:
    data_dir, _ = dev_folder
    from gpid_node.domain.gpid import GPID

    text = str(GPID(bytes(range(16))))
    typo = text[:-1] + ("0" if text[-1] != "0" else "1")
    result = cli(data_dir, "show", typo, "--data-dir", str(data_dir))
    assert result.returncode == 2 and "check character" in result.stderr
