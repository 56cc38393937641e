"""Helpers of the security tests: what the node has written, and a raw ASGI call for requests no
HTTP client library would send (header values with CR/LF)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, select

from api.harness import Api
from gpid_node.store.tables import (
    DeclarationLinkRow,
    IdempotencyKeyRow,
    KeyDataSetRow,
    OutboxEntry,
    VerificationRow,
    VersionRow,
)

WRITTEN = (OutboxEntry, KeyDataSetRow, VersionRow, DeclarationLinkRow, VerificationRow, IdempotencyKeyRow)
PROBLEM = "application/problem+json"


def written(api: Api) -> dict[str, int]:
    """Rows per table the node writes to: the outbox, the index, the idempotency store."""
    with api.node.store.session() as session:
        return {m.__tablename__: int(session.scalar(select(func.count()).select_from(m)) or 0) for m in WRITTEN}


@contextmanager
def writes_nothing(api: Api) -> Iterator[None]:
    """The block's requests leave the outbox, the index and the idempotency store as they were."""
    before = written(api)
    yield
    assert written(api) == before, "a refused request wrote something"


def problem_type(slug: str) -> str:
    return f"https://gpid.dev/problems/{slug}"


def raw_asgi(app: Any, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b"") -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Calls the ASGI app with exactly these header bytes; returns (status, response headers, body)."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-length", str(len(body)).encode()), *headers],
        "client": ("127.0.0.1", 50000), "server": ("testserver", 80), "state": {},
    }  # fmt: skip
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], list(start.get("headers", [])), content
