"""With the chain stopped: writes answer 503 with Retry-After, reads keep answering from the index
and say so. This module runs its own node, because it stops its chain."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from api.harness import CUSTOMS_GB, IMPORT_BROKER, SELLER, Api, fresh_key_data_set, start_api, stop_api, unique_reference


@pytest.fixture(scope="module")
def outage(tmp_path_factory: pytest.TempPathFactory, _no_config_file: None) -> Iterator[tuple[Api, str]]:
    running = start_api(tmp_path_factory.mktemp("gpid-outage"), write_timeout_s=5.0)
    try:
        gpid = running.register()["gpid"]
        running.env.chain.stop()
        deadline = time.monotonic() + 10  # until the indexer has noticed (what `freshness` reports)
        while running.node.indexer.status()["last_error"] is None and time.monotonic() < deadline:
            time.sleep(0.02)
        yield running, gpid
    finally:
        stop_api(running)


def assert_unavailable(response) -> None:  # noqa: ANN001
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["type"] == "https://gpid.dev/problems/chain-unavailable"


def test_registration_answers_503_with_retry_after(outage: tuple[Api, str]) -> None:
    api, _ = outage
    response = api.client.post("/v1/key-data-sets", json=fresh_key_data_set(), headers=api.auth(SELLER))
    assert_unavailable(response)
    assert "nothing was written" in response.json()["detail"]


def test_amendment_and_link_answer_503(outage: tuple[Api, str]) -> None:
    api, gpid = outage
    amendment = api.client.post(
        f"/v1/key-data-sets/{gpid}/amendments", json={"changes": {"buyer": {"name": "X"}}, "reason": "x"},
        headers=api.auth(SELLER),
    )  # fmt: skip
    assert_unavailable(amendment)
    link = api.client.post(
        "/v1/declarations", json={"reference": unique_reference(), "country": "GB", "direction": "import",
                                  "gpids": [gpid]},
        headers=api.auth(IMPORT_BROKER),
    )  # fmt: skip
    assert_unavailable(link)


def test_read_answers_200_from_the_index_and_says_so(outage: tuple[Api, str]) -> None:
    api, gpid = outage
    response = api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(SELLER))
    assert response.status_code == 200
    body = response.json()
    assert body["gpid"] == gpid and body["version"] == 1
    assert body["integrity"]["checked_against"] == "index"
    assert body["integrity"]["verified"] is False
    assert body["integrity"]["chain_reachable"] is False
    assert "cannot be reached" in body["integrity"]["problem"]
    assert body["freshness"]["chain_reachable"] is False
    history = api.client.get(f"/v1/key-data-sets/{gpid}/history", headers=api.auth(CUSTOMS_GB))
    assert history.status_code == 200 and len(history.json()["versions"]) == 1


def test_readyz_answers_503_naming_the_chain(outage: tuple[Api, str]) -> None:
    api, _ = outage
    response = api.client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["chain"]["ok"] is False
    assert "the chain cannot be reached" in body["reasons"]
    assert api.client.get("/healthz").status_code == 200
