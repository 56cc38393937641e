"""The console shows where a key data set came from: a Customs officer opens a GPID registered from
a UBL invoice, reads its source (syntax, specification, SHA-256) and checks the invoice file it holds
against it, in a real browser (JavaScript off): the right file matches, a changed one does not."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from support.einvoices import PARTNERS, catalogue, invoice_set
from ui.harness import CUSTOMS_GB, SELLER, DevNode
from ui.test_console import shoot, sign_in

pytestmark = pytest.mark.slow


def registered_from_ubl(node: DevNode, number: str) -> tuple[str, bytes]:
    with httpx.Client(base_url=node.url, headers=node.auth(SELLER), timeout=60) as http:
        for item_id, entry in catalogue().items():
            http.put(f"/v1/items/{item_id}", json=entry).raise_for_status()
        for partner_id, entry in PARTNERS.items():
            http.put(f"/v1/partners/{partner_id}", json=entry).raise_for_status()
        xml = invoice_set(number, 3).xml
        written = http.post("/v1/key-data-sets", content=xml, headers={"Content-Type": "application/xml"})
        assert written.status_code == 201, written.text
        return str(written.json()["gpid"]), xml


def test_an_officer_checks_an_invoice_file_against_the_source_of_a_key_data_set(
    page: Any, dev_node: DevNode, tmp_path: Path, screenshots: Path
) -> None:
    gpid, xml = registered_from_ubl(dev_node, "UI-UBL-1")
    sign_in(page, dev_node, CUSTOMS_GB, start=f"/ui/gpid/{gpid}")
    source = page.locator("#source")
    expect(source.get_by_text("UBL", exact=True)).to_be_visible()
    expect(source.get_by_text(hashlib.sha256(xml).hexdigest())).to_be_visible()

    original = tmp_path / "invoice.xml"
    original.write_bytes(xml)
    page.get_by_label("Check an e-invoice file against it").set_input_files(str(original))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#source-check")).to_contain_text("This is the document the key data set was derived from")
    shoot(page, screenshots, "einvoice-source-check.png", full_page=True)

    changed = tmp_path / "changed.xml"
    changed.write_bytes(xml.replace(b"<cbc:PayableAmount", b"<cbc:PayableAmount ", 1))
    page.get_by_label("Check an e-invoice file against it").set_input_files(str(changed))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#source-check")).to_contain_text("This is not the document")
    expect(page.locator("#source-check")).to_contain_text(hashlib.sha256(changed.read_bytes()).hexdigest())


def test_a_key_data_set_typed_as_json_says_it_has_no_source(page: Any, dev_node: DevNode, seeded: Any) -> None:
    sign_in(page, dev_node, CUSTOMS_GB, start=f"/ui/gpid/{seeded.gpid}")
    expect(page.locator("#no-source")).to_contain_text("not derived from an e-invoice")
    expect(page.get_by_role("button", name="Check the file")).to_have_count(0)
