"""Webhooks and their delivery queue: subscriptions, deliveries waiting or done, and the dispatcher's
claims on them. Every statement takes an open session (one transaction) from the caller.

The queue is durable: a delivery is a row before it is sent, and it stays ``pending`` until the
receiver answered 2xx (``delivered``) or the retry bound is reached (``dead``). A node that stops
mid-delivery finds the row pending and sends it again (at least once).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, Text, bindparam, cast, delete, func, insert, select, update
from sqlalchemy.orm import Session

from gpid_node.store.queries import _aware, _utc
from gpid_node.store.tables import (
    DELIVERY_DEAD,
    DELIVERY_DELIVERED,
    DELIVERY_PENDING,
    ApiKeyRow,
    WebhookDeliveryRow,
    WebhookRow,
)

_DELIVERIES: Table = WebhookDeliveryRow.__table__  # type: ignore[assignment]

__all__ = [
    "Outcome",
    "add_webhook",
    "counts",
    "deliveries_of",
    "delivery_of",
    "due",
    "enqueue",
    "live_webhooks",
    "move_cursor",
    "next_replay",
    "postpone",
    "queued_events",
    "record",
    "remove_webhook",
    "webhook_of",
    "webhooks_of",
]


def add_webhook(session: Session, row: WebhookRow) -> None:
    session.add(row)
    session.flush()


def webhooks_of(session: Session, account: str) -> list[WebhookRow]:
    """The webhooks an account made, oldest first."""
    return [_aware(r) for r in session.scalars(select(WebhookRow).where(WebhookRow.account == account)
                                               .order_by(WebhookRow.created_at, WebhookRow.id))]  # fmt: skip


def webhook_of(session: Session, webhook_id: str, account: str) -> WebhookRow | None:
    """The webhook with this id if ``account`` made it, else None."""
    row = session.scalar(select(WebhookRow).where(WebhookRow.id == webhook_id, WebhookRow.account == account))
    return None if row is None else _aware(row)


def remove_webhook(session: Session, webhook_id: str) -> None:
    """Deletes a webhook and its deliveries (pending ones are not sent any more)."""
    session.execute(delete(WebhookDeliveryRow).where(WebhookDeliveryRow.webhook_id == webhook_id))
    session.execute(delete(WebhookRow).where(WebhookRow.id == webhook_id))


def live_webhooks(session: Session) -> list[WebhookRow]:
    """The webhooks whose owner's API key is not revoked: those the dispatcher queues events for."""
    live = select(ApiKeyRow.key_id).where(ApiKeyRow.revoked_at.is_(None))
    return [_aware(r) for r in session.scalars(select(WebhookRow).where(WebhookRow.key_id.in_(live)).order_by(WebhookRow.id))]


def move_cursor(session: Session, webhook_id: str, block: int, log_index: int) -> None:
    session.execute(update(WebhookRow).where(WebhookRow.id == webhook_id).values(after_block=block, after_log=log_index))


def enqueue(session: Session, rows: Sequence[WebhookDeliveryRow]) -> None:
    """Adds deliveries in the caller's transaction (with the cursor move that queued them): one
    statement for them all, with their ids set on the rows when there is one."""
    if len(rows) == 1:
        session.add(rows[0])
        session.flush()
        return
    columns = [c.key for c in WebhookDeliveryRow.__table__.columns if c.key != "id"]
    if rows:
        session.execute(insert(_DELIVERIES), [{c: getattr(r, c) for c in columns} for r in rows])


def queued_events(session: Session, webhook_id: str, event_ids: Sequence[str]) -> set[str]:
    """Which of these events were queued for the webhook already (a reorg's replayed blocks)."""
    if not event_ids:
        return set()
    return set(session.scalars(select(WebhookDeliveryRow.event_id)
                               .where(WebhookDeliveryRow.webhook_id == webhook_id, WebhookDeliveryRow.event_id.in_(event_ids))))  # fmt: skip


def next_replay(session: Session, webhook_id: str, event_id: str) -> int:
    """The replay number a new replay of the event to this webhook takes (1 for the first)."""
    top = session.scalar(select(func.max(WebhookDeliveryRow.replay))
                         .where(WebhookDeliveryRow.webhook_id == webhook_id, WebhookDeliveryRow.event_id == event_id))  # fmt: skip
    return 1 if top is None else int(top) + 1


