"""What the engine process tells the API process of its indexer: every change, but the time of the
last sync alone only once a second (and always the first completed sync)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gpid_node.services.engine_process import worth_telling
from gpid_node.services.indexer import IndexerState, _Position

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def state(cursor: int = 5, synced: datetime | None = T0, error: str | None = None) -> IndexerState:
    return IndexerState(head=5, cursor=_Position(cursor, "0x" + "ab" * 32), last_error=error, last_sync_at=synced,
                        reorgs=0, rewinds=0)  # fmt: skip


def test_the_first_state_and_every_change_are_told() -> None:
    assert worth_telling(None, state())
    assert worth_telling(state(), state(cursor=6))
    assert worth_telling(state(), state(error="the chain cannot be reached"))


def test_the_first_completed_sync_is_told_even_when_nothing_else_changed() -> None:
    assert worth_telling(state(synced=None), state(synced=T0))


def test_a_new_sync_time_alone_is_told_once_a_second() -> None:
    assert not worth_telling(state(), state())
    assert not worth_telling(state(), state(synced=T0 + timedelta(milliseconds=300)))
    assert worth_telling(state(), state(synced=T0 + timedelta(seconds=1)))
