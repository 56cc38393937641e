"""/v1/webhooks: subscribe a URL to event types (signed per Standard Webhooks), list, delete, the
delivery log, and replay of an event."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from gpid_node.api.deps import CurrentPrincipal, JsonCaller, NodeDep
from gpid_node.api.problems import responses

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

WebhookPath = Annotated[str, PathParam(max_length=40, description="the webhook's id (`wh_...`)")]


class WebhookRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=1, max_length=2048, description="an http(s) URL of a host this node's operator allows")
    events: list[str] = Field(max_length=5, description="event types: key_data_set.registered, key_data_set.amended, "
                              "declaration.linked, verification.recorded, access.granted")  # fmt: skip


class ReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event: str = Field(min_length=1, max_length=40, description="the id of the event to send again (`<block>-<log index>`)")


class Webhook(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    url: str
    events: list[str]
    created_at: str | None


class CreatedWebhook(Webhook):
    secret: str = Field(description="`whsec_...`: verifies `webhook-signature` (Standard Webhooks); shown this once")


class WebhookList(BaseModel):
    model_config = ConfigDict(extra="allow")
    items: list[Webhook]


class Delivery(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    event: str
    type: str
    replay: int
    status: str = Field(description="pending | delivered | dead (no attempts left)")
    attempts: int
    next_attempt_at: str | None = Field(description="when it is tried next (pending deliveries), else null")
    last_status: int | None
    last_error: str | None
    last_attempt_at: str | None = Field(description="when it was last sent, or null before the first attempt")
    delivered_at: str | None = Field(description="when the receiver answered 2xx, or null")
    created_at: str | None = Field(description="when the event was queued for this webhook")


class DeliveryPage(BaseModel):
    model_config = ConfigDict(extra="allow")
    items: list[Delivery]
    next: int | None = Field(description="`before` of the next page (older deliveries), or null")


@router.post(
    "",
    status_code=201,
    response_model=CreatedWebhook,
    summary="Subscribe a URL to events",
    description="Each event of these types about a key data set you may read is POSTed to `url` as "
    "`{\"type\", \"timestamp\", \"data\": <the event as GET /v1/events gives it>}` with the Standard Webhooks "
    "headers `webhook-id` (the event id: drop repeats), `webhook-timestamp` and `webhook-signature`, at least once, "
    "retried with growing waits until the receiver answers 2xx. 422 naming `url` when this node does not send there.",
    responses=responses(400, 401, 413, 415, 422, 500, 503),
)
def create(body: WebhookRequest, principal: JsonCaller, node: NodeDep, response: Response) -> dict[str, Any]:
    result = node.webhooks.create(principal, body.url, body.events)
    response.headers["Location"] = f"/v1/webhooks/{result['id']}"
    return result


@router.get("", response_model=WebhookList, summary="Your webhooks", responses=responses(401, 422, 500, 503))
def list_webhooks(principal: CurrentPrincipal, node: NodeDep) -> dict[str, Any]:
    return node.webhooks.list(principal)


@router.delete(
    "/{webhook_id}", status_code=204, summary="Delete a webhook", description="Deliveries not yet made are dropped.",
    responses=responses(401, 404, 422, 500, 503),
)  # fmt: skip
def delete(webhook_id: WebhookPath, principal: CurrentPrincipal, node: NodeDep) -> Response:
    node.webhooks.delete(principal, webhook_id)
    return Response(status_code=204)


@router.get(
    "/{webhook_id}/deliveries",
    response_model=DeliveryPage,
    summary="A webhook's delivery log",
    description="Newest first: each delivery's status, attempts, the receiver's last answer or error, when it is tried next.",
    responses=responses(401, 404, 422, 500, 503),
)
def deliveries(
    webhook_id: WebhookPath, principal: CurrentPrincipal, node: NodeDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50, before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> dict[str, Any]:  # fmt: skip
    return node.webhooks.deliveries(principal, webhook_id, limit, before)


@router.post(
    "/{webhook_id}/replay",
    status_code=202,
    response_model=Delivery,
    summary="Send an event again",
    description="Queues the event for this webhook again (a dead delivery, or one the receiver lost), or for the first "
    "time when it was indexed before the webhook was made. 404 when you may not read it.",
    responses=responses(400, 401, 404, 413, 415, 422, 500, 503),
)
def replay(webhook_id: WebhookPath, body: ReplayRequest, principal: JsonCaller, node: NodeDep) -> dict[str, Any]:
    return node.webhooks.replay(principal, webhook_id, body.event)
