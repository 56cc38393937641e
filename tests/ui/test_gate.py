"""The gate page (/ui/gate) at phone width in real Chromium against a real dev node, signed out: a
gate officer pastes a disclosure or scans its QR code and reads the verdict with the proven fields;
a tampered one is NOT VALID with its reason, an amended key data set's old disclosure SUPERSEDED."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from support.builders import key_data_set
from ui.harness import SELLER, DevNode, Seeded

from gpid_node.domain import disclosure

pytestmark = pytest.mark.slow
PHONE = {"width": 390, "height": 844}
GATE = ["goods[*].packages", "goods[*].net_mass_kg"]


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A fresh phone-sized browser with JavaScript on (the page's camera script runs)."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


def disclose(node: DevNode, gpid: str, fields: list[str], **extra: Any) -> dict[str, Any]:
    return node.post(f"/v1/key-data-sets/{gpid}/disclosures", {"fields": fields, **extra}, SELLER)


@pytest.fixture(scope="module")
def ten_lines(dev_node: DevNode) -> tuple[dict[str, Any], dict[str, Any]]:
    data = key_data_set(invoice_number=f"GATE-{uuid.uuid4().hex[:10].upper()}", lines=10)
    gpid = dev_node.post("/v1/key-data-sets", data, SELLER)["gpid"]
    return data, disclose(dev_node, gpid, GATE)


def paste(page: Any, node: DevNode, text: str) -> None:
    page.goto(f"{node.url}/ui/gate")
    page.get_by_label("Disclosure").fill(text)
    page.get_by_role("button", name="Check").click()


def test_a_pasted_qr_text_is_valid_with_its_fields_at_phone_width(phone: Any, dev_node: DevNode, ten_lines: Any,
                                                                 screenshots: Path) -> None:  # fmt: skip
    data, document = ten_lines
    paste(phone, dev_node, disclosure.read(document).qr_text())
    assert "/ui/gate" in phone.url and "sign-in" not in phone.url
    expect(phone.locator("#verdict-word")).to_have_text("✔ VALID")
    expect(phone.locator("#verdict")).to_contain_text(document["gpid"])
    rows = phone.locator("#revealed-fields tbody tr")
    expect(rows).to_have_count(21)
    expect(phone.locator("#revealed-fields")).to_contain_text(data["goods"][9]["net_mass_kg"])
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide at phone width"
    font = phone.locator("#verdict-word").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert font >= 28, "the verdict is big"
    phone.screenshot(path=str(screenshots / "gate-valid.png"), full_page=True)


def test_a_tampered_disclosure_is_not_valid_with_its_reason(phone: Any, dev_node: DevNode, ten_lines: Any) -> None:
    _, document = ten_lines
    tampered = copy.deepcopy(document)
    tampered["fields"]["goods[*].packages"][0] += 5
    paste(phone, dev_node, json.dumps(tampered))
    expect(phone.locator("#verdict-word")).to_have_text("✖ NOT VALID")
    expect(phone.locator("#problems")).to_contain_text("not the version's digest")
    expect(phone.locator("#revealed-fields")).to_have_count(0)
    paste(phone, dev_node, "GPD1:NOT-A-DISCLOSURE")
    expect(phone.locator("#verdict-word")).to_have_text("✖ NOT VALID")


def test_an_old_version_is_valid_but_superseded(phone: Any, dev_node: DevNode, seeded: Seeded, screenshots: Path) -> None:
    old = disclose(dev_node, seeded.gpid, ["goods[*].net_mass_kg", "invoice.number"], version=1)
    paste(phone, dev_node, json.dumps(old))
    expect(phone.locator("#verdict-word")).to_have_text("⚠ VALID, BUT SUPERSEDED")
    expect(phone.locator("#verdict")).to_contain_text("version 2 is current")
    expect(phone.locator("#revealed-fields")).to_contain_text(seeded.data["goods"][0]["net_mass_kg"])
    phone.screenshot(path=str(screenshots / "gate-superseded.png"), full_page=True)


def test_scanning_fills_and_sends_the_form(browser: Any, dev_node: DevNode, ten_lines: Any) -> None:
    """The camera path with the browser's decoder stood in for (headless Chromium has no camera and,
    on Linux, no BarcodeDetector): the page's script reads the code's text and sends it."""
    _, document = ten_lines
    text = disclosure.read(document).qr_text()
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.add_init_script(
        "window.BarcodeDetector = class { constructor(o) { this.formats = o.formats; }"
        f" detect() {{ return Promise.resolve([{{rawValue: {json.dumps(text)}}}]); }} }};"
        "navigator.mediaDevices.getUserMedia = () => { const c = document.createElement('canvas');"
        " c.getContext('2d').fillRect(0, 0, 4, 4); return Promise.resolve(c.captureStream()); };"
    )
    page = context.new_page()
    try:
        page.goto(f"{dev_node.url}/ui/gate")
        page.get_by_role("button", name="Scan the QR code").click()
        expect(page.locator("#verdict-word")).to_have_text("✔ VALID")
    finally:
        context.close()


def test_without_a_decoder_the_scan_button_stays_hidden_and_the_page_needs_no_script(page: Any, dev_node: DevNode,
                                                                                   ten_lines: Any) -> None:  # fmt: skip
    _, document = ten_lines
    paste(page, dev_node, json.dumps(document))  # the `page` fixture: JavaScript off
    expect(page.locator("#verdict-word")).to_have_text("✔ VALID")
    expect(page.get_by_role("button", name="Scan the QR code")).to_be_hidden()
    answer = httpx.get(f"{dev_node.url}/ui/gate", timeout=10)
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp
    assert httpx.post(f"{dev_node.url}/ui/gate", data={"document": ""}, timeout=10).status_code == 422
