"""Rate limits: 429 with Retry-After past the burst, per API key, nothing done, the console's own page.

Each test builds an app of its own over the session's node, with the limits it needs and a clock it
moves by hand (no test waits for time to pass). The limiter charges a key's requests to the key once
it has seen that key authenticate; the first request of a key is charged to the client address.
"""

from __future__ import annotations

import json
import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from gpid_node.api.app import create_app
from gpid_node.api.rate_limit import Bucket, Rate, RateLimits, retry_after_s, take
from gpid_node.store.tables import IdempotencyKeyRow, OutboxEntry

from api.harness import API_URL, BUYER, SELLER, Api, fresh_key_data_set


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def limited(api: Api, clock: Clock, **limits: Any) -> TestClient:
    settings = api.settings.model_copy(update=limits)
    app = create_app(api.node, settings)
    app.state.rate_limits.clock = clock
    return TestClient(app, base_url=API_URL)


@pytest.fixture
def client_of(api: Api, clock: Clock) -> Iterator[Any]:
    clients: list[TestClient] = []

    def make(**limits: Any) -> TestClient:
        clients.append(limited(api, clock, **limits))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


def known(client: TestClient, api: Api, name: str) -> None:
    """One authenticated read: from now on the key's requests count against the key, not the address."""
    assert client.get("/v1/key-data-sets", params={"limit": 1}, headers=api.auth(name)).status_code == 200


def outbox_size(api: Api) -> int:
    with api.node.store.session() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxEntry)) or 0)


# ---------------------------------------------------------------------- the arithmetic


