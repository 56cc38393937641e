"""Secrets out of what the node shows: URLs that carry credentials, and texts that may quote them.

A chain endpoint is often a provider's URL with its key in it (``https://user:pass@host``,
``https://mainnet.infura.io/v3/<32 hex>``, ``https://host/rpc?apikey=...``), and a database URL
carries its password. The node prints such URLs in messages (``gpid-node init``, problem details,
log lines, exceptions), so every place that shows one passes it through :func:`redact_url` first,
and texts that may quote one (an exception from a library, a log line) through
:func:`redact_text`. Pure: no I/O, so the rule is tested once and holds everywhere.

What is hidden, and why:
- the password of ``user:password@`` (the user name stays, as ``postgresql://gpid:***@host/db``
  reads; a user name alone, ``https://<token>@host``, is the token and is hidden);
- every query value (``?apikey=***``): a JSON-RPC endpoint needs no query but a key;
- path segments that look like keys (16+ URL-safe characters with a digit, or 32+ of them: the
  Infura, Alchemy, QuickNode shapes); ``/v3`` stays readable, and so does a database URL's path
  (the database name);
- the fragment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "***"
MIN_SECRET_CHARS = 4  # shorter fragments are not searched for in free text (they would mangle it)

_URL_PARTS = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<authority>[^/?#]*)(?P<path>[^?#]*)(?P<query>\?[^#]*)?(?P<fragment>#.*)?",
    re.DOTALL,
)
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>`]+")
_TOKEN = re.compile(r"[A-Za-z0-9_\-.~%]+")
_PERCENT = re.compile(rb"%([0-9A-Fa-f]{2})")


def _unquote(text: str) -> str:
    """Percent-decoding (as urllib.parse.unquote; the domain imports no urllib)."""
    return _PERCENT.sub(lambda m: bytes([int(m.group(1), 16)]), text.encode("utf-8")).decode("utf-8", "replace")


def _is_key(segment: str) -> bool:
    """Whether a path segment looks like an access key rather than a word of the API's path."""
    if not _TOKEN.fullmatch(segment):
        return False
    return len(segment) >= 32 or (len(segment) >= 16 and any(c.isdigit() for c in segment))


DATABASE_SCHEMES = frozenset({"postgresql", "postgres", "mysql", "mariadb", "sqlite", "oracle", "mssql", "cockroachdb"})


def _key_segments(scheme: str, path: str) -> set[str]:
    """The path segments that look like keys; none in a database URL (``postgresql+psycopg://``), whose path is its name."""
    if scheme.removesuffix("://").partition("+")[0].lower() in DATABASE_SCHEMES:
        return set()
    return {segment for segment in path.split("/") if _is_key(segment)}


def redact_url(url: str) -> str:
    """The URL as it may be shown: credentials, query values, key-like path segments hidden.

    A text that is not a URL (no ``scheme://``) is returned as it is: a file path, a host name.
    """
    match = _URL_PARTS.fullmatch(url)
    if match is None:
        return url
    userinfo, at, host = match["authority"].rpartition("@")
    if at:
        user, colon, _ = userinfo.partition(":")
        userinfo = f"{user}:{REDACTED}" if colon and user else REDACTED
    keys = _key_segments(match["scheme"], match["path"])
    path = "/".join(REDACTED if segment in keys else segment for segment in match["path"].split("/"))
    query = match["query"]
    if query:
        parts = query[1:].split("&")
        query = "?" + "&".join(p.partition("=")[0] + "=" + REDACTED if "=" in p else (REDACTED if p else p) for p in parts)
    fragment = "#" + REDACTED if match["fragment"] else ""
    return f"{match['scheme']}{userinfo}{at}{host}{path}{query or ''}{fragment}"


def url_secrets(url: str | None) -> frozenset[str]:
    """The secret fragments of a URL (password, lone user name, query values, key-like path segments),
    as written and percent-decoded: what must not appear in any text, whatever quotes it."""
    if not url:
        return frozenset()
    match = _URL_PARTS.fullmatch(url)
    if match is None:
        return frozenset()
    found: list[str] = []
    userinfo, at, _ = match["authority"].rpartition("@")
    if at:
        user, colon, password = userinfo.partition(":")
        found.append(password if colon and user else userinfo)
    found += sorted(_key_segments(match["scheme"], match["path"]))
    if match["query"]:
        found += [p.partition("=")[2] or p for p in match["query"][1:].split("&")]
    if match["fragment"]:
        found.append(match["fragment"][1:])
    return frozenset(f for text in found for f in (text, _unquote(text)) if len(f) >= MIN_SECRET_CHARS)


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """A text with every URL in it redacted and every one of ``secrets`` (fragments the caller knows
    to be secret, e.g. from :func:`url_secrets`) replaced, however the text quotes them."""
    if "://" in text:
        text = _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= MIN_SECRET_CHARS and secret in text:
            text = text.replace(secret, REDACTED)
    return text
