"""API keys: ``keys create | list | revoke``."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table

from gpid_node.cli.common import DatabaseUrl, DataDir, keys_app, out, settings_of


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