def test_a_bucket_refills_at_its_rate_up_to_its_burst() -> None:
    rate = Rate(per_s=2.0, burst=3)
    bucket = Bucket(3.0, stamp=0.0)
    assert [take(bucket, rate, 0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert take(bucket, rate, 0.0) == pytest.approx(0.5)  # one token comes in half a second
    assert take(bucket, rate, 0.5) == 0.0
    assert take(bucket, rate, 100.0) == 0.0  # a long pause fills it up to the burst, no further
    assert [take(bucket, rate, 100.0) for _ in range(3)] == [0.0, 0.0, pytest.approx(0.5)]


def test_retry_after_is_whole_seconds_rounded_up() -> None:
    assert [retry_after_s(w) for w in (0.01, 0.5, 1.0, 1.2, 59.9)] == [1, 1, 1, 2, 60]


def test_the_table_of_buckets_stays_bounded(clock: Clock) -> None:
    limits = RateLimits(Rate(1.0, 2), Rate(1.0, 2), clock=clock, max_buckets=100)
    for n in range(1000):
        limits.charge((False, f"a:10.0.{n // 256}.{n % 256}"))
    assert len(limits) <= 100
    last = (False, "a:10.0.3.231")  # the latest bucket is kept: one token left of 2, then none
    assert limits.charge(last) == 0.0 and limits.charge(last) > 0


# ---------------------------------------------------------------------- over HTTP


def test_reads_past_the_burst_answer_429_with_retry_after_until_a_token_comes(api: Api, clock: Clock, client_of: Any) -> None:
    client = client_of(rate_limit_per_s=0.5, rate_limit_burst=3)
    known(client, api, SELLER)
    answers = [client.get("/v1/key-data-sets", headers=api.auth(SELLER)) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.headers["Retry-After"] == "2"  # one token every 2 s
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"] == "https://gpid.dev/problems/rate-limited"
    assert problem["status"] == 429 and problem["retry_after_s"] == 2 and "retry after 2 s" in problem["detail"]

    clock.now += 1.0
    assert client.get("/v1/key-data-sets", headers=api.auth(SELLER)).status_code == 429
    clock.now += 1.0
    assert client.get("/v1/key-data-sets", headers=api.auth(SELLER)).status_code == 200


def test_another_api_key_is_not_limited_by_the_first(api: Api, client_of: Any) -> None:
    client = client_of(rate_limit_per_s=0.5, rate_limit_burst=2)
    known(client, api, SELLER)
    statuses = [client.get("/v1/key-data-sets", headers=api.auth(SELLER)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]

    known(client, api, BUYER)
    assert [client.get("/v1/key-data-sets", headers=api.auth(BUYER)).status_code for _ in range(2)] == [200, 200]


def test_reads_and_writes_have_buckets_of_their_own(api: Api, client_of: Any) -> None:
    client = client_of(rate_limit_per_s=0.5, rate_limit_burst=1, rate_limit_writes_per_s=0.5, rate_limit_writes_burst=5)
    known(client, api, SELLER)
    assert client.get("/v1/key-data-sets", headers=api.auth(SELLER)).status_code == 200
    assert client.get("/v1/key-data-sets", headers=api.auth(SELLER)).status_code == 429
    answer = client.post("/v1/key-data-sets", json=fresh_key_data_set(), headers=api.auth(SELLER))
    assert answer.status_code == 201, answer.text


def test_a_refused_write_does_nothing_and_its_idempotency_key_stays_free(api: Api, clock: Clock, client_of: Any) -> None:
    client = client_of(rate_limit_per_s=100, rate_limit_burst=100, rate_limit_writes_per_s=0.25, rate_limit_writes_burst=1)
    known(client, api, SELLER)
    assert client.post("/v1/key-data-sets", json=fresh_key_data_set(), headers=api.auth(SELLER)).status_code == 201
    before = outbox_size(api)
    key = str(uuid.uuid4())
    body = json.dumps(fresh_key_data_set()).encode()
    headers = {**api.auth(SELLER), "Content-Type": "application/json", "Idempotency-Key": key}

    refused = client.post("/v1/key-data-sets", content=body, headers=headers)

    assert refused.status_code == 429 and refused.headers["Retry-After"] == "4"
    assert outbox_size(api) == before
    with api.node.store.session() as session:
        assert session.scalar(select(func.count()).select_from(IdempotencyKeyRow).where(IdempotencyKeyRow.key == key)) == 0
    clock.now += 4.0
    retried = client.post("/v1/key-data-sets", content=body, headers=headers)
    assert retried.status_code == 201, retried.text
    assert "Idempotent-Replayed" not in retried.headers
    assert outbox_size(api) == before + 1


def test_limits_of_0_let_every_request_through(api: Api, client_of: Any) -> None:
    client = client_of(rate_limit_per_s=0, rate_limit_burst=1, rate_limit_writes_per_s=0, rate_limit_writes_burst=1)
    statuses = {client.get("/v1/key-data-sets", headers=api.auth(SELLER)).status_code for _ in range(30)}
    statuses |= {client.post("/v1/disclosures/verify", json={}).status_code for _ in range(5)}
    assert 429 not in statuses and 200 in statuses


def test_requests_without_a_key_are_limited_per_address_and_the_probes_never(api: Api, client_of: Any) -> None:
    client = client_of(rate_limit_per_s=0.5, rate_limit_burst=2)
    assert [client.get("/openapi.json").status_code for _ in range(3)] == [200, 200, 429]
    assert {client.get(probe).status_code for probe in ("/healthz", "/readyz", "/metrics") for _ in range(5)} == {200}


def test_guessed_keys_spend_the_tokens_of_their_address_not_of_the_key_they_name(api: Api, client_of: Any) -> None:
    client = client_of(rate_limit_per_s=0.5, rate_limit_burst=3)
    known(client, api, SELLER)  # the address has 2 tokens left
    key_id = api.keys[SELLER].split(".")[0]
    guesses = [f"gpid_{uuid.uuid4().hex[:12]}.wrong", f"{key_id}.wrong-secret", f"gpid_{uuid.uuid4().hex[:12]}.x"]
    statuses = [client.get("/v1/key-data-sets", headers={"Authorization": f"Bearer {g}"}).status_code for g in guesses]
    assert statuses == [401, 401, 429]
    assert client.get("/v1/key-data-sets", headers=api.auth(SELLER)).status_code == 200


def test_the_console_answers_its_own_page_when_over_the_limit(api: Api, client_of: Any) -> None:
    client = client_of(rate_limit_per_s=0.5, rate_limit_burst=2)
    assert [client.get("/ui/sign-in").status_code for _ in range(2)] == [200, 200]

    refused = client.get("/ui/sign-in")

    assert refused.status_code == 429 and refused.headers["Retry-After"] == "2"
    assert refused.headers["content-type"].startswith("text/html")
    assert "<h1>Too many requests</h1>" in refused.text and "wait 2 seconds" in refused.text
    assert client.get("/ui/static/ui.css").status_code == 200  # the page keeps its style


def test_the_openapi_document_lists_429_with_retry_after_on_every_limited_route(api: Api) -> None:
    document = api.client.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            answer = operation["responses"].get("429")
            if path in ("/healthz", "/readyz", "/metrics"):
                assert answer is None, (method, path)
            else:
                assert answer is not None and "Retry-After" in answer["headers"], (method, path)
    assert "429" in document["info"]["description"]
