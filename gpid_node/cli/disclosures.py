"""Disclosures: ``disclose`` (chosen fields of a key data set this node reads, with their proof, as
JSON and optionally as a QR code) and ``check-disclosure`` (the verdict on anyone's disclosure from
the registry's views alone: no node, no index, no data folder).

Thin over :mod:`gpid_node.services.disclosures`, as ``/v1/key-data-sets/{gpid}/disclosures`` and
``/v1/disclosures/verify`` are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from gpid_node.cli.common import DataDir, RpcUrl, app, err, out, print_json, reader_of
from gpid_node.domain import errors as e

MAX_DOCUMENT_BYTES = 1_048_576

Fields = Annotated[list[str], typer.Option("--field", "-f", help="a field path to reveal (repeat it): invoice.number, "
                                                                 "seller.address, goods[*].packages")]  # fmt: skip
Version = Annotated[Optional[int], typer.Option(help="the version to disclose (default: the current one)")]
QrFile = Annotated[Optional[Path], typer.Option("--qr", help="also write its QR code here (.svg or .png)")]
OutFile = Annotated[Optional[Path], typer.Option("--out", "-o", help="write the document here instead of printing it")]
Registry = Annotated[Optional[str], typer.Option("--registry", help="the registry to check against (default: the document's)")]


def _qr_kind(path: Path) -> str:
    kind = path.suffix.lower().removeprefix(".")
    if kind not in ("svg", "png"):
        raise e.ValidationFailed([e.FieldProblem("--qr", f"{path.name}: name an .svg or a .png file")])
    return kind


@app.command()
def disclose(gpid: str, field: Fields, version: Version = None, qr: QrFile = None, output: OutFile = None,
             data_dir: DataDir = None, rpc_url: RpcUrl = None) -> None:  # fmt: skip
    """Writes a gpid-disclosure/1 document revealing the --field paths of GPID (and its QR code with --qr)."""
    from gpid_node.services.disclosures import qr_code

    kind = _qr_kind(qr) if qr is not None else None  # a wrong file name is refused before the node is opened
    node, principal = reader_of(data_dir, rpc_url)
    try:
        made = node.disclosures.disclose(gpid, field, principal, version=version)
    finally:
        node.store.dispose()
    if output is None:
        out.print(made.compact_json().decode("utf-8"), markup=False, highlight=False, soft_wrap=True)
    else:
        output.write_bytes(made.compact_json())
        err.print(f"wrote {output} ({len(made.compact_json())} bytes)", markup=False, highlight=False)
    if qr is not None and kind is not None:
        qr.write_bytes(qr_code(made, kind))
        err.print(f"wrote {qr}", markup=False, highlight=False)


def read_document(file: Path) -> str:
    """The text of a document file: its JSON, or the GPD1: text of its QR code."""
    try:
        size = file.stat().st_size
    except OSError as exc:
        raise e.ValidationFailed([e.FieldProblem("FILE", f"{file}: {exc.strerror or exc}")]) from None
    if size > MAX_DOCUMENT_BYTES:
        raise e.ValidationFailed([e.FieldProblem("FILE", f"{file.name} is {size} bytes; a disclosure is a few KiB")])
    try:
        return file.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        raise e.ValidationFailed([e.FieldProblem("FILE", f"{file.name} is not UTF-8 text (the JSON or the GPD1: text)")]) from None


def check(text: str, rpc_url: str, registry: str | None = None) -> dict:
    """The verdict on the document ``text`` from the registry's views at ``rpc_url`` (the work of
    ``check-disclosure`` without the process start, which the benchmark times)."""
    from gpid_node.chain.client import RegistryClient
    from gpid_node.domain import disclosure
    from gpid_node.domain.addresses import is_address
    from gpid_node.services.disclosures import check_on_chain, unreadable_verdict

    try:
        parsed = disclosure.read(text)
    except e.InvalidDisclosure as exc:
        return unreadable_verdict(exc.problems)
    address = registry or parsed.registry
    if not is_address(address):
        raise e.ValidationFailed([e.FieldProblem("--registry", f"{address!r} is not a registry address")])
    client = RegistryClient.connect(rpc_url, address)
    if address.lower() == parsed.registry.lower() and parsed.chain_id == client.chain_id and not client.has_code():
        raise e.ValidationFailed([e.FieldProblem("--rpc-url", f"no contract at {address} on the chain at {client.rpc_url}: "
                                                              "is this the document's chain?")])  # fmt: skip
    return check_on_chain(parsed, client)


@app.command(name="check-disclosure")
def check_disclosure(
    file: Path,
    rpc_url: Annotated[str, typer.Option("--rpc-url", help="any JSON-RPC endpoint of the chain (only the registry's views are read)")],
    registry: Registry = None,
) -> None:  # fmt: skip
    """Checks the disclosure in FILE (its JSON or its GPD1: QR text) against the chain, with no node:
    prints the verdict; exit status 0 when valid, 1 when not."""
    verdict = check(read_document(file), rpc_url, registry)
    print_json(verdict)
    if not verdict["valid"]:
        raise typer.Exit(1)
