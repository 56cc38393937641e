"""/docs: Swagger UI over /openapi.json, from the node's own copy of ``swagger-ui-dist`` (works offline).

The files in ``api/ui/static/swagger-ui/`` are copied from the npm package pinned in
``package.json`` (``scripts/generate-client`` copies them again); the page starts Swagger UI with a
script file of its own, not an inline script, so that its Content-Security-Policy names no other
origin and allows no inline script.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse

from gpid_node.api import ui
from gpid_node.domain.errors import NotFound

ASSETS = Path(ui.__file__).resolve().parent / "static" / "swagger-ui"  # package data, beside the console's assets
MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png", "": "text/plain"}
SERVED = ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-initializer.js", "favicon-32x32.png", "LICENSE", "NOTICE")

router = APIRouter(include_in_schema=False)

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>GPID node: API</title>
<link rel="stylesheet" href="/docs/swagger-ui/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/swagger-ui/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui/swagger-initializer.js"></script>
</body>
</html>
"""


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    return HTMLResponse(PAGE)


@router.get("/docs/swagger-ui/{name}")
def swagger_ui_asset(name: str) -> Response:
    if name not in SERVED or not (ASSETS / name).is_file():
        raise NotFound(f"no such file of Swagger UI: {name!r}")
    path = ASSETS / name
    return Response(path.read_bytes(), media_type=MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
                    headers={"Cache-Control": "public, max-age=86400"})  # fmt: skip
