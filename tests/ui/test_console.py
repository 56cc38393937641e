"""The audit console in a real browser (Debian's Chromium, JavaScript off) against a real dev node.

An import Customs officer signs in, looks up a GPID typed in lower case with one wrong character,
opens it, reads the amendment's before/after values, sees the GPID flagged as reused once a second
import declaration references it, checks a declaration with a planted discrepancy, and prints the
audit report. Each page is saved as a screenshot (to docs/screenshots/ with GPID_UI_SCREENSHOTS).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from gpid_node.domain.gpid import ALPHABET, GPID
from ui.harness import CUSTOMS_GB, IMPORT_BROKER, OTHER_SELLER, SELLER, DevNode, Seeded

pytestmark = pytest.mark.slow

MISTYPED_REASON = "the check character does not match: a character was mistyped; compare it with the invoice"


def sign_in(page: Any, node: DevNode, name: str, start: str = "/ui/") -> None:
    page.goto(f"{node.url}{start}")
    assert "/ui/sign-in" in page.url
    page.get_by_label("API key").fill(node.keys.get(name) or node.extra_keys[name])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()


def mistyped(gpid: str, position: int = 12) -> str:
    """The GPID in lower case with one character replaced by another of the alphabet."""
    wrong = next(c for c in ALPHABET[10:] if c != gpid[position])
    return (gpid[:position] + wrong + gpid[position + 1 :]).lower()


def shoot(page: Any, folder: Path, name: str, full_page: bool = False) -> None:
    """A screenshot in the screenshots folder: the window only (small files), or the whole page."""
    page.screenshot(path=str(folder / name), full_page=full_page)


def no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_customs_officer_audits_a_gpid(page: Any, dev_node: DevNode, seeded: Seeded, screenshots: Path) -> None:
    gpid = seeded.gpid
    page.goto(f"{dev_node.url}/ui/gpid/{gpid}")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shoot(page, screenshots, "01-sign-in.png")
    page.get_by_label("API key").fill(dev_node.keys[CUSTOMS_GB])
    page.get_by_role("button", name="Sign in").click()
    assert page.url == f"{dev_node.url}/ui/gpid/{gpid}"  # back where the officer was going

    # A GPID keyed in lower case with one wrong character: the page says what is wrong.
    page.goto(f"{dev_node.url}/ui/")
    page.get_by_role("search").first.get_by_label("Look up a GPID").fill(mistyped(gpid))
    page.get_by_role("button", name="Look up").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This is not a valid GPID")
    expect(page.locator("#gpid-problem")).to_contain_text(MISTYPED_REASON[:1].upper() + MISTYPED_REASON[1:])
    expect(page.locator("#gpid-problem")).to_contain_text(mistyped(gpid))
    assert page.goto(f"{dev_node.url}/ui/search?gpid={mistyped(gpid)}").status == 400
    shoot(page, screenshots, "02-mistyped-gpid.png")

    # The right code, in lower case with hyphens and spaces, opens the key data set.
    typed = "-".join(gpid[i : i + 5] for i in range(0, len(gpid), 5)).lower().replace("-", " ", 1)
    page.locator("#lookup-gpid").fill(typed)
    page.locator("main").get_by_role("button", name="Look up").click()
    assert page.url == f"{dev_node.url}/ui/gpid/{gpid}"
    expect(page.locator("h1")).to_contain_text(gpid)
    expect(page.locator("#integrity-status")).to_contain_text("Integrity verified")
    expect(page.locator("dl.facts").first).to_contain_text("the chain, now")
    goods = page.locator("table.goods tbody tr")
    expect(goods).to_have_count(2)
    expect(goods.first).to_contain_text("305.250")
    expect(page.locator("svg.qr title")).to_have_text(f"QR code of {gpid}")
    expect(page.get_by_text(seeded.data["invoice"]["number"])).to_be_visible()
    shoot(page, screenshots, "03-key-data-set.png")

    # View as of version 1: the values before the credit note.
    page.get_by_label("View as of version").select_option("1")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#old-version")).to_contain_text("version 1 of 2")
    expect(page.locator("table.goods tbody tr").first).to_contain_text("310.500")

    # History: the amendment with its reason and each changed field before and after.
    page.get_by_role("navigation", name="This GPID").get_by_role("link", name="History").click()
    amendment = page.locator("#version-2")
    expect(amendment).to_contain_text("credit note CN-77")
    mass = amendment.locator("table.diff tbody tr", has_text="net mass (kg)")
    expect(mass.locator("td.before")).to_have_text("before: 310.500")
    expect(mass.locator("td.after")).to_have_text("after: 305.250")
    expect(mass.locator("del")).to_have_text("310.500")
    expect(mass.locator("ins")).to_have_text("305.250")
    value = amendment.locator("table.diff tbody tr", has_text="value as per invoice")
    expect(value.locator("del")).to_have_text("18450.00")
    expect(value.locator("ins")).to_have_text("18000.00")
    shoot(page, screenshots, "04-history.png")

    # Declarations: one export and one import are no reuse; a second import declaration is.
    page.get_by_role("navigation", name="This GPID").get_by_role("link", name="Declarations").click()
    expect(page.locator("#reuse-warning")).to_contain_text("Not reused")
    expect(page.locator("table.declarations")).to_contain_text(seeded.export_reference)
    expect(page.locator("table.declarations")).to_contain_text(seeded.import_reference)
    second_import = dev_node.link(IMPORT_BROKER, "GB", "import", gpid)
    page.reload()
    warning = page.locator("#reuse-warning")
    expect(warning).to_contain_text("Warning: this GPID is reused")
    expect(warning).to_contain_text("2 import declarations reference it")
    reused_rows = page.locator("table.declarations tbody tr.reused")
    expect(reused_rows).to_have_count(2)
    expect(reused_rows.filter(has_text=second_import)).to_contain_text("reused")
    shoot(page, screenshots, "05-declarations-reused.png")

    # Verification keyed in per goods line, with a wrong net mass on line 1.
    page.get_by_role("navigation", name="This GPID").get_by_role("link", name="Verify").click()
    expect(page.locator("#line-1-net_mass_kg")).to_have_value("305.250")  # prefilled with the registered values
    page.get_by_label("Reference (e.g. MRN)").fill(seeded.import_reference)
    page.locator("#line-1-net_mass_kg").fill("999.000")
    shoot(page, screenshots, "06-verify-form.png")
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.locator("#verdict")).to_contain_text("Result: discrepancies")
    line = page.locator("#line-check-1")
    expect(line.locator("caption")).to_contain_text("1 discrepancy")
    wrong = line.locator("tr[data-field='net_mass_kg']")
    expect(wrong).to_have_class(re.compile(r"\bdiffers\b"))
    expect(wrong.locator("mark")).to_have_text("999.000")
    expect(wrong).to_contain_text("305.250")
    expect(wrong).to_contain_text("differs")
    expect(line.locator("tr[data-field='value']")).to_contain_text("matches")
    expect(page.locator("#line-check-2 caption")).to_contain_text("no discrepancy")
    expect(page.get_by_text("Recorded on chain")).to_be_visible()  # Node.verify records for Customs
    expect(page.locator("#reuse-1")).to_contain_text("Warning: this GPID is reused")
    shoot(page, screenshots, "07-verification-report.png", full_page=True)

    # A pasted declaration with bad values: every problem with its field path, never a 500.
    page.goto(f"{dev_node.url}/ui/verify?gpid={gpid}")
    body = {"declaration": {"reference": seeded.import_reference, "country": "GB", "direction": "import",
                            "filed_at": "2026-11-21T09:30:00", "items": [{"gpid": gpid, "goods_sequence": 1, "net_mass_kg": "heavy"}]}}  # fmt: skip
    page.get_by_label("Declaration (JSON)").fill(json.dumps(body, indent=2))
    page.get_by_role("button", name="Verify", exact=True).click()
    problems = page.locator("#problems")
    expect(problems).to_contain_text("declaration.filed_at")
    expect(problems).to_contain_text("declaration.items[0].net_mass_kg")
    expect(page.get_by_label("Declaration (JSON)")).to_have_value(json.dumps(body, indent=2))
    shoot(page, screenshots, "08-verify-json-problems.png")

    # The export declaration, filed before the credit note: judged against version 1, the
    # amendment reported as made after filing.
    registered_at = dev_node.get(f"/v1/key-data-sets/{gpid}/history", SELLER)["versions"][0]["time"]
    line = {k: seeded.data["goods"][0][k] for k in ("hs_code", "value", "currency", "packages", "net_mass_kg")}
    body = {"declaration": {"reference": seeded.export_reference, "country": "DE", "direction": "export",
                            "filed_at": registered_at, "items": [{"gpid": gpid.lower(), "goods_sequence": 1, **line}]}}  # fmt: skip
    page.get_by_label("Declaration (JSON)").fill(json.dumps(body, indent=2))
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.locator("#verdict")).to_contain_text("Result: match")
    expect(page.locator("#line-check-1 tr[data-field='net_mass_kg']")).to_contain_text("310.500")
    report = page.locator("section.gpid-result")
    expect(report).to_contain_text("Amended after filing")
    expect(report.locator("dd", has_text="amendment(s)")).to_contain_text("yes, 1 amendment(s)")
    expect(report.get_by_text("Version 2,")).to_contain_text("credit note CN-77")

    # The printable audit report: everything on one page, navigation hidden in print.
    page.goto(f"{dev_node.url}/ui/gpid/{gpid}/report")
    expect(page.locator("h1")).to_contain_text("Audit report")
    expect(page.locator(".report-head")).to_contain_text("Produced at")
    expect(page.locator(".report-section")).to_have_count(4)
    expect(page.locator("#r-integrity + .status")).to_contain_text("Integrity verified")
    expect(page.locator(".report-section").nth(2)).to_contain_text("credit note CN-77")
    expect(page.locator(".report-section").nth(3)).to_contain_text("Warning: this GPID is reused")
    page.emulate_media(media="print")
    for hidden in (".site-header", ".site-nav", ".gpid-nav", ".skip-link", ".site-footer"):
        assert page.locator(hidden).count() == 0 or page.locator(hidden).first.is_hidden(), hidden
    expect(page.locator("text=Digest on chain").first).to_be_visible()
    breaks = page.evaluate(
        "[...document.querySelectorAll('.report-section')].map(s => getComputedStyle(s).breakBefore)"
    )
    assert breaks == ["auto", "page", "page", "page"]
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    shoot(page, screenshots, "09-audit-report-print.png", full_page=True)


def test_pages_fit_a_phone_without_horizontal_scroll(browser: Any, dev_node: DevNode, seeded: Seeded, screenshots: Path) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        sign_in(page, dev_node, CUSTOMS_GB)
        gpid = seeded.gpid
        for path in ("/ui/", f"/ui/gpid/{gpid}", f"/ui/gpid/{gpid}/history", f"/ui/gpid/{gpid}/declarations",
                     f"/ui/gpid/{gpid}/verify", f"/ui/gpid/{gpid}/report", "/ui/verify"):  # fmt: skip
            assert page.goto(f"{dev_node.url}{path}").status == 200, path
            assert no_horizontal_scroll(page), f"{path} scrolls sideways at 390 px"
            if path == f"/ui/gpid/{gpid}":
                shoot(page, screenshots, "10-phone-key-data-set.png")
    finally:
        context.close()


def test_keyboard_reaches_skip_link_search_and_sign_out_with_visible_focus(page: Any, dev_node: DevNode, seeded: Seeded) -> None:
    sign_in(page, dev_node, CUSTOMS_GB, start=f"/ui/gpid/{seeded.gpid}")
    reached: list[str] = []
    outlines: dict[str, str] = {}
    for _ in range(12):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " return [e.id || e.textContent.trim(), s.outlineStyle + ' ' + s.outlineWidth]; })()"
        )
        reached.append(focused[0])
        outlines[focused[0]] = focused[1]
    assert reached[0] == "Skip to main content"
    assert "search-gpid" in reached, reached
    assert "Sign out" in reached, reached
    for name in ("search-gpid", "Sign out", "Skip to main content"):
        assert outlines[name].startswith("solid"), (name, outlines[name])  # focus is visible
    # The skip link moves the focus past the header, to the page's own content.
    page.goto(f"{dev_node.url}/ui/gpid/{seeded.gpid}")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


def test_a_seller_cannot_see_another_sellers_gpid(page: Any, dev_node: DevNode, seeded: Seeded, screenshots: Path) -> None:
    sign_in(page, dev_node, OTHER_SELLER)
    for path in (f"/ui/gpid/{seeded.gpid}", f"/ui/gpid/{seeded.gpid}/history", f"/ui/gpid/{seeded.gpid}/declarations",
                 f"/ui/gpid/{seeded.gpid}/report", f"/ui/search?gpid={seeded.gpid.lower()}"):  # fmt: skip
        response = page.goto(f"{dev_node.url}{path}")
        assert response.status == 404, path
        expect(page.locator("h1")).to_have_text("Not found")
        expect(page.locator("main")).not_to_contain_text(seeded.data["invoice"]["number"])
    shoot(page, screenshots, "11-not-found.png")
    page.goto(f"{dev_node.url}/ui/")
    expect(page.locator("main")).not_to_contain_text(seeded.gpid)
    # The seller who registered it sees it.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    sign_in(page, dev_node, SELLER, start=f"/ui/gpid/{seeded.gpid}")
    expect(page.locator("h1")).to_contain_text(seeded.gpid)
    expect(page.locator("table.goods")).to_contain_text("305.250")


def test_signed_out_pages_redirect_to_sign_in_and_sign_out_ends_the_session(page: Any, dev_node: DevNode, seeded: Seeded) -> None:
    gpid = seeded.gpid
    for path in ("/ui/", f"/ui/gpid/{gpid}", f"/ui/gpid/{gpid}/history", f"/ui/gpid/{gpid}/declarations",
                 f"/ui/gpid/{gpid}/verify", f"/ui/gpid/{gpid}/report", "/ui/verify", f"/ui/search?gpid={gpid}"):  # fmt: skip
        response = httpx.get(f"{dev_node.url}{path}", follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/ui/sign-in?next=%2Fui%2F"), path
        page.goto(f"{dev_node.url}{path}")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    sign_in(page, dev_node, CUSTOMS_GB)
    cookie = next(c for c in page.context.cookies() if c["name"] == "gpid_ui_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/ui"
    assert cookie["value"] != dev_node.keys[CUSTOMS_GB] and "gpid_" not in cookie["value"]  # an id, not the key
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "gpid_ui_session"]
    # The old session id is worth nothing after sign-out.
    replay = httpx.get(f"{dev_node.url}/ui/", cookies={"gpid_ui_session": cookie["value"]}, follow_redirects=False)
    assert replay.status_code == 303


def test_forms_need_their_token_and_pages_send_security_headers(dev_node: DevNode, seeded: Seeded) -> None:
    with httpx.Client(base_url=dev_node.url, follow_redirects=False, timeout=60) as client:
        form = client.get("/ui/sign-in")
        csp = form.headers["content-security-policy"]
        assert "script-src" not in csp and "default-src 'none'" in csp and "form-action 'self'" in csp
        assert form.headers["x-frame-options"] == "DENY" and form.headers["cache-control"] == "no-store"
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        forged = client.post("/ui/sign-in", data={"csrf": "forged", "api_key": dev_node.keys[CUSTOMS_GB]})
        assert forged.status_code == 403 and "gpid_ui_session" not in forged.headers.get("set-cookie", "")
        wrong_key = client.post("/ui/sign-in", data={"csrf": token, "api_key": "gpid_0000.nope"})
        assert wrong_key.status_code == 401 and "unknown or revoked" in wrong_key.text
        signed = client.post("/ui/sign-in", data={"csrf": token, "api_key": dev_node.keys[CUSTOMS_GB], "next": "//evil.example/"})
        assert signed.status_code == 303 and signed.headers["location"] == "/ui/"  # no open redirect
        set_cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in set_cookie and "SameSite=strict" in set_cookie.replace("Strict", "strict")
        page = client.get(f"/ui/gpid/{seeded.gpid}")
        assert page.status_code == 200 and page.headers["content-security-policy"] == csp
        session_token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        body = {"reference": "X1", "country": "GB", "direction": "import", "filed_at": "2026-11-21T09:30:00Z",
                "line-1-include": "on", "line-1-net_mass_kg": "1"}  # fmt: skip
        assert client.post(f"/ui/gpid/{seeded.gpid}/verify", data=body).status_code == 403  # no token
        other_origin = client.post(f"/ui/gpid/{seeded.gpid}/verify", data={**body, "csrf": session_token},
                                   headers={"Origin": "http://evil.example"})  # fmt: skip
        assert other_origin.status_code == 403
        unknown = str(GPID(bytes(range(16))))
        declared = {"declaration": {"reference": "26GBUNKNOWN1", "country": "GB", "direction": "import", "filed_at": "2026-11-21T09:30:00Z",
                                    "items": [{"gpid": seeded.gpid, "goods_sequence": 1, "packages": 2},
                                              {"gpid": unknown, "goods_sequence": 1, "packages": 1}]}}  # fmt: skip
        verdict = client.post("/ui/verify", data={"csrf": session_token, "declaration_json": json.dumps(declared)})
        assert verdict.status_code == 200 and "Result: unknown gpid" in verdict.text and "Unknown GPID." in verdict.text
        not_json = client.post("/ui/verify", data={"csrf": session_token, "declaration_json": "{\"declaration\": "})
        assert not_json.status_code == 422 and "this is not JSON" in not_json.text
        escaped = client.get("/ui/search", params={"gpid": "<script>alert(1)</script>"})
        assert escaped.status_code == 400 and "<script>" not in escaped.text and "&lt;script&gt;" in escaped.text
        missing = client.get("/ui/no-such-page")
        assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
