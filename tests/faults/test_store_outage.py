"""The index database becomes unusable and comes back, under a running node and its API.

* SQLite: another process holds the write lock (``BEGIN EXCLUSIVE``, as a backup tool or a stuck
  ``sqlite3`` shell would); writes wait the busy timeout, then answer 503 ``store-unavailable``;
  reads keep working (WAL).
* PostgreSQL: the database stops accepting connections and the node's sessions are terminated
  (``pg_terminate_backend``); every request needing the database answers 503 ``store-unavailable``.

Never a 500; once the database is back the node recovers by itself: new writes answer 201, the
outbox drains, nothing accepted is lost or duplicated, and the index equals a fresh re-index.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.harness import EXPORT_BROKER, SELLER, Api, fresh_key_data_set, start_api, stop_api, unique_reference

from faults.chaos import (
    index_content,
    lost_and_duplicated,
    outbox_statuses,
    registered_on_chain,
    reindexed,
    wait_until,
)
from support.requirements import POSTGRES_URL, require_postgres

pytestmark = pytest.mark.slow
STORE_UNAVAILABLE = "https://gpid.dev/problems/store-unavailable"


@pytest.fixture(autouse=True)
def _no_config_file(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GPID_CONFIG", str(tmp_path_factory.mktemp("no-config") / "absent.toml"))


@contextmanager
def sqlite_locked(api: Api) -> Iterator[None]:
    """Another connection holds the database's write lock until the block ends."""
    path = make_url(api.node.store.url).database
    holder = sqlite3.connect(path, isolation_level=None, timeout=30)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.fixture
def postgres_database() -> Iterator[tuple[str, Callable[[], Any]]]:
    """A fresh PostgreSQL database for the node, and a context manager that takes it away."""
    require_postgres(POSTGRES_URL)
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"gpid_fault_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    @contextmanager
    def unavailable() -> Iterator[None]:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            terminated = connection.execute(
                text("select count(pg_terminate_backend(pid)) from pg_stat_activity where datname = :name"), {"name": name}
            ).scalar()
        assert terminated, "the node had no connection to terminate"
        try:
            yield
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))

    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False), unavailable
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _requests(api: Api, gpid: str) -> list[tuple[str, Callable[[], Any]]]:
    seller, broker = api.auth(SELLER), api.auth(EXPORT_BROKER)
    link = {"reference": unique_reference("26DE"), "country": "DE", "direction": "export", "gpids": [gpid]}
    return [
        ("register", lambda: api.client.post("/v1/key-data-sets", json=fresh_key_data_set(), headers=seller)),
        ("link", lambda: api.client.post("/v1/declarations", json=link, headers=broker)),
        ("amend", lambda: api.client.post(f"/v1/key-data-sets/{gpid}/amendments", headers=seller,
                                          json={"changes": {"buyer": {"name": f"Thames {uuid.uuid4().hex[:6]}"}},
                                                "reason": "name"})),
        ("read", lambda: api.client.get(f"/v1/key-data-sets/{gpid}", headers=seller)),
        ("list", lambda: api.client.get("/v1/key-data-sets", headers=seller)),
        ("history", lambda: api.client.get(f"/v1/key-data-sets/{gpid}/history", headers=seller)),
        ("readyz", lambda: api.client.get("/readyz")),
    ]  # fmt: skip


def _during(api: Api, gpid: str) -> dict[str, Any]:
    """Every request once, concurrently (writes wait the SQLite busy timeout): name -> response."""
    answers: dict[str, Any] = {}

    def send(name: str, call: Callable[[], Any]) -> None:
        answers[name] = call()

    threads = [threading.Thread(target=send, args=item) for item in _requests(api, gpid)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def _outage_and_recovery(api: Api, take_away: Callable[[], Any], tmp_path: Path, backend: str) -> dict[str, Any]:
    api.mandate(EXPORT_BROKER, "export")  # the export broker links the seller's encrypted key data sets
    before = [api.register()["gpid"] for _ in range(2)]
    accepted = set(before)
    with take_away():
        time.sleep(0.5)
        answers = _during(api, before[0])
    statuses = {name: r.status_code for name, r in answers.items()}
    assert all(s < 500 or s == 503 for s in statuses.values()), statuses
    refused = {name: r for name, r in answers.items() if r.status_code == 503}
    for name, response in refused.items():
        if name == "readyz":
            assert "index database" in " ".join(response.json()["reasons"]), response.json()
            continue
        problem = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert problem["type"] == STORE_UNAVAILABLE and int(response.headers["retry-after"]) > 0, problem
        assert "index database" in problem["detail"]
    for write in ("register", "link", "amend"):
        assert statuses[write] in (201, 202, 503), (write, answers[write].text)
        if statuses[write] in (201, 202) and write == "register":
            accepted.add(answers[write].json()["gpid"])
    assert any(statuses[w] == 503 for w in ("register", "link", "amend")), statuses

    # Back: the node recovers by itself.
    wait_until(lambda: api.client.get("/readyz").status_code == 200, 60, "the node is ready again", every_s=0.5)
    after = api.register()["gpid"]
    accepted.add(after)
    wait_until(lambda: not ({"pending", "sent"} & set(outbox_statuses(api.node.store))), 60, "the outbox is empty")
    on_chain = registered_on_chain(api.node.client)
    lost, duplicated = lost_and_duplicated(accepted, on_chain)
    assert lost == [] and duplicated == [], (lost, duplicated)
    failed = outbox_statuses(api.node.store).get("failed", 0)
    assert failed == 0
    fresh = tmp_path / "fresh.sqlite3"
    wait_until(lambda: index_content(api.node.store) == reindexed(api.node.client, api.node.deployment.block, fresh,
                                                                  encryption=api.node.keyring.encryption),
               30, "the index equals a fresh re-index", every_s=0.5)  # fmt: skip
    counts = {"fault": f"{backend} unavailable", "during": statuses, "accepted": len(accepted), "lost": len(lost),
              "duplicated": len(duplicated)}  # fmt: skip
    print(json.dumps(counts))
    return counts


def test_sqlite_locked_by_another_process_answers_503_then_recovers_intact(tmp_path: Path) -> None:
    api = start_api(tmp_path / "node")
    try:
        counts = _outage_and_recovery(api, lambda: sqlite_locked(api), tmp_path, "sqlite")
        assert counts["during"]["read"] == 200  # WAL: readers are not blocked by the writer's lock
        path = make_url(api.node.store.url).database
        with sqlite3.connect(path) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        stop_api(api)


@pytest.mark.postgres
def test_postgresql_connections_terminated_and_refused_answer_503_then_recover_intact(
    tmp_path: Path, postgres_database: tuple[str, Callable[[], Any]]
) -> None:
    url, unavailable = postgres_database
    api = start_api(tmp_path / "node", database_url=url)
    try:
        counts = _outage_and_recovery(api, unavailable, tmp_path, "postgresql")
        assert counts["during"]["read"] == 503 and counts["during"]["readyz"] == 503
    finally:
        stop_api(api)