def delivery_of(session: Session, webhook_id: str, event_id: str) -> WebhookDeliveryRow | None:
    """The first delivery of an event to this webhook (the one the dispatcher queued), or None."""
    row = session.scalar(select(WebhookDeliveryRow).where(WebhookDeliveryRow.webhook_id == webhook_id,
                                                          WebhookDeliveryRow.event_id == event_id)
                         .order_by(WebhookDeliveryRow.replay).limit(1))  # fmt: skip
    return None if row is None else _aware(row)


def deliveries_of(session: Session, webhook_id: str, limit: int, before: int | None = None) -> list[WebhookDeliveryRow]:
    """One page of a webhook's deliveries, newest first (``before``: row ids below it)."""
    statement = select(WebhookDeliveryRow).where(WebhookDeliveryRow.webhook_id == webhook_id)
    if before is not None:
        statement = statement.where(WebhookDeliveryRow.id < before)
    return [_aware(r) for r in session.scalars(statement.order_by(WebhookDeliveryRow.id.desc()).limit(max(0, limit)))]


@dataclass(frozen=True)
class Due:
    """A delivery to send now, with what sending it needs."""

    id: int
    webhook_id: str
    url: str
    secret: str
    message_id: str
    body: str  # the payload as stored: the JSON text sent (and signed) as it is
    attempts: int


def due(session: Session, now: datetime, limit: int) -> list[Due]:
    """Up to ``limit`` pending deliveries whose time has come, oldest due first."""
    statement = (
        select(WebhookDeliveryRow.id, WebhookDeliveryRow.webhook_id, WebhookRow.url, WebhookRow.secret,
               WebhookDeliveryRow.event_id, WebhookDeliveryRow.replay, cast(WebhookDeliveryRow.payload, Text),
               WebhookDeliveryRow.attempts)
        .join(WebhookRow, WebhookRow.id == WebhookDeliveryRow.webhook_id)
        .where(WebhookDeliveryRow.status == DELIVERY_PENDING, WebhookDeliveryRow.next_attempt_at <= now)
        .order_by(WebhookDeliveryRow.next_attempt_at, WebhookDeliveryRow.id)
        .limit(limit)
    )  # fmt: skip
    return [Due(r[0], r[1], r[2], r[3], f"{r[4]}" if not r[5] else f"{r[4]}.r{r[5]}", r[6], int(r[7]))
            for r in session.execute(statement)]  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to."""

    id: int
    attempts: int
    at: datetime
    status: str  # pending (to retry) | delivered | dead
    http_status: int | None
    error: str | None
    next_attempt_at: datetime


_RECORD = (
    update(_DELIVERIES).where(_DELIVERIES.c.id == bindparam("key"))
    .values({name: bindparam(name) for name in ("status", "attempts", "last_attempt_at", "last_status", "last_error",
                                                "next_attempt_at", "delivered_at")})
)  # fmt: skip


def record(session: Session, outcomes: Iterable[Outcome]) -> None:
    """Writes the outcomes of attempts (one statement executed for them all, in one transaction)."""
    parameters = [
        {"key": o.id, "status": o.status, "attempts": o.attempts, "last_attempt_at": o.at, "last_status": o.http_status,
         "last_error": o.error, "next_attempt_at": o.next_attempt_at,
         "delivered_at": o.at if o.status == DELIVERY_DELIVERED else None}
        for o in outcomes
    ]  # fmt: skip
    if parameters:
        session.execute(_RECORD, parameters)


def postpone(session: Session, until: dict[int, datetime]) -> None:
    """Moves pending deliveries to a later time without an attempt (their receiver is failing)."""
    if until:
        session.execute(_POSTPONE, [{"key": key, "next_attempt_at": at} for key, at in until.items()])


_POSTPONE = (
    update(_DELIVERIES).where(_DELIVERIES.c.id == bindparam("key"), _DELIVERIES.c.status == DELIVERY_PENDING)
    .values(next_attempt_at=bindparam("next_attempt_at"))
)  # fmt: skip


def counts(session: Session) -> dict[str, int]:
    """Deliveries by status, and ``failed_attempts``: attempts that did not deliver."""
    result = {DELIVERY_PENDING: 0, DELIVERY_DELIVERED: 0, DELIVERY_DEAD: 0}
    attempts = 0
    for status, number, tried in session.execute(
        select(WebhookDeliveryRow.status, func.count(), func.coalesce(func.sum(WebhookDeliveryRow.attempts), 0))
        .group_by(WebhookDeliveryRow.status)
    ):  # fmt: skip
        result[str(status)] = int(number)
        attempts += int(tried)
    result["failed_attempts"] = attempts - result[DELIVERY_DELIVERED]
    return result


def utc(value: datetime) -> datetime:
    return _utc(value)
