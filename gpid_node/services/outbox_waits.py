"""The callers' side of the outbox: waiting for recorded entries to be mined or refused.

Each waiter blocks on its own entries' events, set by the worker with each entry's outcome (in this
process, or told through the engine process's pipe), so hundreds of waiting requests cost nothing
and a finished wait reads nothing; entries finished while no outcome reached this process (the
worker restarted) are read from the database at the next check, every second at most.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from gpid_node.store.outbox_queries import FINISHED
from gpid_node.store.tables import OutboxEntry

__all__ = ["Outcome", "Waiters"]


@dataclass(frozen=True)
class Outcome:
    """What a waiting caller needs of a finished entry (the members of OutboxEntry it reads)."""

    id: int
    status: str
    gpid: str | None
    result: dict[str, Any] | None
    error: dict[str, Any] | None


class Waiters:
    """The callers waiting for entries, by entry id, and the outcomes told for them."""

    def __init__(self) -> None:
        self._finished: dict[int, threading.Event] = {}  # entry id -> set when mined or failed
        self._outcomes: dict[int, Outcome] = {}  # entry id -> its outcome, while a caller waits for it
        self._lock = threading.Lock()

    def wait(
        self,
        entry_ids: Sequence[int],
        timeout_s: float,
        *,
        started: Callable[[], None],
        read: Callable[[], list[OutboxEntry]],
    ) -> list[OutboxEntry | Outcome]:
        """The entries once all are mined or failed, or as they are when ``timeout_s`` runs out.
        ``started`` is called once the waiter is registered (it wakes the worker: no outcome can then
        be missed); ``read`` reads the entries from the database."""
        with self._lock:
            events = [self._finished.setdefault(i, threading.Event()) for i in entry_ids]
        started()
        deadline = time.monotonic() + timeout_s
        try:
            while True:
                for event in events:
                    event.wait(timeout=max(0.0, min(1.0, deadline - time.monotonic())))
                with self._lock:
                    known = [self._outcomes.get(i) for i in entry_ids]
                if all(known):
                    return sorted(known, key=lambda r: r.id)  # type: ignore[arg-type, union-attr]
                rows = read()
                if all(r.status in FINISHED for r in rows) or time.monotonic() >= deadline:
                    return sorted(rows, key=lambda r: r.id)
        finally:
            with self._lock:
                for i in entry_ids:
                    self._finished.pop(i, None)
                    self._outcomes.pop(i, None)

    def finished(self, outcomes: Iterable[Outcome]) -> None:
        """Releases the callers waiting on these entries."""
        with self._lock:
            for outcome in outcomes:
                event = self._finished.get(outcome.id)
                if event is not None:
                    self._outcomes[outcome.id] = outcome
                    event.set()
