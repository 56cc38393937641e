"""``Idempotency-Key`` on POST: the same request sent again gets the first answer again.

The key is kept per API key in ``idempotency_keys`` with a SHA-256 of method, path and body:

* first time: the key is reserved (a row without an answer), the request runs, and its answer is
  kept if it is final (2xx or 4xx); a 5xx answer frees the key, so the request can be retried.
  Either happens before the answer's last byte is sent, so a retry made on receipt finds it;
* same key, same request, answered: the kept status and body are replayed (nothing is written);
* same key, same request, still running: 409 ``idempotency-key-in-progress``;
* same key, another request: 422 ``idempotency-key-reused``.

A reservation whose request never answered (the process died) is taken over after ``stale_after_s``.
Requests without a valid API key pass through untouched (the route answers 401).

Keys are kept for ``retention_s`` (``GPID_IDEMPOTENCY_RETENTION_S``): a key older than that counts as
new, and the middleware purges expired keys in bounded batches (:mod:`gpid_node.store.idempotency_keys`)
in the background, at most once every ``purge_every_s``, when a request with a key comes: the table
grows only through such requests, so it needs no timer of its own.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gpid_node.api.middleware import replay, send_json
from gpid_node.api.problems import (
    PROBLEMS,
    ApiRefusal,
    IdempotencyKeyInProgress,
    IdempotencyKeyReused,
    problem_body,
)
from gpid_node.domain.errors import StoreUnavailable
from gpid_node.services.credentials import authenticate
from gpid_node.store import api_keys, idempotency_keys
from gpid_node.store.database import Store

log = structlog.get_logger("gpid.api")

_KEY = re.compile(r"^[!-~]{1,255}$")
_REPLAYED_HEADERS = ("content-type", "location", "etag", "retry-after")


def request_hash(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode("utf-8", "surrogateescape"), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class _Replay:
    def __init__(self, status: int, response: dict[str, Any]) -> None:
        self.status = status
        self.response = response


class _Reserved:
    def __init__(self, row_id: int) -> None:
        self.row_id = row_id


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


class IdempotencyStore:
    """The table's moves: reserve (or find the earlier answer), keep an answer, free a key, purge."""

    def __init__(self, store: Store, stale_after_s: float, retention_s: float = 86_400.0,
                 now: Callable[[], datetime] = _now) -> None:  # fmt: skip
        self.store = store
        self.stale_after = timedelta(seconds=stale_after_s)
        self.retention = timedelta(seconds=max(retention_s, stale_after_s))  # never purge a running request
        self.now = now

    def api_key_id(self, token: str) -> int | None:
        with self.store.session() as session:
            principal = authenticate(session, token)
            if principal is None:
                return None
            return api_keys.id_of(session, principal.key_id or "")

    def reserve(self, api_key_id: int, key: str, digest: str) -> _Replay | _Reserved:
        for _ in range(3):
            try:
                return self._reserve_once(api_key_id, key, digest)
            except IntegrityError:  # another request reserved the key between our look and our insert
                continue
        raise IdempotencyKeyInProgress(key)

    def _reserve_once(self, api_key_id: int, key: str, digest: str) -> _Replay | _Reserved:
        with self.store.session() as session:
            row = idempotency_keys.find(session, api_key_id, key)
            now = self.now()
            if row is None:
                return _Reserved(idempotency_keys.add(session, api_key_id, key, digest, now))
            if now - _aware(row.created_at) > self.retention:  # expired, not purged yet: a new key
                row.request_hash, row.status_code, row.response, row.created_at = digest, None, None, now
                return _Reserved(row.id)
            if row.request_hash != digest:
                raise IdempotencyKeyReused(key)
            if row.status_code is not None:
                return _Replay(row.status_code, row.response or {})
            if now - _aware(row.created_at) > self.stale_after:  # its request died without answering
                row.created_at = now
                return _Reserved(row.id)
            raise IdempotencyKeyInProgress(key)

    def keep(self, row_id: int, status: int, headers: dict[str, str], body: bytes) -> None:
        with self.store.session() as session:
            row = idempotency_keys.get(session, row_id)
            if row is not None:
                row.status_code = status
                row.response = {"headers": headers, "body": body.decode("utf-8", "replace")}

    def free(self, row_id: int) -> None:
        with self.store.session() as session:
            idempotency_keys.remove(session, row_id)

    def purge(self) -> int:
        """Deletes keys past the retention (a bounded number of batches); returns how many."""
        return idempotency_keys.purge_expired(self.store, self.now() - self.retention)


