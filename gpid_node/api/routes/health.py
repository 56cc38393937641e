"""Operations: liveness, readiness (chain, database, index lag) and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from gpid_node.api.deps import NodeDep
from gpid_node.api.metrics import CONTENT_TYPE
from gpid_node.api.models import Health, Readiness
from gpid_node.services.node import Node

router = APIRouter(tags=["health"])

# The index may trail the chain head by this many blocks (plus the confirmations it waits for).
READY_MAX_LAG_BLOCKS = 10


@router.get("/healthz", response_model=Health, summary="The process serves (always 200 when it answers)")
def healthz() -> dict[str, Any]:
    return {"status": "ok"}


def _chain(node: Node) -> dict[str, Any]:
    if node.client.is_reachable():
        return {"ok": True, "detail": "the chain answers"}
    return {"ok": False, "detail": "the chain cannot be reached"}


def _database(node: Node) -> dict[str, Any]:
    try:
        node.store.ping()
    except Exception as exc:
        return {"ok": False, "detail": f"the index database cannot be used: {exc.__class__.__name__}"}
    return {"ok": True, "detail": "the index database answers"}


def _indexer(node: Node) -> dict[str, Any]:
    try:
        lag = node.indexer.lag()
    except Exception as exc:
        return {"ok": False, "detail": f"the indexer's lag cannot be read: {exc.__class__.__name__}", "lag_blocks": None}
    allowed = READY_MAX_LAG_BLOCKS + node.confirmations
    if lag is None:
        return {"ok": False, "detail": "the indexer has not caught up with the chain yet", "lag_blocks": None}
    if lag > allowed:
        return {"ok": False, "detail": f"the index is {lag} blocks behind the chain (at most {allowed})", "lag_blocks": lag}
    return {"ok": True, "detail": f"the index is {lag} block(s) behind the chain", "lag_blocks": lag}


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="Ready to serve: chain reachable, database answering, index caught up (else 503 with the reasons)",
    responses={503: {"model": Readiness, "description": "not ready; `reasons` says why"}},
)
def readyz(node: NodeDep) -> Any:
    checks = {"chain": _chain(node), "database": _database(node), "indexer": _indexer(node)}
    reasons = [check["detail"] for check in checks.values() if not check["ok"]]
    body = {"status": "not_ready" if reasons else "ready", "reasons": reasons, "checks": checks}
    if reasons:
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})
    return body


@router.get(
    "/metrics",
    response_class=Response,
    summary="Prometheus metrics (text format)",
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "metrics"}},
)
def metrics(request: Request) -> Response:
    return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE)
