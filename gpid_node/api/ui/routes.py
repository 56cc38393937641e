"""/ui: the audit console's pages. Thin like the API's routes: parse, call the node, render.

Every page but sign-in needs a signed-in session (else 303 to ``/ui/sign-in?next=...``). The pages
call the same :class:`~gpid_node.services.node.Node` services as ``/v1`` with the session's principal, so they
show exactly what the API would show that API key, and every refusal of the node becomes a page
with the same status the API would answer (the table in :mod:`gpid_node.api.problems`): an unknown
or invisible GPID is the "not found" page (404), a mistyped GPID the page that says which rule it
breaks (400), invalid input lists every problem with its field path (422), never a 500.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode, urlsplit

import segno
import structlog
from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

from gpid_node.api.deps import NodeDep, SettingsDep
from gpid_node.api.problems import problem_type_of
from gpid_node.api.ui import forms, views
from gpid_node.api.ui.sessions import (
    COOKIE_PATH,
    SESSION_COOKIE,
    SIGN_IN_CSRF_COOKIE,
    ConsoleSession,
    SessionStore,
    new_token,
    same_token,
)
from gpid_node.domain import errors as e
from gpid_node.domain import strict_json
from gpid_node.domain.access import Principal, Role
from gpid_node.domain.gpid import GPID
from gpid_node.domain.times import iso
from gpid_node.services import audit_reports, exports
from gpid_node.services.credentials import authenticate
from gpid_node.services.node import Node
from gpid_node.services.reads import ListQuery

log = structlog.get_logger("gpid.ui")

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STYLESHEET = HERE / "static" / "ui.css"
BASE = "/ui"
# Own stylesheet only: no script at all, inline SVG (the QR code) needs no source.
CONSOLE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
VERIFIERS = frozenset({Role.CUSTOMS, Role.BROKER, Role.OPERATOR})
TRADERS = frozenset({Role.SELLER, Role.BUYER})  # who grants access to a GPID and gives mandates
PAGE_SIZE = 25
_CONSOLES = threading.Lock()


# ---------------------------------------------------------------------- the console of one app


@dataclass
class Console:
    """What the pages share within one app: the sessions and the templates (built on first use)."""

    sessions: SessionStore
    templates: Environment
    stylesheet: str

    @classmethod
    def create(cls) -> Console:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"], default_for_string=True, default=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.globals.update(when=views.when, path_label=views.path_label, field_label=views.field_label, show=views.show,
                           reason_name=views.reason_name, outcome_label=views.outcome_label)  # fmt: skip
        digest = hashlib.sha256(STYLESHEET.read_bytes()).hexdigest()[:12]
        return cls(SessionStore(), env, f"{BASE}/static/ui.css?v={digest}")


def console_of(request: Request) -> Console:
    state = request.app.state
    console = getattr(state, "ui_console", None)
    if console is None:
        with _CONSOLES:
            console = getattr(state, "ui_console", None)
            if console is None:
                console = state.ui_console = Console.create()
    return console  # type: ignore[no-any-return]


ConsoleDep = Annotated[Console, Depends(console_of)]


# ---------------------------------------------------------------------- who is signed in


class SignInRequired(Exception):
    """No session, or one that expired or whose API key was revoked."""


class FormRefused(Exception):
    """A POST without the right CSRF token, or from another origin."""


@dataclass(frozen=True)
class Caller:
    principal: Principal
    session: ConsoleSession

    @property
    def may_verify(self) -> bool:
        return self.principal.role in VERIFIERS

    @property
    def is_trader(self) -> bool:
        return self.principal.role in TRADERS


def signed_in(request: Request, node: NodeDep, console: ConsoleDep) -> Caller:
    session_id = request.cookies.get(SESSION_COOKIE)
    session = console.sessions.get(session_id)
    if session is None:
        raise SignInRequired
    with node.store.session() as db:
        principal = authenticate(db, session.api_key)
    if principal is None:  # revoked since sign-in
        console.sessions.end(session_id)
        raise SignInRequired
    request.state.key_id = principal.key_id  # named in the access log, as for the API
    caller = Caller(principal, session)
    request.state.ui_caller = caller
    return caller


CallerDep = Annotated[Caller, Depends(signed_in)]


class FormUnreadable(Exception):
    """A form body beyond the parser's limits (1,000 fields, 1 MiB a part): starlette raises its
    HTTPException for it, which this router would otherwise show as the 500 page."""


async def form_fields(request: Request) -> dict[str, str]:
    try:
        form = await request.form()
    except HTTPException as exc:
        raise FormUnreadable(str(exc.detail)) from None
    return {k: v for k, v in form.items() if isinstance(v, str)}


FormDep = Annotated[dict[str, str], Depends(form_fields)]


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")


def checked_form(request: Request, caller: CallerDep, form: FormDep) -> dict[str, str]:
    """The form of a signed-in POST, once its CSRF token and origin are checked."""
    if not _same_origin(request) or not same_token(form.get("csrf"), caller.session.csrf):
        raise FormRefused
    return form


CheckedForm = Annotated[dict[str, str], Depends(checked_form)]


# ---------------------------------------------------------------------- rendering


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = CONSOLE_CSP
    # Browsers send no Origin (or "null") under no-referrer; same-origin keeps the origin check
    # possible and still tells other sites nothing.
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    console = console_of(request)
    caller: Caller | None = context.pop("caller", None) or getattr(request.state, "ui_caller", None)
    page = console.templates.get_template(template).render(
        base=BASE,
        stylesheet=console.stylesheet,
        me=caller,
        principal=caller.principal if caller else None,
        csrf=caller.session.csrf if caller else None,
        path=request.url.path,
        **context,
    )
    return _no_store(HTMLResponse(page, status_code=status))  # type: ignore[return-value]


def redirect(location: str) -> RedirectResponse:
    return _no_store(RedirectResponse(location, status_code=303))  # type: ignore[return-value]


def safe_next(target: str | None) -> str:
    """Only a path of the console itself is a place to go back to after sign-in."""
    if not target or not target.startswith(BASE + "/") or target.startswith("//") or "\\" in target:
        return BASE + "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return BASE + "/"
    return target


def _problem_page(request: Request, exc: Exception) -> HTMLResponse:
    status = problem_type_of(exc).status
    if isinstance(exc, e.InvalidGPID):
        return render(request, "invalid_gpid.html", 400, typed=exc.text[:80], reason=exc.reason)
    if isinstance(exc, e.NotFound):
        return render(request, "not_found.html", 404, detail=exc.message)
    problems: list[e.FieldProblem] = exc.problems if isinstance(exc, e.ValidationFailed) else []
    if isinstance(exc, RequestValidationError):
        status = 422
        problems = [e.FieldProblem(".".join(str(p) for p in err.get("loc", ())[1:]), str(err.get("msg"))) for err in exc.errors()]
    title = problem_type_of(exc).title
    detail = exc.message if isinstance(exc, e.GPIDError) else "the request is not valid"
    return render(request, "problem.html", status, title=title, detail=detail, problems=problems)


def _failure_page(request: Request) -> HTMLResponse:
    request_id = request.scope.get("state", {}).get("request_id")
    detail = (f"nothing about it is shown here; the operator finds it in the node's log under request id {request_id}")
    try:
        return render(request, "problem.html", 500, title="The node failed to show this page", detail=detail, problems=[])
    except Exception:  # the page of last resort needs no template
        log.exception("ui.failure_page_failed", path=request.url.path)
        page = f"<!doctype html><title>Error</title><h1>The node failed to show this page</h1><p>{escape(detail)}</p>"
        return _no_store(HTMLResponse(page, status_code=500))  # type: ignore[return-value]


async def too_many_requests_page(scope: Scope, receive: Receive, send: Send, retry_after_s: int) -> None:
    """The console's answer to a request over the rate limit (:mod:`gpid_node.api.rate_limit`)."""
    request = Request(scope)
    detail = (f"this console (or your API key) sent more requests than the node allows: wait {retry_after_s} "
              "seconds, then reload the page or send the form again")  # fmt: skip
    response = render(request, "problem.html", 429, caller=None, title="Too many requests", detail=detail, problems=[])
    response.headers["Retry-After"] = str(retry_after_s)
    await response(scope, receive, send)


