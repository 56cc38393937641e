"""The seller's master data for e-invoices: ``items import|list|delete`` (the item catalogue) and
``partners import|list|delete`` (customers' trader IDs by VAT id or party id).

Thin over ``node.master_data`` (:mod:`gpid_node.services.master_data`), as ``/v1/items`` and
``/v1/partners`` are. The caller is this node's account (``--as`` when it holds several), as the
seller; the entries belong to the trader ID the chain binds to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from gpid_node.cli.common import Account, DataDir, RpcUrl, app, node_of, out, principal_of, print_json, settings_of
from gpid_node.domain import errors as e

items_app = typer.Typer(help="Your item catalogue: what your e-invoices lack per item (HS code, origins, mass, packages).",
                        no_args_is_help=True)  # fmt: skip
partners_app = typer.Typer(help="Your partner directory: your customers' trader IDs by VAT id or party id.", no_args_is_help=True)
app.add_typer(items_app, name="items")
app.add_typer(partners_app, name="partners")

AsJson = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]
Limit = Annotated[int, typer.Option(help="entries to list at most")]
MAX_CSV_BYTES = 64 * 1024 * 1024


@contextmanager
def _seller(data_dir: Path | None, rpc_url: str | None, account: str | None) -> Iterator[tuple[Any, Any]]:
    node = node_of(settings_of(data_dir, rpc_url=rpc_url))
    try:
        yield node, principal_of(node, "seller", account)
    finally:
        node.store.dispose()


def _csv(file: Path) -> bytes:
    if not file.is_file():
        raise e.ValidationFailed([e.FieldProblem("FILE", f"{file} does not exist")])
    if (size := file.stat().st_size) > MAX_CSV_BYTES:
        raise e.ValidationFailed([e.FieldProblem("FILE", f"{file.name} is {size} bytes; at most {MAX_CSV_BYTES}")])
    return file.read_bytes()


def _import(file: Path, data_dir: Path | None, rpc_url: str | None, account: str | None,
            act: Callable[[Any, bytes, Any], dict[str, Any]]) -> None:  # fmt: skip
    body = _csv(file)  # read before the node is opened
    with _seller(data_dir, rpc_url, account) as (node, principal):
        print_json(act(node, body, principal))


@items_app.command("import")
def import_items(file: Path, data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None) -> None:
    """Creates or replaces the catalogue entries of FILE (CSV with the header
    item_id,hs_code,country_of_origin,preferential_origin,net_mass_kg_per_unit,packages_per_unit): all or nothing."""
    _import(file, data_dir, rpc_url, account, lambda node, body, principal: node.master_data.import_items(body, principal))


@items_app.command("list")
def list_items(limit: Limit = 1000, as_json: AsJson = False, data_dir: DataDir = None, rpc_url: RpcUrl = None,
               account: Account = None) -> None:  # fmt: skip
    """Lists your catalogue by item id."""
    with _seller(data_dir, rpc_url, account) as (node, principal):
        answer = node.master_data.items(principal, limit, 0)
    if as_json:
        print_json(answer)
        return
    table = Table("item id", "HS code", "origin", "pref. origin", "kg per unit", "packages per unit",
                  title=f"Catalogue ({answer['total']} items)")  # fmt: skip
    for item in answer["items"]:
        table.add_row(*(str(item.get(k) or "") for k in ("item_id", "hs_code", "country_of_origin", "preferential_origin",
                                                         "net_mass_kg_per_unit", "packages_per_unit")))  # fmt: skip
    out.print(table if answer["items"] else "your catalogue is empty", highlight=False)


@items_app.command("delete")
def delete_item(item_id: str, data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None) -> None:
    """Removes ITEM_ID from your catalogue."""
    with _seller(data_dir, rpc_url, account) as (node, principal):
        node.master_data.delete_item(item_id, principal)
    print_json({"deleted": item_id})


@partners_app.command("import")
def import_partners(file: Path, data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None) -> None:
    """Creates or replaces the partners of FILE (CSV with the header partner_id,scheme,value): all or nothing."""
    _import(file, data_dir, rpc_url, account, lambda node, body, principal: node.master_data.import_partners(body, principal))


@partners_app.command("list")
def list_partners(limit: Limit = 1000, as_json: AsJson = False, data_dir: DataDir = None, rpc_url: RpcUrl = None,
                  account: Account = None) -> None:  # fmt: skip
    """Lists your partner directory."""
    with _seller(data_dir, rpc_url, account) as (node, principal):
        answer = node.master_data.partners(principal, limit, 0)
    if as_json:
        print_json(answer)
        return
    table = Table("partner id", "trader ID", title=f"Partners ({answer['total']})")
    for item in answer["items"]:
        table.add_row(item["partner_id"], f"{item['trader_id']['scheme']}:{item['trader_id']['value']}")
    out.print(table if answer["items"] else "your partner directory is empty", highlight=False)


@partners_app.command("delete")
def delete_partner(partner_id: str, data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None) -> None:
    """Removes PARTNER_ID from your partner directory."""
    with _seller(data_dir, rpc_url, account) as (node, principal):
        node.master_data.delete_partner(partner_id, principal)
    print_json({"deleted": partner_id})
