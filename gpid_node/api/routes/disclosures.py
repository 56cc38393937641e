"""/v1/key-data-sets/{gpid}/disclosures and /v1/disclosures/verify: chosen fields of a version with
their Merkle proof (JSON, or its QR code as SVG or PNG), and the verdict on anyone's disclosure."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from gpid_node.api.deps import CurrentPrincipal, NodeDep
from gpid_node.api.middleware import is_json_media_type
from gpid_node.api.models import FieldError
from gpid_node.api.problems import MalformedJSON, UnsupportedMediaType, responses
from gpid_node.services.disclosures import MAX_PATTERNS, QR_KINDS, qr_code

router = APIRouter(tags=["disclosures"])

GpidPath = Annotated[str, PathParam(max_length=64, description="the GPID as printed (case and hyphens do not matter)")]
IMAGE_TYPES = {media: kind for kind, media in QR_KINDS.items()}


class DisclosureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fields: list[str] = Field(
        min_length=1, max_length=MAX_PATTERNS,
        description="field paths to reveal: a field (`invoice.number`), an object (`seller.address`), or a column over "
        "every goods line (`goods[*].packages`, which also reveals `goods.length`)",
    )  # fmt: skip
    version: int | None = Field(None, ge=1, description="the version to disclose (the current one when absent)")


class Verdict(BaseModel):
    model_config = ConfigDict(extra="allow")

    valid: bool = Field(description="the revealed fields are those of the version whose digest the registry holds")
    gpid: str | None
    version: int | None
    current_version: int | None = Field(description="the GPID's current version (null when the registry knows none)")
    superseded: bool = Field(description="valid, and a later version amended the key data set since")
    block: int | None = Field(description="the block as of which current_version is stated")
    checked_against: str | None = Field(description="`chain` (the registry's digest) or `index` (the chain was unreachable)")
    fields: dict[str, Any] | None = Field(description="the proven fields, one concrete path each (null when not valid)")
    problems: list[FieldError] = Field(description="why the document proves nothing (empty when valid)")


DOCUMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "a gpid-disclosure/1 document (see docs/protocol.md, Disclosure document)",
    "additionalProperties": True,
    "properties": {
        "format": {"type": "string", "enum": ["gpid-disclosure/1"]},
        "gpid": {"type": "string"}, "version": {"type": "integer"}, "chain_id": {"type": "integer"},
        "registry": {"type": "string"}, "fields": {"type": "object"}, "salts": {"type": "object"},
        "column_seeds": {"type": "object"}, "proofs": {"type": "object"}, "roots": {"type": "object"},
        "buyer_commitment": {"type": "string"},
    },
}  # fmt: skip


def _wanted_image(accept: str | None) -> str | None:
    """``svg`` or ``png`` when the Accept header prefers one of the QR images to JSON."""
    for part in (accept or "").split(","):
        media = part.split(";", 1)[0].strip().lower()
        if media in IMAGE_TYPES:
            return IMAGE_TYPES[media]
        if media in ("application/json", "*/*", "application/*"):
            return None
    return None


@router.post(
    "/v1/key-data-sets/{gpid}/disclosures",
    status_code=201,
    response_class=Response,
    summary="Disclose chosen fields of a version, with their proof (JSON, or a QR code)",
    description="For whoever may read the key data set's data (404 otherwise, as for a read). The answer is a "
    "self-contained `gpid-disclosure/1` document: the revealed fields, their salts (or one seed per goods column), "
    "the Merkle sibling hashes and the other sections' roots; it reveals no other value. Anyone checks it against "
    "the version's digest on chain (`POST /v1/disclosures/verify`, `gpid-node check-disclosure`). With "
    "`Accept: image/svg+xml` or `image/png` the answer is the document's QR code (its `GPD1:` text, error "
    "correction M) for a driver's papers. 422 naming a path that names no field, a version that does not exist, "
    "or a format-1 version (it has no per-field leaves).",
    responses={
        201: {
            "description": "the disclosure document, or its QR code",
            "content": {
                "application/json": {"schema": DOCUMENT_SCHEMA},
                "image/svg+xml": {"schema": {"type": "string"}},
                "image/png": {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **responses(400, 401, 403, 404, 409, 413, 415, 422, 500, 503),
    },  # fmt: skip
)
def disclose(
    gpid: GpidPath, body: DisclosureRequest, principal: CurrentPrincipal, node: NodeDep, request: Request,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:  # fmt: skip
    if not is_json_media_type(request.headers.get("content-type")):
        raise UnsupportedMediaType(request.headers.get("content-type"))
    made = node.disclosures.disclose(gpid, body.fields, principal, version=body.version)
    kind = _wanted_image(accept)
    if kind is not None:
        return Response(qr_code(made, kind), status_code=201, media_type=QR_KINDS[kind])
    return Response(made.compact_json(), status_code=201, media_type="application/json")


@router.post(
    "/v1/disclosures/verify",
    response_model=Verdict,
    summary="Verify a disclosure against the chain (no API key needed)",
    description="The body is a `gpid-disclosure/1` document as JSON, or as `text/plain` its JSON or the `GPD1:` "
    "text of its QR code. The fields are proven when the document's salts and proofs give the digest the registry "
    "holds for its version; `superseded` says a later version amended the key data set since. A document that "
    "proves nothing is answered 200 with `valid: false` and each problem named (a tampered value, another GPID or "
    "version, a forged proof, another chain or registry).",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": DOCUMENT_SCHEMA},
                "text/plain": {"schema": {"type": "string", "description": "the document's JSON, or GPD1: and base45"}},
            },
        }
    },
    responses=responses(400, 413, 415, 500, 503),
)
async def verify(request: Request, node: NodeDep) -> Any:
    body = await request.body()
    media = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if is_json_media_type(media):
        try:
            document: Any = json.loads(body)
        except (ValueError, RecursionError):
            raise MalformedJSON("the body is not valid JSON") from None
    elif media == "text/plain":
        try:
            document = body.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedJSON("a text/plain body is UTF-8 text: the document's JSON or its GPD1: text") from None
    else:
        raise UnsupportedMediaType(request.headers.get("content-type"))
    return await run_in_threadpool(node.disclosures.verify, document)
