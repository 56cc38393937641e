"""Idempotency-Key on POST: a retry replays the first answer and writes nothing; a reused key is refused."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
import warnings
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from starlette.responses import JSONResponse
from starlette.types import Message

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from gpid_node.api.app import create_app
from gpid_node.api.idempotency import Idempotency, IdempotencyStore, request_hash
from gpid_node.domain import errors as e
from gpid_node.store.tables import ApiKeyRow, IdempotencyKeyRow, OutboxEntry

from api.harness import API_URL, EXPORT_BROKER, SELLER, Api, fresh_key_data_set, unique_reference
from support.waiting import wait_until


def outbox_size(api: Api) -> int:
    with api.node.store.session() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxEntry)) or 0)


def post(api: Api, path: str, body: bytes, key: str, name: str = SELLER):  # noqa: ANN201
    headers = {**api.auth(name), "Content-Type": "application/json", "Idempotency-Key": key}
    return api.client.post(path, content=body, headers=headers)


def test_repeated_registration_replays_the_first_answer_and_registers_nothing_new(api: Api) -> None:
    body = json.dumps(fresh_key_data_set()).encode()
    key = str(uuid.uuid4())
    first = post(api, "/v1/key-data-sets", body, key)
    assert first.status_code == 201
    size = outbox_size(api)
    total = api.client.get("/v1/key-data-sets", headers=api.auth(SELLER)).json()["total"]

    again = post(api, "/v1/key-data-sets", body, key)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert outbox_size(api) == size
    assert api.client.get("/v1/key-data-sets", headers=api.auth(SELLER)).json()["total"] == total


def test_same_key_with_another_body_answers_422(api: Api) -> None:
    key = str(uuid.uuid4())
    assert post(api, "/v1/key-data-sets", json.dumps(fresh_key_data_set()).encode(), key).status_code == 201
    size = outbox_size(api)
    other = post(api, "/v1/key-data-sets", json.dumps(fresh_key_data_set()).encode(), key)
    assert other.status_code == 422
    assert other.json()["type"] == "https://gpid.dev/problems/idempotency-key-reused"
    assert key in other.json()["detail"]
    assert outbox_size(api) == size


def test_refusals_are_replayed_too(api: Api) -> None:
    data = fresh_key_data_set()
    data["goods"][0]["hs_code"] = "1"
    key = str(uuid.uuid4())
    first = post(api, "/v1/key-data-sets", json.dumps(data).encode(), key)
    again = post(api, "/v1/key-data-sets", json.dumps(data).encode(), key)
    assert first.status_code == again.status_code == 422
    assert again.json() == first.json()
    assert again.headers["content-type"] == "application/problem+json"


def test_keys_belong_to_one_api_key(api: Api) -> None:
    key = str(uuid.uuid4())
    link = {"reference": unique_reference(), "country": "DE", "direction": "export", "gpids": ["GP1"]}
    seller = post(api, "/v1/declarations", json.dumps(link).encode(), key)
    broker = post(api, "/v1/declarations", json.dumps(link).encode(), key, name=EXPORT_BROKER)
    assert seller.status_code == broker.status_code == 422
    assert broker.json()["type"] == "https://gpid.dev/problems/validation-failed"  # its own answer, not a replay
    assert "idempotent-replayed" not in broker.headers


def test_a_repeat_while_the_first_still_runs_answers_409(api: Api) -> None:
    body = json.dumps(fresh_key_data_set()).encode()
    key = str(uuid.uuid4())
    key_id = api.keys[SELLER].removeprefix("gpid_").split(".")[0]
    with api.node.store.session() as session:  # the first request reserved the key and has not answered yet
        api_key_id = session.scalar(select(ApiKeyRow.id).where(ApiKeyRow.key_id == key_id))
        session.add(IdempotencyKeyRow(api_key_id=api_key_id, key=key, created_at=datetime.now(UTC),
                                      request_hash=request_hash("POST", "/v1/key-data-sets", body)))  # fmt: skip
    size = outbox_size(api)
    response = post(api, "/v1/key-data-sets", body, key)
    assert response.status_code == 409
    assert response.json()["type"] == "https://gpid.dev/problems/idempotency-key-in-progress"
    assert response.headers["retry-after"] == "1"
    assert outbox_size(api) == size


def test_a_server_failure_is_not_kept_so_the_retry_runs(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    body = json.dumps(fresh_key_data_set()).encode()
    key = str(uuid.uuid4())
    real = api.node.registration.register

    def unavailable(*args: object, **kwargs: object) -> None:
        raise e.ChainUnavailable("the chain cannot be reached; nothing was written, try again later")

    monkeypatch.setattr(api.node.registration, "register", unavailable)
    failed = post(api, "/v1/key-data-sets", body, key)
    assert failed.status_code == 503
    monkeypatch.setattr(api.node.registration, "register", real)
    retried = post(api, "/v1/key-data-sets", body, key)
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers


def test_a_malformed_idempotency_key_answers_422(api: Api) -> None:
    response = post(api, "/v1/key-data-sets", json.dumps(fresh_key_data_set()).encode(), "x" * 256)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "Idempotency-Key"


def post_through_middleware(api: Api, key: str, status: int, on_last_byte: Callable[[], object]) -> list[Message]:
    """Drives the middleware alone around an app answering ``status``; calls ``on_last_byte`` as the
    answer's last body message reaches the client, and returns every message the client got."""
    middleware = Idempotency(JSONResponse({"ok": True}, status_code=status), store=api.node.store)
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            on_last_byte()
        sent.append(message)

    headers = [(b"authorization", f"Bearer {api.keys[SELLER]}".encode()), (b"idempotency-key", key.encode())]
    scope = {"type": "http", "method": "POST", "path": "/v1/key-data-sets", "headers": headers, "state": {}}
    asyncio.run(middleware(scope, receive, send))
    return sent


