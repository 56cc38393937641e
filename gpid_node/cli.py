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
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gpid_node.domain import errors as e
from gpid_node.domain import strict_json

app = typer.Typer(help="GPID node: register, reference and verify Goods Passport IDs.", no_args_is_help=True)
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
    err.print(f"[bold red]error:[/] {escape(error.message)}")  # messages quote the user's values: text, not markup
    for problem in getattr(error, "problems", [])[:50]:
        err.print(f"  {escape(problem.path or '(document)')}: {escape(problem.message)}")
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
    # Logging starts before the settings are read: a wrong level or format is named by the settings below.
    level, fmt = os.environ.get("GPID_LOG_LEVEL", "info"), os.environ.get("GPID_LOG_FORMAT", "console")
    configure_logging(level if level.lower() in ("debug", "info", "warning", "error") else "info",
                      fmt if fmt in ("json", "console") else "console")  # fmt: skip
    try:
        app()
    except e.GPIDError as error:
        err.print(f"[bold red]error:[/] {escape(error.message)}")  # messages quote the user's values: text, not markup
        for problem in getattr(error, "problems", [])[:50]:
            err.print(f"  {escape(problem.path or '(document)')}: {escape(problem.message)}")
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
    record, reused = deploy_registry(settings.rpc_url, deployer, admin, settings.deployment_path, fee_mode=settings.fee_mode)
    out.print(("reused" if reused else "deployed") + f" registry {record.registry} on chain {record.chain_id}")
    _print(record.__dict__)


def _log_as_configured(settings: Any) -> None:
    """A serving node logs in the configured format (JSON lines by default) from its first event on."""
    from gpid_node.logs import configure_logging

    configure_logging(settings.log_level, settings.log_format)


_DATA_FOLDER_LOCKS: list[int] = []  # open for the life of the process: the kernel frees them when it ends


def _serve_alone_from(data_dir: Path) -> None:
    """One serving node per data folder (``node.lock`` in it, held until this process ends, however):
    a second ``dev`` would stop the first one's chain as a leftover of a killed run, and two nodes
    would share one keystore and one database."""
    from gpid_node.store.lease import lock_file

    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "node.lock"
    fd = lock_file(path)
    if fd is None:
        holder = path.read_text(errors="replace").strip() or "unknown"
        raise e.GPIDError(  # a refusal of the command line, never an API answer
            f"the data folder {data_dir} is in use by another gpid-node serve or dev (pid {holder}): "
            "stop that one, or give this one another --data-dir"
        )
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    _DATA_FOLDER_LOCKS.append(fd)


def _serve(node: Any, settings: Any, port: int) -> None:
    import uvicorn

    from gpid_node.api.app import create_app
    from gpid_node.domain import reference

    reference.load()
    # HTTP handlers wait on short I/O while other threads compute (the event loop, other handlers, and
    # the outbox and indexer when they run as threads): a 1 ms switch interval (instead of 5 ms) keeps
    # a handler from queueing behind them at every database call.
    sys.setswitchinterval(0.001)
    if settings.engine_process:
        from gpid_node.engines import EngineSpec

        node.start(EngineSpec.of(node, settings))
    else:
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
    _log_as_configured(settings)
    _serve_alone_from(settings.data_dir)
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

    _log_as_configured(_settings(data_dir))
    _serve_alone_from(data_dir)
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


MAX_JSON_FILE_BYTES = 1_048_576  # GPID_MAX_BODY_BYTES's default: what the REST facade takes in one body


def _read_json(path_or_text: str) -> Any:
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


