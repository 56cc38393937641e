"""What every command shares: the Typer apps, the consoles, the common options, and the node, its
settings, keyring and principal as a command builds them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape

from gpid_node.domain import errors as e
from gpid_node.domain import strict_json

# pretty_exceptions_enable=False: an unexpected failure reaches main(), which prints its traceback
# redacted (typer's would list local variables: passwords, URLs with keys)
app = typer.Typer(help="GPID node: register, reference and verify Goods Passport IDs.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
keys_app = typer.Typer(help="API keys (bearer tokens bound to a role and an account).", no_args_is_help=True)
participants_app = typer.Typer(help="Consortium participants: onboard and offboard.", no_args_is_help=True)
index_app = typer.Typer(help="The index database: rebuild it from the chain, compare it with another node's.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(participants_app, name="participants")
app.add_typer(index_app, name="index")
out = Console()
err = Console(stderr=True)

DataDir = Annotated[Optional[Path], typer.Option("--data-dir", "-d", help="data folder (GPID_DATA_DIR)")]
RpcUrl = Annotated[Optional[str], typer.Option("--rpc-url", help="JSON-RPC endpoint (GPID_RPC_URL)")]
DatabaseUrl = Annotated[Optional[str], typer.Option("--database-url", help="SQLAlchemy URL (GPID_DATABASE_URL)")]
Account = Annotated[Optional[str], typer.Option("--as", help="the account to act as (default: the node's key)")]


def settings_of(data_dir: Path | None = None, **overrides: Any) -> Any:
    from gpid_node.settings import load_settings

    if data_dir is not None:
        os.environ["GPID_DATA_DIR"] = str(data_dir)
    return load_settings(data_dir=data_dir, **overrides)


def keyring_of(settings: Any) -> Any:
    from gpid_node.chain.keystore import Keyring
    from gpid_node.chain.remote_signer import remote_accounts

    # each account with its encryption keys from <data dir>/keys/encryption (created when missing);
    # the accounts of GPID_REMOTE_SIGNERS sign through their signer, their encryption keys stay here
    return Keyring.load(settings.data_dir / "keys", settings.keystore_password.get_secret_value(),
                        node_keystore=settings.keystore_path, remote=remote_accounts(settings.remote_signers))  # fmt: skip


def node_of(settings: Any) -> Any:
    from gpid_node.services.node import open_node

    return open_node(settings, keyring_of(settings))


def principal_of(node: Any, role: str, account: str | None) -> Any:
    from gpid_node.domain.access import Principal, Role

    addresses = node.keyring.addresses
    if account is None:
        if not addresses:
            raise e.ValidationFailed([e.FieldProblem("keystore", "this node has no key: run `gpid-node init`")])
        account = addresses[0] if len(addresses) == 1 else None
        if account is None:
            raise e.ValidationFailed([e.FieldProblem("--as", f"choose the account to act as: {', '.join(addresses)}")])
    return Principal(role=Role(role), account=account)


def print_json(document: Any) -> None:
    out.print_json(json.dumps(document, default=str))


MAX_JSON_FILE_BYTES = 1_048_576  # GPID_MAX_BODY_BYTES's default: what the REST facade takes in one body


def read_json(path_or_text: str) -> Any:
    """A JSON document from a file (a UTF-8 byte order mark allowed, as `import` allows it) or given as text."""
    path = Path(path_or_text)
    try:
        is_file = path.is_file()
    except OSError:  # a JSON text too long to be a file name
        is_file = False
    raw: str | bytes = path_or_text
    if is_file:
        if (size := path.stat().st_size) > MAX_JSON_FILE_BYTES:
            raise e.ValidationFailed([e.FieldProblem("", f"{path.name} is {size} bytes; a JSON document holds at most "
                                                         f"{MAX_JSON_FILE_BYTES} bytes, as a REST body does")])  # fmt: skip
        raw = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    try:
        return strict_json.parse(raw)
    except strict_json.MalformedJSON as exc:
        raise e.ValidationFailed([e.FieldProblem("", f"not JSON: {exc}")]) from None


def reader_of(data_dir: Path | None, rpc_url: str | None) -> Any:
    from gpid_node.domain.access import Principal, Role

    node = node_of(settings_of(data_dir, rpc_url=rpc_url))
    node.indexer.sync()
    return node, Principal(role=Role.OPERATOR, account="0x" + "0" * 40, local=True)


def where(node: str) -> str:
    """A node target or database as it may be printed (a URL without its password)."""
    from gpid_node.domain.redaction import redact_url

    return redact_url(node)


def print_error(error: e.GPIDError) -> None:
    """A refusal as the user reads it, without a secret it may quote (a URL's key, a password)."""
    from gpid_node.logs import scrub

    err.print(f"[bold red]error:[/] {escape(scrub(error.message))}", highlight=False)  # the user's values: text, not markup
    for problem in getattr(error, "problems", [])[:50]:
        err.print(f"  {problem.path or '(document)'}: {scrub(problem.message)}", markup=False, highlight=False)
