"""/v1/declarations: link GPIDs to a Customs declaration, read a declaration's links."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Response
from fastapi import Path as PathParam

from gpid_node.api.deps import CurrentPrincipal, IdempotencyKey, JsonCaller, NodeDep
from gpid_node.api.models import DeclarationView, Linked, LinkRequest
from gpid_node.api.problems import responses
from gpid_node.api.routes import written_responses
from gpid_node.store.tables import FAILED, MINED

router = APIRouter(prefix="/v1/declarations", tags=["declarations"])


@router.post(
    "",
    status_code=201,
    response_model=Linked,
    summary="Link GPIDs to a declaration",
    description="Records on chain that the declaration references each GPID (brokers, the seller or the buyer). "
    "201 once every link is mined or refused (each link says which); 202 while some are not yet mined.",
    responses={**written_responses(Linked, "linked (every link mined or refused)"),
               **responses(400, 401, 403, 404, 409, 413, 415, 422, 500, 503)},  # fmt: skip
)
def link(
    body: LinkRequest, principal: JsonCaller, node: NodeDep, response: Response, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    result = node.declarations.link(body.reference, body.country, body.direction, body.gpids, principal)
    links = result["links"]
    pending = [entry for entry in links if entry.get("status") not in (MINED, FAILED)]
    if pending:
        response.status_code = 202
        response.headers["Location"] = f"/v1/submissions/{pending[0]['submission']}"
    else:  # every link mined or refused, and indexed (the service waits for that)
        response.headers["Location"] = f"/v1/declarations/{result['country']}/{quote(result['reference'], safe='')}"
    return result


@router.get(
    "/{country}/{reference}",
    response_model=DeclarationView,
    summary="A declaration and the GPIDs it references",
    responses=responses(401, 404, 422, 500, 503),
)
def declaration(
    country: Annotated[str, PathParam(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")],
    reference: Annotated[str, PathParam(min_length=1, max_length=70, description="the declaration's reference")],
    principal: CurrentPrincipal,
    node: NodeDep,
) -> dict[str, Any]:
    return node.declarations.declaration(country, reference, principal)
