"""Proof bundles from the command line: ``proof`` fetches one from this node, ``check-proof`` checks one
offline.

``check-proof`` needs neither a node nor a network: it reads the bundle file and proves it against
the block hash the auditor trusts (:func:`gpid_node.domain.proof_bundle.check`), so it runs on an
auditor's machine with nothing but this package installed. ``proof`` is thin over
``node.proof_bundles`` as ``GET /v1/key-data-sets/{gpid}/proof`` is, reading as this node (its own
index, every key data set it holds a key for).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from gpid_node.cli.common import DataDir, RpcUrl, app, err, out, print_json, reader_of
from gpid_node.domain import errors as e
from gpid_node.domain import strict_json

MAX_BUNDLE_BYTES = 4 * 1_048_576  # a key data set of a few hundred lines with its proofs stays far below


@app.command()
def proof(gpid: str, output: Annotated[Path, typer.Option("--output", "-o", help="the file to write the bundle to")],
          version: Annotated[Optional[int], typer.Option(help="the version (default: the current one)")] = None,
          data_dir: DataDir = None, rpc_url: RpcUrl = None) -> None:  # fmt: skip
    """Writes the proof bundle of a key data set's version to FILE, for an auditor to check offline."""
    node, principal = reader_of(data_dir, rpc_url)
    try:
        bundle = node.proof_bundles.bundle(gpid, principal, version=version)
    finally:
        node.store.dispose()
    output.write_text(json.dumps(bundle, separators=(",", ":")) + "\n", encoding="utf-8")
    err.print(f"wrote the proof bundle of {escape(bundle['gpid'])} version {bundle['version']} at block "
              f"{bundle['block']['number']} to {escape(str(output))}; check it with: gpid-node check-proof "
              f"{escape(str(output))} --block-hash {bundle['block']['hash']}", highlight=False)  # fmt: skip


@app.command(name="check-proof")
def check_proof(file: Path,
                block_hash: Annotated[str, typer.Option("--block-hash", help="the hash of the bundle's block, from a source you trust")],
                as_json: Annotated[bool, typer.Option("--json", help="print the verdict as JSON")] = False) -> None:  # fmt: skip
    """Checks a proof bundle offline (no node, no network) against a block hash you trust. Exit 0 valid, 1 invalid."""
    # Keccak in C (safe-pysha3, pinned for eth-hash) for the trie package too: left to choose, eth-hash
    # would load pycryptodome through cffi on its first hash, 170 ms of a check that takes 20.
    os.environ.setdefault("ETH_HASH_BACKEND", "pysha3")
    from gpid_node.domain import proof_bundle

    if not file.is_file():
        raise e.ValidationFailed([e.FieldProblem("FILE", f"{file} does not exist")])
    if file.stat().st_size > MAX_BUNDLE_BYTES:
        raise e.ValidationFailed([e.FieldProblem("FILE", f"{file} is larger than a proof bundle ({MAX_BUNDLE_BYTES} bytes at most)")])
    try:
        trusted = proof_bundle.trusted_hash(block_hash)
    except ValueError as exc:
        raise e.ValidationFailed([e.FieldProblem("--block-hash", str(exc))]) from None
    raw = file.read_bytes().removeprefix(b"\xef\xbb\xbf")
    refused = strict_json.refusal(raw)
    if refused is not None or not raw.strip():
        raise e.ValidationFailed([e.FieldProblem("FILE", f"{file} is not JSON: {refused or 'it is empty'}")])
    verdict = proof_bundle.check(json.loads(raw), trusted)
    if as_json:
        print_json(verdict.as_json())
    else:
        _print(verdict)
    if not verdict.valid:
        raise typer.Exit(1)


def _print(verdict: object) -> None:
    from gpid_node.domain.proof_bundle import Verdict

    assert isinstance(verdict, Verdict)
    if verdict.valid:
        later = ("superseded: a later version was current at that block" if verdict.superseded
                 else "not superseded at that block")  # fmt: skip
        out.print(f"[bold green]VALID[/]: {verdict.gpid} version {verdict.version} is proven at block {verdict.block_number} "
                  f"({verdict.block_hash}); {later} (current version {verdict.current_version})", highlight=False)  # fmt: skip
    else:
        what = f"{verdict.gpid} version {verdict.version}" if verdict.gpid else "the bundle"
        out.print(f"[bold red]INVALID[/]: {what} is not proven against block hash {verdict.block_hash or '?'}", highlight=False)
    for line in verdict.checked:
        out.print(f"  proven: {escape(line)}", highlight=False)
    for problem in verdict.problems:
        out.print(f"  problem: {escape(problem.path or '(bundle)')}: {escape(problem.message)}", highlight=False)
