"""Proof bundles from the command line, against a real development chain: ``gpid-node proof`` writes
the bundle of a version from the node's own index and chain; ``gpid-node check-proof`` proves it
against the block hash the chain gives, refuses a changed one with its reason, and says what is
wrong with a file or a hash it cannot read."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.cli import cli, register_sample

pytestmark = pytest.mark.slow


def block_hash(data_dir: Path, number: int) -> str:
    rpc_url = tomllib.loads((data_dir / "node.toml").read_text())["rpc_url"]
    body = {"jsonrpc": "2.0", "id": 1, "method": "eth_getBlockByNumber", "params": [hex(number), False]}
    return str(httpx.post(rpc_url, json=body, timeout=10).json()["result"]["hash"])


def test_proof_writes_a_bundle_that_check_proof_proves_and_a_changed_one_is_refused(dev_folder: Any, tmp_path: Path) -> None:
    data_dir, seller = dev_folder
    gpid = register_sample(data_dir, seller, tmp_path, "CLI-PROOF-1", 3)
    file = tmp_path / "bundle.json"
    made = cli(data_dir, "proof", gpid, "-o", str(file), "--data-dir", str(data_dir))
    assert made.returncode == 0, made.stderr
    assert "check-proof" in made.stderr
    bundle = json.loads(file.read_text())
    assert (bundle["gpid"], bundle["version"], bundle["payload_format"]) == (gpid, 1, 2)
    trusted = block_hash(data_dir, bundle["block"]["number"])

    checked = cli(data_dir, "check-proof", str(file), "--block-hash", trusted.upper().replace("0X", "0x"), COLUMNS="250")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"VALID: {gpid} version 1 is proven at block {bundle['block']['number']}" in checked.stdout
    assert "not superseded" in checked.stdout

    bundle["data"]["goods"][1]["packages"] += 1
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(bundle, indent=2))
    refused = cli(data_dir, "check-proof", str(changed), "--block-hash", trusted, COLUMNS="250")
    assert refused.returncode == 1
    assert "INVALID" in refused.stdout and "the data does not recompute the digest: section goods differs" in refused.stdout


def test_check_proof_names_what_it_cannot_read(tmp_path: Path) -> None:
    data_dir = tmp_path  # no node, no chain: check-proof needs neither
    file = tmp_path / "bundle.json"
    file.write_text('{"format": "gpid-proof-bundle/1"}')
    bad_hash = cli(data_dir, "check-proof", str(file), "--block-hash", "0x1234", COLUMNS="250")
    assert bad_hash.returncode == 2 and "--block-hash" in bad_hash.stderr and "64 hex digits" in bad_hash.stderr
    missing = cli(data_dir, "check-proof", str(tmp_path / "absent.json"), "--block-hash", "0x" + "00" * 32, COLUMNS="250")
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    file.write_text("{not json")
    not_json = cli(data_dir, "check-proof", str(file), "--block-hash", "0x" + "00" * 32, COLUMNS="250")
    assert not_json.returncode == 2 and "is not JSON" in not_json.stderr
    file.write_text('{"format": "gpid-proof-bundle/1"}')
    partial = cli(data_dir, "check-proof", str(file), "--block-hash", "0x" + "00" * 32, COLUMNS="250")
    assert partial.returncode == 1 and "the bundle lacks chain_id" in partial.stdout
