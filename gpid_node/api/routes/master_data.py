"""/v1/items and /v1/partners: the seller's master data that completes its e-invoices (catalogue
entries by item id, customers' trader IDs by VAT id or party id), one entry or a CSV file."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Response
from fastapi import Path as PathParam

from gpid_node.api.deps import CsvBody, CurrentPrincipal, NodeDep, RawJson
from gpid_node.api.models import CatalogueItem, CatalogueList, MasterDataImported, PartnerList, PartnerView
from gpid_node.api.openapi import CSV_BODY, ITEM_BODY, PARTNER_BODY
from gpid_node.api.problems import responses
from gpid_node.store.tables import ITEM_ID, PARTNER_ID

router = APIRouter(tags=["master-data"])

ItemPath = Annotated[str, PathParam(min_length=1, max_length=ITEM_ID, description="the seller's item id (BT-155) as the invoices give it")]
PartnerPath = Annotated[str, PathParam(min_length=1, max_length=PARTNER_ID, description="the customer's VAT id or party id as the invoices give it")]
Limit = Annotated[int, Query(ge=1, le=1000, description="page size")]
Offset = Annotated[int, Query(ge=0, le=2**31 - 1, description="entries to skip")]
CREATED: dict[int | str, dict[str, Any]] = {201: {"description": "created"}}


def _created(response: Response, result: tuple[dict[str, Any], bool], location: str) -> dict[str, Any]:
    answer, created = result
    if created:
        response.status_code = 201
        response.headers["Location"] = location
    return answer


@router.put(
    "/v1/items/{item_id}",
    response_model=CatalogueItem,
    summary="Create or replace a catalogue entry",
    description="What your e-invoices lack for an item: HS code, country of origin, preferential origin, net mass and "
    "packages per invoiced unit. 201 when new, 200 when replaced; 422 naming each invalid field.",
    responses={**CREATED, **responses(400, 401, 403, 413, 415, 422, 500, 503)},
    openapi_extra=ITEM_BODY,
)
def put_item(item_id: ItemPath, body: RawJson, principal: CurrentPrincipal, node: NodeDep, response: Response) -> dict[str, Any]:
    result = node.master_data.put_item(item_id, body, principal)
    return _created(response, result, f"/v1/items/{quote(result[0]['item_id'], safe='')}")


@router.put(
    "/v1/items",
    response_model=MasterDataImported,
    summary="Create or replace catalogue entries from a CSV file",
    description="Header `item_id,hs_code,country_of_origin,preferential_origin,net_mass_kg_per_unit,packages_per_unit` "
    "(item_id required, the other columns optional; an empty cell is no value). All or nothing: 422 naming every bad "
    "cell by line and column.",
    responses=responses(400, 401, 403, 413, 415, 422, 500, 503),
    openapi_extra=CSV_BODY,
)
def import_items(body: CsvBody, principal: CurrentPrincipal, node: NodeDep) -> dict[str, Any]:
    return node.master_data.import_items(body.content, principal)


@router.get("/v1/items", response_model=CatalogueList, summary="Your catalogue, by item id", responses=responses(401, 403, 422, 500, 503))
def list_items(principal: CurrentPrincipal, node: NodeDep, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    return node.master_data.items(principal, limit, offset)


@router.delete("/v1/items/{item_id}", status_code=204, summary="Remove a catalogue entry",
               responses={204: {"description": "removed"}, **responses(401, 403, 404, 422, 500, 503)})  # fmt: skip
def delete_item(item_id: ItemPath, principal: CurrentPrincipal, node: NodeDep) -> Response:
    node.master_data.delete_item(item_id, principal)
    return Response(status_code=204)


@router.put(
    "/v1/partners/{partner_id}",
    response_model=PartnerView,
    summary="Create or replace a partner (a customer's trader ID)",
    description="Keyed by the customer's VAT id (BT-48) or party id (BT-46) as your invoices give it; the buyer's trader ID "
    "of a derived key data set comes from here. 201 when new, 200 when replaced.",
    responses={**CREATED, **responses(400, 401, 403, 413, 415, 422, 500, 503)},
    openapi_extra=PARTNER_BODY,
)
def put_partner(partner_id: PartnerPath, body: RawJson, principal: CurrentPrincipal, node: NodeDep, response: Response) -> dict[str, Any]:
    result = node.master_data.put_partner(partner_id, body, principal)
    return _created(response, result, f"/v1/partners/{quote(result[0]['partner_id'], safe='')}")


@router.put(
    "/v1/partners",
    response_model=MasterDataImported,
    summary="Create or replace partners from a CSV file",
    description="Header `partner_id,scheme,value` (scheme EORI when empty). All or nothing.",
    responses=responses(400, 401, 403, 413, 415, 422, 500, 503),
    openapi_extra=CSV_BODY,
)
def import_partners(body: CsvBody, principal: CurrentPrincipal, node: NodeDep) -> dict[str, Any]:
    return node.master_data.import_partners(body.content, principal)


@router.get("/v1/partners", response_model=PartnerList, summary="Your partner directory", responses=responses(401, 403, 422, 500, 503))
def list_partners(principal: CurrentPrincipal, node: NodeDep, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    return node.master_data.partners(principal, limit, offset)


@router.delete("/v1/partners/{partner_id}", status_code=204, summary="Remove a partner",
               responses={204: {"description": "removed"}, **responses(401, 403, 404, 422, 500, 503)})  # fmt: skip
def delete_partner(partner_id: PartnerPath, principal: CurrentPrincipal, node: NodeDep) -> Response:
    node.master_data.delete_partner(partner_id, principal)
    return Response(status_code=204)
