"""/problems: what each problem ``type`` means, at the path of its URI (``https://gpid.dev/problems/unknown-gpid``
is documented at ``/problems/unknown-gpid`` on every node), as an HTML page or, asked for JSON, as data."""

from __future__ import annotations

import html
from typing import Annotated, Any

from fastapi import APIRouter, Header, Response
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from gpid_node.api.problems import ProblemDoc, problem_types, responses
from gpid_node.domain.errors import NotFound

router = APIRouter(prefix="/problems", tags=["problem-types"])


class ProblemTypeView(BaseModel):
    """One problem type (these answers belong to this page alone, so their models live here)."""

    type: str = Field(description="the URI problem answers carry in `type`")
    slug: str = Field(description="its last part, the name of its page: /problems/{slug}")
    title: str
    statuses: list[int] = Field(description="the HTTP statuses answered with this type")
    description: str = Field(description="what it means and what to do about it")


class ProblemTypeList(BaseModel):
    items: list[ProblemTypeView]


Accept = Annotated[str | None, Header(description="`application/json` for data; an HTML page otherwise")]
_BOTH = {"text/html": {"schema": {"type": "string"}}}
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
    "code{background:#f3f3f3;padding:0 .2em}dt{font-weight:600;margin-top:1rem}table{border-collapse:collapse}"
    "td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}"
)


def _as_data(doc: ProblemDoc) -> dict[str, Any]:
    return {"type": doc.uri, "slug": doc.slug, "title": doc.title, "statuses": list(doc.statuses), "description": doc.description}


def _wants_json(accept: str | None) -> bool:
    return accept is not None and "json" in accept.lower() and "text/html" not in accept.lower()


def _page(title: str, body: str) -> HTMLResponse:
    text = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{_STYLE}</style></head><body>{body}</body></html>")  # fmt: skip
    return HTMLResponse(text, headers={"Cache-Control": "public, max-age=3600"})


def _code(text: str) -> str:
    """Backticks of the descriptions as <code>, the rest escaped."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts))


@router.get(
    "",
    response_model=ProblemTypeList,
    summary="Every problem type this node can answer with",
    responses={200: {"content": _BOTH, "description": "the list (HTML page, or JSON when asked for)"}, **responses(422)},
)
def list_problem_types(accept: Accept = None) -> Response:
    docs = problem_types()
    if _wants_json(accept):
        return JSONResponse({"items": [_as_data(doc) for doc in docs]})
    rows = "".join(
        f'<tr><td><a href="/problems/{doc.slug}"><code>{doc.slug}</code></a></td><td>{", ".join(map(str, doc.statuses))}</td>'
        f"<td>{html.escape(doc.title)}</td></tr>"
        for doc in docs
    )
    return _page("Problem types of the GPID node", "<h1>Problem types</h1><p>Every refusal of the node is an RFC 9457 "
                 "problem (<code>application/problem+json</code>) whose <code>type</code> is one of these URIs "
                 "(<code>https://gpid.dev/problems/&lt;name&gt;</code>).</p>"
                 f"<table><tr><th>type</th><th>status</th><th>title</th></tr>{rows}</table>")  # fmt: skip


@router.get(
    "/{name}",
    response_model=ProblemTypeView,
    summary="What one problem type means and what to do about it",
    responses={200: {"content": _BOTH, "description": "the page (HTML, or JSON when asked for)"}, **responses(404, 422)},
)
def get_problem_type(name: Annotated[str, PathParam(max_length=64, description="the last part of the type URI")], accept: Accept = None) -> Response:
    doc = next((doc for doc in problem_types() if doc.slug == name), None)
    if doc is None:
        raise NotFound(f"no problem type {name!r}; GET /problems lists them all")
    if _wants_json(accept):
        return JSONResponse(_as_data(doc))
    body = (f"<p><a href=\"/problems\">Problem types</a></p><h1>{html.escape(doc.title)}</h1>"
            f"<dl><dt>type</dt><dd><code>{html.escape(doc.uri)}</code></dd>"
            f"<dt>status</dt><dd>{', '.join(map(str, doc.statuses)) if doc.slug != 'http-error' else 'any 4xx'}</dd>"
            f"<dt>meaning</dt><dd>{_code(doc.description)}</dd></dl>")  # fmt: skip
    return _page(f"{doc.title} ({doc.slug})", body)
