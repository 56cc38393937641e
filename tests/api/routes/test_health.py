"""/healthz, /readyz and /metrics."""

from __future__ import annotations

from api.harness import SELLER, Api


def test_healthz_answers_200(api: Api) -> None:
    response = api.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_answers_200_when_chain_database_and_index_are_fine(api: Api) -> None:
    api.register()
    response = api.client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready" and body["reasons"] == []
    assert {name: check["ok"] for name, check in body["checks"].items()} == {"chain": True, "database": True, "indexer": True}


def test_metrics_count_requests_by_route_template_and_read_the_gauges(api: Api) -> None:
    gpid = api.register()["gpid"]
    api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(SELLER))
    response = api.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'gpid_http_requests_total{method="GET",route="/v1/key-data-sets/{gpid}",status="200"}' in text
    assert 'gpid_http_request_duration_seconds_bucket{le="0.1",method="POST",route="/v1/key-data-sets"}' in text
    assert gpid not in text  # the route template, never the path
    gauges = {line.split()[0]: float(line.split()[1]) for line in text.splitlines()
              if line.startswith(("gpid_outbox_depth", "gpid_indexer_lag_blocks"))}  # fmt: skip
    assert gauges["gpid_outbox_depth"] >= 0
    assert gauges["gpid_indexer_lag_blocks"] >= 0
