"""``gpid-node``: the command line, thin over the same services the REST facade uses."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gpid_node.domain import errors as e

app = typer.Typer(help="GPID node: register, reference and verify Goods Passport IDs.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys (bearer tokens bound to a role and an account).", no_args_is_help=True)
participants_app = typer.Typer(help="Consortium participants: onboard and offboard.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(participants_app, name="participants")
out = Console()
err = Console(stderr=True)

DataDir = Annotated[Optional[Path], typer.Option("--data-dir", "-d", help="data folder (GPID_DATA_DIR)")]
RpcUrl = Annotated[Optional[str], typer.Option("--rpc-url", help="JSON-RPC endpoint (GPID_RPC_URL)")]
DatabaseUrl = Annotated[Optional[str], typer.Option("--database-url", help="SQLAlchemy URL (GPID_DATABASE_URL)")]
Account = Annotated[Optional[str], typer.Option("--as", help="the account to act as (default: the node's key)")]


def _settings(data_dir: Path | None = None, **overrides: Any) -> Any:
    from gpid_node.settings import load_settings

    if data_dir is not None:
        os.environ["GPID_DATA_DIR"] = str(data_dir)
    return load_settings(data_dir=data_dir, **overrides)


def _keyring(settings: Any) -> Any:
    from gpid_node.chain.keystore import Keyring, load_keystore

    password = settings.keystore_password.get_secret_value()
    keyring = Keyring.load(settings.data_dir / "keys", password)
    if settings.keystore_path.exists():
        keyring.add(load_keystore(settings.keystore_path, password))
    return keyring


def _node(settings: Any) -> Any:
    from gpid_node.node import open_node

    return open_node(settings, _keyring(settings))


def _principal(node: Any, role: str, account: str | None) -> Any:
    from gpid_node.domain.access import Principal, Role

    addresses = node.keyring.addresses
    if account is None:
        if not addresses:
            raise e.ValidationFailed([e.FieldProblem("keystore", "this node has no key: run `gpid-node init`")])
        account = addresses[0] if len(addresses) == 1 else None
        if account is None:
            raise e.ValidationFailed([e.FieldProblem("--as", f"choose the account to act as: {', '.join(addresses)}")])
    return Principal(role=Role(role), account=account)


def _print(document: Any) -> None:
    out.print_json(json.dumps(document, default=str))


def _fail(error: e.GPIDError) -> None:
    err.print(f"[bold red]error:[/] {error.message}")
    for problem in getattr(error, "problems", [])[:50]:
        err.print(f"  {problem.path or '(document)'}: {problem.message}")
    raise typer.Exit(2)


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    # uvicorn re-raises SIGTERM once it has shut down; exiting through SystemExit runs the
    # `finally` blocks that stop the outbox, the indexer and the embedded chain (which saves its state).
    raise SystemExit(128 + signum)


def main() -> None:
    """Entry point: runs the app, printing the node's errors as messages, not tracebacks."""
    import signal

    from gpid_node.logs import configure_logging

    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    configure_logging(os.environ.get("GPID_LOG_LEVEL", "info"), os.environ.get("GPID_LOG_FORMAT", "console"))
    try:
        app()
    except e.GPIDError as error:
        err.print(f"[bold red]error:[/] {error.message}")
        for problem in getattr(error, "problems", [])[:50]:
            err.print(f"  {problem.path or '(document)'}: {problem.message}")
        sys.exit(2)


# ---------------------------------------------------------------------- running a node


@app.command()
def init(
    data_dir: DataDir = None,
    password: Annotated[Optional[str], typer.Option(envvar="GPID_KEYSTORE_PASSWORD", help="keystore password")] = None,
    private_key_file: Annotated[Optional[Path], typer.Option(help="import this key instead of creating one")] = None,
) -> None:
    """Creates the data folder, the node's encrypted key and its database."""
    from gpid_node.chain.keystore import create_keystore
    from gpid_node.store.database import Store

    settings = _settings(data_dir)
    if not password:
        password = typer.prompt("keystore password", hide_input=True, confirmation_prompt=True)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key = private_key_file.read_text().strip() if private_key_file else None
    account = create_keystore(settings.keystore_path, password, key)
    Store(settings.database).migrate()
    out.print(f"node key {account.address} in {settings.keystore_path}; database {settings.database}")


@app.command()
def deploy(
    data_dir: DataDir = None,
    rpc_url: RpcUrl = None,
    admin: Annotated[Optional[str], typer.Option(help="operator account (default: the deployer)")] = None,
) -> None:
    """Deploys the registry (or reuses the deployment the record names) and writes the deployment record."""
    from gpid_node.chain.deploy import deploy as deploy_registry
    from gpid_node.chain.keystore import load_keystore

    settings = _settings(data_dir, rpc_url=rpc_url)
    if not settings.rpc_url:
        raise e.ValidationFailed([e.FieldProblem("--rpc-url", "name the chain's JSON-RPC endpoint")])
    deployer = load_keystore(settings.keystore_path, settings.keystore_password.get_secret_value())
    record, reused = deploy_registry(settings.rpc_url, deployer, admin, settings.deployment_path)
    out.print(("reused" if reused else "deployed") + f" registry {record.registry} on chain {record.chain_id}")
    _print(record.__dict__)


