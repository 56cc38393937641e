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
from pathlib import Path

from gpid_node.store.database import Store
from gpid_node.store.tables import Base

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
