"""/v1/key-data-sets/{gpid}/grants: give one account access to an encrypted key data set, list and end grants."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Response
from fastapi import Path as PathParam

from gpid_node.api.deps import CurrentPrincipal, IdempotencyKey, JsonCaller, NodeDep
from gpid_node.api.models import ACCOUNT_PATTERN, Granted, GrantList, GrantRequest, Revoked
from gpid_node.api.problems import responses
from gpid_node.api.routes import answer_change, answer_write, written_responses

router = APIRouter(prefix="/v1/key-data-sets", tags=["access"])

GpidPath = Annotated[str, PathParam(max_length=64, description="the GPID as printed (case and hyphens do not matter)")]
AccountPath = Annotated[str, PathParam(pattern=ACCOUNT_PATTERN, description="the grantee's account")]


@router.post(
    "/{gpid}/grants",
    status_code=201,
    response_model=Granted,
    summary="Give an account access to an encrypted key data set",
    description="By the seller (its current account) or the buyer of the GPID: the GPID's content key is wrapped "
    "for the grantee's current published encryption key and put on chain; the grantee may then read the key data "
    "set and link declarations to it. 409 when the grantee holds an active grant already; 422 naming `grantee` "
    "when it has published no encryption key; 404 when you may not read the GPID. The `reason` stays on this node.",
    responses={**written_responses(Granted, "granted (mined)"),
               **responses(400, 401, 403, 404, 409, 413, 415, 422, 500, 503)},  # fmt: skip
)
def grant(
    gpid: GpidPath, body: GrantRequest, principal: JsonCaller, node: NodeDep, response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:  # fmt: skip
    result = node.access.grant(gpid, body.grantee, body.reason, principal)
    return answer_write(response, result, f"/v1/key-data-sets/{result['gpid']}/grants")


@router.get(
    "/{gpid}/grants",
    response_model=GrantList,
    summary="The grants of a key data set (active and revoked), for its seller and its buyer",
    description="Grants are the seller's and the buyer's business: anyone else who may read the GPID gets 403, "
    "whoever may not read it 404.",
    responses=responses(400, 401, 403, 404, 422, 500, 503),
)
def grants(gpid: GpidPath, principal: CurrentPrincipal, node: NodeDep) -> dict[str, Any]:
    return node.access.grants(gpid, principal)


@router.delete(
    "/{gpid}/grants/{account}",
    response_model=Revoked,
    summary="End a grant",
    description="The grantee may no longer link declarations to the GPID. What was already shared stays shared: "
    "it keeps the content key it received (the answer's `note` says so). 404 when it holds no active grant. "
    "202 while the revocation is not yet mined.",
    responses={202: {"model": Revoked, "description": "recorded, not yet mined"},
               **responses(400, 401, 403, 404, 409, 422, 500, 503)},  # fmt: skip
)
def revoke(gpid: GpidPath, account: AccountPath, principal: CurrentPrincipal, node: NodeDep, response: Response) -> dict[str, Any]:
    return answer_change(response, node.access.revoke(gpid, account, principal))
