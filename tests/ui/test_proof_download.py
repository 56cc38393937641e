"""The audit report offers the proof bundle of its version for download (real Chromium, JavaScript
off, real dev node); the downloaded file proves the key data set offline against the hash the chain
gives for its block. A role that sees public facts only is offered none."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from ui.harness import CUSTOMS_GB, DevNode, Seeded
from ui.test_console import sign_in

from gpid_node.domain import proof_bundle

pytestmark = pytest.mark.slow
OPERATOR = "Consortium operator"


def block_hash(node: DevNode, number: int) -> bytes:
    """The block's hash from the chain itself: what an auditor trusts, obtained apart from the bundle."""
    rpc_url = json.loads((node.data_dir / "dev-credentials.json").read_text())["chain"]["rpc_url"]
    body = {"jsonrpc": "2.0", "id": 1, "method": "eth_getBlockByNumber", "params": [hex(number), False]}
    return bytes.fromhex(httpx.post(rpc_url, json=body, timeout=10).json()["result"]["hash"][2:])


def test_the_audit_report_offers_a_bundle_that_checks_offline(page: Any, dev_node: DevNode, seeded: Seeded, tmp_path: Path) -> None:
    sign_in(page, dev_node, CUSTOMS_GB)
    page.goto(f"{dev_node.url}/ui/gpid/{seeded.gpid}/report")
    link = page.locator("#proof-bundle a")
    expect(link).to_contain_text("download the proof bundle of version")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith(f"{seeded.gpid}-v")
    file = tmp_path / download.value.suggested_filename
    download.value.save_as(file)
    bundle = json.loads(file.read_text())
    assert bundle["format"] == proof_bundle.FORMAT and bundle["gpid"] == seeded.gpid
    verdict = proof_bundle.check(bundle, block_hash(dev_node, bundle["block"]["number"]))
    assert verdict.valid, verdict.problems


def test_the_operator_is_offered_no_bundle(page: Any, dev_node: DevNode, seeded: Seeded) -> None:
    sign_in(page, dev_node, OPERATOR)
    page.goto(f"{dev_node.url}/ui/gpid/{seeded.gpid}/report")
    expect(page.locator("h1")).to_contain_text("Audit report")
    expect(page.locator("#proof-bundle")).to_have_count(0)
    assert page.request.get(f"{dev_node.url}/ui/gpid/{seeded.gpid}/proof.json").status == 403
