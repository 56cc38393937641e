"""The index database: ``index sync`` (rebuild from the chain) and ``index fingerprint`` (compare)."""

from __future__ import annotations

from gpid_node.cli.common import (
    DatabaseUrl,
    DataDir,
    RpcUrl,
    index_app,
    keyring_of,
    print_json,
    settings_of,
    where,
)
from gpid_node.domain import errors as e


@index_app.command("sync")
def index_sync(data_dir: DataDir = None, rpc_url: RpcUrl = None, database_url: DatabaseUrl = None) -> None:
    """Brings the index up to the chain head and prints what it took; an empty database is filled from the
    deployment block (a full rebuild), opening what the data folder's encryption keys open. Run it while
    the node is stopped, or against a new database."""
    import time

    from gpid_node.chain.client import RegistryClient, connect
    from gpid_node.chain.deploy import Deployment
    from gpid_node.services.indexer import Indexer
    from gpid_node.store.database import Store
    from gpid_node.store.fingerprint import fingerprint

    settings = settings_of(data_dir, rpc_url=rpc_url, database_url=database_url)
    if not settings.rpc_url:
        raise e.ValidationFailed([e.FieldProblem("--rpc-url", "name the chain's JSON-RPC endpoint (GPID_RPC_URL)")])
    deployment = Deployment.read(settings.deployment_path)
    store = Store(settings.database)
    store.migrate()
    client = RegistryClient(connect(settings.rpc_url, options=settings.rpc_options()), deployment.registry, settings.fee_mode)
    # the data folder's encryption keys (none in a folder without keys: public facts only)
    encryption = keyring_of(settings).encryption
    indexer = Indexer(store, client, start_block=deployment.block, confirmations=settings.confirmations, encryption=encryption)
    started = time.monotonic()
    events = indexer.sync()
    while (indexer.lag() or 0) > settings.confirmations:
        events += indexer.sync()
    seconds = time.monotonic() - started
    with store.session() as session:
        content = fingerprint(session)
    status = indexer.status()
    print_json({
        "database": where(settings.database), "registry": deployment.registry, "head": status["head"],
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

    settings = settings_of(data_dir, database_url=database_url)
    store = Store(settings.database)
    try:
        with store.session() as session:
            print_json(fingerprint(session))
    finally:
        store.dispose()
