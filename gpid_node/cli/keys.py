"""API keys: ``keys create | list | revoke``; the accounts' encryption keys: ``keys encryption list | rotate``."""

from __future__ import annotations

import os
from typing import Annotated, Any, Optional

import typer
from rich.table import Table

from gpid_node.cli.common import DatabaseUrl, DataDir, RpcUrl, keyring_of, keys_app, node_of, out, print_json, settings_of
from gpid_node.domain import errors as e

encryption_app = typer.Typer(help="The accounts' X25519 encryption keys: list them, rotate one.", no_args_is_help=True)
keys_app.add_typer(encryption_app, name="encryption")


@keys_app.command("create")
def keys_create(role: Annotated[str, typer.Option(help="seller, buyer, broker, customs or operator")],
                account: Annotated[str, typer.Option(help="the account the key acts for")],
                name: Optional[str] = None, trader_id: Optional[str] = None, country: Optional[str] = None,
                data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:  # fmt: skip
    """Creates an API key and prints it (the only time it is shown)."""
    from gpid_node.services.credentials import create_key
    from gpid_node.store.database import Store

    settings = settings_of(data_dir, database_url=database_url)
    store = Store(settings.database)
    store.migrate()
    with store.session() as session:
        key = create_key(session, role, account, name=name, trader_id=trader_id, country=country)
    out.print(key)


@keys_app.command("list")
def keys_list(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Lists API keys (ids, roles, accounts; never the secrets)."""
    from gpid_node.services.credentials import list_keys
    from gpid_node.store.database import Store

    store = Store(settings_of(data_dir, database_url=database_url).database)
    table = Table("key id", "role", "account", "name", "created", "revoked")
    with store.session() as session:
        for row in list_keys(session):
            table.add_row(row.key_id, row.role, row.account, row.name or "", str(row.created_at), str(row.revoked_at or ""))
    out.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: str, data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Revokes an API key at once."""
    from gpid_node.services.credentials import revoke_key
    from gpid_node.store.database import Store

    store = Store(settings_of(data_dir, database_url=database_url).database)
    with store.session() as session:
        revoke_key(session, key_id)
    out.print(f"revoked {key_id}")


# ---------------------------------------------------------------------- encryption keys


@encryption_app.command("list")
def encryption_list(data_dir: DataDir = None, rpc_url: RpcUrl = None,
                    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False) -> None:  # fmt: skip
    """Lists each account's encryption keys, oldest first: key id, public key, current, published on chain."""
    from gpid_node.services.encryption_keys import key_statuses

    node = node_of(settings_of(data_dir, rpc_url=rpc_url))
    try:
        statuses = key_statuses(node.client, node.keyring)
    finally:
        node.store.dispose()
    if as_json:
        print_json({"keys": [s.as_dict() for s in statuses]})
        return
    table = Table("account", "key id", "public key", "current", "published on chain")
    for s in statuses:
        table.add_row(s.account, s.key_id, s.public_key, "current" if s.current else "old", "yes" if s.published else "no")
    out.print(table)


def _only_account(keyring: Any, account: str | None) -> str:
    from gpid_node.domain.addresses import checksum, is_address

    if account is not None:
        if not is_address(account):
            raise e.ValidationFailed([e.FieldProblem("--account", f"{account!r} is not an account address")])
        return checksum(account)
    if len(keyring.addresses) != 1:
        raise e.ValidationFailed([e.FieldProblem(
            "--account", f"choose the account whose key to rotate: {', '.join(keyring.addresses) or 'this node has no key'}"
        )])  # fmt: skip
    return str(keyring.addresses[0])


@encryption_app.command("rotate")
def encryption_rotate(
    account: Annotated[Optional[str], typer.Option(help="the account (default: the node's only one)")] = None,
    wait: Annotated[float, typer.Option(help="seconds to wait for a running node to publish the new key")] = 60.0,
    data_dir: DataDir = None,
    rpc_url: RpcUrl = None,
) -> None:
    """Creates a new encryption key pair for an account, saves it and publishes it on chain.

    The old keys stay in the keystore: data encrypted for them stays readable. With the node stopped,
    this command publishes the key itself. Beside a running node (serve or dev on this data folder),
    it only saves the key: the node takes it on within a second, in both of its processes, and
    publishes it through its own outbox; this command waits (up to --wait seconds) until the chain and
    the node's index name the new key. No restart.
    """
    from gpid_node.chain.keystore import EncryptionKeystore
    from gpid_node.services.encryption_keys import rotate_key
    from gpid_node.services.node import open_node
    from gpid_node.store.lease import lock_file

    settings = settings_of(data_dir, rpc_url=rpc_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    keystore = EncryptionKeystore(settings.data_dir / "keys", settings.keystore_password.get_secret_value())
    lock = lock_file(settings.data_dir / "node.lock")
    if lock is None:  # a node serves this data folder: it publishes (one writer per account)
        print_json(_rotate_beside_running_node(settings, keystore, account, wait))
        return
    try:
        keyring = keyring_of(settings)
        node = open_node(settings, keyring)
        try:
            result = rotate_key(node.client, keyring, keystore, _only_account(keyring, account))
        finally:
            node.store.dispose()
    finally:
        os.close(lock)
    print_json(result)


def _rotate_beside_running_node(settings: Any, keystore: Any, account: str | None, wait: float) -> dict[str, Any]:
    from gpid_node.chain.keystore import Keyring
    from gpid_node.domain.addresses import checksum, is_address
    from gpid_node.services.encryption_keys import rotate_beside_running_node
    from gpid_node.services.node import open_node

    if account is None:
        held = keystore.accounts()
        if len(held) != 1:
            raise e.ValidationFailed([e.FieldProblem(
                "--account", f"choose the account whose key to rotate: {', '.join(held) or 'this node has no key'}"
            )])  # fmt: skip
        account = held[0]
    elif not is_address(account):
        raise e.ValidationFailed([e.FieldProblem("--account", f"{account!r} is not an account address")])
    node = open_node(settings, Keyring())  # for the chain's view and the index: nothing is sent from here
    try:
        return rotate_beside_running_node(node.client, node.store, keystore, checksum(account), timeout_s=max(0.0, wait))
    finally:
        node.store.dispose()
