"""``gpid-node disclose`` in a node's data folder, and ``gpid-node check-disclosure`` with nothing but
the chain's JSON-RPC endpoint (no data folder, no node, no index), against a real anvil."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from support.cli import cli, register_sample
from support.processes import GPID_NODE

from gpid_node.domain import disclosure

pytestmark = pytest.mark.slow

GATE = ["--field", "goods[*].packages", "--field", "goods[*].net_mass_kg"]


def offline(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``gpid-node *args`` in an empty folder with an environment that names no data folder or node."""
    home = tmp_path / "nowhere"
    home.mkdir(exist_ok=True)
    # COLUMNS: wide lines, so that a long temporary path is not wrapped in the message
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "GPID_CONFIG": str(home / "absent.toml"), "COLUMNS": "250"}
    return subprocess.run([GPID_NODE, *args], env=env, cwd=home, capture_output=True, text=True, timeout=120)


def rpc_url(data_dir: Path) -> str:
    found = re.search(r'rpc_url = "([^"]+)"', (data_dir / "node.toml").read_text())
    assert found is not None
    return found.group(1)


def test_disclose_then_check_offline_and_after_an_amendment(dev_folder: Any, tmp_path: Path) -> None:
    data_dir, seller = dev_folder
    gpid = register_sample(data_dir, seller, tmp_path, "CLI-DISCLOSE-1", 10)
    document, qr = tmp_path / "gate.json", tmp_path / "gate.png"
    made = cli(data_dir, "disclose", gpid, *GATE, "--qr", str(qr), "--out", str(document), "--data-dir", str(data_dir))
    assert made.returncode == 0, made.stderr
    written = json.loads(document.read_text())
    assert written["gpid"] == gpid and len(written["fields"]["goods[*].packages"]) == 10
    assert len(document.read_bytes()) <= 2000 and qr.read_bytes().startswith(b"\x89PNG")
    printed = cli(data_dir, "disclose", gpid, "--field", "invoice.number", "--data-dir", str(data_dir))
    assert printed.returncode == 0 and json.loads(printed.stdout)["fields"] == {"invoice.number": "CLI-DISCLOSE-1"}

    url = rpc_url(data_dir)
    checked = offline(tmp_path, "check-disclosure", str(document), "--rpc-url", url)
    assert checked.returncode == 0, checked.stderr
    verdict = json.loads(checked.stdout)
    assert (verdict["valid"], verdict["version"], verdict["current_version"], verdict["superseded"]) == (True, 1, 1, False)
    assert verdict["checked_against"] == "chain" and verdict["fields"]["goods[0].packages"] == written["fields"]["goods[*].packages"][0]

    qr_text = tmp_path / "gate.txt"
    qr_text.write_text(disclosure.read(written).qr_text())
    assert json.loads(offline(tmp_path, "check-disclosure", str(qr_text), "--rpc-url", url).stdout)["valid"] is True

    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps({**written, "fields": {**written["fields"], "goods[*].packages": [9] * 10}}))
    refused = offline(tmp_path, "check-disclosure", str(tampered), "--rpc-url", url)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "not the version's digest" in json.loads(refused.stdout)["problems"][0]["message"]

    wrong_registry = offline(tmp_path, "check-disclosure", str(document), "--rpc-url", url, "--registry", "0x" + "12" * 20)
    assert wrong_registry.returncode == 1 and json.loads(wrong_registry.stdout)["problems"][0]["path"] == "registry"

    amended = cli(data_dir, "amend", gpid, "--changes", '{"buyer": {"name": "Thames Tools Limited"}}', "--reason", "legal name",
                  "--data-dir", str(data_dir), "--as", seller)  # fmt: skip
    assert amended.returncode == 0, amended.stderr
    later = json.loads(offline(tmp_path, "check-disclosure", str(document), "--rpc-url", url).stdout)
    assert (later["valid"], later["current_version"], later["superseded"]) == (True, 2, True)


def test_disclose_and_check_refuse_with_a_reason(dev_folder: Any, tmp_path: Path) -> None:
    data_dir, seller = dev_folder
    gpid = register_sample(data_dir, seller, tmp_path, "CLI-DISCLOSE-2", 2)
    unknown = cli(data_dir, "disclose", gpid, "--field", "goods[*].colour", "--data-dir", str(data_dir))
    assert unknown.returncode == 2 and "goods[*].colour" in unknown.stderr and "Traceback" not in unknown.stderr
    wrong_qr = cli(data_dir, "disclose", gpid, "--field", "invoice.number", "--qr", str(tmp_path / "x.gif"), "--data-dir", str(data_dir))
    assert wrong_qr.returncode == 2 and "--qr" in wrong_qr.stderr

    garbage = tmp_path / "garbage.txt"
    garbage.write_text("GPD1:NOT BASE45!")
    answer = offline(tmp_path, "check-disclosure", str(garbage), "--rpc-url", rpc_url(data_dir))
    assert answer.returncode == 1 and "base45" in json.loads(answer.stdout)["problems"][0]["message"]
    missing = offline(tmp_path, "check-disclosure", str(tmp_path / "absent.json"), "--rpc-url", rpc_url(data_dir))
    assert missing.returncode == 2 and "absent.json" in missing.stderr
