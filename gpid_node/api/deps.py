"""What routes depend on, as ``Annotated`` aliases: the node, the settings, the caller, the body.

``create_app`` keeps the node and the settings in ``app.state``; nothing here is global.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from gpid_node.api.middleware import is_json_media_type
from gpid_node.api.problems import MalformedJSON, Unauthenticated, UnsupportedMediaType
from gpid_node.domain.access import Principal
from gpid_node.domain.errors import FieldProblem, ValidationFailed
from gpid_node.services.credentials import authenticate
from gpid_node.services.node import Node
from gpid_node.settings import Settings

# Dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency in the
# thread pool, and each such hop costs a thread hand-off and the GIL twice per request.


async def get_node(request: Request) -> Node:
    return request.app.state.node  # type: ignore[no-any-return]


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


NodeDep = Annotated[Node, Depends(get_node)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key (`gpid_<key id>.<secret>`) bound to a role and an account: "
    "`Authorization: Bearer <key>`. `gpid-node keys create` makes one; dev mode lists the demo keys "
    "in `<data dir>/dev-credentials.json`.",
)


def _authenticate(node: Node, token: str) -> Principal | None:
    with node.store.connection() as connection:
        return authenticate(connection, token)


async def current_principal(
    request: Request,
    node: NodeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller, from its bearer token; 401 when the token is missing, malformed, unknown or revoked.

    The key is read on every request, so a revoked key is refused at once. A SQLite read of its one
    row costs about what the hop to a worker thread costs and never waits for a writer (WAL): it is
    made on the event loop. A database server is read from a worker thread.
    """
    if credentials is None:
        raise Unauthenticated("send your API key as `Authorization: Bearer <key>`")
    token = credentials.credentials
    if node.store.is_local_file:
        principal = _authenticate(node, token)
    else:
        principal = await run_in_threadpool(_authenticate, node, token)
    if principal is None:
        raise Unauthenticated("this API key is unknown or revoked: ask the node's operator for a valid key")
    request.state.key_id = principal.key_id  # named in the access log (the key id is public)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def require_json(request: Request, principal: CurrentPrincipal) -> Principal:
    """For a route with a JSON body: 415 when the body is sent as anything but JSON (after the 401 check)."""
    if not is_json_media_type(request.headers.get("content-type")):
        raise UnsupportedMediaType(request.headers.get("content-type"))
    return principal


JsonCaller = Annotated[Principal, Depends(require_json)]


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


async def raw_json(request: Request, principal: JsonCaller) -> Any:
    """The body parsed as JSON, numbers with a fraction as exact decimals (never floats)."""
    body = await request.body()
    if not body.strip():
        return None
    try:
        return json.loads(body, parse_float=Decimal, parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        message = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise MalformedJSON(f"the body is not valid JSON: {message}{where}") from None


RawJson = Annotated[Any, Depends(raw_json)]


# ---------------------------------------------------------------------- e-invoices and CSV bodies

EINVOICE_MEDIA_TYPES = ("application/xml", "text/xml", "application/pdf")
EINVOICE_ACCEPTED = "an e-invoice: application/xml or text/xml (UBL 2.1, UN/CEFACT CII) or application/pdf (Factur-X/ZUGFeRD)"


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type header, lower case, without its parameters."""
    return (content_type or "").split(";", 1)[0].strip().lower()


@dataclass(frozen=True)
class Document:
    """A body that is a document, not JSON: its bytes and media type."""

    content: bytes
    media_type: str


async def _document(request: Request, accepted: tuple[str, ...], accepted_text: str) -> Document:
    given = request.headers.get("content-type")
    if media_type(given) not in accepted:
        raise UnsupportedMediaType(given, accepted_text)
    body = await request.body()
    if not body.strip():
        raise ValidationFailed([FieldProblem("body", f"the body is empty: send {accepted_text}")])
    return Document(body, media_type(given))


async def einvoice_body(request: Request, principal: CurrentPrincipal) -> Document:
    """An e-invoice body (415 for any other media type, after the 401 check)."""
    return await _document(request, EINVOICE_MEDIA_TYPES, EINVOICE_ACCEPTED)


EInvoiceBody = Annotated[Document, Depends(einvoice_body)]


async def key_data_set_body(request: Request, principal: CurrentPrincipal) -> Any:
    """A key data set as JSON (parsed as :func:`raw_json` does), or an e-invoice to derive it from (a :class:`Document`)."""
    given = request.headers.get("content-type")
    if media_type(given) in EINVOICE_MEDIA_TYPES:
        return await einvoice_body(request, principal)
    if not is_json_media_type(given):
        raise UnsupportedMediaType(given, f"a key data set as JSON (application/json) or {EINVOICE_ACCEPTED}")
    return await raw_json(request, principal)


KeyDataSetBody = Annotated[Any, Depends(key_data_set_body)]


async def csv_body(request: Request, principal: CurrentPrincipal) -> Document:
    """A CSV file (``text/csv``, UTF-8)."""
    return await _document(request, ("text/csv",), "a CSV file sent as Content-Type: text/csv")


CsvBody = Annotated[Document, Depends(csv_body)]

IDEMPOTENCY_KEY_PATTERN = r"^[!-~]{1,255}$"

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description="Send the same key again (with the same body) to get the first answer again instead of "
        "writing twice. 1 to 255 visible ASCII characters, unique per API key.",
    ),
]
