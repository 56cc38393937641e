"""/v1/mandates: standing mandates of the caller's trader for an agent and a direction."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from fastapi import Path as PathParam

from gpid_node.api.deps import CurrentPrincipal, IdempotencyKey, JsonCaller, NodeDep
from gpid_node.api.models import ACCOUNT_PATTERN, MandateList, MandateRequest, MandateWritten
from gpid_node.api.problems import responses
from gpid_node.api.routes import answer_change, answer_write, written_responses

router = APIRouter(prefix="/v1/mandates", tags=["access"])

AgentPath = Annotated[str, PathParam(pattern=ACCOUNT_PATTERN, description="the agent's account")]
DirectionPath = Annotated[Literal["export", "import"], PathParam(description="export or import")]


@router.post(
    "",
    status_code=201,
    response_model=MandateWritten,
    summary="Give an agent a standing mandate",
    description="A seller or buyer mandates an agent (e.g. its export broker) for a direction: the agent may link "
    "declarations of that direction to every encrypted key data set the caller's trader sells, and receives the "
    "content key of the trader's next key data sets (it publishes an encryption key first).",
    responses={**written_responses(MandateWritten, "mandated (mined)"),
               **responses(400, 401, 403, 409, 413, 415, 422, 500, 503)},  # fmt: skip
)
def set_mandate(
    body: MandateRequest, principal: JsonCaller, node: NodeDep, response: Response, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    result = node.access.set_mandate(body.agent, body.direction, principal)
    return answer_write(response, result, "/v1/mandates")


@router.get("", response_model=MandateList, summary="Your trader's active mandates", responses=responses(401, 403, 500, 503))
def mandates(principal: CurrentPrincipal, node: NodeDep) -> dict[str, Any]:
    return node.access.mandates(principal)


@router.delete(
    "/{agent}/{direction}",
    response_model=MandateWritten,
    summary="Withdraw a mandate",
    description="404 when the agent holds no such mandate of your trader. 202 while not yet mined.",
    responses={202: {"model": MandateWritten, "description": "recorded, not yet mined"},
               **responses(400, 401, 403, 404, 409, 422, 500, 503)},  # fmt: skip
)
def end_mandate(agent: AgentPath, direction: DirectionPath, principal: CurrentPrincipal, node: NodeDep, response: Response) -> dict[str, Any]:
    return answer_change(response, node.access.end_mandate(agent, direction, principal))
