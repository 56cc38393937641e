"""Access in the console (real Chromium, JavaScript off, real dev node): the seller grants its import
broker access from the GPID's page, and the broker, who saw nothing before, then reads the GPID;
the seller gives and ends a standing mandate on the Mandates page. The forms carry the session's
CSRF token like every console form."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from support.builders import key_data_set
from ui.harness import CUSTOMS_GB, IMPORT_BROKER, SELLER, DevNode
from ui.test_console import shoot, sign_in

pytestmark = pytest.mark.slow


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def test_the_seller_grants_the_import_broker_from_the_gpid_page_and_the_broker_then_sees_it(
    page: Any, dev_node: DevNode, screenshots: Path
) -> None:
    data = key_data_set(invoice_number=f"UI-GRANT-{uuid.uuid4().hex[:8].upper()}")
    gpid = dev_node.post("/v1/key-data-sets", data, SELLER)["gpid"]
    broker = dev_node.accounts[IMPORT_BROKER]

    # Before any grant the import broker cannot see the GPID: not found, not even listed.
    sign_in(page, dev_node, IMPORT_BROKER)
    assert page.goto(f"{dev_node.url}/ui/gpid/{gpid}").status == 404
    expect(page.locator("main")).not_to_contain_text(data["invoice"]["number"])
    page.goto(f"{dev_node.url}/ui/")
    expect(page.locator("main")).not_to_contain_text(gpid)
    sign_out(page)

    # The seller opens its GPID: nobody holds a grant yet; it grants the import broker.
    sign_in(page, dev_node, SELLER, start=f"/ui/gpid/{gpid}")
    access = page.locator("#access")
    expect(access).to_contain_text("Nobody holds a grant for this GPID yet")
    page.get_by_label("Account to grant access to").fill(broker)
    page.get_by_label("Reason").fill("import declaration GB, shipment 4711")
    page.get_by_role("button", name="Grant access").click()
    assert page.url.startswith(f"{dev_node.url}/ui/gpid/{gpid}?granted=")
    expect(page.locator("#notice")).to_contain_text(f"Access granted to {broker}")
    row = page.locator("table.grants tbody tr", has_text=broker)
    expect(row).to_contain_text("active")
    expect(row.get_by_role("button", name=re.compile("^Revoke"))).to_be_visible()
    shoot(page, screenshots, "12-grant-access.png", full_page=True)

    # Granting the same account again is refused on the form, saying why; nothing else changes.
    page.get_by_label("Account to grant access to").fill(broker.lower())
    page.get_by_label("Reason").fill("again")
    page.get_by_role("button", name="Grant access").click()
    expect(page.locator("#grant-error")).to_contain_text("Not granted")
    expect(page.locator("#grant-error")).to_contain_text(broker)
    expect(page.get_by_label("Account to grant access to")).to_have_value(broker.lower())
    expect(page.locator("table.grants tbody tr")).to_have_count(1)
    sign_out(page)

    # The import broker now reads the key data set and finds it in its list.
    sign_in(page, dev_node, IMPORT_BROKER)
    expect(page.locator("main")).to_contain_text(gpid)
    assert page.goto(f"{dev_node.url}/ui/gpid/{gpid}").status == 200
    expect(page.locator("#integrity-status")).to_contain_text("Integrity verified")
    expect(page.locator("table.goods")).to_contain_text(data["goods"][0]["description"])
    expect(page.locator("#access")).to_have_count(0)  # a broker grants nothing


def test_the_seller_gives_and_ends_a_mandate_on_the_mandates_page(page: Any, dev_node: DevNode, screenshots: Path) -> None:
    broker = dev_node.accounts[IMPORT_BROKER]
    sign_in(page, dev_node, SELLER)
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Mandates").click()
    expect(page.locator("h1")).to_have_text("Mandates")
    page.get_by_label("Agent's account").fill("not an account")
    page.get_by_role("button", name="Give mandate").click()
    expect(page.locator("#mandate-error")).to_contain_text("agent")
    page.get_by_label("Agent's account").fill(broker)
    page.get_by_label("Direction").select_option("import")
    page.get_by_role("button", name="Give mandate").click()
    expect(page.locator("#notice")).to_contain_text(f"Mandate given: {broker}")
    row = page.locator("table.mandates tbody tr", has_text=broker)
    expect(row).to_contain_text("import")
    shoot(page, screenshots, "13-mandates.png", full_page=True)
    row.get_by_role("button", name=re.compile("^End")).click()
    expect(page.locator("#notice")).to_contain_text(f"The import mandate of {broker} has ended")
    expect(page.locator("table.mandates tbody tr", has_text=broker)).to_have_count(0)


def test_access_forms_need_their_token_refuse_hostile_values_and_only_traders_see_them(dev_node: DevNode) -> None:
    data = key_data_set(invoice_number=f"UI-CSRF-{uuid.uuid4().hex[:8].upper()}")
    gpid = dev_node.post("/v1/key-data-sets", data, SELLER)["gpid"]
    broker = dev_node.accounts[IMPORT_BROKER]
    with httpx.Client(base_url=dev_node.url, follow_redirects=False, timeout=60) as client:
        form = client.get("/ui/sign-in")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        assert client.post("/ui/sign-in", data={"csrf": token, "api_key": dev_node.keys[SELLER]}).status_code == 303
        page = client.get(f"/ui/gpid/{gpid}")
        session_token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        body = {"grantee": broker, "reason": "forged"}
        assert client.post(f"/ui/gpid/{gpid}/grants", data=body).status_code == 403  # no token
        assert client.post(f"/ui/gpid/{gpid}/grants", data={**body, "csrf": session_token},
                           headers={"Origin": "http://evil.example"}).status_code == 403  # fmt: skip
        assert client.post("/ui/mandates", data={"agent": broker, "direction": "import"}).status_code == 403
        # Hostile values get the form back with the problem, escaped, never a 500, and grant nothing.
        for hostile in ({"grantee": "<script>alert(1)</script>", "reason": "x"}, {"grantee": "0x" + "1" * 39 + "\x00", "reason": "x"},
                        {"grantee": broker, "reason": "r" * 100_000}, {"grantee": broker, "reason": ""}, {"grantee": "", "reason": "x"}):  # fmt: skip
            answer = client.post(f"/ui/gpid/{gpid}/grants", data={**hostile, "csrf": session_token})
            assert answer.status_code == 422, (hostile["grantee"][:50], answer.status_code)
            assert 'id="grant-error"' in answer.text and "<script>alert" not in answer.text
        for hostile_mandate in ({"agent": "<b>x</b>", "direction": "export"}, {"agent": broker, "direction": "sideways"}):
            answer = client.post("/ui/mandates", data={**hostile_mandate, "csrf": session_token})
            assert answer.status_code == 422 and 'id="mandate-error"' in answer.text and "<b>x</b>" not in answer.text
        grants = httpx.get(f"{dev_node.url}/v1/key-data-sets/{gpid}/grants", headers=dev_node.auth(SELLER), timeout=30)
        assert grants.status_code == 200 and grants.json()["items"] == []  # nothing was granted
    with httpx.Client(base_url=dev_node.url, follow_redirects=False, timeout=60) as client:
        form = client.get("/ui/sign-in")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        client.post("/ui/sign-in", data={"csrf": token, "api_key": dev_node.keys[CUSTOMS_GB]})
        assert "Grant access" not in client.get(f"/ui/gpid/{gpid}").text  # Customs reads; it does not grant
        assert client.get("/ui/mandates").status_code == 403
