"""Webhooks: a caller subscribes a URL to event types; the node signs and sends it each event the
caller may read (:mod:`.webhook_dispatch` delivers from the queue in the database). The use cases
here make, list and delete subscriptions, show a webhook's delivery log and replay an event.

A webhook belongs to the account that made it and acts with its API key's rights: when the key is
revoked nothing more is queued for it. Its secret (``whsec_...``, Standard Webhooks) is shown once.
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime
from typing import Any

from gpid_node.domain import errors as e
from gpid_node.domain.access import Principal
from gpid_node.domain.times import iso
from gpid_node.services.context import Context
from gpid_node.services.events import caller_of, checked_types, event_id, item_of, parse_event_id
from gpid_node.services.webhook_dispatch import END_OF_BLOCK, WebhookConfig, message_of
from gpid_node.store import queries
from gpid_node.store import webhooks as store
from gpid_node.store.events_queries import events_after
from gpid_node.store.tables import DELIVERY_PENDING, WebhookDeliveryRow, WebhookRow

MAX_WEBHOOKS = 50  # per account
MAX_PAGE = 200


def _webhook(row: WebhookRow) -> dict[str, Any]:
    return {"id": row.id, "url": row.url, "events": list(row.events), "created_at": iso(row.created_at)}


def _delivery(row: WebhookDeliveryRow) -> dict[str, Any]:
    return {
        "id": row.id, "event": row.event_id, "type": row.event_type, "replay": row.replay, "status": row.status,
        "attempts": row.attempts, "next_attempt_at": iso(row.next_attempt_at) if row.status == DELIVERY_PENDING else None,
        "last_attempt_at": iso(row.last_attempt_at), "last_status": row.last_status, "last_error": row.last_error,
        "delivered_at": iso(row.delivered_at), "created_at": iso(row.created_at),
    }  # fmt: skip


class Webhooks:
    """The webhook use cases of one node."""

    def __init__(self, context: Context, config: WebhookConfig) -> None:
        self.context = context
        self.config = config

    def create(self, principal: Principal, url: str, events: list[str]) -> dict[str, Any]:
        """A new subscription of ``url`` to ``events`` (each a type of the feed); sent what is indexed
        from now on. The answer carries the signing secret, shown this once."""
        problems: list[e.FieldProblem] = []
        refused = self.config.policy.refusal(url)
        if refused:
            problems.append(e.FieldProblem("url", refused))
        if not events:
            problems.append(e.FieldProblem("events", "name at least one event type: " + ", ".join(checked_types(None))))
        else:
            try:
                checked_types(events, path="events")
            except e.ValidationFailed as exc:
                problems.extend(exc.problems)
        if problems:
            raise e.ValidationFailed(problems)
        now = datetime.now(UTC)
        secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
        with self.context.store.session() as session:
            if len(store.webhooks_of(session, principal.account)) >= MAX_WEBHOOKS:
                raise e.ValidationFailed([e.FieldProblem("url", f"an account may hold {MAX_WEBHOOKS} webhooks; delete one first")])
            cursor = queries.cursor(session)
            row = WebhookRow(
                id="wh_" + secrets.token_hex(8), key_id=principal.key_id or "", role=principal.role.value,
                account=principal.account, trader_id=principal.trader_id, country=principal.country, url=url,
                events=list(dict.fromkeys(events)), secret=secret,
                after_block=0 if cursor is None else int(cursor.block_number), after_log=-1 if cursor is None else END_OF_BLOCK,
                created_at=now,
            )  # fmt: skip
            store.add_webhook(session, row)
        return {**_webhook(row), "secret": secret}

    def list(self, principal: Principal) -> dict[str, Any]:
        with self.context.store.session() as session:
            return {"items": [_webhook(row) for row in store.webhooks_of(session, principal.account)]}

    def _own(self, session: Any, principal: Principal, webhook_id: str) -> WebhookRow:
        row = store.webhook_of(session, webhook_id[:40], principal.account)
        if row is None:
            raise e.NotFound(f"you have no webhook {webhook_id[:40]}; GET /v1/webhooks lists yours")
        return row

    def delete(self, principal: Principal, webhook_id: str) -> None:
        """Ends a subscription; its deliveries not yet made are dropped with its log."""
        with self.context.store.session() as session:
            store.remove_webhook(session, self._own(session, principal, webhook_id).id)

    def deliveries(self, principal: Principal, webhook_id: str, limit: int = 50, before: int | None = None) -> dict[str, Any]:
        """The webhook's delivery log, newest first, a page at a time (``next``: the ``before`` of the next page)."""
        limit = max(1, min(limit, MAX_PAGE))
        with self.context.store.session() as session:
            self._own(session, principal, webhook_id)
            rows = store.deliveries_of(session, webhook_id, limit, before)
        return {"items": [_delivery(row) for row in rows], "next": rows[-1].id if len(rows) == limit else None}

    def replay(self, principal: Principal, webhook_id: str, event: str) -> dict[str, Any]:
        """Queues the event ``event`` for the webhook again (or for the first time, when it was indexed
        before the webhook was made), if the webhook's owner may read it."""
        block, log_index = parse_event_id(event, path="event")
        now = datetime.now(UTC)
        with self.context.store.session() as session:
            row = self._own(session, principal, webhook_id)
            first = store.delivery_of(session, row.id, event_id(block, log_index))
            if first is not None:
                payload = first.payload
                event_type = first.event_type
            else:
                found = events_after(session, caller_of(principal), (block, log_index - 1), 1)
                if not found or (found[0].block, found[0].log_index) != (block, log_index):
                    raise e.NotFound(f"no event {event_id(block, log_index)} that you may read; GET /v1/events lists them")
                payload = message_of(item_of(found[0], principal), now)
                event_type = found[0].type
            delivery = WebhookDeliveryRow(
                webhook_id=row.id, event_id=event_id(block, log_index), event_type=event_type,
                replay=store.next_replay(session, row.id, event_id(block, log_index)), payload=payload,
                status=DELIVERY_PENDING, attempts=0, next_attempt_at=now, created_at=now,
            )  # fmt: skip
            store.enqueue(session, [delivery])
        return _delivery(delivery)

    def backlog(self) -> dict[str, int]:
        """Deliveries by status and the failed attempts (the metrics)."""
        with self.context.store.session() as session:
            return store.counts(session)
