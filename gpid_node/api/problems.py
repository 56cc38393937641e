"""Every refusal as an RFC 9457 problem (``application/problem+json``), from one table.

:data:`PROBLEMS` maps each exception class the API can meet to one status, one problem type URI
and one title: the node's own exception tree (:mod:`gpid_node.domain.errors`, every class listed,
a test keeps it so) and the few refusals that exist only at the HTTP edge (no or a revoked API
key, a body too large or not JSON, a reused ``Idempotency-Key``). The handlers below turn an
exception into its problem; nothing else in ``api/`` builds an error answer by hand.

A problem always has ``type``, ``title``, ``status``, ``detail`` (what went wrong and what to do
next) and ``instance`` (the request path); extension members carry the evidence:
``errors: [{"path", "message"}]`` for field problems, ``gpid`` for an invoice already registered,
``request_id`` to find the request in the node's logs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from gpid_node.domain import errors as e
from gpid_node.domain.errors import field_path as domain_field_path

log = structlog.get_logger("gpid.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
_HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
PROBLEM_BASE = "https://gpid.dev/problems/"


# ---------------------------------------------------------------------- refusals of the HTTP edge


class ApiRefusal(Exception):
    """A refusal that exists only at the HTTP edge (the node's services never raise these)."""

    def __init__(self, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})


class Unauthenticated(ApiRefusal):
    """No API key, or one that is malformed, unknown or revoked."""

    def __init__(self, message: str) -> None:
        super().__init__(message, {"WWW-Authenticate": 'Bearer realm="gpid"'})


class BodyTooLarge(ApiRefusal):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"the request body is larger than {limit} bytes, the most this node accepts")


class UnsupportedMediaType(ApiRefusal):
    def __init__(self, given: str | None, accepted: str = "JSON sent as Content-Type: application/json") -> None:
        super().__init__(f"the body must be {accepted}, not {given or 'no content type'}")


class MalformedJSON(ApiRefusal):
    """The body is not JSON at all (as opposed to JSON that fails validation: 422)."""


class IdempotencyKeyReused(ApiRefusal):
    def __init__(self, key: str) -> None:
        super().__init__(
            f"Idempotency-Key {key!r} was used before for a different request (method, path or body); "
            "use a new key for a new request"
        )


class IdempotencyKeyInProgress(ApiRefusal):
    def __init__(self, key: str) -> None:
        super().__init__(
            f"a request with Idempotency-Key {key!r} is still being processed; retry it once that one has answered",
            {"Retry-After": "1"},
        )


class RateLimited(ApiRefusal):
    """More requests than the node's rate limit allows an API key (or a client address without one)."""

    def __init__(self, retry_after_s: int, writes: bool) -> None:
        self.retry_after_s = retry_after_s
        kind = "writes" if writes else "reads"
        super().__init__(
            f"too many {kind} from this API key (or, without a valid key, from this address): "
            f"retry after {retry_after_s} s; the node's operator sets the limits",
            {"Retry-After": str(retry_after_s)},
        )


# ---------------------------------------------------------------------- the table


@dataclass(frozen=True)
class ProblemType:
    status: int
    slug: str
    title: str

    @property
    def uri(self) -> str:
        return PROBLEM_BASE + self.slug


