"""The webhook sender: many POSTs in flight from one thread (an asyncio loop of its own), over
kept-alive HTTP/1.1 connections, up to ``per_origin`` of them to each receiver (scheme, host, port).

Measured on the 2-core machine: httpx sends ~170 requests a second sequentially and ~300-500 from 8
threads (its per-request work holds the interpreter lock); this sender's request is a few lines of
bytes written and a status line and headers read, so the dispatcher is no longer the bottleneck.

It only POSTs and reads the answer's status (the body is read and dropped, to keep the connection);
it never follows a redirect. An answer it cannot parse, a connection it cannot open and a timeout
are each an :class:`SendError` whose text names the kind (``ConnectError``, ``Timeout``,
``ProtocolError``) as the delivery log shows it.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Coroutine
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

T = TypeVar("T")

MAX_BODY = 64 * 1024  # an answer's body read to keep its connection; a longer one closes it
_SAFE = "/?&=%:@!$'()*+,;~-._#[]"


class SendError(Exception):
    """An attempt that got no HTTP status."""


Origin = tuple[str, str, int]
Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class Sender:
    """POSTs from one event loop; :meth:`run` drives a round of them from the calling thread."""

    def __init__(self, timeout_s: float = 10.0, per_origin: int = 32) -> None:
        self.timeout_s = timeout_s
        self.per_origin = per_origin
        self.loop = asyncio.new_event_loop()
        self._idle: dict[Origin, list[Connection]] = {}
        self._slots: dict[Origin, asyncio.Semaphore] = {}
        self._tls: ssl.SSLContext | None = None

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(work)

    def close(self) -> None:
        for connections in self._idle.values():
            for _, writer in connections:
                writer.close()
        self._idle.clear()
        self.loop.run_until_complete(asyncio.sleep(0))
        self.loop.close()

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """The receiver's HTTP status for the POST of ``body`` to ``url``."""
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), parts.hostname or ""
        port = parts.port or (443 if scheme == "https" else 80)
        origin = (scheme, host, port)
        target = quote(parts.path or "/", safe=_SAFE) + (f"?{quote(parts.query, safe=_SAFE)}" if parts.query else "")
        head = [f"POST {target} HTTP/1.1", f"host: {parts.netloc.rsplit('@', 1)[-1]}", f"content-length: {len(body)}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        request = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        slots = self._slots.setdefault(origin, asyncio.Semaphore(self.per_origin))
        async with slots:
            try:
                async with asyncio.timeout(self.timeout_s):  # no task of its own, unlike wait_for
                    return await self._exchange(origin, request)
            except TimeoutError as exc:
                raise SendError(f"Timeout: no answer within {self.timeout_s:g} s") from exc

    async def _exchange(self, origin: Origin, request: bytes) -> int:
        idle = self._idle.setdefault(origin, [])
        while idle:  # a kept-alive connection the receiver may have closed meanwhile: then a new one
            connection = idle.pop()
            if connection[0].at_eof() or connection[1].is_closing():
                connection[1].close()
                continue
            try:
                return await self._request(origin, connection, request, reused=True)
            except _Stale:
                continue
        return await self._request(origin, await self._open(origin), request, reused=False)

    async def _open(self, origin: Origin) -> Connection:
        scheme, host, port = origin
        if scheme == "https" and self._tls is None:
            self._tls = ssl.create_default_context()
        try:
            return await asyncio.open_connection(host, port, ssl=self._tls if scheme == "https" else None,
                                                 server_hostname=host if scheme == "https" else None)  # fmt: skip
        except (OSError, ssl.SSLError) as exc:
            raise SendError(f"ConnectError: {exc or type(exc).__name__}") from exc

    async def _request(self, origin: Origin, connection: Connection, request: bytes, reused: bool) -> int:
        reader, writer = connection
        keep = False
        try:
            try:
                writer.write(request)
                await writer.drain()
                line = await reader.readline()
            except (OSError, ssl.SSLError) as exc:
                if reused:
                    raise _Stale from exc
                raise SendError(f"WriteError: {exc or type(exc).__name__}") from exc
            if not line:
                if reused:
                    raise _Stale
                raise SendError("ProtocolError: the receiver closed the connection without an answer")
            status, keep = await _answer(reader, line)
            return status
        except (OSError, ssl.SSLError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            raise SendError(f"ProtocolError: {exc or type(exc).__name__}") from exc
        finally:
            if keep:
                self._idle.setdefault(origin, []).append(connection)
            else:
                writer.close()


class _Stale(Exception):
    """A kept-alive connection that was closed before it answered: try another."""


async def _answer(reader: asyncio.StreamReader, line: bytes) -> tuple[int, bool]:
    """The status of the answer whose status line is ``line`` and whether its connection may be
    used again; its headers and body are read."""
    while True:
        version, _, rest = line.strip().partition(b" ")
        if not version.startswith(b"HTTP/1."):
            raise ValueError(f"not an HTTP/1 answer: {line[:40]!r}")
        status = int(rest[:3])
        headers: dict[bytes, bytes] = {}
        while True:
            header = await reader.readline()
            if not header:
                raise ValueError("the answer ends within its headers")
            if header in (b"\r\n", b"\n"):
                break
            name, _, value = header.partition(b":")
            headers[name.strip().lower()] = value.strip().lower()
        if 100 <= status < 200:  # an interim answer: the final one follows
            line = await reader.readline()
            continue
        break
    keep = version == b"HTTP/1.1" and headers.get(b"connection") != b"close"
    if status in (204, 304):
        return status, keep
    if b"chunked" in headers.get(b"transfer-encoding", b""):
        read = 0
        while True:
            size = int((await reader.readline()).split(b";")[0].strip() or b"x", 16)
            read += size
            if read > MAX_BODY:
                return status, False
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass
                return status, keep
            await reader.readexactly(size + 2)
    if b"content-length" in headers:
        length = int(headers[b"content-length"])
        if length > MAX_BODY:
            return status, False
        await reader.readexactly(length)
        return status, keep
    return status, False  # the body runs to the connection's end: not read, the connection closed


async def gather(*work: Awaitable[T]) -> list[T]:
    return list(await asyncio.gather(*work))
