"""Pure ASGI middlewares: security headers, access log and metrics, body size limit and JSON check.

Order, outermost first (``create_app`` adds them): the forwarded scheme from trusted proxies
(``forwarded.py``, when some are configured) → security headers → access log and metrics (and
the last word on unexpected exceptions) → CORS → rate limit (:mod:`gpid_node.api.rate_limit`) → body
size limit → idempotency → routes.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable
from typing import Any

import structlog
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gpid_node.api.metrics import Metrics
from gpid_node.api.problems import (
    PROBLEM_MEDIA_TYPE,
    PROBLEMS,
    BodyTooLarge,
    MalformedJSON,
    problem_body,
    unexpected_problem,
)
from gpid_node.domain import strict_json

log = structlog.get_logger("gpid.api")
access = structlog.get_logger("gpid.access")

STRICT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# The interactive docs (Swagger UI, served from the node's own files) keep to this origin; Swagger UI
# styles elements inline and shows images as data: URIs.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


async def send_json(send: Send, status: int, body: dict[str, Any], headers: Iterable[tuple[str, str]] = (),
                    media_type: str = PROBLEM_MEDIA_TYPE) -> None:  # fmt: skip
    payload = JSONResponse(body).body  # rendered as the routes' answers are
    raw = [(b"content-type", media_type.encode()), (b"content-length", str(len(payload)).encode())]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


class SecurityHeaders:
    """nosniff, no framing, no referrer, a strict CSP; ``Cache-Control: no-store`` on /v1."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
                docs = path.startswith(DOCS_PATHS)
                headers.setdefault("Content-Security-Policy", DOCS_CSP if docs else STRICT_CSP)
                if path.startswith("/v1/") or path == "/v1":
                    headers["Cache-Control"] = "no-store"
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, with_headers)


class AccessLog:
    """A request id per request, one JSON access log line, the request metrics, and a 500 problem
    for anything unexpected. Never logs the Authorization header, a query's values or a body."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                log.exception("api.unexpected_error", method=scope["method"], path=scope["path"])
                status = 500
                if response_started:
                    raise
                await send_json(send, 500, unexpected_problem(request_id, scope["path"]), [("X-Request-ID", request_id)])
            finally:
                elapsed = time.perf_counter() - started
                template = route_label(scope, status)
                method = scope["method"] if scope["method"] in KNOWN_METHODS else "OTHER"
                self.metrics.observe(method, template, status, elapsed)
                client = scope.get("client")
                access.info(
                    "http.request",
                    request_id=request_id,
                    method=method,
                    path=scope["path"],
                    route=template,
                    status=status,
                    duration_ms=round(elapsed * 1000, 2),
                    client=client[0] if client else None,
                    key_id=scope.get("state", {}).get("key_id"),
                )


def route_label(scope: Scope, status: int) -> str:
    """The route template a request matched (``/v1/key-data-sets/{gpid}``), never its raw path, so
    the metrics stay a bounded set; the app's own static pages (/openapi.json, /docs) by their path."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if template:
        return str(template)
    if scope.get("endpoint") is not None and status < 400:
        return str(scope["path"])
    return "<unmatched>"


class BodyLimit:
    """413 for a body above ``max_bytes``: from Content-Length at once, else while it streams in;
    400 for a body sent as JSON that :mod:`gpid_node.domain.strict_json` refuses (too deeply nested,
    not UTF-8, NaN or Infinity, a member name twice), before any route or parser sees it.

    The body is read whole (it is small by definition) and handed on to the app in one message.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope: Scope, send: Send) -> None:
        error = BodyTooLarge(self.max_bytes)
        kind = PROBLEMS[BodyTooLarge]
        body = problem_body(kind, error.message, scope["path"], scope.get("state", {}).get("request_id"),
                            max_bytes=self.max_bytes)  # fmt: skip
        await send_json(send, kind.status, body, [("Connection", "close")])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.strip().isdigit() and int(length) > self.max_bytes:
            await self._refuse(scope, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        content_type = dict(scope.get("headers") or []).get(b"content-type", b"").decode("latin-1")
        if body and is_json_media_type(content_type):
            # a large body takes a while to check: off the event loop, so other requests go on
            reason = strict_json.refusal(body) if len(body) < 65536 else await run_in_threadpool(strict_json.refusal, body)
            if reason is not None:
                kind = PROBLEMS[MalformedJSON]
                detail = f"the body is not valid JSON: {reason}"
                await send_json(send, kind.status, problem_body(kind, detail, scope["path"],
                                                                scope.get("state", {}).get("request_id")))  # fmt: skip
                return
        await self.app(scope, replay(body, receive), send)


def is_json_media_type(content_type: str | None) -> bool:
    """application/json or any application/*+json (what the routes parse as JSON)."""
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands over ``body`` once, then waits on the real one (for the disconnect)."""
    delivered = False

    async def receive_again() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return receive_again
