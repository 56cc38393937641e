"""What every answer gets: security headers, request ids, access logs, problems for malformed
requests (body too large, not JSON, wrong content type, unknown route or method, unexpected failure)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
import structlog
from starlette.responses import JSONResponse
from starlette.testclient import TestClient

from gpid_node.api.app import create_app
from gpid_node.api.middleware import send_json

from api.harness import API_URL, SELLER, Api, fresh_key_data_set

PROBLEM = "application/problem+json"


def problem_type(slug: str) -> str:
    return f"https://gpid.dev/problems/{slug}"


# ---------------------------------------------------------------------- headers


def test_security_headers_on_every_answer_and_no_store_on_v1(api: Api) -> None:
    v1 = api.client.get("/v1/key-data-sets", headers=api.auth(SELLER))
    health = api.client.get("/healthz")
    for response in (v1, health):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert v1.headers["cache-control"] == "no-store"
    assert "cache-control" not in health.headers
    refused = api.client.get("/v1/key-data-sets")
    assert refused.status_code == 401 and refused.headers["cache-control"] == "no-store"


def test_request_id_is_echoed_or_made(api: Api) -> None:
    given = api.client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = api.client.get("/healthz", headers={"X-Request-ID": "no spaces or\nnewlines"})
    assert len(made.headers["x-request-id"]) == 32
    problem = api.client.get("/v1/nothing-here", headers={"X-Request-ID": "find-me"}).json()
    assert problem["request_id"] == "find-me"


def test_cors_is_off_by_default(api: Api) -> None:
    response = api.client.options(
        "/v1/key-data-sets", headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in response.headers


def test_cors_allows_only_the_configured_origins(api: Api) -> None:
    settings = api.settings.model_copy(update={"cors_origins": ["https://app.example"]})
    with TestClient(create_app(api.node, settings), base_url=API_URL) as client:
        preflight = client.options(
            "/v1/key-data-sets",
            headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST",
                     "Access-Control-Request-Headers": "Authorization, Idempotency-Key"},
        )  # fmt: skip
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://app.example"
        other = client.get("/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


# ---------------------------------------------------------------------- access log


def test_access_log_has_request_id_route_and_status_but_no_secrets(api: Api) -> None:
    data = fresh_key_data_set()
    data["goods"][0]["hs_code"] = "1"
    with structlog.testing.capture_logs() as logs:
        response = api.client.post("/v1/key-data-sets", json=data, headers=api.auth(SELLER))
    assert response.status_code == 422
    [entry] = [log for log in logs if log["event"] == "http.request"]
    assert entry["request_id"] == response.headers["x-request-id"]
    assert (entry["method"], entry["route"], entry["status"]) == ("POST", "/v1/key-data-sets", 422)
    assert entry["key_id"] == api.keys[SELLER].removeprefix("gpid_").split(".")[0]
    text = json.dumps(logs, default=str)
    assert api.keys[SELLER] not in text
    assert api.keys[SELLER].split(".")[1] not in text
    assert "Thames Tools" not in text  # no body


# ---------------------------------------------------------------------- malformed requests


def test_body_too_large_answers_413_from_content_length(api: Api) -> None:
    big = b'{"padding": "' + b"x" * (api.settings.max_body_bytes + 10) + b'"}'
    response = api.client.post(
        "/v1/key-data-sets", content=big, headers={**api.auth(SELLER), "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == problem_type("body-too-large")
    assert str(api.settings.max_body_bytes) in response.json()["detail"]


def test_body_too_large_answers_413_while_streaming(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"padding": "'
        for _ in range(api.settings.max_body_bytes // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    response = api.client.post(
        "/v1/declarations", content=chunks(), headers={**api.auth(SELLER), "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["type"] == problem_type("body-too-large")


@pytest.mark.parametrize("path", ["/v1/key-data-sets", "/v1/declarations", "/v1/verifications"])
def test_malformed_json_answers_400(api: Api, path: str) -> None:
    response = api.client.post(
        path, content=b'{"schema_version": "1",', headers={**api.auth(SELLER), "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"] == problem_type("malformed-json")
    assert problem["detail"].startswith("the body is not valid JSON")


def test_refusals_before_and_after_routing_read_the_same() -> None:
    """A refusal written by a middleware is rendered as the routes' answers are: compact UTF-8 JSON."""
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    body = {"type": problem_type("malformed-json"), "detail": "byte 6 is 0xff in «x»", "status": 400}
    asyncio.run(send_json(send, 400, body))
    assert sent[1]["body"] == JSONResponse(body).body


@pytest.mark.parametrize("path", ["/v1/key-data-sets", "/v1/declarations", "/v1/verifications"])
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_body_that_is_not_sent_as_json_answers_415(api: Api, path: str, content_type: str | None) -> None:
    headers = api.auth(SELLER) | ({"Content-Type": content_type} if content_type else {})
    response = api.client.post(path, content=json.dumps(fresh_key_data_set()).encode(), headers=headers)
    assert response.status_code == 415
    assert response.json()["type"] == problem_type("unsupported-media-type")


def test_unknown_route_answers_404_problem(api: Api) -> None:
    response = api.client.get("/v2/key-data-sets")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == problem_type("no-such-route")
    assert "/openapi.json" in response.json()["detail"]


def test_wrong_method_answers_405_problem_with_allow(api: Api) -> None:
    response = api.client.delete("/v1/key-data-sets", headers=api.auth(SELLER))
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    assert response.json()["type"] == problem_type("method-not-allowed")


def test_unexpected_failure_answers_500_without_internals(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals: /var/lib/gpid password=hunter2")

    monkeypatch.setattr(api.node.reads, "history", broken)
    with structlog.testing.capture_logs() as logs:
        response = api.client.get("/v1/key-data-sets/GP0000000000000000000000000000/history", headers=api.auth(SELLER))
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"] == problem_type("internal-error")
    assert problem["request_id"] == response.headers["x-request-id"]
    assert "secret" not in response.text and "RuntimeError" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert any(log["event"] == "api.unexpected_error" for log in logs)
