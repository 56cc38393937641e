"""The event feed: what happened on chain to the key data sets a caller may read, in chain order.

Each event is derived from the index (a version, a declaration link, a Customs verification, a
grant), so every node that indexed the same chain serves the same events under the same ids: an id is
the event's log position on chain, ``<block>-<log index>``. The feed is paged by that cursor
(``after``); ``next`` is the cursor to ask with next (the last event's id, or ``after`` itself when
nothing newer is indexed yet). Who may read what is the one read rule (``domain/access.py``, as SQL in
``store/queries.visible_filter``); ``data`` holds the event's public facts, plus what changed in a
version (and its reason in words) when the caller sees data (not the operator, and only where this
node holds the data).
"""

from __future__ import annotations

from typing import Any

from gpid_node.domain import errors as e
from gpid_node.domain.access import Principal, sees_data
from gpid_node.domain.times import iso
from gpid_node.services.context import Context
from gpid_node.store.events_queries import EVENT_TYPES, Caller, IndexedEvent, events_after

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100


def event_id(block: int, log_index: int) -> str:
    return f"{block}-{log_index}"


def parse_event_id(text: str, path: str = "after") -> tuple[int, int]:
    """``<block>-<log index>`` as a position; refused naming ``path`` otherwise."""
    block, dash, log = text.strip().partition("-")
    if dash and block.isdigit() and log.isdigit() and len(text) <= 40:
        return int(block), int(log)
    raise e.ValidationFailed([e.FieldProblem(path, f"{text[:40]!r} is not an event id; use the id of an event "
                                             "(<block>-<log index>, e.g. 1234-0) or the feed's `next`")])  # fmt: skip


def caller_of(principal: Principal) -> Caller:
    return Caller(principal.role.value, principal.account, principal.trader_id, principal.country)


def item_of(event: IndexedEvent, principal: Principal) -> dict[str, Any]:
    """One event as the feed and the webhooks give it to ``principal`` (who may read its GPID)."""
    data = dict(event.facts)
    if not (sees_data(principal) and event.readable):
        for confidential in ("changed_fields", "reason"):  # a version's: what changed, and why in words
            if confidential in data:
                data[confidential] = None
    return {"id": event_id(event.block, event.log_index), "type": event.type, "gpid": event.gpid, "version": event.version,
            "block": event.block, "time": iso(event.time), "data": data}  # fmt: skip


def checked_types(types: list[str] | None, path: str = "types") -> tuple[str, ...]:
    """The event types asked for (all when none), each one of :data:`EVENT_TYPES`."""
    if not types:
        return EVENT_TYPES
    unknown = [(i, t) for i, t in enumerate(types) if t not in EVENT_TYPES]
    if unknown:
        raise e.ValidationFailed([e.FieldProblem(f"{path}[{i}]", f"{t[:60]!r} is no event type; use {', '.join(EVENT_TYPES)}")
                                  for i, t in unknown])  # fmt: skip
    return tuple(dict.fromkeys(types))


class Events:
    """The feed of one node."""

    def __init__(self, context: Context) -> None:
        self.context = context

    def feed(self, principal: Principal, after: str | None, limit: int, types: list[str] | None = None) -> dict[str, Any]:
        """Up to ``limit`` events after the event ``after`` (from the first when None)."""
        position = parse_event_id(after) if after else None
        wanted = checked_types(types)
        limit = max(1, min(limit, MAX_LIMIT))
        with self.context.store.session() as session:
            events = events_after(session, caller_of(principal), position, limit, wanted)
        items = [item_of(event, principal) for event in events]
        return {"items": items, "next": items[-1]["id"] if items else after}