def _serve(node: Any, settings: Any, port: int) -> None:
    import uvicorn

    from gpid_node.api.app import create_app
    from gpid_node.logs import configure_logging

    configure_logging(settings.log_level, settings.log_format)
    node.start()
    try:
        uvicorn.run(create_app(node, settings), host=settings.host, port=port, log_config=None, access_log=False)
    finally:
        node.stop()


@app.command()
def serve(data_dir: DataDir = None, rpc_url: RpcUrl = None, database_url: DatabaseUrl = None,
          port: Annotated[Optional[int], typer.Option(help="API port (GPID_PORT)")] = None,
          host: Annotated[Optional[str], typer.Option(help="API address (GPID_HOST)")] = None) -> None:  # fmt: skip
    """Runs the node against a chain: outbox, indexer and REST API."""
    settings = _settings(data_dir, rpc_url=rpc_url, database_url=database_url, port=port, host=host)
    _serve(_node(settings), settings, settings.port)


@app.command()
def dev(
    port: Annotated[int, typer.Option(help="API port")] = 8080,
    data_dir: Annotated[Path, typer.Option("--data-dir", "-d", help="data folder")] = Path("./data"),
    chain_port: Annotated[Optional[int], typer.Option(help="port of the embedded chain (default: a free one)")] = None,
) -> None:
    """Development mode: embedded anvil, contracts, demo participants, API keys in dev-credentials.json."""
    from gpid_node.devmode import DEV_PASSWORD, credentials, start_dev_chain
    from gpid_node.node import open_node

    os.environ["GPID_DATA_DIR"] = str(data_dir)
    env = start_dev_chain(data_dir, chain_port)
    try:
        (data_dir / "node.toml").write_text(
            "# written by `gpid-node dev`: lets the CLI reach this development node\n"
            f'rpc_url = "{env.chain.url}"\nkeystore_password = "{DEV_PASSWORD}"\n',
            encoding="utf-8",
        )
        settings = _settings(data_dir, port=port, rpc_url=env.chain.url)
        node = open_node(settings, env.keyring)
        api_url = settings.public_url or f"http://{settings.host}:{port}"
        credentials(node.store, data_dir, env.accounts, api_url)
        out.print(f"GPID dev node on {api_url} (chain {env.chain.url}); credentials in {data_dir / 'dev-credentials.json'}")
        _serve(node, settings, port)
    finally:
        env.stop()


# ---------------------------------------------------------------------- key data sets


def _read_json(path_or_text: str) -> Any:
    path = Path(path_or_text)
    try:
        return json.loads(path.read_text(encoding="utf-8") if path.exists() else path_or_text)
    except json.JSONDecodeError as exc:
        raise e.ValidationFailed([e.FieldProblem("", f"not JSON: {exc.msg} at line {exc.lineno}")]) from None


@app.command()
def register(file: Path, data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None) -> None:
    """Registers the key data set in FILE (JSON) and prints its GPID."""
    settings = _settings(data_dir, rpc_url=rpc_url)
    node = _node(settings).start()
    try:
        _print(node.register(_read_json(str(file)), _principal(node, "seller", account)))
    finally:
        node.stop()


@app.command(name="import")
def import_(file: Path, data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None,
            report: Annotated[Optional[Path], typer.Option(help="write the row-by-row report (JSON) here")] = None) -> None:  # fmt: skip
    """Registers every key data set of FILE (JSON Lines, or CSV with one row per goods line), in batches."""
    from gpid_node.importing import read_records

    settings = _settings(data_dir, rpc_url=rpc_url)
    if not file.is_file():
        raise e.ValidationFailed([e.FieldProblem("FILE", f"{file} does not exist")])
    node = _node(settings).start()
    try:
        principal = _principal(node, "seller", account)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=False) as progress:  # fmt: skip
            task = progress.add_task("registering", total=None)
            result = node.import_key_data_sets(
                read_records(file), principal, on_progress=lambda done, total: progress.update(task, completed=done, total=total)
            )
    finally:
        node.stop()
    for line, problems in result.rejected[:100]:
        err.print(f"[yellow]line {line}[/]: " + "; ".join(f"{p.path or '(row)'}: {p.message}" for p in problems))
    for line, message in result.failed[:100]:
        err.print(f"[red]line {line}[/]: {message}")
    if report:
        report.write_text(json.dumps({
            "summary": result.summary(),
            "registered": result.registered + result.registered_earlier,
            "already_registered": result.already_registered,
            "rejected": [(line, [p.as_dict() for p in ps]) for line, ps in result.rejected],
            "failed": result.failed,
        }, indent=1))  # fmt: skip
    _print(result.summary())
    if result.unfinished:
        raise typer.Exit(1)


