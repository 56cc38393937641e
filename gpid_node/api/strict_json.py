"""JSON bodies as the node accepts them, checked once at the edge before any other parser sees them.

A body sent as JSON must be UTF-8, nest arrays and objects at most :data:`MAX_DEPTH` levels deep,
use no ``NaN``/``Infinity`` literals (they are not JSON), name no member twice in one object, and
write no integer of more than 4300 digits. :func:`refusal` says what is wrong, or None.

Why at the edge and not in each parser: the routes read bodies in two ways (FastAPI's
``request.json()`` for the pydantic bodies, :func:`gpid_node.api.deps.raw_json` for key data sets),
both with the standard library's recursive C parser. py_ecc (imported through eth-account) raises
the process's recursion limit to 100,000, so a body of ~100 KB of ``[`` overflowed the C stack and
killed the node (SIGSEGV) instead of raising RecursionError. A body that could nest that deep is
therefore first read by pydantic-core's parser (Rust, C speed, no stack risk: it stops at
:data:`MAX_DEPTH` levels). Duplicate member names were taken last-wins, so what a client signed,
logged or displayed could differ from what the node registered; they are refused.
"""

from __future__ import annotations

import json
from typing import Any

import pydantic_core

MAX_DEPTH = 200  # pydantic-core's recursion limit; a key data set needs 3 levels, an amendment 5


class _Refused(ValueError):
    pass


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    for name, _ in pairs:
        if name in seen:
            raise _Refused(f"the member name {name!r} appears twice in one object; send each member once")
        seen.add(name)
    return dict(pairs)


def _no_constants(name: str) -> Any:
    raise _Refused(f"{name} is not JSON; send numbers as finite decimals")


def refusal(body: bytes) -> str | None:
    """Why ``body`` (sent as JSON) is refused, or None when the routes' parsers may read it."""
    if not body.strip():
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"the body is not UTF-8: byte {exc.start} is 0x{body[exc.start]:02x}"
    if body.count(b"[") + body.count(b"{") > MAX_DEPTH:  # could nest deeper than the C parser may follow
        try:
            pydantic_core.from_json(body, allow_inf_nan=False)
        except ValueError as exc:
            if "recursion limit" in str(exc):
                return f"arrays and objects are nested more than {MAX_DEPTH} levels deep"
            return str(exc)
    try:
        json.loads(text, object_pairs_hook=_unique_members, parse_constant=_no_constants)
    except _Refused as exc:
        return str(exc)
    except json.JSONDecodeError as exc:
        return f"{exc.msg} (line {exc.lineno}, column {exc.colno})"
    except ValueError as exc:  # an integer beyond Python's 4300-digit conversion limit
        return "a number has more than 4300 digits" if "digits" in str(exc) else str(exc)
    except RecursionError:  # pragma: no cover - the depth check above comes first
        return f"arrays and objects are nested more than {MAX_DEPTH} levels deep"
    return None


def is_json_media_type(content_type: str | None) -> bool:
    """application/json or any application/*+json (what the routes parse as JSON)."""
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))
