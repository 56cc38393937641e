"""SQLite's one writer at a time, as the node's threads share it: they queue, none is lost, and a
writer kept waiting too long is told the store is unavailable."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from gpid_node.domain.errors import StoreUnavailable
from gpid_node.store import database
from gpid_node.store.database import Store


def _store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'writers.sqlite3'}")
    with store.session() as session:
        session.execute(text("create table t (id integer primary key, writer integer, n integer)"))
    return store


def test_concurrent_writers_all_commit_and_readers_are_not_queued(tmp_path: Path) -> None:
    store = _store(tmp_path)
    writers, each = 8, 60

    def write(writer: int) -> None:
        for n in range(each):
            with store.session() as session:
                before = session.execute(text("select count(*) from t")).scalar_one()
                session.execute(text("insert into t (writer, n) values (:w, :n)"), {"w": writer, "n": n})
                session.execute(text("update t set n = n where writer = :w and n = :n"), {"w": writer, "n": before % each})
                time.sleep(0.0005)  # work while holding the write transaction

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    with store.session() as session:  # a reader during the writes does not wait for them
        started = time.monotonic()
        session.execute(text("select count(*) from t")).scalar_one()
        assert time.monotonic() - started < 1.0
    for thread in threads:
        thread.join()
    with store.session() as session:
        rows = session.execute(text("select writer, count(*) from t group by writer")).all()
    assert sorted(rows) == [(w, each) for w in range(writers)]


def test_a_write_waits_for_the_open_write_transaction_then_goes_through(tmp_path: Path) -> None:
    store = _store(tmp_path)
    order: list[str] = []
    holding = threading.Event()

    def first() -> None:
        with store.session() as session:
            session.execute(text("insert into t (writer, n) values (1, 0)"))
            holding.set()
            time.sleep(0.3)
            order.append("first commits")

    thread = threading.Thread(target=first)
    thread.start()
    holding.wait(5)
    with store.session() as session:
        session.execute(text("insert into t (writer, n) values (2, 0)"))
        order.append("second wrote")
    thread.join()
    assert order == ["first commits", "second wrote"]
    with store.session() as session:
        assert session.execute(text("select count(*) from t")).scalar_one() == 2


def test_a_writer_kept_waiting_beyond_the_busy_timeout_is_told_the_store_is_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.2)
    store = _store(tmp_path)
    release = threading.Event()
    holding = threading.Event()

    def hold() -> None:
        with store.session() as session:
            session.execute(text("insert into t (writer, n) values (1, 0)"))
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait(5)
    try:
        with pytest.raises(StoreUnavailable, match="database is locked"):
            with store.session() as session:
                session.execute(text("insert into t (writer, n) values (2, 0)"))
    finally:
        release.set()
        thread.join()
    with store.session() as session:  # the lock was given back: writes go through again
        session.execute(text("insert into t (writer, n) values (3, 0)"))
        assert session.execute(text("select writer from t order by writer")).scalars().all() == [1, 3]


def test_the_wal_is_copied_into_the_database_file_by_the_store_not_by_a_committing_writer(tmp_path: Path) -> None:
    store = _store(tmp_path)
    database_file = tmp_path / "writers.sqlite3"
    with store.session() as session:
        assert session.execute(text("pragma wal_autocheckpoint")).scalar_one() == 0  # no commit copies the WAL
    size = database_file.stat().st_size
    for n in range(40):
        with store.session() as session:
            session.execute(text("insert into t (writer, n) values (:n, :n)"), {"n": n})
            session.execute(text("update t set writer = writer where n = :n"), {"n": n})
            session.execute(text("create table if not exists padding (b blob)"))
            session.execute(text("insert into padding (b) values (zeroblob(65536))"))
    deadline = time.monotonic() + 10
    while database_file.stat().st_size == size and time.monotonic() < deadline:
        time.sleep(0.1)
    assert database_file.stat().st_size > size + 40 * 65536  # the store's own checkpoint copied it
    store.dispose()


def test_a_write_waits_for_a_write_transaction_of_another_process(tmp_path: Path) -> None:
    """The engine process and the API process write to one SQLite file: the lock beside it queues them."""
    store = _store(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", (
            "import sys, time; from sqlalchemy import text; from gpid_node.store.database import Store\n"
            "store = Store(sys.argv[1])\n"
            "with store.session() as session:\n"
            "    session.execute(text('insert into t (writer, n) values (1, 0)'))\n"
            "    print('holding', flush=True); time.sleep(0.5)\n"
        ), store.url],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    with store.session() as session:
        session.execute(text("insert into t (writer, n) values (2, 0)"))
    assert holder.wait(timeout=10) == 0  # its commit went through, then ours
    with store.session() as session:
        assert session.execute(text("select writer from t order by id")).scalars().all() == [1, 2]
    assert (tmp_path / "writers.sqlite3-writers").exists()