@app.command()
def amend(gpid: str, changes: Annotated[str, typer.Option(help="JSON merge patch, or a file holding one")],
          reason: Annotated[str, typer.Option(help="why the key data set changes")],
          reason_code: Annotated[str, typer.Option(help="correction, price, quantity, parties or other")] = "correction",
          data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None) -> None:  # fmt: skip
    """Amends a key data set (identity fields never change)."""
    node = _node(_settings(data_dir, rpc_url=rpc_url)).start()
    try:
        _print(node.amend(gpid, _read_json(changes), reason, _principal(node, "seller", account), reason_code))
    finally:
        node.stop()


def _reader(data_dir: Path | None, rpc_url: str | None) -> Any:
    from gpid_node.domain.access import Principal, Role

    node = _node(_settings(data_dir, rpc_url=rpc_url))
    node.indexer.sync()
    return node, Principal(role=Role.OPERATOR, account="0x" + "0" * 40)


@app.command()
def show(gpid: str, version: Optional[int] = None, as_of: Optional[datetime] = None,
         data_dir: DataDir = None, rpc_url: RpcUrl = None) -> None:  # fmt: skip
    """Prints a key data set with its integrity proof (``--version`` or ``--as-of`` for an earlier state)."""
    node, principal = _reader(data_dir, rpc_url)
    _print(node.key_data_set(gpid, principal, version=version, as_of=as_of))


@app.command()
def history(gpid: str, data_dir: DataDir = None, rpc_url: RpcUrl = None) -> None:
    """Prints every version of a key data set: author, time, reason, changed fields."""
    node, principal = _reader(data_dir, rpc_url)
    _print(node.history(gpid, principal))


@app.command()
def link(gpids: list[str], reference: Annotated[str, typer.Option(help="declaration reference (MRN)")],
         country: Annotated[str, typer.Option(help="declaring country")],
         direction: Annotated[str, typer.Option(help="export or import")],
         role: Annotated[str, typer.Option(help="broker, seller or buyer")] = "broker",
         data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None) -> None:  # fmt: skip
    """Records that a declaration references GPIDS."""
    node = _node(_settings(data_dir, rpc_url=rpc_url)).start()
    try:
        _print(node.link(reference, country, direction, list(gpids), _principal(node, role, account)))
    finally:
        node.stop()


@app.command()
def verify(file: Path, country: Annotated[Optional[str], typer.Option(help="the Customs country")] = None,
           record: Annotated[bool, typer.Option(help="record the outcome on chain")] = True,
           data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None) -> None:  # fmt: skip
    """Checks a declaration (JSON, as POST /v1/verifications takes it) against its key data sets."""
    from dataclasses import replace

    node = _node(_settings(data_dir, rpc_url=rpc_url)).start()
    try:
        node.indexer.sync()
        principal = replace(_principal(node, "customs", account), country=country)
        _print(node.verify(_read_json(str(file)), principal, record=record))
    finally:
        node.stop()


# ---------------------------------------------------------------------- keys and participants


@keys_app.command("create")
def keys_create(role: Annotated[str, typer.Option(help="seller, buyer, broker, customs or operator")],
                account: Annotated[str, typer.Option(help="the account the key acts for")],
                name: Optional[str] = None, trader_id: Optional[str] = None, country: Optional[str] = None,
                data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:  # fmt: skip
    """Creates an API key and prints it (the only time it is shown)."""
    from gpid_node.credentials import create_key
    from gpid_node.store.database import Store

    settings = _settings(data_dir, database_url=database_url)
    store = Store(settings.database)
    store.migrate()
    with store.session() as session:
        key = create_key(session, role, account, name=name, trader_id=trader_id, country=country)
    out.print(key)


@keys_app.command("list")
def keys_list(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Lists API keys (ids, roles, accounts; never the secrets)."""
    from gpid_node.credentials import list_keys
    from gpid_node.store.database import Store

    store = Store(_settings(data_dir, database_url=database_url).database)
    table = Table("key id", "role", "account", "name", "created", "revoked")
    with store.session() as session:
        for row in list_keys(session):
            table.add_row(row.key_id, row.role, row.account, row.name or "", str(row.created_at), str(row.revoked_at or ""))
    out.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: str, data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Revokes an API key at once."""
    from gpid_node.credentials import revoke_key
    from gpid_node.store.database import Store

    store = Store(_settings(data_dir, database_url=database_url).database)
    with store.session() as session:
        revoke_key(session, key_id)
    out.print(f"revoked {key_id}")


@participants_app.command("list")
def participants_list(data_dir: DataDir = None, rpc_url: RpcUrl = None) -> None:
    """Trader ID bindings as the chain recorded them (who was bound when)."""
    from gpid_node.store import queries

    node, _ = _reader(data_dir, rpc_url)
    table = Table("trader ID", "account", "bound", "time", "block")
    with node.store.session() as session:
        for row in queries.trader_bindings(session):
            table.add_row(row.trader_id or row.trader_key, row.account, "bound" if row.bound else "unbound",
                          str(row.time), str(row.block_number))  # fmt: skip
    out.print(table)
