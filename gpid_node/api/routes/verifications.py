"""/v1/verifications: a declaration's data checked against the key data sets it references."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from gpid_node.api.deps import IdempotencyKey, JsonCaller, NodeDep
from gpid_node.api.models import Verification
from gpid_node.api.problems import responses
from gpid_node.domain.declaration import VerificationRequest

router = APIRouter(prefix="/v1/verifications", tags=["verifications"])


@router.post(
    "",
    response_model=Verification,
    summary="Verify a declaration against the key data sets it references",
    description="Integrity, version at filing time, amendments since, field-by-field discrepancies and reuse of "
    "each GPID in other declarations. A Customs verification is also recorded on chain (`recorded`).",
    responses=responses(400, 401, 403, 409, 413, 415, 422, 500, 503),
)
def verify(body: VerificationRequest, principal: JsonCaller, node: NodeDep, idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    return node.verifications.verify(body, principal)
