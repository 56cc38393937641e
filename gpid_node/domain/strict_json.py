"""JSON text as the node accepts it at every door: REST bodies, console forms, CLI input files, RPC answers.

A JSON text must be UTF-8, nest arrays and objects at most :data:`MAX_DEPTH` levels deep,
use no ``NaN``/``Infinity`` literals (they are not JSON), name no member twice in one object, and
write no integer of more than 4300 digits. :func:`refusal` says what is wrong, or None.

Why before any other parser: the node reads JSON with the standard library's recursive C parser
(FastAPI's ``request.json()``, :func:`parse` below). py_ecc (imported through eth-account) raises
the process's recursion limit to 100,000, so a body of ~100 KB of ``[`` overflowed the C stack and
killed the node (SIGSEGV) instead of raising RecursionError (``gpid_node.chain`` now restores the
limit after that import, see there; this check does not rely on it). A text that could nest that deep is
therefore first read by pydantic-core's parser (Rust, C speed, no stack risk: it stops at
:data:`MAX_DEPTH` levels). Duplicate member names were taken last-wins, so what a client signed,
logged or displayed could differ from what the node registered; they are refused.

The REST facade checks every JSON body with :func:`refusal` in its middleware (before
authentication); the console's pasted declarations, the CLI's input files and the chain
endpoint's answers are read with :func:`parse`, which checks the same and then parses.
"""

from __future__ import annotations

import json
from decimal import Decimal
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


def _read(body: bytes, parse_float: Any = None) -> Any:
    """``body`` parsed, or :class:`_Refused` naming what is wrong (the checks in the module docstring)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Refused(f"the text is not UTF-8: byte {exc.start} is 0x{body[exc.start]:02x}") from None
    if (nul := body.find(b"\0")) >= 0:  # never in JSON text (escaped as \u0000 in strings); UTF-16 is full of them
        raise _Refused(f"the text is not UTF-8 JSON: byte {nul} is a NUL (a file saved as UTF-16?)")
    if body.count(b"[") + body.count(b"{") > MAX_DEPTH:  # could nest deeper than the C parser may follow
        try:
            pydantic_core.from_json(body, allow_inf_nan=False)
        except ValueError as exc:
            if "recursion limit" in str(exc):
                raise _Refused(f"arrays and objects are nested more than {MAX_DEPTH} levels deep") from None
            raise _Refused(str(exc)) from None
    try:
        return json.loads(text, object_pairs_hook=_unique_members, parse_constant=_no_constants, parse_float=parse_float)
    except _Refused:
        raise
    except json.JSONDecodeError as exc:
        raise _Refused(f"{exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except ValueError as exc:  # an integer beyond Python's 4300-digit conversion limit
        raise _Refused("a number has more than 4300 digits" if "digits" in str(exc) else str(exc)) from None
    except RecursionError:  # pragma: no cover - the depth check above comes first
        raise _Refused(f"arrays and objects are nested more than {MAX_DEPTH} levels deep") from None


def refusal(body: bytes) -> str | None:
    """Why ``body`` (sent as JSON) is refused, or None when the routes' parsers may read it."""
    if not body.strip():
        return None
    try:
        _read(body)
    except _Refused as exc:
        return str(exc)
    return None


class MalformedJSON(ValueError):
    """A text :func:`parse` refuses; the message says what is wrong and where."""


def parse(text: str | bytes) -> Any:
    """``text`` parsed after the checks of :func:`refusal` (one pass), fractions as exact decimals.

    Raises :class:`MalformedJSON` naming the problem: never RecursionError, never a crash."""
    body = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if not body.strip():
        raise MalformedJSON("the text is empty")
    try:
        return _read(body, Decimal)
    except _Refused as exc:
        raise MalformedJSON(str(exc)) from None