@app.command()
def register(file: Path, data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None) -> None:
    """Registers the key data set in FILE (JSON) and prints its GPID."""
    body = _read_json(str(file))  # a file that is not JSON is refused before the node is opened
    settings = _settings(data_dir, rpc_url=rpc_url)
    node = _node(settings).start()
    try:
        _print(node.register(body, _principal(node, "seller", account)))
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
    records = read_records(file)  # a file that is not UTF-8 is refused before the node is opened
    node = _node(settings).start()
    try:
        principal = _principal(node, "seller", account)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=False) as progress:  # fmt: skip
            task = progress.add_task("registering", total=None)
            result = node.import_key_data_sets(
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
    _print(result.summary())
    if result.unfinished or result.rejected or result.failed:  # a script must see that rows were left out
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
def participants_list(data_dir: DataDir = None, rpc_url: RpcUrl = None,
                      as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False) -> None:  # fmt: skip
    """Trader ID bindings as the chain recorded them (who was bound when)."""
    from gpid_node.store import queries

    node, _ = _reader(data_dir, rpc_url)
    with node.store.session() as session:
        rows = queries.trader_bindings(session)
    # An unbinding event carries only the trader key: name it by the ID an earlier binding gave it.
    names = {row.trader_key: row.trader_id for row in rows if row.trader_id}
    history = [{"trader_id": row.trader_id or names.get(row.trader_key), "trader_key": row.trader_key,
                "account": row.account, "bound": row.bound, "time": row.time.isoformat(), "block": row.block_number}
               for row in rows]  # fmt: skip
    if as_json:
        _print({"bindings": history})
        return
    table = Table("trader ID", "account", "bound", "time", "block")
    for item in history:
        table.add_row(item["trader_id"] or item["trader_key"], item["account"], "bound" if item["bound"] else "unbound",
                      item["time"], str(item["block"]))  # fmt: skip
    out.print(table)


# ---------------------------------------------------------------------- onboarding (the consortium operator)

NodeTarget = Annotated[
    Optional[str],
    typer.Option(help="issue the participant's API key in this node's database: its data folder (SQLite, or the "
                 "database_url of its node.toml) or a database URL"),
]  # fmt: skip
RevokeIn = Annotated[
    Optional[list[str]],
    typer.Option(help="revoke the account's API keys in this node's database (data folder or database URL); repeatable"),
]
FundEth = Annotated[
    Optional[str],
    typer.Option(help="top the account up to this much ether for gas, from the operator's account (leave out on zero-gas networks)"),
]


def _onboarding(settings: Any) -> Any:
    """The operator's onboarding actions: the registry of the deployment record, signed by this folder's key."""
    from gpid_node.chain.client import RegistryClient, connect
    from gpid_node.chain.deploy import Deployment
    from gpid_node.chain.keystore import load_keystore
    from gpid_node.onboarding import Onboarding

    if not settings.rpc_url:
        raise e.ValidationFailed([e.FieldProblem("--rpc-url", "name the chain's JSON-RPC endpoint (GPID_RPC_URL)")])
    deployment = Deployment.read(settings.deployment_path)
    operator = load_keystore(settings.keystore_path, settings.keystore_password.get_secret_value())
    client = RegistryClient(connect(settings.rpc_url), deployment.registry, settings.fee_mode)
    onboarding = Onboarding(client, operator, from_block=deployment.block)
    onboarding.check_operator()
    return onboarding


def _account_of(text: str, option: str = "--account") -> str:
    """An address, or the address a keystore file holds (read without decrypting it)."""
    from web3 import Web3

    from gpid_node.chain.keystore import keystore_address

    if Web3.is_address(text):
        return str(Web3.to_checksum_address(text))
    path = Path(text)
    if path.is_file():
        try:
            return str(Web3.to_checksum_address(keystore_address(path)))
        except (ValueError, KeyError, TypeError):
            pass
    raise e.ValidationFailed([e.FieldProblem(option, f"{text!r} is neither an account address nor a keystore file")])


def _store_of(node: str) -> Any:
    """A node's index database, named by its data folder (SQLite, or node.toml's database_url) or by URL."""
    import tomllib

    from gpid_node.store.database import Store, sqlite_url

    url = node if "://" in node else None
    if url is None:
        folder = Path(node)
        if not folder.is_dir():
            raise e.ValidationFailed([e.FieldProblem(
                "node", f"no node data folder at {folder}: run `gpid-node init --data-dir {folder}` first, or give its database URL"
            )])  # fmt: skip
        config = folder / "node.toml"
        if config.is_file():
            url = tomllib.loads(config.read_text(encoding="utf-8")).get("database_url")
        url = url or sqlite_url(folder)
    store = Store(url)
    store.migrate()
    return store


def _where(node: str) -> str:
    """A node target as it may be printed (a database URL without its password)."""
    if "://" not in node:
        return node
    from sqlalchemy.engine import make_url

    return make_url(node).render_as_string(hide_password=True)


def _issue_key(node: str, role: str, account: str, name: str | None, trader_id: str | None, country: str | None) -> dict[str, Any]:
    """Creates the participant's API key in a node, unless that node has a valid one for the account and role."""
    from gpid_node.credentials import create_key, list_keys

    store = _store_of(node)
    try:
        with store.session() as session:
            existing = [k for k in list_keys(session) if k.account == account and k.role == role and k.revoked_at is None]
            if existing:
                return {"api_key": None, "api_key_id": existing[0].key_id, "api_key_node": _where(node),
                        "api_key_note": "this node holds a valid key for the account already; `gpid-node keys create` makes another"}  # fmt: skip
            key = create_key(session, role, account, name=name, trader_id=trader_id, country=country)
    finally:
        store.dispose()
    return {"api_key": key, "api_key_id": key.removeprefix("gpid_").split(".")[0], "api_key_node": _where(node)}


def _revoke_keys(nodes: list[str], account: str) -> list[dict[str, Any]]:
    """Revokes every valid API key of the account in each node; returns what was revoked where."""
    from gpid_node.credentials import list_keys, revoke_key

    revoked = []
    for node in nodes:
        store = _store_of(node)
        try:
            with store.session() as session:
                for row in list_keys(session):
                    if row.account == account and row.revoked_at is None:
                        revoke_key(session, row.key_id)
                        revoked.append({"node": _where(node), "key_id": row.key_id, "role": row.role})
        finally:
            store.dispose()
    return revoked


def _holds_key(settings: Any, account: str) -> bool:
    """Whether this data folder's keyring holds the account (the command runs on the participant's node)."""
    from gpid_node.chain.keystore import keystore_address

    paths = [settings.keystore_path, *sorted((settings.data_dir / "keys").glob("*.json"))]
    for path in paths:
        try:
            if path.is_file() and keystore_address(path).lower() == account.lower():
                return True
        except (ValueError, KeyError, OSError):
            continue
    return False


@participants_app.command("onboard")
def participants_onboard(
    role: Annotated[str, typer.Option(help="seller, buyer, broker or customs")],
    name: Annotated[str, typer.Option(help="the participant's name (kept with its API key)")],
    trader_id: Annotated[Optional[str], typer.Option(help="seller and buyer: SCHEME:VALUE, e.g. EORI:DE123456789012345")] = None,
    country: Annotated[Optional[str], typer.Option(help="customs: the administration's country (ISO alpha-2); others: optional")] = None,
    account: Annotated[Optional[str], typer.Option(help="the participant's account: an address, or its node's keystore file")] = None,
    create_key: Annotated[Optional[Path], typer.Option(help="create the participant's key in this keystore file (reused if it exists)")] = None,
    password: Annotated[Optional[str], typer.Option(help="password of the keystore --create-key writes")] = None,
    fund_eth: FundEth = None,
    api_key_for_node: NodeTarget = None,
    data_dir: DataDir = None,
    rpc_url: RpcUrl = None,
) -> None:
    """Onboards a participant: binds its trader ID (seller, buyer), grants the broker role or Customs.

    Run it with the operator's data folder (its key holds the registry's onboarding role). Steps
    already done on chain are not sent again. The participant's API key is issued in the node named by
    --api-key-for-node, or in this node when its keyring holds the account.
    """
    from gpid_node.chain.keystore import create_keystore, load_keystore
    from gpid_node.onboarding import ROLES, normal_country, normal_trader_id, parse_ether

    if role not in ROLES:
        raise e.ValidationFailed([e.FieldProblem("--role", f"{role!r} is not a role; use one of {', '.join(ROLES)}")])
    if role in ("seller", "buyer"):
        if not trader_id:
            raise e.ValidationFailed([e.FieldProblem("--trader-id", f"a {role} needs its trader ID, e.g. EORI:DE123456789012345")])
        trader_id = normal_trader_id(trader_id)
        if country is None:  # an EORI number starts with its country
            country = trader_id.partition(":")[2][:2] if trader_id.startswith("EORI:") else None
    elif trader_id:
        raise e.ValidationFailed([e.FieldProblem("--trader-id", f"only sellers and buyers are bound to a trader ID, not a {role}")])
    if role == "customs" or country:
        country = normal_country(country)
    wei = parse_ether(fund_eth)
    if (account is None) == (create_key is None):
        raise e.ValidationFailed([e.FieldProblem(
            "--account", "give the participant's account (--account ADDRESS or its keystore file) or --create-key PATH, one of them"
        )])  # fmt: skip
    settings = _settings(data_dir, rpc_url=rpc_url)
    onboarding = _onboarding(settings)
    if create_key is not None:
        if not password:
            raise e.ValidationFailed([e.FieldProblem("--password", "--create-key needs the password that will protect the new key")])
        key = load_keystore(create_key, password) if create_key.exists() else create_keystore(create_key, password)
        address = key.address
    else:
        address = _account_of(account or "")
    steps = []
    funded = onboarding.fund(address, wei)
    if funded is not None:
        steps.append(funded)
    steps += onboarding.onboard(role, address, trader_id=trader_id, country=country)
    result: dict[str, Any] = {"name": name, "role": role, "account": address, "trader_id": trader_id, "country": country,
                              "steps": [s.as_dict() for s in steps]}  # fmt: skip
    target = api_key_for_node or (str(settings.data_dir) if _holds_key(settings, address) else None)
    if target is not None:
        result.update(_issue_key(target, role, address, name, trader_id, country))
    _print(result)


@participants_app.command("offboard")
def participants_offboard(
    account: Annotated[str, typer.Option(help="the participant's account: an address, or its keystore file")],
    revoke_keys_in: RevokeIn = None,
    data_dir: DataDir = None,
    rpc_url: RpcUrl = None,
) -> None:
    """Offboards a participant: unbinds its trader ID, revokes its broker or Customs role and its API keys.

    GPIDs it registered keep it as their issuer; the index keeps when it was bound.
    """
    address = _account_of(account)
    onboarding = _onboarding(_settings(data_dir, rpc_url=rpc_url))
    steps = onboarding.offboard(address)
    revoked = _revoke_keys(list(revoke_keys_in or []), address)
    if not steps and not revoked:
        raise e.NotFound(
            f"{address} holds no trader binding, broker or Customs role on this registry"
            + (" and no valid API key in the nodes named" if revoke_keys_in else "")
            + ": nothing to offboard (`gpid-node participants list` shows the bindings)"
        )
    _print({"account": address, "steps": [s.as_dict() for s in steps], "revoked_api_keys": revoked})


@participants_app.command("rebind")
def participants_rebind(
    trader_id: Annotated[str, typer.Option(help="the trader ID to move, e.g. EORI:DE123456789012345")],
    old_account: Annotated[str, typer.Option(help="the lost or retired account (address or keystore file)")],
    new_account: Annotated[str, typer.Option(help="the new account (address or keystore file)")],
    role: Annotated[str, typer.Option(help="seller or buyer: the role of the new API key")] = "seller",
    name: Annotated[Optional[str], typer.Option(help="the participant's name (kept with its new API key)")] = None,
    fund_eth: FundEth = None,
    revoke_keys_in: RevokeIn = None,
    api_key_for_node: NodeTarget = None,
    data_dir: DataDir = None,
    rpc_url: RpcUrl = None,
) -> None:
    """After a key loss: unbinds the old account, binds the new one to the same trader ID.

    The chain keeps both events: `gpid-node participants list` shows who was bound when, and GPIDs
    registered under the old account keep it as their issuer.
    """
    from gpid_node.onboarding import normal_trader_id, parse_ether

    if role not in ("seller", "buyer"):
        raise e.ValidationFailed([e.FieldProblem("--role", "a trader ID belongs to a seller or a buyer")])
    trader_id = normal_trader_id(trader_id)
    wei = parse_ether(fund_eth)
    old, new = _account_of(old_account, "--old-account"), _account_of(new_account, "--new-account")
    settings = _settings(data_dir, rpc_url=rpc_url)
    onboarding = _onboarding(settings)
    steps = []
    funded = onboarding.fund(new, wei)
    if funded is not None:
        steps.append(funded)
    steps += onboarding.rebind(trader_id, old, new)
    result: dict[str, Any] = {"trader_id": trader_id, "old_account": old, "new_account": new,
                              "steps": [s.as_dict() for s in steps],
                              "revoked_api_keys": _revoke_keys(list(revoke_keys_in or []), old)}  # fmt: skip
    country = trader_id.partition(":")[2][:2] if trader_id.startswith("EORI:") else None
    target = api_key_for_node or (str(settings.data_dir) if _holds_key(settings, new) else None)
    if target is not None:
        result.update(_issue_key(target, role, new, name, trader_id, country))
    _print(result)


# ---------------------------------------------------------------------- the index


@index_app.command("sync")
def index_sync(data_dir: DataDir = None, rpc_url: RpcUrl = None, database_url: DatabaseUrl = None) -> None:
    """Brings the index up to the chain head and prints what it took; an empty database is filled from the
    deployment block (a full rebuild). Run it while the node is stopped, or against a new database."""
    import time

    from gpid_node.chain.client import RegistryClient, connect
    from gpid_node.chain.deploy import Deployment
    from gpid_node.indexer import Indexer
    from gpid_node.store.database import Store
    from gpid_node.store.fingerprint import fingerprint

    settings = _settings(data_dir, rpc_url=rpc_url, database_url=database_url)
    if not settings.rpc_url:
        raise e.ValidationFailed([e.FieldProblem("--rpc-url", "name the chain's JSON-RPC endpoint (GPID_RPC_URL)")])
    deployment = Deployment.read(settings.deployment_path)
    store = Store(settings.database)
    store.migrate()
    client = RegistryClient(connect(settings.rpc_url), deployment.registry, settings.fee_mode)
    indexer = Indexer(store, client, start_block=deployment.block, confirmations=settings.confirmations)
    started = time.monotonic()
    events = indexer.sync()
    while (indexer.lag() or 0) > settings.confirmations:
        events += indexer.sync()
    seconds = time.monotonic() - started
    with store.session() as session:
        content = fingerprint(session)
    status = indexer.status()
    _print({
        "database": _where(settings.database), "registry": deployment.registry, "head": status["head"],
        "cursor": status["cursor"], "events": events, "seconds": round(seconds, 3),
        "events_per_second": round(events / seconds, 1) if seconds > 0 else None,
        "key_data_sets": content["tables"]["key_data_sets"]["rows"], "fingerprint": content,
    })  # fmt: skip


@index_app.command("fingerprint")
def index_fingerprint(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Prints a fingerprint of what the index holds from the chain (rows and SHA-256 per table): two nodes
    at the same block print the same fingerprint, whatever their database."""
    from gpid_node.store.database import Store
    from gpid_node.store.fingerprint import fingerprint

    settings = _settings(data_dir, database_url=database_url)
    store = Store(settings.database)
    try:
        with store.session() as session:
            _print(fingerprint(session))
    finally:
        store.dispose()
