"""The outbox worker's lease on SQLite and PostgreSQL: one holder at a time, across objects and
processes, given back on release and when its holder is killed."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import text

from gpid_node.store.database import Store
from gpid_node.store.lease import Lease

HOLD_IN_ANOTHER_PROCESS = (
    "import sys, time\n"
    "from gpid_node.store.database import Store\n"
    "from gpid_node.store.lease import Lease\n"
    "lease = Lease(Store(sys.argv[1]), 'outbox')\n"
    "print('held' if lease.acquire() else 'refused', flush=True)\n"
    "time.sleep(60)\n"
)


def test_one_holder_at_a_time_and_the_next_one_after_release(store: Store) -> None:
    first, second = Lease(store, "outbox"), Lease(store, "outbox")
    assert first.acquire() and first.check()
    assert not second.acquire() and not second.held
    assert Lease(store, "another job").acquire(), "a lease of another name is another lease"
    first.release()
    assert not first.held
    assert second.acquire() and second.check()
    second.release()


def test_a_lease_held_by_a_killed_process_is_free_again(store: Store) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_IN_ANOTHER_PROCESS, store.url], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        here = Lease(store, "outbox")
        assert not here.acquire()
        holder.send_signal(signal.SIGKILL)  # no release: the kernel or the server gives it back
        holder.wait(timeout=10)
        for _ in range(50):  # PostgreSQL ends the dead client's session a moment later
            if here.acquire():
                break
            time.sleep(0.1)
        assert here.held
        here.release()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


@pytest.mark.parametrize("make_store", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_a_postgresql_lease_lost_with_its_connection_is_noticed_and_taken_again(store: Store) -> None:
    """(A SQLite lease is a lock on a file: it has no connection to lose.)"""
    lease = Lease(store, "outbox")
    assert lease.acquire()
    with store.engine.connect() as connection:  # the server ends the lease's session (a restart, a broken network)
        ended = connection.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database())")).scalars().all()  # fmt: skip
    assert ended == [True]
    assert not lease.check() and not lease.held
    assert lease.acquire() and lease.check()
    lease.release()
