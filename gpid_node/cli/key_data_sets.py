"""Key data sets from the command line: register, import (JSON, or e-invoices: XML and Factur-X PDF), amend, show,
history, list (filtered; JSON or CSV), declarations (with Customs outcomes), link, verify."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Optional

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


def einvoice_of(file: Path) -> bytes | None:
    """The bytes of FILE when it is an e-invoice (a PDF, or XML: it starts with ``<`` after a byte order
    mark and blanks), else None (a JSON key data set)."""
    from gpid_node.services.einvoices import MAX_FILE_BYTES

    if not file.is_file():
        raise e.ValidationFailed([e.FieldProblem("FILE", f"{file} does not exist")])
    with file.open("rb") as handle:
        head = handle.read(1024).removeprefix(b"\xef\xbb\xbf").lstrip()
    if not (head.startswith(b"%PDF-") or head.startswith(b"<")):
        return None
    if (size := file.stat().st_size) > MAX_FILE_BYTES:
        raise e.ValidationFailed([e.FieldProblem("FILE", f"{file.name} is {size} bytes; an e-invoice file holds at most {MAX_FILE_BYTES}")])
    return file.read_bytes()


@app.command()
def register(file: Path, data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None) -> None:
    """Registers the key data set in FILE and prints its GPID. FILE is a key data set (JSON) or an e-invoice
    (UBL or CII XML, Factur-X PDF) completed by your catalogue and partner directory; a credit note or
    corrective invoice amends the invoice it corrects."""
    from gpid_node.services.einvoices import media_type_of

    document = einvoice_of(file)
    body = read_json(str(file)) if document is None else None  # a file that is neither is refused before the node is opened
    settings = settings_of(data_dir, rpc_url=rpc_url)
    node = node_of(settings).start()
    try:
        principal = principal_of(node, "seller", account)
        if document is None:
            print_json(node.registration.register(body, principal))
        else:
            node.indexer.sync()  # the seller's trader ID is read from the index
            print_json(node.einvoices.register(document, media_type_of(document), principal))
    finally:
        node.stop()


def _import_einvoices(folder: Path, data_dir: Path | None, rpc_url: str | None, account: str | None, report: Path | None) -> None:
    """``import FOLDER``: every ``*.xml`` and ``*.pdf`` file of FOLDER, a report line per file."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".xml", ".pdf"))
    if not files:
        raise e.ValidationFailed([e.FieldProblem("FOLDER", f"{folder} holds no .xml or .pdf file")])
    node = node_of(settings_of(data_dir, rpc_url=rpc_url)).start()
    try:
        principal = principal_of(node, "seller", account)
        node.indexer.sync()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=False) as progress:  # fmt: skip
            tasks: dict[str, Any] = {}

            def advance(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = progress.add_task(stage, total=total)
                progress.update(tasks[stage], completed=done, total=total)

            reports = node.einvoices.import_files(files, principal, on_progress=advance)
    finally:
        node.stop()
    counts: dict[str, int] = {}
    for item in reports:
        counts[item.status] = counts.get(item.status, 0) + 1
        name = escape(Path(item.file).name)
        if item.status in ("registered", "registered_earlier", "already_registered", "amended"):
            err.print(f"[green]{name}[/]: {item.status.replace('_', ' ')} {item.gpid}" + (f" version {item.version}" if item.status == "amended" else ""))
        else:
            colour = "yellow" if item.status == "missing" else "red"
            err.print(f"[{colour}]{name}[/]: {item.status}")
            for problem in item.problems[:50]:
                err.print(f"  {problem['path'] or '(document)'}: {problem['message']}", markup=False, highlight=False)
    if report:
        report.write_text(json.dumps({"summary": counts, "files": [r.as_dict() for r in reports]}, indent=1))
    print_json({"read": len(reports), **counts})
    if any(r.status in ("missing", "refused", "failed", "unfinished") for r in reports):  # a script must see that files were left out
        raise typer.Exit(1)


@app.command(name="import")
def import_(file: Path, data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None,
            report: Annotated[Optional[Path], typer.Option(help="write the row-by-row report (JSON) here")] = None) -> None:  # fmt: skip
    """Registers every key data set of FILE (JSON Lines, or CSV with one row per goods line), in batches; or,
    FILE being a folder, every e-invoice in it (*.xml, *.pdf), with a report per file."""
    from gpid_node.services.importing import read_records

    if file.is_dir():
        _import_einvoices(file, data_dir, rpc_url, account, report)
        return
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
def declarations(gpid: str, data_dir: DataDir = None, rpc_url: RpcUrl = None) -> None:
    """Prints the declarations referencing a key data set, each with the outcomes Customs recorded."""
    node, principal = reader_of(data_dir, rpc_url)
    print_json(node.declarations.of_gpid(gpid, principal))


@app.command(name="list")
def list_(
    invoice_number: Annotated[Optional[str], typer.Option(help="invoice number")] = None,
    seller: Annotated[Optional[str], typer.Option(help="seller trader ID, SCHEME:VALUE")] = None,
    buyer: Annotated[Optional[str], typer.Option(help="buyer trader ID, SCHEME:VALUE")] = None,
    declaration: Annotated[Optional[str], typer.Option(help="reference of a declaration referencing it")] = None,
    declaration_country: Annotated[Optional[str], typer.Option(help="country of that declaration")] = None,
    registered_from: Annotated[Optional[str], typer.Option(help="ISO 8601 date or date-time (included)")] = None,
    registered_to: Annotated[Optional[str], typer.Option(help="ISO 8601 date or date-time (included)")] = None,
    format: Annotated[str, typer.Option("--format", help="json or csv")] = "json",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="write to this file (default: standard output)")] = None,
    data_dir: DataDir = None, rpc_url: RpcUrl = None,
) -> None:  # fmt: skip
    """Lists the key data sets this node holds, newest first, with the API's filters (GET /v1/key-data-sets),
    as JSON or CSV (as GET /v1/key-data-sets/export writes them)."""
    import sys

    from gpid_node.services.exports import LIST_COLUMNS, csv_lines, json_document
    from gpid_node.services.reads import ListQuery

    if format not in ("json", "csv"):
        raise e.ValidationFailed([e.FieldProblem("--format", "use json or csv")])
    query = ListQuery(invoice_number, seller, buyer, declaration, declaration_country, registered_from, registered_to)
    node, principal = reader_of(data_dir, rpc_url)
    items = node.reads.export_key_data_sets(principal, query)
    chunks = csv_lines(LIST_COLUMNS, items) if format == "csv" else json_document(items)
    if output is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        return
    with output.open("w", encoding="utf-8", newline="") as sink:
        for chunk in chunks:
            sink.write(chunk)


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
