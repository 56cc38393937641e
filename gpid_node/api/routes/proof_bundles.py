"""/v1/key-data-sets/{gpid}/proof: the proof bundle of a version, for an auditor to check offline."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Path as PathParam

from gpid_node.api.deps import CurrentPrincipal, NodeDep
from gpid_node.api.models import ProofBundle
from gpid_node.api.problems import responses

router = APIRouter(prefix="/v1/key-data-sets", tags=["key-data-sets"])

GpidPath = Annotated[str, PathParam(max_length=64, description="the GPID as printed (case and hyphens do not matter)")]
MAX_INT32 = 2**31 - 1


@router.get(
    "/{gpid}/proof",
    response_model=ProofBundle,
    summary="The proof bundle of a version, checkable offline against a trusted block hash",
    description="A self-contained `gpid-proof-bundle/1` document: the key data set of the version (default the "
    "current one) with its opening (format 2: the GPID's seed; format 1: its salt), its commitments and digest, "
    "`eth_getProof` of the registry's storage slots of that digest and of the GPID's record, and the header of the "
    "block they are proven at. `gpid-node check-proof FILE --block-hash H` checks it with no node and no network. "
    "For whoever may read the GPID's data (404 otherwise; 403 for a role that sees public facts only; 409 when "
    "this node holds no key that opens it).",
    responses=responses(400, 401, 403, 404, 409, 422, 500, 503),
)
def proof_bundle(
    gpid: GpidPath,
    principal: CurrentPrincipal,
    node: NodeDep,
    version: Annotated[int | None, Query(ge=1, le=MAX_INT32, description="a version number (default: the current one)")] = None,
) -> dict[str, Any]:
    return node.proof_bundles.bundle(gpid, principal, version=version)