PROBLEMS: dict[type[Exception], ProblemType] = {
    # the node's exception tree (gpid_node.domain.errors), every class
    e.GPIDError: ProblemType(500, "node-error", "The node could not complete the request"),
    e.ValidationFailed: ProblemType(422, "validation-failed", "The request is not valid"),
    e.InvalidGPID: ProblemType(400, "invalid-gpid", "This is not a valid GPID"),
    e.InvalidDisclosure: ProblemType(422, "invalid-disclosure", "The disclosure does not prove its fields"),
    e.EInvoiceRefused: ProblemType(422, "einvoice-refused", "The e-invoice cannot be read"),
    e.NotFound: ProblemType(404, "not-found", "Not found"),
    e.UnknownGPID: ProblemType(404, "unknown-gpid", "No key data set with this GPID is visible to you"),
    e.UnknownDeclaration: ProblemType(404, "unknown-declaration", "No such declaration is known"),
    e.PermissionDenied: ProblemType(403, "permission-denied", "You may not do this"),
    e.TraderNotBound: ProblemType(403, "trader-not-bound", "Your account is not bound to a trader ID"),
    e.NotAuthorisedAuthor: ProblemType(403, "not-authorised-author", "You may not amend this key data set"),
    e.NotAuthorisedLinker: ProblemType(403, "not-authorised-linker", "You may not link declarations to this GPID"),
    e.Conflict: ProblemType(409, "conflict", "The request conflicts with the registry"),
    e.InvoiceAlreadyRegistered: ProblemType(409, "invoice-already-registered", "This invoice is already registered"),
    e.DeclarationAlreadyLinked: ProblemType(409, "declaration-already-linked", "The declaration already references this GPID"),
    e.SectionImmutable: ProblemType(422, "section-immutable", "These fields never change"),
    e.NothingChanged: ProblemType(409, "nothing-changed", "The amendment changes nothing"),
    e.CommitmentsMismatch: ProblemType(409, "commitments-mismatch", "The key data set was amended meanwhile"),
    e.TooManyVersions: ProblemType(409, "too-many-versions", "This key data set has reached its limit of versions"),
    e.TooManyLinks: ProblemType(409, "too-many-links", "This GPID has reached its limit of declaration links"),
    e.NoEncryptionKey: ProblemType(422, "no-encryption-key", "The account has no encryption key on chain"),
    e.WrongKeyId: ProblemType(422, "wrong-key-id", "The key was wrapped for another encryption key"),
    e.NotGranted: ProblemType(404, "not-granted", "The account holds no grant for this GPID"),
    e.NotSeller: ProblemType(403, "not-seller", "Only the seller's current account may do this"),
    e.NotBuyer: ProblemType(403, "not-buyer", "You did not prove you are the buyer"),
    e.NotParty: ProblemType(403, "not-party", "Only the seller and the buyer of this GPID may do this"),
    e.DeclarationNotLinked: ProblemType(403, "declaration-not-linked", "The declaration is not linked to this GPID"),
    e.AlreadyGranted: ProblemType(409, "already-granted", "The account holds a grant for this GPID already"),
    e.WrongFormat: ProblemType(409, "wrong-format", "This needs an encrypted (format 2) key data set"),
    e.ChainUnavailable: ProblemType(503, "chain-unavailable", "The chain cannot be reached"),
    e.StoreUnavailable: ProblemType(503, "store-unavailable", "The index database cannot be reached"),
    e.ChainRejected: ProblemType(422, "chain-rejected", "The registry refused the transaction"),
    # refusals of the HTTP edge
    Unauthenticated: ProblemType(401, "unauthenticated", "An API key is required"),
    BodyTooLarge: ProblemType(413, "body-too-large", "The request body is too large"),
    UnsupportedMediaType: ProblemType(415, "unsupported-media-type", "The body must be JSON"),
    MalformedJSON: ProblemType(400, "malformed-json", "The body is not valid JSON"),
    IdempotencyKeyReused: ProblemType(422, "idempotency-key-reused", "This Idempotency-Key belongs to another request"),
    IdempotencyKeyInProgress: ProblemType(409, "idempotency-key-in-progress", "The first request with this Idempotency-Key is still running"),
    RateLimited: ProblemType(429, "rate-limited", "Too many requests"),
    RequestValidationError: ProblemType(422, "validation-failed", "The request is not valid"),
    Exception: ProblemType(500, "internal-error", "Internal error"),
}  # fmt: skip

# Statuses the routing layer answers by itself (unknown route, method not allowed, ...).
HTTP_STATUS_PROBLEMS: dict[int, ProblemType] = {
    400: ProblemType(400, "bad-request", "Bad request"),
    404: ProblemType(404, "no-such-route", "No such route"),
    405: ProblemType(405, "method-not-allowed", "Method not allowed"),
    406: ProblemType(406, "not-acceptable", "Not acceptable"),
    413: PROBLEMS[BodyTooLarge],
    415: PROBLEMS[UnsupportedMediaType],
}


# Any other status the routing layer answers (its slug is fixed, so that the type is documented).
HTTP_ERROR = ProblemType(400, "http-error", "The request cannot be answered")


def problem_type_of(exc: BaseException) -> ProblemType:
    """The table entry of the exception's class, or of its nearest listed ancestor."""
    for cls in type(exc).__mro__:
        if cls in PROBLEMS:
            return PROBLEMS[cls]
    return PROBLEMS[Exception]


