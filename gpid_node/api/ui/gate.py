"""/ui/gate: the gate officer's page, at phone width and with no sign-in: scan the QR code on a
driver's papers (the browser's BarcodeDetector, when it has one) or paste the disclosure, and see
the verdict, big, with the fields it proves.

The verdict is the node's ``POST /v1/disclosures/verify`` (:meth:`Disclosures.verify`), rendered on
the server: pasting works with JavaScript off. The page's own script (``/ui/static/gate.js``, no CDN)
only adds the camera: it fills the form with the code's text and sends it.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request, Response

from gpid_node.api.deps import NodeDep
from gpid_node.api.ui.routes import BASE, CONSOLE_CSP, ConsoleRoute, FormDep, render

SCRIPT = Path(__file__).resolve().parent / "static" / "gate.js"
GATE_CSP = CONSOLE_CSP + "; script-src 'self'"  # the page's own script only: nothing inline, nothing from elsewhere
MAX_DOCUMENT_CHARS = 262_144

router = APIRouter(prefix=BASE, route_class=ConsoleRoute, include_in_schema=False)


def _page(request: Request, status: int = 200, **context: object) -> Response:
    response = render(request, "gate.html", status, caller=None, script=f"{BASE}/static/gate.js", **context)
    response.headers["Content-Security-Policy"] = GATE_CSP
    return response


def verdict_kind(verdict: dict) -> str:
    """``valid``, ``superseded`` or ``invalid``: the word and the colour of the page's answer."""
    if not verdict["valid"]:
        return "invalid"
    return "superseded" if verdict["superseded"] else "valid"


@router.get("/gate")
def gate(request: Request) -> Response:
    return _page(request, document="", verdict=None)


@router.post("/gate")
def check(request: Request, node: NodeDep, form: FormDep) -> Response:
    text = form.get("document", "")
    if not text.strip():
        return _page(request, 422, document="", verdict=None, missing="Paste the disclosure (its JSON or its GPD1: text), or scan its QR code.")
    if len(text) > MAX_DOCUMENT_CHARS:
        return _page(request, 413, document="", verdict=None, missing="This is far longer than any disclosure.")
    verdict = node.disclosures.verify(text)
    return _page(request, document=text, verdict=verdict, kind=verdict_kind(verdict))


@router.get("/static/gate.js")
def script() -> Response:
    return Response(SCRIPT.read_bytes(), media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})
