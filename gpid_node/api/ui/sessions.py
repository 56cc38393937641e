"""Server-side sessions of the audit console, its cookies and its CSRF tokens.

Signing in exchanges an API key for a random session id: the browser keeps only the id, in an
``HttpOnly``, ``SameSite=Strict`` cookie scoped to ``/ui`` (``Secure`` when the request came over
https); the key stays in the node's memory and is authenticated again on every request, so a key
revoked with ``gpid-node keys revoke`` ends its sessions at once. A session ends after
:data:`IDLE_TIMEOUT_S` without a request, after :data:`MAX_AGE_S` in any case, on sign-out, and when
the node restarts (sign in again).

Every form POST carries a token: the session's own CSRF token once signed in (synchronizer
token), and before that a double-submit token (the same random value in a cookie and in the
form). A POST whose ``Origin`` names another host is refused as well.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field

SESSION_COOKIE = "gpid_ui_session"
SIGN_IN_CSRF_COOKIE = "gpid_ui_csrf"
COOKIE_PATH = "/ui"
IDLE_TIMEOUT_S = 2 * 3600
MAX_AGE_S = 12 * 3600
MAX_SESSIONS = 10_000


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison of two tokens; False when either is missing."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


@dataclass
class ConsoleSession:
    """One signed-in browser: the API key it signed in with and its CSRF token."""

    api_key: str
    csrf: str = field(default_factory=new_token)
    created: float = field(default_factory=time.monotonic)
    seen: float = field(default_factory=time.monotonic)

    def expired(self, now: float) -> bool:
        return now - self.seen > IDLE_TIMEOUT_S or now - self.created > MAX_AGE_S


class SessionStore:
    """Sessions in memory, keyed by a hash of their id (the id itself is only in the cookie)."""

    def __init__(self, max_sessions: int = MAX_SESSIONS) -> None:
        self._sessions: dict[str, ConsoleSession] = {}
        self._lock = threading.Lock()
        self._max = max_sessions

    def create(self, api_key: str) -> tuple[str, ConsoleSession]:
        session_id = new_token()
        session = ConsoleSession(api_key)
        with self._lock:
            self._sweep(time.monotonic())
            while len(self._sessions) >= self._max:  # the oldest session makes room
                oldest = min(self._sessions, key=lambda k: self._sessions[k].seen)
                del self._sessions[oldest]
            self._sessions[_key(session_id)] = session
        return session_id, session

    def get(self, session_id: str | None) -> ConsoleSession | None:
        if not session_id:
            return None
        now = time.monotonic()
        with self._lock:
            session = self._sessions.get(_key(session_id))
            if session is None:
                return None
            if session.expired(now):
                del self._sessions[_key(session_id)]
                return None
            session.seen = now
            return session

    def end(self, session_id: str | None) -> None:
        if session_id:
            with self._lock:
                self._sessions.pop(_key(session_id), None)

    def _sweep(self, now: float) -> None:
        for key in [k for k, s in self._sessions.items() if s.expired(now)]:
            del self._sessions[key]

    def __len__(self) -> int:
        return len(self._sessions)
