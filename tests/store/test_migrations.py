"""A process killed while it migrates leaves the SQLite schema as it was, and the next start migrates.

Seen in the fault tests: an import killed during its start-up had created some of the first
migration's tables without its stamp, and every later start failed with "table api_keys already
exists". Here the child process dies (``os._exit``, as a SIGKILL would leave it) after the third
table the migration creates.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import MetaData, Table, insert, text

from gpid_node.store.database import Store, alembic_config
from gpid_node.store.tables import Base, KeyDataSetRow

KILLED_MIDWAY = textwrap.dedent("""
    import os, sys
    from alembic.operations import Operations
    from gpid_node.store.database import Store

    created = []
    original = Operations.create_table

    def create_table(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        created.append(args[0])
        if len(created) == 3:
            os._exit(9)  # no rollback, no close: as a kill would leave it
        return result

    Operations.create_table = create_table
    Store("sqlite:///" + sys.argv[1]).migrate()
""")

NOW = datetime(2026, 12, 4, tzinfo=UTC)


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {name for (name,) in connection.execute("select name from sqlite_master where type = 'table'")}


def test_a_migration_killed_midway_leaves_no_table_and_the_next_start_migrates(tmp_path: Path) -> None:
    database = tmp_path / "index.sqlite3"
    child = subprocess.run([sys.executable, "-c", KILLED_MIDWAY, str(database)], capture_output=True, text=True, timeout=120)
    assert child.returncode == 9, child.stderr
    assert _tables(database) - {"alembic_version"} == set(), "the killed migration left tables behind"

    Store(f"sqlite:///{database}").migrate()
    assert set(Base.metadata.tables) <= _tables(database)


# ---------------------------------------------------------------------- 0007: confidential reasons


def _run(store: Store, step: str, revision: str) -> None:
    config = alembic_config(store.url)
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, step)(config, revision)


def test_0007_keeps_a_format_2_amendments_reason_apart_and_shows_it_no_more_where_its_data_is_not_read(make_store: Any) -> None:
    """Indexed before: the event's reason of every format-2 amendment moves to ``chain_reason``, and
    ``reason`` is emptied where the version's data is not held (JSON null or SQL NULL alike); format 1
    keeps its reasons. Downgraded, the reasons come back."""
    store = make_store()
    _run(store, "downgrade", "0006")
    kds = {"gpid_text": "x", "issuer": "0x" + "0" * 40, "seller_trader_key": "0x", "current_version": 2,
           "integrity_ok": True, "registered_at": NOW, "updated_at": NOW, "registered_block": 1}  # fmt: skip
    version = {"author": "0x" + "0" * 40, "time": NOW, "reason_code": 2, "changed_sections": 8, "changed_fields": [],
               "commitments": [], "digest": "0x", "integrity_ok": True, "block_number": 1, "block_hash": "0x",
               "transaction_hash": "0x", "log_index": 0}  # fmt: skip
    with store.session() as session:
        for gpid, format_ in (("0x01", 2), ("0x02", 2), ("0x03", 1)):
            session.execute(insert(KeyDataSetRow.__table__), [{**kds, "gpid": gpid, "invoice_key": gpid, "gpid_text": gpid, "format": format_}])
        rows = [("0x01", 1, None, None), ("0x01", 2, None, "why, in clear"), ("0x02", 2, {"a": 1}, "read here"),
                ("0x03", 2, {"a": 1}, "format 1")]  # fmt: skip
        versions_0006 = Table("versions", MetaData(), autoload_with=session.connection())  # without chain_reason
        for gpid, number, data, reason in rows:
            session.execute(insert(versions_0006), [{**version, "gpid": gpid, "version": number, "data": data, "reason": reason}])
        session.execute(text("UPDATE versions SET data = NULL WHERE gpid = '0x01' AND version = 1"))  # SQL NULL beside JSON null
    _run(store, "upgrade", "head")
    with store.session() as session:
        found = session.execute(text("SELECT gpid, version, reason, chain_reason FROM versions ORDER BY gpid, version")).all()
    assert [tuple(r) for r in found] == [
        ("0x01", 1, None, None), ("0x01", 2, None, "why, in clear"), ("0x02", 2, "read here", "read here"), ("0x03", 2, "format 1", None)
    ]
    _run(store, "downgrade", "0006")
    with store.session() as session:
        assert [r for (r,) in session.execute(text("SELECT reason FROM versions ORDER BY gpid, version"))] == [
            None, "why, in clear", "read here", "format 1"]  # fmt: skip
    _run(store, "upgrade", "head")