@pytest.mark.parametrize(("status", "kept"), [(201, True), (422, True), (503, False)])
def test_the_answer_is_settled_before_its_last_byte_reaches_the_client(api: Api, status: int, kept: bool) -> None:
    """A client that retries the moment it has the answer finds it kept (replayed) or freed (run again),
    never a reservation still in progress."""
    key = str(uuid.uuid4())
    seen: list[tuple[int | None, bool]] = []

    def row_state() -> None:
        with api.node.store.session() as session:
            row = session.scalar(select(IdempotencyKeyRow).where(IdempotencyKeyRow.key == key))
            seen.append((None, False) if row is None else (row.status_code, True))

    post_through_middleware(api, key, status, row_state)
    assert seen == [(status, True) if kept else (None, False)]


def test_an_answer_that_cannot_be_kept_still_reaches_the_client(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(*args: object) -> None:
        raise e.StoreUnavailable("the index database cannot be reached")

    monkeypatch.setattr(IdempotencyStore, "keep", unavailable)
    sent = post_through_middleware(api, str(uuid.uuid4()), 201, lambda: None)
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 201 and json.loads(sent[1]["body"]) == {"ok": True}


def answered_key(api: Api, key: str, body: bytes, created_at: datetime) -> None:
    """A key as a request long ago left it: reserved and answered 201."""
    key_id = api.keys[SELLER].removeprefix("gpid_").split(".")[0]
    with api.node.store.session() as session:
        api_key_id = session.scalar(select(ApiKeyRow.id).where(ApiKeyRow.key_id == key_id))
        session.add(IdempotencyKeyRow(api_key_id=api_key_id, key=key, created_at=created_at, status_code=201,
                                      request_hash=request_hash("POST", "/v1/key-data-sets", body),
                                      response={"headers": {}, "body": '{"gpid": "old"}'}))  # fmt: skip


def keys_named(api: Api, *keys: str) -> set[str]:
    with api.node.store.session() as session:
        return set(session.scalars(select(IdempotencyKeyRow.key).where(IdempotencyKeyRow.key.in_(keys))))


def test_a_key_past_its_retention_counts_as_new(api: Api) -> None:
    key = str(uuid.uuid4())
    answered_key(api, key, b'{"an": "older request"}', datetime.now(UTC) - timedelta(days=2))  # retention: 1 day
    size = outbox_size(api)

    answer = post(api, "/v1/key-data-sets", json.dumps(fresh_key_data_set()).encode(), key)

    assert answer.status_code == 201, answer.text  # neither 422 (another request's key) nor a replay
    assert "idempotent-replayed" not in answer.headers
    assert outbox_size(api) == size + 1
    again = post(api, "/v1/key-data-sets", b"{}", key)
    assert again.status_code == 422 and again.json()["type"] == "https://gpid.dev/problems/idempotency-key-reused"


def test_expired_keys_are_purged_in_the_background_and_live_keys_stay(api: Api) -> None:
    expired, live, used = (str(uuid.uuid4()) for _ in range(3))
    answered_key(api, expired, b"{}", datetime.now(UTC) - timedelta(days=1, minutes=1))
    answered_key(api, live, b"{}", datetime.now(UTC) - timedelta(hours=23))
    with TestClient(create_app(api.node, api.settings), base_url=API_URL) as client:  # a fresh app: a purge is due
        data = fresh_key_data_set()
        data["goods"][0]["hs_code"] = "1"
        headers = {**api.auth(SELLER), "Idempotency-Key": used}
        assert client.post("/v1/key-data-sets", json=data, headers=headers).status_code == 422
        wait_until(lambda: expired not in keys_named(api, expired), 30, "the expired key is purged")
    assert keys_named(api, expired, live, used) == {live, used}
