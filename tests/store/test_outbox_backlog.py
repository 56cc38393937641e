"""The outbox backlog the metrics read (gpid_outbox_backlog, gpid_outbox_oldest_age_seconds): entries
not yet mined or failed, by status, with the oldest one's recording time, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from gpid_node.store import outbox_queries as q
from gpid_node.store.database import Store
from gpid_node.store.tables import OutboxEntry

SENDER = "0x" + "ab" * 20


def _naive_utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=None) if moment is not None and moment.tzinfo is not None else moment


def test_backlog_counts_pending_and_sent_entries_and_names_the_oldest(store: Store) -> None:
    assert q.backlog(store) == {"pending": (0, None), "sent": (0, None)}
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    with store.session() as session:
        ids = [q.record(session, "register", SENDER, {"n": i}, None, now - timedelta(minutes=10 - i)) for i in range(5)]
        session.execute(update(OutboxEntry).where(OutboxEntry.id.in_(ids[:2])).values(status=q.SENT))
        session.execute(update(OutboxEntry).where(OutboxEntry.id == ids[2]).values(status=q.MINED))
        session.execute(update(OutboxEntry).where(OutboxEntry.id == ids[3]).values(status=q.FAILED))
    found = q.backlog(store)
    assert {state: count for state, (count, _) in found.items()} == {"pending": 1, "sent": 2}
    assert _naive_utc(found["sent"][1]) == now - timedelta(minutes=10)
    assert _naive_utc(found["pending"][1]) == now - timedelta(minutes=6)
    assert q.depth(store) == 3
