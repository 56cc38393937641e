"""/v1/events: what happened on chain to the key data sets the caller may read, in chain order."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from gpid_node.api.deps import CurrentPrincipal, NodeDep
from gpid_node.api.problems import responses

router = APIRouter(prefix="/v1/events", tags=["events"])


class Event(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str = Field(description="the event's position on chain, `<block>-<log index>`: the same on every node")
    type: str = Field(description="key_data_set.registered | key_data_set.amended | declaration.linked | verification.recorded | access.granted")
    gpid: str
    version: int | None = Field(description="the version registered, amended or verified; null for links and grants")
    block: int
    time: str | None
    data: dict[str, Any] = Field(description="the event's public facts; what changed only for callers who see the data")


class EventPage(BaseModel):
    model_config = ConfigDict(extra="allow")
    items: list[Event]
    next: str | None = Field(description="ask again with `after=<next>` for what comes after (null: nothing indexed yet)")


@router.get(
    "",
    response_model=EventPage,
    summary="The event feed",
    description="Events about the key data sets you may read, oldest first, after the event `after` (from the first "
    "without it). Ids are chain positions, so every node serves the same feed. Poll with `after=<next>`; `types` "
    "narrows the feed (repeat it).",
    responses=responses(400, 401, 422, 500, 503),
)
def events(
    principal: CurrentPrincipal,
    node: NodeDep,
    after: Annotated[str | None, Query(max_length=40, description="an event id (`<block>-<log index>`); the feed's `next`")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="page size")] = 100,
    types: Annotated[list[str] | None, Query(max_length=5, description="only these event types")] = None,
) -> dict[str, Any]:
    return node.events.feed(principal, after, limit, types)
