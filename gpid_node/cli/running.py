"""Running a node: ``init``, ``deploy``, ``serve`` and ``dev``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from gpid_node.cli.common import (
    DatabaseUrl,
    DataDir,
    RpcUrl,
    app,
    node_of,
    out,
    print_json,
    settings_of,
    where,
)
from gpid_node.domain import errors as e


@app.command()
def init(
    data_dir: DataDir = None,
    password: Annotated[Optional[str], typer.Option(envvar="GPID_KEYSTORE_PASSWORD", help="keystore password")] = None,
    private_key_file: Annotated[Optional[Path], typer.Option(help="import this key instead of creating one")] = None,
) -> None:
    """Creates the data folder, the node's encrypted keys (signing and encryption) and its database."""
    from gpid_node.chain.keystore import EncryptionKeystore, create_keystore, keystore_scrypt_n
    from gpid_node.store.database import Store

    settings = settings_of(data_dir)
    password = password or settings.keystore_password.get_secret_value()  # GPID_KEYSTORE_PASSWORD_FILE too
    if not password:
        password = typer.prompt("keystore password", hide_input=True, confirmation_prompt=True)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key = private_key_file.read_text().strip() if private_key_file else None
    account = create_keystore(settings.keystore_path, password, key)
    encryption = EncryptionKeystore(settings.data_dir / "keys", password)
    pair = encryption.ensure(account.address, scrypt_n=keystore_scrypt_n(settings.keystore_path))[-1]
    Store(settings.database).migrate()
    out.print(f"node key {account.address} in {settings.keystore_path}; database {where(settings.database)}")
    out.print(f"encryption key 0x{pair.public_bytes.hex()} (key id 0x{pair.key_id.hex()}) in {encryption.path_of(account.address)}; "
              "the node publishes it when it starts, or the operator at onboarding (--encryption-key)", highlight=False, soft_wrap=True)


@app.command()
def deploy(
    data_dir: DataDir = None,
    rpc_url: RpcUrl = None,
    admin: Annotated[Optional[str], typer.Option(help="operator account (default: the deployer)")] = None,
) -> None:
    """Deploys the registry (or reuses the deployment the record names) and writes the deployment record."""
    from gpid_node.chain.deploy import deploy as deploy_registry
    from gpid_node.chain.keystore import load_keystore

    settings = settings_of(data_dir, rpc_url=rpc_url)
    if not settings.rpc_url:
        raise e.ValidationFailed([e.FieldProblem("--rpc-url", "name the chain's JSON-RPC endpoint")])
    deployer = load_keystore(settings.keystore_path, settings.keystore_password.get_secret_value())
    record, reused = deploy_registry(settings.rpc_url, deployer, admin, settings.deployment_path, fee_mode=settings.fee_mode,
                                     options=settings.rpc_options())  # fmt: skip
    out.print(("reused" if reused else "deployed") + f" registry {record.registry} on chain {record.chain_id}")
    print_json(record.__dict__)


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
    node.start(settings)  # the engines in a process of their own unless settings say otherwise
    try:
        # proxy_headers=False: uvicorn would believe X-Forwarded-* from 127.0.0.1; the app believes them
        # from settings.trusted_proxies only (api/forwarded.py)
        uvicorn.run(create_app(node, settings), host=settings.host, port=port, log_config=None, access_log=False,
                    proxy_headers=False)  # fmt: skip
    finally:
        node.stop()


@app.command()
def serve(data_dir: DataDir = None, rpc_url: RpcUrl = None, database_url: DatabaseUrl = None,
          port: Annotated[Optional[int], typer.Option(help="API port (GPID_PORT)")] = None,
          host: Annotated[Optional[str], typer.Option(help="API address (GPID_HOST)")] = None) -> None:  # fmt: skip
    """Runs the node against a chain: outbox, indexer and REST API."""
    settings = settings_of(data_dir, rpc_url=rpc_url, database_url=database_url, port=port, host=host)
    _log_as_configured(settings)
    _serve_alone_from(settings.data_dir)
    _serve(node_of(settings), settings, settings.port)


@app.command()
def dev(
    port: Annotated[int, typer.Option(help="API port")] = 8080,
    data_dir: Annotated[Path, typer.Option("--data-dir", "-d", help="data folder")] = Path("./data"),
    chain_port: Annotated[Optional[int], typer.Option(help="port of the embedded chain (default: a free one)")] = None,
) -> None:
    """Development mode: embedded anvil, contracts, demo participants, API keys in dev-credentials.json."""
    from gpid_node.files import write_private
    from gpid_node.services.devmode import DEV_PASSWORD, credentials, start_dev_chain
    from gpid_node.services.node import open_node

    _log_as_configured(settings_of(data_dir))
    _serve_alone_from(data_dir)
    env = start_dev_chain(data_dir, chain_port)
    try:
        write_private(data_dir / "node.toml", (  # it holds the keystore password
            "# written by `gpid-node dev`: lets the CLI reach this development node\n"
            f'rpc_url = "{env.chain.url}"\nkeystore_password = "{DEV_PASSWORD}"\n'
        ))
        settings = settings_of(data_dir, port=port, rpc_url=env.chain.url, webhook_allow_loopback=True)  # DESIGN.md: dev mode accepts loopback receivers
        node = open_node(settings, env.keyring)
        api_url = settings.public_url or f"http://{settings.host}:{port}"
        credentials(node.store, data_dir, env.accounts, api_url, env.chain_facts())
        out.print(f"GPID dev node on {api_url} (chain {env.chain.url}); credentials in {data_dir / 'dev-credentials.json'}")
        _serve(node, settings, port)
    finally:
        env.stop()