class ConsoleRoute(APIRoute):
    """Turns what a page handler raises into a page: sign-in redirect, refusal or problem page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                if request.method != "GET":
                    target = BASE + "/"
                return redirect(f"{BASE}/sign-in?next={quote(target, safe='')}")
            except FormUnreadable as exc:
                return render(request, "problem.html", 400, title="This form cannot be read",
                              detail=f"{str(exc).rstrip('.')}; send the form from the console's page", problems=[])  # fmt: skip
            except FormRefused:
                return render(request, "problem.html", 403, title="This form has expired",
                              detail="the form was not sent from this console's page, or it is older than your "
                              "session: go back, reload the page and send it again", problems=[])  # fmt: skip
            except (e.GPIDError, RequestValidationError) as exc:
                if problem_type_of(exc).status >= 500:
                    log.warning("ui.refused", path=request.url.path, detail=str(exc))
                return _problem_page(request, exc)
            except Exception:
                log.exception("ui.unexpected_error", path=request.url.path)
                return _failure_page(request)

        return page


router = APIRouter(prefix=BASE, route_class=ConsoleRoute, include_in_schema=False)


# ---------------------------------------------------------------------- what the pages read


def access_of(node: Node, gpid: str, caller: Caller) -> dict[str, Any]:
    """Who holds access to a GPID, for its seller or buyer: ``{"items": [...]}``, or why there is no
    list (``{"items": [], "unavailable": "..."}``: a plain format-1 GPID, or a buyer not onboarded)."""
    try:
        return {"items": node.access.grants(gpid, caller.principal)["items"], "unavailable": None}
    except (e.Conflict, e.PermissionDenied, e.NotFound) as exc:
        return {"items": [], "unavailable": forms.message_of(exc)}



def declarations_of(node: Node, gpid_text: str, principal: Principal) -> tuple[str, list[dict[str, Any]]]:
    """The declarations that reference a GPID with the outcomes Customs recorded for each, to whoever
    may read the GPID (``node.declarations.of_gpid``: the read rule of ``GET /v1/key-data-sets/{gpid}``)."""
    answer = node.declarations.of_gpid(gpid_text, principal)
    return answer["gpid"], answer["items"]


def qr_svg(node: Node, settings: Any, request: Request, gpid: str) -> Markup:
    """The GPID's QR code, inline: the same URL as ``/v1/key-data-sets/{gpid}/qr.svg`` holds."""
    base = (settings.public_url or node.public_url or str(request.base_url)).rstrip("/")
    code = segno.make(f"{base}/v1/key-data-sets/{gpid}", error="m")
    return Markup(code.svg_inline(scale=3, border=4, title=f"QR code of {gpid}", svgclass="qr", lineclass=None))


