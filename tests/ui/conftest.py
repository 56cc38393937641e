"""Fixtures of the audit console's browser tests: one seeded development node for the session
(see harness.py) and Debian's Chromium driven by Playwright with JavaScript switched off (the
console must work without it).

The browser tests need Chromium: ``$GPID_CHROMIUM``, or ``chromium``, ``chromium-browser``,
``google-chrome``... on PATH (``.ci/run`` installs Debian's ``chromium`` package with apt). Without it
they skip with the install hint, and fail under ``CI=true`` (support/requirements.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.processes import ROOT, stop
from support.requirements import require_chromium
from ui.harness import OTHER_SELLER, OTHER_SELLER_ACCOUNT, OTHER_SELLER_TRADER_ID, DevNode, Seeded, create_key, seed, start_dev_node

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Where the console tests save each page: a temporary folder, so that a test run leaves the checkout as it
# was; `GPID_UI_SCREENSHOTS=docs/screenshots ./scripts/test tests/ui` refreshes the README's pictures.
SCREENSHOTS_FOLDER = os.environ.get("GPID_UI_SCREENSHOTS")


@pytest.fixture(scope="session")
def dev_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevNode]:
    node, process = start_dev_node(tmp_path_factory.mktemp("gpid-ui") / "data")
    try:
        node.extra_keys[OTHER_SELLER] = create_key(node.data_dir, "seller", OTHER_SELLER_ACCOUNT, OTHER_SELLER_TRADER_ID, OTHER_SELLER)
        yield node
    finally:
        stop(process)


@pytest.fixture(scope="session")
def seeded(dev_node: DevNode) -> Seeded:
    return seed(dev_node)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = require_chromium()
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is in the test extras")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser (no cookies), JavaScript off, at a desktop width."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1000, "height": 900})
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = ROOT / SCREENSHOTS_FOLDER if SCREENSHOTS_FOLDER else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
