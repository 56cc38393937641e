"""/v1/key-data-sets: register (from JSON or an e-invoice), derive from an e-invoice, list (filtered) and export
(CSV, JSON), read (at a version or a time), amend, history, the declarations with their Customs outcomes, QR code."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import segno
from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import StreamingResponse

from gpid_node.api.deps import (
    CurrentPrincipal,
    Document,
    EInvoiceBody,
    IdempotencyKey,
    JsonCaller,
    KeyDataSetBody,
    NodeDep,
    SettingsDep,
)
from gpid_node.api.models import (
    Amended,
    AmendmentRequest,
    Derived,
    GPIDDeclarations,
    History,
    KeyDataSetList,
    KeyDataSetView,
    Written,
)
from gpid_node.api.openapi import EINVOICE_BODY, KEY_DATA_SET_BODY
from gpid_node.api.problems import responses
from gpid_node.api.routes import answer_write, written_responses
from gpid_node.domain.errors import FieldProblem, ValidationFailed
from gpid_node.domain.times import iso
from gpid_node.services.exports import CSV_MEDIA_TYPE, LIST_COLUMNS, attachment, csv_lines, json_document
from gpid_node.services.reads import ListQuery

router = APIRouter(prefix="/v1/key-data-sets", tags=["key-data-sets"])

GpidPath = Annotated[
    str, PathParam(max_length=64, description="the GPID as printed (case and hyphens do not matter)")
]
MAX_INT32 = 2**31 - 1
ETAG = {"ETag": {"description": "weak tag of version, digest and verdict", "schema": {"type": "string"}}}


@router.post(
    "",
    status_code=201,
    response_model=Written,
    summary="Register a key data set",
    description="Validates the key data set, derives its GPID and registers it on chain. 201 once mined "
    "(`Location` is the key data set); 202 when it is recorded but not yet mined (`Location` is the submission). "
    "With `Prefer: respond-async` (RFC 7240) the answer is 202 as soon as the registration is recorded: the "
    "GPID in it is final (derived from the invoice), and the submission says when it is on chain. "
    "A second registration of the same invoice is a 409 problem whose `gpid` names the existing GPID. "
    "An e-invoice body (XML or Factur-X PDF) registers its derived key data set when nothing is missing, else 422 "
    "with every missing path (see `/v1/key-data-sets/derive`); a credit note or corrective invoice amends the GPID of "
    "the invoice it corrects (201, `version` > 1; 404 when that invoice has no key data set of yours).",
    responses={**written_responses(Written, "registered (mined)"), **responses(400, 401, 403, 404, 409, 413, 415, 422, 500, 503)},
    openapi_extra=KEY_DATA_SET_BODY,
)
def register(
    body: KeyDataSetBody,
    principal: CurrentPrincipal,
    node: NodeDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
    prefer: Annotated[str | None, Header(description="`respond-async`: answer 202 once recorded")] = None,
) -> dict[str, Any]:
    respond_async = prefer is not None and "respond-async" in prefer.lower()
    if isinstance(body, Document):
        result = node.einvoices.register(body.content, body.media_type, principal, wait=not respond_async)
    else:
        result = node.registration.register(body, principal, wait=not respond_async)
    if respond_async:
        response.headers["Preference-Applied"] = "respond-async"
    return answer_write(response, result, f"/v1/key-data-sets/{result['gpid']}" + (f"?version={result['version']}" if result.get("version", 1) > 1 else ""))


@router.post(
    "/derive",
    tags=["e-invoices"],
    response_model=Derived,
    summary="Derive a key data set from an e-invoice (nothing is written)",
    description="Reads the e-invoice (UBL 2.1 Invoice or CreditNote, UN/CEFACT CII, Factur-X/ZUGFeRD PDF) safely and maps "
    "it to a key data set, completed by your item catalogue (`/v1/items`) and partner directory (`/v1/partners`); the "
    "invoice's own values win. `missing` lists every field that is missing or invalid, with a message a clerk can act "
    "on; `sources` says where each field came from; `source` identifies the document (its SHA-256). 422 when the "
    "document cannot be read (malformed or hostile XML, no invoice inside the PDF, mandatory terms missing).",
    responses=responses(400, 401, 403, 413, 415, 422, 500, 503),
    openapi_extra=EINVOICE_BODY,
)
def derive(body: EInvoiceBody, principal: CurrentPrincipal, node: NodeDep) -> dict[str, Any]:
    return node.einvoices.derive(body.content, body.media_type, principal)


def list_query(
    invoice_number: Annotated[str | None, Query(max_length=200, description="the invoice number (as written, or in "
        "normal form: no spaces, upper case); matches only key data sets whose data you may see and this node can read")] = None,
    seller: Annotated[str | None, Query(max_length=200, description="the seller's trader ID, `SCHEME:VALUE`, e.g. "
        "`EORI:DE123456789012345`")] = None,
    buyer: Annotated[str | None, Query(max_length=200, description="the buyer's trader ID, `SCHEME:VALUE`; matches only "
        "key data sets whose data you may see and this node can read")] = None,
    declaration: Annotated[str | None, Query(max_length=200, description="the reference of a declaration that "
        "references the key data set")] = None,
    declaration_country: Annotated[str | None, Query(max_length=10, description="the country of that declaration "
        "(ISO 3166-1 alpha-2; with `declaration` only)")] = None,
    registered_from: Annotated[str | None, Query(max_length=64, description="registered at or after: an ISO 8601 "
        "date (from its start) or date-time (without a time zone: UTC)")] = None,
    registered_to: Annotated[str | None, Query(max_length=64, description="registered at or before: an ISO 8601 "
        "date (to its end) or date-time (without a time zone: UTC)")] = None,
) -> ListQuery:
    return ListQuery(invoice_number, seller, buyer, declaration, declaration_country, registered_from, registered_to)


ListFilters = Annotated[ListQuery, Depends(list_query)]
FILTERS_DESCRIPTION = (
    "Filters (all optional, combined with AND): `invoice_number`, `seller`, `buyer` (trader IDs `SCHEME:VALUE`), "
    "`declaration` (a reference, with `declaration_country` optionally), `registered_from`, `registered_to` (ISO 8601 "
    "dates or date-times, both bounds included). Invoice number and buyer are confidential: they match only key data sets "
    "whose data you may see and this node holds (the operator role, which sees public facts only, gets 422 for them), so "
    "a filter never tells that a GPID you may not read exists. A bad filter is a 422 problem naming the parameter."
)


@router.get(
    "",
    response_model=KeyDataSetList,
    summary="List the key data sets visible to you",
    description="Newest registration first. " + FILTERS_DESCRIPTION + " `/v1/key-data-sets/export` gives the whole "
    "filtered list as CSV or JSON.",
    responses=responses(401, 422, 500, 503),
)
def list_key_data_sets(
    principal: CurrentPrincipal,
    node: NodeDep,
    filters: ListFilters,
    limit: Annotated[int, Query(ge=1, le=200, description="page size")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_INT32, description="items to skip")] = 0,
) -> dict[str, Any]:
    return node.reads.list_key_data_sets(principal, limit, offset, filters)


@router.get(
    "/export",
    response_class=StreamingResponse,
    summary="Export the key data sets visible to you (CSV or JSON)",
    description="The whole list (no pages), with the list's filters and in its order, as a download written while it "
    "is read (any length, in bounded memory). `format=json` (default): `{\"exported_at\", \"items\": [...], \"total\"}` "
    "with the list's items; `format=csv`: a header line and one line per key data set, columns "
    + ", ".join(f"`{c}`" for c in LIST_COLUMNS) + " (a cell a spreadsheet would run as a formula starts with an "
    "apostrophe). " + FILTERS_DESCRIPTION,
    responses={200: {"description": "the list as a file (`Content-Disposition: attachment`)",
                     "content": {"application/json": {"schema": {"type": "object", "properties": {
                                     "exported_at": {"type": "string", "format": "date-time"},
                                     "items": {"type": "array", "items": {"$ref": "#/components/schemas/KeyDataSetSummary"}},
                                     "total": {"type": "integer"}}}},
                                 "text/csv": {"schema": {"type": "string"}}}},
               **responses(401, 422, 500, 503)},  # fmt: skip
)
def export_key_data_sets(
    principal: CurrentPrincipal,
    node: NodeDep,
    filters: ListFilters,
    format: Annotated[Literal["json", "csv"], Query(description="`json` or `csv`")] = "json",
) -> StreamingResponse:
    items = node.reads.export_key_data_sets(principal, filters)  # a bad filter is refused here, before any byte
    now = datetime.now(UTC)
    name = f"key-data-sets-{now.strftime('%Y%m%dT%H%M%SZ')}.{format}"
    if format == "csv":
        return StreamingResponse(csv_lines(LIST_COLUMNS, items), media_type=CSV_MEDIA_TYPE, headers=attachment(name))
    return StreamingResponse(json_document(items, exported_at=iso(now)), media_type="application/json",
                             headers=attachment(name))  # fmt: skip


def _etag(answer: dict[str, Any]) -> str:
    integrity = answer.get("integrity") or {}
    basis = f"{answer['gpid']}|{answer['version']}|{integrity.get('digest')}|{integrity.get('verified')}"
    return 'W/"' + hashlib.sha256(basis.encode()).hexdigest()[:32] + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))


@router.get(
    "/{gpid}",
    response_model=KeyDataSetView,
    summary="Read a key data set with its integrity proof",
    description="The current version, or the version `version`, or the version current at `as_of` (not both). "
    "`integrity.checked_against` says whether the proof was made against the chain now or, the chain being "
    "unreachable, only against the index. Sends a weak `ETag`; `If-None-Match` answers 304 when unchanged.",
    responses={200: {"description": "the key data set", "headers": ETAG},
               304: {"description": "not modified (same version, digest and verdict)", "headers": ETAG},
               **responses(400, 401, 404, 422, 500, 503)},  # fmt: skip
)
def read_key_data_set(
    gpid: GpidPath,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    node: NodeDep,
    version: Annotated[int | None, Query(ge=1, le=MAX_INT32, description="a version number")] = None,
    as_of: Annotated[
        datetime | None, Query(description="ISO 8601 instant; without a time zone it is read as UTC")
    ] = None,
) -> Any:
    if version is not None and as_of is not None:
        raise ValidationFailed([FieldProblem("as_of", "give either version or as_of, not both")])
    if as_of is not None and as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    answer = node.reads.key_data_set(gpid, principal, version=version, as_of=as_of)
    etag = _etag(answer)
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={"ETag": etag})
    response.headers["ETag"] = etag
    return answer


@router.post(
    "/{gpid}/amendments",
    status_code=201,
    response_model=Amended,
    summary="Amend a key data set",
    description="`changes` is a JSON merge patch applied to the current version. The seller trader ID, the "
    "invoice number and the invoice date never change (422 naming them). 201 once mined (`Location` is the new "
    "version); 202 when not yet mined.",
    responses={**written_responses(Amended, "amended (mined)"),
               **responses(400, 401, 403, 404, 409, 413, 415, 422, 500, 503)},  # fmt: skip
)
def amend(
    gpid: GpidPath,
    body: AmendmentRequest,
    principal: JsonCaller,
    node: NodeDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    result = node.amendments.amend(gpid, body.changes, body.reason, principal, reason_code=body.reason_code)
    return answer_write(response, result, f"/v1/key-data-sets/{result['gpid']}?version={result['version']}")


@router.get(
    "/{gpid}/history",
    response_model=History,
    summary="Every version: author, time, changed fields, reason",
    responses=responses(400, 401, 404, 422, 500, 503),
)
def history(gpid: GpidPath, principal: CurrentPrincipal, node: NodeDep) -> dict[str, Any]:
    return node.reads.history(gpid, principal)


@router.get(
    "/{gpid}/declarations",
    response_model=GPIDDeclarations,
    summary="The declarations referencing a GPID, with the outcomes Customs recorded",
    description="Every declaration linked to the GPID (in the order they were linked), each with the outcomes Customs "
    "recorded on chain for it (`match`, `discrepancies`, `integrity_failure`; the version checked, the country, the "
    "time). For everyone who may read the GPID (its seller and buyer, their brokers, Customs): others get 404, as for "
    "a read. Links and outcomes are public facts on chain: no data of the key data set is shown.",
    responses=responses(400, 401, 404, 422, 500, 503),
)
def declarations_of(gpid: GpidPath, principal: CurrentPrincipal, node: NodeDep) -> dict[str, Any]:
    return node.declarations.of_gpid(gpid, principal)


@router.get(
    "/{gpid}/qr.svg",
    response_class=Response,
    summary="The GPID as a QR code (SVG) to print on the invoice",
    description="The code holds this node's URL of the key data set, which contains the GPID.",
    responses={200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}, "description": "an SVG image"},
               **responses(400, 401, 404, 422, 500, 503)},  # fmt: skip
)
def qr_code(gpid: GpidPath, request: Request, principal: CurrentPrincipal, node: NodeDep, settings: SettingsDep) -> Response:
    text = node.reads.history(gpid, principal)["gpid"]  # same visibility as a read, without a chain call
    base = (settings.public_url or node.public_url or str(request.base_url)).rstrip("/")
    url = f"{base}/v1/key-data-sets/{text}"
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=4, title=text, desc=url)
    return Response(out.getvalue(), media_type="image/svg+xml")