def timeline(node: Node, gpid: str, principal: Principal) -> list[dict[str, Any]]:
    """Every version, oldest first, each with its integrity and its diff against the one before."""
    history = node.reads.history(gpid, principal)
    entries: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    for version in history["versions"]:
        answer = node.reads.key_data_set(gpid, principal, version=version["version"])
        entries.append({**version, "integrity": answer["integrity"],
                        "diff": views.diff_rows(previous, answer["data"], version.get("changed_fields"))})  # fmt: skip
        previous = answer["data"]
    return entries


# ---------------------------------------------------------------------- sign in and out


@router.get("/static/ui.css")
def stylesheet() -> Response:
    return Response(STYLESHEET.read_bytes(), media_type="text/css",
                    headers={"Cache-Control": "public, max-age=86400"})  # fmt: skip


@router.get("/sign-in")
def sign_in_page(request: Request, console: ConsoleDep, next: str | None = None, signed_out: str | None = None) -> Response:
    if console.sessions.get(request.cookies.get(SESSION_COOKIE)) is not None:
        return redirect(safe_next(next))
    return _sign_in_form(request, 200, next=safe_next(next), notice="You are signed out." if signed_out else None)


def _sign_in_form(request: Request, status: int, *, next: str, error: str | None = None, notice: str | None = None) -> Response:
    token = request.cookies.get(SIGN_IN_CSRF_COOKIE) or new_token()
    response = render(request, "sign_in.html", status, caller=None, sign_in_token=token, next=next, error=error, notice=notice)
    response.set_cookie(SIGN_IN_CSRF_COOKIE, token, max_age=3600, path=COOKIE_PATH, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")  # fmt: skip
    return response


@router.post("/sign-in")
def sign_in(request: Request, node: NodeDep, console: ConsoleDep, form: FormDep) -> Response:
    target = safe_next(form.get("next"))
    if not _same_origin(request) or not same_token(form.get("csrf"), request.cookies.get(SIGN_IN_CSRF_COOKIE)):
        return _sign_in_form(request, 403, next=target,
                             error="This sign-in form has expired (or your browser refuses cookies): sign in again.")  # fmt: skip
    api_key = form.get("api_key", "").strip()
    with node.store.session() as db:
        principal = authenticate(db, api_key) if api_key else None
    if principal is None:
        return _sign_in_form(request, 401, next=target,
                             error="This API key is unknown or revoked. Use the key your node's operator gave you "
                             "(on a development node: data/dev-credentials.json).")  # fmt: skip
    console.sessions.end(request.cookies.get(SESSION_COOKIE))  # a fresh id on every sign-in
    session_id, _ = console.sessions.create(api_key)
    log.info("ui.signed_in", key_id=principal.key_id, role=principal.role.value)
    response = redirect(target)
    response.set_cookie(SESSION_COOKIE, session_id, path=COOKIE_PATH, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")  # fmt: skip
    response.delete_cookie(SIGN_IN_CSRF_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")
    return response


@router.post("/sign-out")
def sign_out(request: Request, console: ConsoleDep, form: FormDep) -> Response:
    session_id = request.cookies.get(SESSION_COOKIE)
    session = console.sessions.get(session_id)
    if session is not None:
        if not _same_origin(request) or not same_token(form.get("csrf"), session.csrf):
            raise FormRefused
        console.sessions.end(session_id)
    response = redirect(f"{BASE}/sign-in?signed_out=1")
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict",
                           secure=request.url.scheme == "https")  # fmt: skip
    return response


# ---------------------------------------------------------------------- finding a key data set


SEARCH_FIELDS = ("invoice_number", "seller", "buyer", "declaration", "declaration_country", "registered_from", "registered_to")


def search_of(request: Request) -> tuple[ListQuery, dict[str, str]]:
    """The list filters of the home page's search form (blank fields: no filter), and the query
    string that repeats them (for the pager and the downloads)."""
    given = {name: request.query_params.get(name, "").strip()[:200] for name in SEARCH_FIELDS}
    given = {name: value for name, value in given.items() if value}
    return ListQuery(**given), given


@router.get("")
@router.get("/")
def home(request: Request, caller: CallerDep, node: NodeDep, page: str = "1") -> Response:
    number = forms.counting_number(page, 100_000) or 1
    query, given = search_of(request)
    try:
        listing = node.reads.list_key_data_sets(caller.principal, PAGE_SIZE, (number - 1) * PAGE_SIZE, query)
    except e.ValidationFailed as exc:
        empty = {"items": [], "total": 0, "limit": PAGE_SIZE, "offset": 0}
        return render(request, "home.html", 422, listing=empty, page=1, pages=1, search=given, search_query=urlencode(given),
                      problems=[{"path": p.path, "message": p.message, "target": f"search-{p.path}"} for p in exc.problems])  # fmt: skip
    pages = max(1, -(-listing["total"] // PAGE_SIZE))
    return render(request, "home.html", listing=listing, page=number, pages=pages, search=given,
                  search_query=urlencode(given), problems=[])  # fmt: skip


@router.get("/export.{kind}")
def export(request: Request, kind: str, caller: CallerDep, node: NodeDep) -> Response:
    """The home page's list (its search applied, no pages) as a CSV or JSON download, as
    ``GET /v1/key-data-sets/export`` writes it."""
    if kind not in ("csv", "json"):
        return render(request, "not_found.html", 404, detail=f"the console has no page {request.url.path}")
    query, _ = search_of(request)
    items = node.reads.export_key_data_sets(caller.principal, query)  # a bad filter: the 422 page, before any byte
    now = datetime.now(UTC)
    name = f"key-data-sets-{now.strftime('%Y%m%dT%H%M%SZ')}.{kind}"
    if kind == "csv":
        body = exports.csv_lines(exports.LIST_COLUMNS, items)
        return _no_store(StreamingResponse(body, media_type=exports.CSV_MEDIA_TYPE, headers=exports.attachment(name)))
    body = exports.json_document(items, exported_at=iso(now))
    return _no_store(StreamingResponse(body, media_type="application/json", headers=exports.attachment(name)))


@router.get("/search")
def search(request: Request, caller: CallerDep, node: NodeDep, gpid: str = "") -> Response:
    if not gpid.strip():
        return render(request, "invalid_gpid.html", 400, typed="", reason="type the GPID printed on the invoice")
    found = node.reads.history(gpid, caller.principal)["gpid"]  # InvalidGPID → 400, unknown or invisible → 404
    return redirect(f"{BASE}/gpid/{found}")


@router.get("/gpid/{gpid}")
def key_data_set(request: Request, gpid: str, caller: CallerDep, node: NodeDep, settings: SettingsDep,
                 version: str | None = None, granted: str | None = None, revoked: str | None = None) -> Response:  # fmt: skip
    answer = node.reads.key_data_set(gpid, caller.principal, version=forms.version_of(version))
    notice = None
    if forms.account_of(granted):
        notice = f"Access granted to {forms.account_of(granted)}: its node can now read this key data set, and it may link it."
    elif forms.account_of(revoked):
        notice = (f"The grant of {forms.account_of(revoked)} is revoked: it may no longer link this GPID. "
                  "What was shared stays shared: its node keeps the data it could already read.")  # fmt: skip
    return _key_data_set_page(request, node, settings, caller, answer, notice=notice)


def _key_data_set_page(request: Request, node: Node, settings: Any, caller: Caller, answer: dict[str, Any], *,
                       status: int = 200, notice: str | None = None, grant_values: dict[str, str] | None = None,
                       grant_error: str | None = None, source_check: dict[str, Any] | None = None) -> HTMLResponse:  # fmt: skip
    """The GPID's page; for its seller or buyer with who holds access and the "Grant access" form; the
    e-invoice it was derived from, with the form that checks a file against it."""
    access = access_of(node, answer["gpid"], caller) if caller.is_trader else None
    _, links = declarations_of(node, answer["gpid"], caller.principal)
    return render(request, "key_data_set.html", status, kds=answer, tab="data", access=access, notice=notice,
                  links=links, reuse=views.reuse_of(links),
                  grant_values=grant_values or {}, grant_error=grant_error, source_check=source_check,
                  qr=qr_svg(node, settings, request, answer["gpid"]))  # fmt: skip


async def uploaded_document(request: Request) -> bytes | None:
    """The file of a multipart form's ``document`` field (starlette keeps the parsed form, so the CSRF
    check reads the same one), or None when none was chosen."""
    try:
        form = await request.form()
    except HTTPException as exc:
        raise FormUnreadable(str(exc.detail)) from None
    upload = form.get("document")
    if upload is None or isinstance(upload, str):
        return None
    content = await upload.read()
    return content or None


UploadDep = Annotated[bytes | None, Depends(uploaded_document)]


@router.post("/gpid/{gpid}/source-check")
def source_check(request: Request, gpid: str, caller: CallerDep, node: NodeDep, settings: SettingsDep, form: CheckedForm,
                 document: UploadDep) -> Response:  # fmt: skip
    """Checks an e-invoice file against the source the version names (its SHA-256)."""
    answer = node.reads.key_data_set(gpid, caller.principal, version=forms.version_of(form.get("version")))
    if document is None:
        check = {"matches": False, "message": "choose the e-invoice file to check", "sha256": None}
        return _key_data_set_page(request, node, settings, caller, answer, status=422, source_check=check)
    check = node.einvoices.check_document(answer["gpid"], document, caller.principal, version=answer["version"])
    return _key_data_set_page(request, node, settings, caller, answer, source_check=check)


@router.get("/gpid/{gpid}/history")
def history(request: Request, gpid: str, caller: CallerDep, node: NodeDep) -> Response:
    entries = timeline(node, gpid, caller.principal)
    return render(request, "history.html", gpid=str(GPID.parse(gpid)), entries=entries, tab="history")


@router.get("/gpid/{gpid}/declarations")
def declarations(request: Request, gpid: str, caller: CallerDep, node: NodeDep) -> Response:
    canonical, links = declarations_of(node, gpid, caller.principal)
    return render(request, "declarations.html", gpid=canonical, links=links, reuse=views.reuse_of(links), tab="declarations")


# ---------------------------------------------------------------------- verification


@router.get("/gpid/{gpid}/verify")
def verify_form(request: Request, gpid: str, caller: CallerDep, node: NodeDep) -> Response:
    answer = node.reads.key_data_set(gpid, caller.principal)
    return render(request, "verify.html", kds=answer, values=forms.keyed_defaults(answer, caller.principal),
                  problems=[], field_errors={}, tab="verify")  # fmt: skip


@router.post("/gpid/{gpid}/verify")
def verify_keyed(request: Request, gpid: str, caller: CallerDep, node: NodeDep, form: CheckedForm) -> Response:
    answer = node.reads.key_data_set(gpid, caller.principal)
    sequences = [int(line["sequence"]) for line in (answer["data"] or {}).get("goods") or []]
    body, included = forms.keyed_body(answer["gpid"], form, sequences)
    try:
        verdict = node.verifications.verify(body, caller.principal)
    except e.ValidationFailed as exc:
        field_errors: dict[str, list[str]] = {}
        for problem in exc.problems:
            target = forms.field_id(problem.path, included)
            if target:
                field_errors.setdefault(target, []).append(problem.message)
        problems = [{"path": p.path, "message": p.message, "target": forms.field_id(p.path, included)} for p in exc.problems]
        return render(request, "verify.html", 422, kds=answer, values=form, problems=problems,
                      field_errors=field_errors, tab="verify")  # fmt: skip
    return render(request, "verification.html", verdict=verdict, declaration=body["declaration"],
                  entries=forms.report_of(node, caller.principal, body, verdict), gpid=answer["gpid"], tab="verify",
                  checked_at=views.now_iso())  # fmt: skip


@router.get("/verify")
def verify_json_form(request: Request, caller: CallerDep, gpid: str | None = None) -> Response:
    return render(request, "verify_json.html", text=forms.example_body(gpid), problems=[])


@router.post("/verify")
def verify_json(request: Request, caller: CallerDep, node: NodeDep, form: CheckedForm) -> Response:
    text = form.get("declaration_json", "")
    try:
        try:
            body = strict_json.parse(text)
        except strict_json.MalformedJSON as exc:
            raise e.ValidationFailed([e.FieldProblem("(JSON)", f"this is not JSON: {exc}")]) from None
        verdict = node.verifications.verify(body, caller.principal)
    except e.ValidationFailed as exc:
        problems = [{"path": p.path or "(body)", "message": p.message, "target": None} for p in exc.problems]
        return render(request, "verify_json.html", 422, text=text, problems=problems)
    return render(request, "verification.html", verdict=verdict, declaration=body["declaration"],
                  entries=forms.report_of(node, caller.principal, body, verdict), gpid=None, tab=None,
                  checked_at=views.now_iso())  # fmt: skip


# ---------------------------------------------------------------------- access: grants of a GPID, mandates of a trader


@router.post("/gpid/{gpid}/grants")
def grant(request: Request, gpid: str, caller: CallerDep, node: NodeDep, settings: SettingsDep, form: CheckedForm) -> Response:
    answer = node.reads.key_data_set(gpid, caller.principal)  # a GPID the caller may not read is "not found"
    grantee, reason = form.get("grantee", "").strip(), form.get("reason", "").strip()
    try:
        done = node.access.grant(answer["gpid"], grantee, reason, caller.principal)
    except (e.ValidationFailed, e.Conflict, e.PermissionDenied, e.NotGranted) as exc:
        return _key_data_set_page(request, node, settings, caller, answer, status=problem_type_of(exc).status,
                                  grant_values={"grantee": grantee, "reason": reason}, grant_error=forms.message_of(exc))  # fmt: skip
    return redirect(f"{BASE}/gpid/{answer['gpid']}?granted={quote(done['grantee'])}#access")


@router.post("/gpid/{gpid}/grants/revoke")
def revoke(request: Request, gpid: str, caller: CallerDep, node: NodeDep, settings: SettingsDep, form: CheckedForm) -> Response:
    answer = node.reads.key_data_set(gpid, caller.principal)
    grantee = form.get("grantee", "").strip()
    try:
        done = node.access.revoke(answer["gpid"], grantee, caller.principal)
    except (e.ValidationFailed, e.Conflict, e.PermissionDenied, e.NotGranted) as exc:
        return _key_data_set_page(request, node, settings, caller, answer, status=problem_type_of(exc).status,
                                  grant_error=forms.message_of(exc))  # fmt: skip
    return redirect(f"{BASE}/gpid/{answer['gpid']}?revoked={quote(done['grantee'])}#access")


def _traders_only(caller: Caller) -> None:
    if not caller.is_trader:
        raise e.PermissionDenied(f"mandates are given by sellers and buyers for themselves; you are signed in as {caller.principal.role}")


@router.get("/mandates")
def mandates(request: Request, caller: CallerDep, node: NodeDep, given: str | None = None, ended: str | None = None,
             direction: str | None = None) -> Response:  # fmt: skip
    _traders_only(caller)
    notice = None
    if forms.account_of(given) and direction in forms.DIRECTIONS:
        notice = (f"Mandate given: {forms.account_of(given)} receives every key data set you register from now on "
                  f"and may link it to {direction} declarations.")  # fmt: skip
    elif forms.account_of(ended) and direction in forms.DIRECTIONS:
        notice = (f"The {direction} mandate of {forms.account_of(ended)} has ended: it receives no key data set you "
                  "register from now on (those it received stay readable to it).")  # fmt: skip
    return _mandates_page(request, node, caller, notice=notice)


def _mandates_page(request: Request, node: Node, caller: Caller, *, status: int = 200, notice: str | None = None,
                   values: dict[str, str] | None = None, error: str | None = None) -> HTMLResponse:  # fmt: skip
    listing = node.access.mandates(caller.principal)
    return render(request, "mandates.html", status, mandates=listing["items"], notice=notice,
                  values=values or {"direction": "export"}, error=error)  # fmt: skip


@router.post("/mandates")
def give_mandate(request: Request, caller: CallerDep, node: NodeDep, form: CheckedForm) -> Response:
    _traders_only(caller)
    agent, direction = form.get("agent", "").strip(), form.get("direction", "")
    try:
        done = node.access.set_mandate(agent, direction, caller.principal)
    except (e.ValidationFailed, e.Conflict, e.PermissionDenied, e.NotFound) as exc:
        return _mandates_page(request, node, caller, status=problem_type_of(exc).status,
                              values={"agent": agent, "direction": direction}, error=forms.message_of(exc))  # fmt: skip
    return redirect(f"{BASE}/mandates?given={quote(done['agent'])}&direction={quote(done['direction'])}")


@router.post("/mandates/end")
def end_mandate(request: Request, caller: CallerDep, node: NodeDep, form: CheckedForm) -> Response:
    _traders_only(caller)
    agent, direction = form.get("agent", "").strip(), form.get("direction", "")
    try:
        done = node.access.end_mandate(agent, direction, caller.principal)
    except (e.ValidationFailed, e.Conflict, e.PermissionDenied, e.NotFound) as exc:
        return _mandates_page(request, node, caller, status=problem_type_of(exc).status, error=forms.message_of(exc))
    return redirect(f"{BASE}/mandates?ended={quote(done['agent'])}&direction={quote(done['direction'])}")


# ---------------------------------------------------------------------- the audit report


@router.get("/gpid/{gpid}/report")
def report(request: Request, gpid: str, caller: CallerDep, node: NodeDep, settings: SettingsDep) -> Response:
    answer = node.reads.key_data_set(gpid, caller.principal)
    canonical, links = declarations_of(node, answer["gpid"], caller.principal)
    return render(request, "report.html", kds=answer, entries=timeline(node, canonical, caller.principal),
                  links=links, reuse=views.reuse_of(links), produced_at=views.now_iso(),
                  qr=qr_svg(node, settings, request, canonical), node_url=str(request.base_url).rstrip("/"))  # fmt: skip


@router.get("/gpid/{gpid}/report.json")
def report_json(gpid: str, caller: CallerDep, node: NodeDep) -> Response:
    """The audit report as data (``gpid-audit-report/1``): the same facts as the printable page."""
    document = audit_reports.audit_report(node.reads, node.declarations, gpid, caller.principal)
    name = f"{document['gpid']}-audit-report.json"
    return Response(json.dumps(document, indent=1) + "\n", media_type="application/json", headers=exports.attachment(name))


@router.get("/gpid/{gpid}/report.csv")
def report_csv(gpid: str, caller: CallerDep, node: NodeDep) -> Response:
    """The audit report's trail for a spreadsheet: each version, declaration and Customs outcome, in chain order."""
    document = audit_reports.audit_report(node.reads, node.declarations, gpid, caller.principal)
    name = f"{document['gpid']}-audit-report.csv"
    text = "".join(exports.csv_lines(audit_reports.TRAIL_COLUMNS, audit_reports.trail(document)))
    return Response(text, media_type=exports.CSV_MEDIA_TYPE, headers=exports.attachment(name))


@router.get("/gpid/{gpid}/proof.json")
def proof_bundle_download(gpid: str, caller: CallerDep, node: NodeDep, version: int | None = None) -> Response:
    """The proof bundle of the audit report's version, as a file to hand to an auditor (docs/operations.md,
    "Offline audit"); the same document as GET /v1/key-data-sets/{gpid}/proof, under the same read rule."""
    bundle = node.proof_bundles.bundle(gpid, caller.principal, version=version)
    name = f"{bundle['gpid']}-v{bundle['version']}-proof.json"
    return Response(json.dumps(bundle, separators=(",", ":")) + "\n", media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


@router.get("/{rest:path}")
def no_such_page(request: Request, rest: str) -> Response:
    return render(request, "not_found.html", 404, detail=f"the console has no page {request.url.path}")

