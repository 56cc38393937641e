"""/v1/submissions: follow a write answered 202 until it is mined or refused."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi import Path as PathParam

from gpid_node.api.deps import CurrentPrincipal, NodeDep
from gpid_node.api.models import Submission
from gpid_node.api.problems import responses

router = APIRouter(prefix="/v1/submissions", tags=["submissions"])


@router.get(
    "/{submission}",
    response_model=Submission,
    summary="A write's progress: pending, sent, mined or failed (with its error)",
    responses=responses(401, 404, 422, 500, 503),
)
def submission(
    submission: Annotated[int, PathParam(ge=1, le=2**53, description="the submission number of a 202 answer")],
    principal: CurrentPrincipal,
    node: NodeDep,
) -> dict[str, Any]:
    return node.submissions.submission(submission, principal)
