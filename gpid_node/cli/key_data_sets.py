"""Key data sets from the command line: register, import, amend, show, history, link, verify."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from gpid_node.cli.common import (
    Account,
    DataDir,
    RpcUrl,
    app,
    err,
    node_of,
    principal_of,
    print_json,
    read_json,
    reader_of,
    settings_of,
)
from gpid_node.domain import errors as e


@app.command()
def register(file: Path, data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None) -> None:
    """Registers the key data set in FILE (JSON) and prints its GPID."""
    body = read_json(str(file))  # a file that is not JSON is refused before the node is opened
    settings = settings_of(data_dir, rpc_url=rpc_url)
    node = node_of(settings).start()
    try:
        print_json(node.registration.register(body, principal_of(node, "seller", account)))
    finally:
        node.stop()


@app.command(name="import")
def import_(file: Path, data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None,
            report: Annotated[Optional[Path], typer.Option(help="write the row-by-row report (JSON) here")] = None) -> None:  # fmt: skip
    """Registers every key data set of FILE (JSON Lines, or CSV with one row per goods line), in batches."""
    from gpid_node.services.importing import read_records

    settings = settings_of(data_dir, rpc_url=rpc_url)
    if not file.is_file():
        raise e.ValidationFailed([e.FieldProblem("FILE", f"{file} does not exist")])
    records = read_records(file)  # a file that is not UTF-8 is refused before the node is opened
    node = node_of(settings).start()
    try:
        principal = principal_of(node, "seller", account)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=False) as progress:  # fmt: skip
            task = progress.add_task("registering", total=None)
            result = node.registration.import_key_data_sets(
                records, principal, on_progress=lambda done, total: progress.update(task, completed=done, total=total)
            )
    finally:
        node.stop()
    for line, problems in result.rejected[:100]:
        err.print(f"[yellow]line {line}[/]: " + escape("; ".join(f"{p.path or '(row)'}: {p.message}" for p in problems)))
    for line, message in result.failed[:100]:
        err.print(f"[red]line {line}[/]: {escape(message)}")
    if report:
        report.write_text(json.dumps({
            "summary": result.summary(),
            "registered": result.registered + result.registered_earlier,
            "already_registered": result.already_registered,
            "rejected": [(line, [p.as_dict() for p in ps]) for line, ps in result.rejected],
            "failed": result.failed,
        }, indent=1))  # fmt: skip
    print_json(result.summary())
    if result.unfinished or result.rejected or result.failed:  # a script must see that rows were left out
        raise typer.Exit(1)


@app.command()
def amend(gpid: str, changes: Annotated[str, typer.Option(help="JSON merge patch, or a file holding one")],
          reason: Annotated[str, typer.Option(help="why the key data set changes")],
          reason_code: Annotated[str, typer.Option(help="correction, price, quantity, parties or other")] = "correction",
          data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None) -> None:  # fmt: skip
    """Amends a key data set (identity fields never change)."""
    node = node_of(settings_of(data_dir, rpc_url=rpc_url)).start()
    try:
        print_json(node.amendments.amend(gpid, read_json(changes), reason, principal_of(node, "seller", account), reason_code))
    finally:
        node.stop()



@app.command()
def show(gpid: str, version: Optional[int] = None, as_of: Optional[datetime] = None,
         data_dir: DataDir = None, rpc_url: RpcUrl = None) -> None:  # fmt: skip
    """Prints a key data set with its integrity proof (``--version`` or ``--as-of`` for an earlier state)."""
    node, principal = reader_of(data_dir, rpc_url)
    print_json(node.reads.key_data_set(gpid, principal, version=version, as_of=as_of))


@app.command()
def history(gpid: str, data_dir: DataDir = None, rpc_url: RpcUrl = None) -> None:
    """Prints every version of a key data set: author, time, reason, changed fields."""
    node, principal = reader_of(data_dir, rpc_url)
    print_json(node.reads.history(gpid, principal))


@app.command()
def link(gpids: list[str], reference: Annotated[str, typer.Option(help="declaration reference (MRN)")],
         country: Annotated[str, typer.Option(help="declaring country")],
         direction: Annotated[str, typer.Option(help="export or import")],
         role: Annotated[str, typer.Option(help="broker, seller or buyer")] = "broker",
         data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None) -> None:  # fmt: skip
    """Records that a declaration references GPIDS."""
    node = node_of(settings_of(data_dir, rpc_url=rpc_url)).start()
    try:
        print_json(node.declarations.link(reference, country, direction, list(gpids), principal_of(node, role, account)))
    finally:
        node.stop()


@app.command()
def verify(file: Path, country: Annotated[Optional[str], typer.Option(help="the Customs country")] = None,
           record: Annotated[bool, typer.Option(help="record the outcome on chain")] = True,
           data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None) -> None:  # fmt: skip
    """Checks a declaration (JSON, as POST /v1/verifications takes it) against its key data sets."""
    from dataclasses import replace

    node = node_of(settings_of(data_dir, rpc_url=rpc_url)).start()
    try:
        node.indexer.sync()
        principal = replace(principal_of(node, "customs", account), country=country)
        print_json(node.verifications.verify(read_json(str(file)), principal, record=record))
    finally:
        node.stop()
