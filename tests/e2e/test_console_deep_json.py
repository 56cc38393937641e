"""The report that opened issue 17, reproduced against a real node process.

Signed in to the audit console with a broker's key, a JSON text of a few hundred thousand opening
brackets pasted into "Verify a declaration" (``POST /ui/verify``, field ``declaration_json``) killed
the whole node with a segmentation fault. It must get the problems page, and the node must go on.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from faults.chaos import start_dev_node
from support.chains import anvil_only

pytestmark = [pytest.mark.slow, anvil_only("the development mode's embedded anvil (gpid-node dev starts its own chain)")]


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no hidden field {name} in the page"
    return found.group(1)


ATTACKS = ["[" * 300_000, '{"a":' * 40_000, "[" * 5_000 + "]" * 5_000]


def test_deeply_nested_json_in_the_console_gets_the_problems_page_and_the_node_lives_on(tmp_path: Path) -> None:
    node = start_dev_node(tmp_path / "data")
    try:
        with httpx.Client(base_url=node.url, timeout=30) as browser:
            sign_in = browser.get("/ui/sign-in")
            answer = browser.post("/ui/sign-in", data={"csrf": _hidden(sign_in.text, "csrf"), "next": "/ui/verify",
                                                       "api_key": node.key("broker", "DE")})  # fmt: skip
            assert answer.status_code == 303, answer.text
            for attack in ATTACKS:
                form = browser.get("/ui/verify")
                assert form.status_code == 200
                refused = browser.post("/ui/verify", data={"csrf": _hidden(form.text, "csrf"), "declaration_json": attack})
                assert refused.status_code == 422, attack[:10]
                assert "nested more than 200 levels deep" in refused.text
                assert node.process.poll() is None, "the node process died"
                assert browser.get("/healthz").status_code == 200
    finally:
        node.stop()