class Idempotency:
    """The middleware (inside the body limit, so the body it hashes is bounded)."""

    def __init__(self, app: ASGIApp, store: Store, stale_after_s: float = 120.0, retention_s: float = 86_400.0,
                 purge_every_s: float = 600.0) -> None:  # fmt: skip
        self.app = app
        self.keys = IdempotencyStore(store, stale_after_s, retention_s)
        self.purge_every_s = purge_every_s
        self._last_purge = -float("inf")
        self._purging: set[asyncio.Task[None]] = set()

    def _purge_if_due(self) -> None:
        """Starts a purge in the background (the request does not wait) if none ran for a while."""
        now = time.monotonic()
        if now - self._last_purge < self.purge_every_s or self._purging:
            return
        self._last_purge = now
        task = asyncio.get_running_loop().create_task(self._purge())
        self._purging.add(task)
        task.add_done_callback(self._purging.discard)

    async def _purge(self) -> None:
        try:
            purged = await run_in_threadpool(self.keys.purge)
        except StoreUnavailable as exc:  # tried again at the next due time
            log.warning("idempotency.purge_failed", error=str(exc))
            return
        if purged:
            log.info("idempotency.purged", keys=purged)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get("idempotency-key")
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if key is None or not _KEY.match(key) or scheme.lower() != "bearer" or not token.strip():
            await self.app(scope, receive, send)  # no key, or one the route refuses itself (422/401)
            return
        api_key_id = await run_in_threadpool(self.keys.api_key_id, token.strip())
        if api_key_id is None:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        digest = request_hash(scope["method"], scope["path"], body)
        try:
            outcome = await run_in_threadpool(self.keys.reserve, api_key_id, key, digest)
        except ApiRefusal as refusal:
            await self._refuse(scope, send, refusal)
            return
        self._purge_if_due()
        if isinstance(outcome, _Replay):
            await self._replay(send, outcome)
            return
        await self._run(scope, replay(body, receive), send, outcome.row_id)

    async def _run(self, scope: Scope, receive: Receive, send: Send, row_id: int) -> None:
        status = 0
        kept: dict[str, str] = {}
        chunks: list[bytes] = []
        settled = False

        async def settle() -> None:  # keep a final answer, free the key otherwise
            nonlocal settled
            settled = True
            if 200 <= status < 300 or 400 <= status < 500:
                await run_in_threadpool(self.keys.keep, row_id, status, kept, b"".join(chunks))
            else:
                await run_in_threadpool(self.keys.free, row_id)

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in Headers(raw=message.get("headers", [])).items():
                    if name in _REPLAYED_HEADERS:
                        kept[name] = value
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    try:
                        await settle()  # before the client has the answer: a retry sent on receipt finds it
                    except StoreUnavailable as exc:  # the answer still goes out; a retry waits for the reservation to expire
                        log.warning("idempotency.answer_not_kept", path=scope["path"], status=status, error=str(exc))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        except BaseException:
            if not settled:
                await run_in_threadpool(self.keys.free, row_id)
            raise
        if not settled:
            await settle()

    async def _replay(self, send: Send, outcome: _Replay) -> None:
        stored_headers = dict(outcome.response.get("headers") or {})
        body = str(outcome.response.get("body", "")).encode("utf-8")
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored_headers.items() if k != "content-length"]
        raw += [(b"content-length", str(len(body)).encode()), (b"idempotent-replayed", b"true")]
        await send({"type": "http.response.start", "status": outcome.status, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    async def _refuse(self, scope: Scope, send: Send, refusal: ApiRefusal) -> None:
        kind = PROBLEMS[type(refusal)]
        body = problem_body(kind, refusal.message, scope["path"], scope.get("state", {}).get("request_id"))
        await send_json(send, kind.status, body, refusal.headers.items())


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)
