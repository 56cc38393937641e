"""Grants and mandates from the command line, against a real development chain: ``grant``, ``grants``,
``revoke``, ``mandate``, ``mandates``, ``end-mandate`` (thin over ``node.access``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.cli import cli, register_sample


pytestmark = pytest.mark.slow


def _accounts(data_dir: Path) -> dict[str, str]:
    """The demo participants' accounts, by name, as the data folder's keystores hold them."""
    from gpid_node.services.devmode import participant_keys

    return {name: account.address for name, account in participant_keys(data_dir).items()}


def test_a_seller_grants_lists_and_revokes_access_from_the_command_line(dev_folder: Any, tmp_path: Path) -> None:
    data_dir, seller = dev_folder
    broker = _accounts(data_dir)["Import broker (GB)"]
    gpid = register_sample(data_dir, seller, tmp_path, "CLI-GRANT-1", 1)

    granted = cli(data_dir, "grant", gpid, broker.lower(), "--reason", "import declaration GB", "--data-dir", str(data_dir), "--as", seller)
    assert granted.returncode == 0, granted.stderr
    answer = json.loads(granted.stdout)
    assert answer["grantee"] == broker and answer["gpid"] == gpid and answer["transaction"]

    again = cli(data_dir, "grant", gpid, broker, "--reason", "again", "--data-dir", str(data_dir), "--as", seller)
    assert again.returncode == 2 and "Traceback" not in again.stderr
    assert broker in again.stderr and "grant" in again.stderr.lower()

    listed = cli(data_dir, "grants", gpid, "--data-dir", str(data_dir), "--as", seller, COLUMNS="250")
    assert listed.returncode == 0, listed.stderr
    assert broker in listed.stdout and "active" in listed.stdout

    revoked = cli(data_dir, "revoke", gpid, broker, "--data-dir", str(data_dir), "--as", seller)
    assert revoked.returncode == 0, revoked.stderr
    assert json.loads(revoked.stdout)["revoked"] is True
    assert "stays shared" in revoked.stderr  # the note: what the grantee received, it keeps
    items = json.loads(cli(data_dir, "grants", gpid, "--json", "--data-dir", str(data_dir), "--as", seller).stdout)["items"]
    assert [(i["grantee"], i["active"]) for i in items] == [(broker, False)]

    keyless = "0x" + "ab" * 20  # an account that never published an encryption key
    refused = cli(data_dir, "grant", gpid, keyless, "--reason", "no key", "--data-dir", str(data_dir), "--as", seller)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "grantee" in refused.stderr


def test_a_seller_gives_lists_and_ends_a_mandate_from_the_command_line(dev_folder: Any) -> None:
    data_dir, seller = dev_folder
    broker = _accounts(data_dir)["Export broker (DE)"]
    wrong = cli(data_dir, "mandate", broker, "--direction", "sideways", "--data-dir", str(data_dir), "--as", seller)
    assert wrong.returncode == 2 and "--direction" in wrong.stderr and "export or import" in wrong.stderr

    given = cli(data_dir, "mandate", broker, "--direction", "export", "--data-dir", str(data_dir), "--as", seller)
    assert given.returncode == 0, given.stderr
    answer = json.loads(given.stdout)
    assert (answer["agent"], answer["direction"], answer["active"]) == (broker, "export", True)
    listed = cli(data_dir, "mandates", "--data-dir", str(data_dir), "--as", seller, COLUMNS="250")
    assert listed.returncode == 0, listed.stderr
    assert broker in listed.stdout and "export" in listed.stdout

    ended = cli(data_dir, "end-mandate", broker, "--direction", "export", "--data-dir", str(data_dir), "--as", seller)
    assert ended.returncode == 0, ended.stderr
    assert json.loads(ended.stdout)["active"] is False
    again = cli(data_dir, "end-mandate", broker, "--direction", "export", "--data-dir", str(data_dir), "--as", seller)
    assert again.returncode == 2 and "holds no export mandate" in again.stderr