# ---------------------------------------------------------------------- building answers


def _request_id(request: Request | None) -> str | None:
    if request is None:
        return None
    return request.scope.get("state", {}).get("request_id")


def problem_body(
    kind: ProblemType, detail: str, instance: str | None = None, request_id: str | None = None, **members: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": kind.uri, "title": kind.title, "status": kind.status, "detail": detail}
    if instance is not None:
        body["instance"] = instance
    if request_id is not None:
        body["request_id"] = request_id
    body.update({k: v for k, v in members.items() if v is not None and k not in body})
    return body


def problem_response(
    kind: ProblemType,
    detail: str,
    request: Request | None = None,
    headers: Mapping[str, str] | None = None,
    **members: Any,
) -> JSONResponse:
    instance = request.url.path if request is not None else None
    body = problem_body(kind, detail, instance, _request_id(request), **members)
    return JSONResponse(body, status_code=kind.status, headers=dict(headers or {}), media_type=PROBLEM_MEDIA_TYPE)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | bool) or (isinstance(value, float) and math.isfinite(value))


def _members_of(exc: e.GPIDError) -> dict[str, Any]:
    """The evidence an error carries, as extension members (``gpid``, ``country``, ``reference``...)."""
    members = {k: v for k, v in exc.details.items() if _scalar(v)}
    if isinstance(exc, e.InvoiceAlreadyRegistered):
        members["gpid"] = exc.gpid
    if isinstance(exc, e.ChainRejected):
        members["error"] = exc.error_name
    if isinstance(exc, e.SectionImmutable):
        # Only amendments touch sections: the fields are named where the request put them.
        fields = getattr(exc, "fields", None) or []
        members.pop("fields", None)
        members["errors"] = [
            {"path": f"changes.{f}", "message": "this field never changes after registration; remove it from the changes"}
            for f in fields
        ]
    elif isinstance(exc, e.ValidationFailed):
        members["errors"] = [p.as_dict() for p in exc.problems]
    return members


def field_path(loc: Iterable[Any]) -> str:
    """A FastAPI error location as a field path: ``("body", "goods", 0, "hs_code")`` → ``goods[0].hs_code``."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return domain_field_path(parts)


# ---------------------------------------------------------------------- handlers


async def _gpid_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, e.GPIDError)
    kind = problem_type_of(exc)
    headers = {}
    retry_after = getattr(exc, "retry_after_s", None)
    if retry_after is not None:
        headers["Retry-After"] = str(int(retry_after))
    if kind.status >= 500:
        log.warning("api.refused", problem=kind.slug, detail=exc.message)
    return problem_response(kind, exc.message, request, headers, **_members_of(exc))


async def _api_refusal(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiRefusal)
    return problem_response(problem_type_of(exc), exc.message, request, exc.headers)


async def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    invalid_json = [err for err in errors if err.get("type") == "json_invalid"]
    if invalid_json:
        err = invalid_json[0]
        where = err["loc"][-1] if err.get("loc") else "?"
        reason = (err.get("ctx") or {}).get("error", "JSON decode error")
        return problem_response(
            PROBLEMS[MalformedJSON], f"the body is not valid JSON: {reason} at character {where}", request
        )
    problems = [{"path": field_path(err.get("loc", ())), "message": str(err.get("msg", "invalid"))} for err in errors]
    summary = "; ".join(f"{p['path'] or '(body)'}: {p['message']}" for p in problems[:5])
    return problem_response(
        PROBLEMS[RequestValidationError], f"{len(problems)} problem(s): {summary}", request, errors=problems
    )


def _allowed_methods(request: Request) -> str | None:
    """Every method the published API answers at this path (starlette names only the first route's)."""
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, request.url.path):
            methods |= {m.upper() for m in operations if m.upper() in _HTTP_METHODS}
    return ", ".join(sorted(methods)) or None


async def _http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    kind = HTTP_STATUS_PROBLEMS.get(exc.status_code) or ProblemType(exc.status_code, HTTP_ERROR.slug, HTTP_ERROR.title)
    detail = str(exc.detail)
    headers = dict(exc.headers or {})
    if exc.status_code == 404:
        detail = f"no route {request.method} {request.url.path}; the API is described at /openapi.json"
    elif exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "GET")
        detail = f"{request.url.path} does not answer {request.method}; it answers {headers['Allow']}"
    return problem_response(kind, detail, request, headers)


