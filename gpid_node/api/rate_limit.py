"""Rate limits: a token bucket per API key and kind of request (reads, writes), answering 429.

Who is counted: a request is charged to its API key once the node has seen that credential (a
bearer token, or an audit console session cookie) authenticate; until then, and for requests without
one (the console's sign-in, ``POST /v1/disclosures/verify``), it is charged to the client address.
The limiter learns a credential after the fact, from the key id the authentication put in the
request's state, so it never reads the database and never trusts a key id it has not seen proven: a
caller guessing keys, or naming somebody else's public key id with a wrong secret, spends its own
address's tokens, never the key owner's. The operations probes (``/healthz``, ``/readyz``,
``/metrics``) and the console's stylesheet are never limited.

A refused request does nothing: the limiter sits outside the body limit and the idempotency
middleware (an ``Idempotency-Key`` is not reserved, so its retry runs), and it answers 429 with
``Retry-After`` in whole seconds: an RFC 9457 problem, or the console's own page under ``/ui``.

Cost: it runs on every request, on the event loop (no lock, no I/O): a SHA-256 of the credential,
two dict lookups and a few float operations. The buckets live in this process; the table is pruned
of buckets that have filled up again when it grows large.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from gpid_node.api.middleware import send_json
from gpid_node.api.problems import PROBLEMS, RateLimited, problem_body

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/ui/static/ui.css"})
CONSOLE_PREFIX = "/ui/"
SESSION_COOKIE = b"gpid_ui_session="  # gpid_node.api.ui.sessions.SESSION_COOKIE, as it appears in a Cookie header
MAX_BUCKETS = 100_000
MAX_KNOWN = 100_000

Identity = tuple[bool, str]  # (writes?, "k:<key id>" or "a:<client address>")
PageRenderer = Callable[[Scope, Receive, Send, int], Awaitable[None]]


# ---------------------------------------------------------------------- the arithmetic (pure)


@dataclass(frozen=True)
class Rate:
    """``per_s`` tokens a second up to ``burst``; a rate of 0 means no limit."""

    per_s: float
    burst: int

    @property
    def limited(self) -> bool:
        return self.per_s > 0


class Bucket:
    """Tokens left at ``stamp`` (the clock's reading when they were last counted)."""

    __slots__ = ("stamp", "tokens")

    def __init__(self, tokens: float, stamp: float) -> None:
        self.tokens = tokens
        self.stamp = stamp


def take(bucket: Bucket, rate: Rate, now: float) -> float:
    """Takes one token and returns 0.0, or takes none and returns the seconds until one is there."""
    tokens = min(float(rate.burst), bucket.tokens + max(0.0, now - bucket.stamp) * rate.per_s)
    bucket.stamp = now
    if tokens >= 1.0:
        bucket.tokens = tokens - 1.0
        return 0.0
    bucket.tokens = tokens
    return (1.0 - tokens) / rate.per_s


def is_full(bucket: Bucket, rate: Rate, now: float) -> bool:
    """A full bucket is the same as none: it can be dropped and made afresh."""
    return bucket.tokens + max(0.0, now - bucket.stamp) * rate.per_s >= rate.burst


def retry_after_s(wait_s: float) -> int:
    """``Retry-After`` in whole seconds, rounded up: a client that waits that long gets a token."""
    return max(1, math.ceil(wait_s))


# ---------------------------------------------------------------------- the table of one process


class RateLimits:
    """The buckets and the credentials seen authenticating, of one API process.

    Only the event loop touches them (the middleware never awaits between reading and writing a
    bucket), so there is no lock. ``clock`` is injectable: tests move time by hand.
    """

    def __init__(self, reads: Rate, writes: Rate, clock: Callable[[], float] = time.monotonic,
                 max_buckets: int = MAX_BUCKETS) -> None:  # fmt: skip
        self.reads = reads
        self.writes = writes
        self.clock = clock
        self.max_buckets = max_buckets
        self._buckets: dict[Identity, Bucket] = {}
        self._known: dict[bytes, str] = {}  # SHA-256 of a credential → the key id it authenticated as

    def rate(self, writes: bool) -> Rate:
        return self.writes if writes else self.reads

    def key_id_of(self, credential: bytes) -> str | None:
        return self._known.get(credential)

    def learn(self, credential: bytes, key_id: str | None) -> None:
        """After a request: remember the key a credential proved to be, or forget one that proved nothing."""
        if key_id is None:
            self._known.pop(credential, None)
            return
        if len(self._known) >= MAX_KNOWN:  # only by churn of revoked keys or ended sessions: learn again
            self._known.clear()
        self._known[credential] = key_id

    def charge(self, identity: Identity) -> float:
        """Takes a token of ``identity``'s bucket: 0.0, or the seconds to wait (nothing taken)."""
        rate = self.rate(identity[0])
        now = self.clock()
        bucket = self._buckets.get(identity)
        if bucket is None:
            if len(self._buckets) >= self.max_buckets:
                self._prune(now)
            bucket = self._buckets[identity] = Bucket(float(rate.burst), now)
        return take(bucket, rate, now)

    def _prune(self, now: float) -> None:
        """Drops the buckets that have filled up again; if too many are still draining (many addresses
        at once), the older half: their owners start again with a full bucket."""
        for identity in [i for i, b in self._buckets.items() if is_full(b, self.rate(i[0]), now)]:
            del self._buckets[identity]
        if len(self._buckets) >= self.max_buckets // 2:
            for identity in list(self._buckets)[: len(self._buckets) // 2]:
                del self._buckets[identity]

    def __len__(self) -> int:
        return len(self._buckets)


def credential_of(scope: Scope) -> bytes | None:
    """The SHA-256 of the request's bearer token, or of its console session cookie under /ui."""
    authorization = cookie = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            authorization = value
        elif name == b"cookie":
            cookie = value
    if authorization is not None and authorization[:7].lower() == b"bearer ":
        token = authorization[7:].strip()
        return hashlib.sha256(token).digest() if token else None
    if cookie is not None and scope["path"].startswith(CONSOLE_PREFIX):
        start = cookie.find(SESSION_COOKIE)
        if start >= 0 and (start == 0 or cookie[start - 1 : start] in (b" ", b";")):
            session = cookie[start + len(SESSION_COOKIE) :].split(b";", 1)[0].strip()
            return hashlib.sha256(b"ui:" + session).digest() if session else None
    return None


class RateLimit:
    """The middleware (outside the body limit and idempotency, inside CORS and the access log)."""

    def __init__(self, app: ASGIApp, limits: RateLimits, console_page: PageRenderer | None = None) -> None:
        self.app = app
        self.limits = limits
        self.console_page = console_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        writes = scope["method"] not in READ_METHODS
        if not self.limits.rate(writes).limited:
            await self.app(scope, receive, send)
            return
        credential = credential_of(scope)
        key_id = self.limits.key_id_of(credential) if credential is not None else None
        if key_id is not None:
            identity = (writes, "k:" + key_id)
        else:
            client = scope.get("client")
            identity = (writes, "a:" + (client[0] if client else "-"))
        wait = self.limits.charge(identity)
        if wait:
            await self._refuse(scope, receive, send, retry_after_s(wait), writes)
            return
        await self.app(scope, receive, send)
        if credential is not None:
            proven = scope.get("state", {}).get("key_id")
            if proven != key_id:
                self.limits.learn(credential, proven)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, retry_after: int, writes: bool) -> None:
        if self.console_page is not None and scope["path"].startswith(CONSOLE_PREFIX):
            await self.console_page(scope, receive, send, retry_after)
            return
        refusal = RateLimited(retry_after, writes)
        kind = PROBLEMS[RateLimited]
        body = problem_body(kind, refusal.message, scope["path"], scope.get("state", {}).get("request_id"),
                            retry_after_s=retry_after)  # fmt: skip
        await send_json(send, kind.status, body, refusal.headers.items())
