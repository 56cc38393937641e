"""Swagger UI at /docs works offline: in a real browser (JavaScript on), with every request to another
origin refused, it renders every operation of the node's document under its operation id."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import expect
from ui.harness import DevNode


def test_swagger_ui_renders_the_document_from_the_nodes_own_files(dev_node: DevNode, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=True, viewport={"width": 1200, "height": 900})
    context.set_default_timeout(20_000)
    origin = urlsplit(dev_node.url).netloc
    elsewhere: list[str] = []
    errors: list[str] = []

    def only_the_node(route: Any) -> None:
        if urlsplit(route.request.url).netloc == origin or route.request.url.startswith("data:"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_node)
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        page.goto(f"{dev_node.url}/docs")
        expect(page.locator(".info .title")).to_contain_text("GPID node", timeout=30_000)
        expect(page.locator(".opblock-summary-operation-id", has_text="registerKeyDataSet")).to_be_visible(timeout=30_000)
        expect(page.locator(".opblock-tag-section h3", has_text="key-data-sets")).to_be_visible(timeout=30_000)
        shown = set(page.locator(".opblock-summary-operation-id").all_inner_texts())
        document = page.request.get(f"{dev_node.url}/openapi.json").json()
        assert shown == {op["operationId"] for operations in document["paths"].values() for op in operations.values()}
    finally:
        context.close()
    assert elsewhere == [], f"/docs asked another origin: {elsewhere}"
    assert [e for e in errors if "Content Security Policy" in e or "Refused" in e] == []
