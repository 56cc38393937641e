"""Erasure of a GPID's data on this node (crypto-shredding, the node's part): ``erase`` and ``erasures``."""

from __future__ import annotations

import getpass
from typing import Annotated, Optional

import typer
from rich.table import Table

from gpid_node.cli.common import DatabaseUrl, DataDir, app, out, print_json, settings_of


@app.command()
def erase(
    gpid: Annotated[str, typer.Argument(help="the GPID whose data this node erases")],
    reason: Annotated[str, typer.Option(help="why (an erasure request, a retention period that ended); recorded")],
    by: Annotated[Optional[str], typer.Option(help="who erases; recorded (default: your login name)")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Erases a GPID's decrypted data and content key from this node's index and records who, when and
    why: re-indexing or a later grant does not bring them back, and the node answers for the GPID with
    its public facts only, marked as erased. Other recipients' nodes and the chain keep their copies
    (docs/security.md, "Personal data and erasure"). Safe while the node runs."""
    from gpid_node.services.erasures import erase as erase_gpid
    from gpid_node.store.database import Store

    store = Store(settings_of(data_dir, database_url=database_url).database)
    store.migrate()
    try:
        print_json(erase_gpid(store, gpid, reason=reason, erased_by=by if by is not None else getpass.getuser()))
    finally:
        store.dispose()


@app.command(name="erasures")
def erasures_list(data_dir: DataDir = None, database_url: DatabaseUrl = None,
                  as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False) -> None:  # fmt: skip
    """Lists the GPIDs whose data this node erased: when, by whom, why."""
    from gpid_node.services.erasures import erasures_list as listed
    from gpid_node.store.database import Store

    store = Store(settings_of(data_dir, database_url=database_url).database)
    store.migrate()
    try:
        items = listed(store)
    finally:
        store.dispose()
    if as_json:
        print_json({"erasures": items})
        return
    table = Table("GPID", "erased at", "by", "reason")
    for item in items:
        table.add_row(item["gpid"], item["erased_at"], item["erased_by"], item["reason"])
    out.print(table)