def unexpected_problem(request_id: str | None, path: str | None) -> dict[str, Any]:
    """The body of a 500 answer: no internals, only where to look."""
    return problem_body(
        PROBLEMS[Exception],
        "the node failed while answering this request; nothing about it is shown here, "
        "the operator finds it in the node's log under the request id",
        path,
        request_id,
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("api.unexpected_error", path=request.url.path, exc_info=exc)
    body = unexpected_problem(_request_id(request), request.url.path)
    return JSONResponse(body, status_code=500, media_type=PROBLEM_MEDIA_TYPE)


def install(app: FastAPI) -> None:
    """Registers the handlers that turn every exception into its problem."""
    app.add_exception_handler(e.GPIDError, _gpid_error)
    app.add_exception_handler(ApiRefusal, _api_refusal)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(Exception, _unexpected)


# ---------------------------------------------------------------------- OpenAPI


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each status answered with a problem (the Problem schema)."""
    descriptions = {
        400: "the request is malformed (a GPID with a wrong check character, a body that is not JSON)",
        401: "no API key, or an unknown or revoked one",
        403: "your role or account may not do this",
        404: "not found, or not visible to you",
        409: "conflicts with the registry's state, or the first request with this Idempotency-Key is still running",
        413: "the body is too large",
        415: "the body is not sent as application/json",
        422: "the request is invalid: `errors` lists every problem with its field path",
        429: "more requests than the node's rate limit allows this API key (or address, without one): "
        "nothing was done; retry after `Retry-After` seconds",
        500: "the node failed; see its log under the request id",
        503: "the chain or the index database cannot be reached: retry after `Retry-After` seconds",
    }
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {
            "description": descriptions.get(status, "a problem"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        if status in (429, 503):
            entry["headers"] = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "string"}}}
        if status == 401:
            entry["headers"] = {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}}
        out[status] = entry
    return out


# ---------------------------------------------------------------------- documentation of the types

# What each problem type means and what to do about it: served at the path of its ``type`` URI
# (``GET /problems/{slug}``, :mod:`gpid_node.api.routes.problem_types`); a test checks every type
# the node can emit is here.
DESCRIPTIONS: dict[str, str] = {
    "node-error": "The node refused the request for a reason it has no more specific type for. `detail` says what went wrong.",
    "validation-failed": "The request (a key data set, an amendment, a query) is not valid. `errors` lists every problem at "
    "once, each with its field `path` and a `message` saying what is accepted; fix them all and send the request again. "
    "Nothing was written.",
    "invalid-gpid": "The text given as a GPID cannot be decoded: wrong length, a character outside the alphabet or a check "
    "character that does not match (a typing mistake). Copy the GPID from the invoice or its QR code again.",
    "invalid-disclosure": "The disclosure document does not prove its fields: it is malformed, was altered, or was made for "
    "other commitments than the ones on chain. Ask its issuer for a fresh disclosure.",
    "einvoice-refused": "The e-invoice cannot be read safely: too large or too deep, a DOCTYPE or entity, no invoice inside "
    "the PDF, or mandatory terms missing. `detail` names the reason; send the document your ERP produced, unaltered.",
    "not-found": "What you named does not exist, or you may not see it (the node answers 404 rather than 403 so that its "
    "existence does not leak).",
    "unknown-gpid": "No key data set with this GPID is visible to you: it does not exist, is not indexed yet, or your role "
    "may not read it. A seller's fresh registration is visible once mined; others need a grant or a mandate.",
    "unknown-declaration": "No declaration with this country and reference is known to the node. Link it first "
    "(POST /v1/declarations).",
    "not-granted": "The account holds no grant for this GPID, so there is nothing to revoke.",
    "permission-denied": "Your role or account may not do this. `detail` says who may.",
    "trader-not-bound": "Your account is not bound to a trader ID on chain (never onboarded, or unbound). Ask the consortium "
    "operator to bind it.",
    "not-authorised-author": "Only an account bound to the seller's trader ID may amend this key data set.",
    "not-authorised-linker": "You may not link declarations to this GPID: only its seller, its buyer, or an agent holding a "
    "grant for it or a standing mandate from its seller. `detail` says what would give the right.",
    "not-seller": "Only the seller's current account may do this (grant, revoke).",
    "not-buyer": "You did not prove you are the buyer of this GPID: the buyer commitment does not open to your trader ID.",
    "not-party": "Only the seller and the buyer of this GPID may do this.",
    "declaration-not-linked": "Customs records outcomes only for declarations of its own country that are linked to this "
    "GPID. Link the declaration first, or check the country.",
    "conflict": "The request contradicts the state of the registry. `detail` says how.",
    "invoice-already-registered": "This invoice (your trader ID and this invoice number) already has a key data set: "
    "`gpid` names it. Amend that one instead of registering again.",
    "declaration-already-linked": "This declaration already references this GPID; each link is made once.",
    "section-immutable": "The seller trader ID, the invoice number and the invoice date never change after registration. "
    "`errors` names the fields; remove them from `changes`.",
    "nothing-changed": "The amendment changes nothing: every value in `changes` equals the current version's.",
    "commitments-mismatch": "The key data set was amended by someone else meanwhile. Read the current version and amend "
    "that one.",
    "too-many-versions": "This key data set has reached the registry's limit of versions; it cannot be amended any more.",
    "too-many-links": "This GPID has reached the registry's limit of declaration links.",
    "no-encryption-key": "The account has published no encryption key on chain, so nothing can be shared with it. Ask its "
    "owner to publish one (onboarding does).",
    "wrong-key-id": "The key was wrapped for another encryption key than the account's current one. Retry: the node wraps "
    "for the current key.",
    "already-granted": "The account holds a grant for this GPID already.",
    "wrong-format": "This needs an encrypted (format 2) key data set; this GPID was registered in plaintext (format 1).",
    "chain-unavailable": "The chain cannot be reached. Nothing was sent; retry after `Retry-After` seconds. Reads keep "
    "working from the index.",
    "store-unavailable": "The node's index database cannot be reached. Retry after `Retry-After` seconds.",
    "chain-rejected": "The registry contract refused the transaction; `error` names the contract's error and `detail` its "
    "arguments.",
    "unauthenticated": "No API key, or one that is malformed, unknown or revoked. Send "
    "`Authorization: Bearer gpid_<key id>.<secret>`.",
    "body-too-large": "The request body is larger than this node accepts (the operator sets the limit). Nothing was read.",
    "unsupported-media-type": "The body is sent with a content type this operation does not accept; `detail` names the "
    "accepted ones (JSON as `application/json`).",
    "malformed-json": "The body is not valid JSON (or JSON the node refuses: nested too deeply, not UTF-8, NaN, a member "
    "name twice). `detail` says where.",
    "idempotency-key-reused": "This Idempotency-Key was used before for a different request (method, path or body). Use a "
    "new key for a new request.",
    "idempotency-key-in-progress": "The first request with this Idempotency-Key is still being processed. Retry once it "
    "has answered (`Retry-After`).",
    "rate-limited": "More requests than the node's rate limit allows this API key (or this address, without one). Nothing "
    "was done; retry after `Retry-After` seconds.",
    "internal-error": "The node failed while answering. Nothing about it is shown; the operator finds it in the node's log "
    "under `request_id`.",
    "bad-request": "The HTTP request is malformed.",
    "no-such-route": "No operation answers this path; the API is described at /openapi.json.",
    "method-not-allowed": "This path does not answer this method; `Allow` lists the ones it answers.",
    "not-acceptable": "The node cannot answer in any of the media types your `Accept` header names.",
    "http-error": "The HTTP layer refused the request; `status` and `detail` say why.",
}


@dataclass(frozen=True)
class ProblemDoc:
    """One documented problem type: its slug (the last part of its ``type`` URI), title, status(es) and meaning."""

    slug: str
    uri: str
    title: str
    statuses: tuple[int, ...]
    description: str


def problem_types() -> list[ProblemDoc]:
    """Every problem type the node can emit, once each, in the order of the table."""
    emitted: dict[str, tuple[str, set[int]]] = {}
    for kind in [*PROBLEMS.values(), *HTTP_STATUS_PROBLEMS.values(), HTTP_ERROR]:
        emitted.setdefault(kind.slug, (kind.title, set()))[1].add(kind.status)
    return [ProblemDoc(slug, PROBLEM_BASE + slug, title, tuple(sorted(statuses)), DESCRIPTIONS.get(slug, title))
            for slug, (title, statuses) in emitted.items()]  # fmt: skip
