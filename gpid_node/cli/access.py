"""Who may read a key data set: ``grant``, ``grants``, ``revoke`` (one GPID, by its seller or buyer)
and ``mandate``, ``mandates``, ``end-mandate`` (standing mandates of a trader for an agent).

Thin over ``node.access`` (:mod:`gpid_node.services.access`), as ``/v1/key-data-sets/{gpid}/grants``
and ``/v1/mandates`` are. The caller is this node's account (``--as`` when it holds several), acting
as the seller (default) or the buyer of the GPID (``--role buyer``); its trader ID is the one the
chain binds to that account now.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from gpid_node.cli.common import (
    Account,
    DataDir,
    RpcUrl,
    app,
    err,
    node_of,
    out,
    principal_of,
    print_json,
    settings_of,
)
from gpid_node.domain import errors as e

TRADER_ROLES = ("seller", "buyer")
DIRECTIONS = ("export", "import")

TraderRole = Annotated[str, typer.Option("--role", help="act as the seller (default) or the buyer of the GPID")]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]
Reason = Annotated[str, typer.Option(help="why the grantee needs the key data set (kept with the grant)")]
Direction = Annotated[str, typer.Option(help="export or import: the declarations the agent files for you")]


def _checked_role(role: str) -> str:
    if role not in TRADER_ROLES:
        raise e.ValidationFailed([e.FieldProblem("--role", f"{role!r} is not a trader role; use seller or buyer")])
    return role


def _checked_direction(direction: str) -> str:
    if direction not in DIRECTIONS:
        raise e.ValidationFailed([e.FieldProblem("--direction", f"{direction!r} is no direction; use export or import")])
    return direction


def trader_principal(node: Any, role: str, account: str | None) -> Any:
    """The caller as the services see it: this node's account in a trader role, with the trader ID the
    index (which mirrors the chain) binds to that account now, if any."""
    from dataclasses import replace

    from gpid_node.store import queries

    principal = principal_of(node, _checked_role(role), account)
    with node.store.session() as session:
        rows = queries.trader_bindings(session, account=principal.account)
    latest = rows[-1] if rows else None
    if latest is not None and latest.bound and latest.trader_id:
        principal = replace(principal, trader_id=latest.trader_id)
    return principal


@contextmanager
def _running(data_dir: Path | None, rpc_url: str | None, *, engines: bool) -> Iterator[Any]:
    """A node of this data folder, its index brought up to the chain; with its outbox and indexer
    running when the command writes (the write waits until it is mined and indexed)."""
    node = node_of(settings_of(data_dir, rpc_url=rpc_url))
    if engines:
        node.start()
    try:
        node.indexer.sync()
        yield node
    finally:
        if engines:
            node.stop()
        node.store.dispose()


def _write(data_dir: Path | None, rpc_url: str | None, act: Callable[[Any], dict[str, Any]]) -> None:
    with _running(data_dir, rpc_url, engines=True) as node:
        answer = act(node)
    print_json(answer)
    note = answer.get("note")
    if note:
        err.print(f"[yellow]note:[/] {escape(str(note))}", highlight=False)


# ---------------------------------------------------------------------- grants of one GPID


@app.command()
def grant(gpid: str, grantee: str, reason: Reason, role: TraderRole = "seller",
          data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None) -> None:  # fmt: skip
    """Gives GRANTEE (an account with an encryption key on chain) access to GPID, to read and link it.

    The GPID's content key, wrapped for the grantee's current encryption key, goes on chain."""
    _checked_role(role)
    _write(data_dir, rpc_url, lambda node: node.access.grant(gpid, grantee, reason, trader_principal(node, role, account)))


@app.command()
def grants(gpid: str, role: TraderRole = "seller", as_json: AsJson = False,
           data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None) -> None:  # fmt: skip
    """Lists who was granted access to GPID, by whom and when (a revoked grant stays listed)."""
    with _running(data_dir, rpc_url, engines=False) as node:
        answer = node.access.grants(gpid, trader_principal(node, role, account))
    if as_json:
        print_json(answer)
        return
    table = Table("grantee", "granted by", "state", "granted at", "revoked at", "transaction",
                  title=f"Access to {answer['gpid']}")  # fmt: skip
    for item in answer["items"]:
        table.add_row(item["grantee"], item.get("granter") or "", "active" if item.get("active") else "revoked",
                      str(item.get("granted_at") or ""), str(item.get("revoked_at") or ""), item.get("transaction") or "")  # fmt: skip
    out.print(table if answer["items"] else f"nobody holds a grant for {answer['gpid']}", highlight=False)


@app.command()
def revoke(gpid: str, grantee: str, role: TraderRole = "seller",
           data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None) -> None:  # fmt: skip
    """Ends GRANTEE's grant for GPID: it may no longer link it. What was shared stays shared."""
    _checked_role(role)
    _write(data_dir, rpc_url, lambda node: node.access.revoke(gpid, grantee, trader_principal(node, role, account)))


# ---------------------------------------------------------------------- standing mandates of a trader


@app.command()
def mandate(agent: str, direction: Direction, role: TraderRole = "seller",
            data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None) -> None:  # fmt: skip
    """Gives AGENT (e.g. your export broker) a standing mandate for DIRECTION.

    The agent becomes a recipient of every key data set you register from now on, and may link them."""
    _checked_direction(direction)
    _checked_role(role)
    _write(data_dir, rpc_url, lambda node: node.access.set_mandate(agent, direction, trader_principal(node, role, account)))


@app.command()
def mandates(role: TraderRole = "seller", as_json: AsJson = False,
             data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None) -> None:  # fmt: skip
    """Lists your trader's active mandates: agent, direction, since when."""
    with _running(data_dir, rpc_url, engines=False) as node:
        answer = node.access.mandates(trader_principal(node, role, account))
    if as_json:
        print_json(answer)
        return
    table = Table("agent", "direction", "since", title="Active mandates")
    for item in answer["items"]:
        table.add_row(item["agent"], item["direction"], str(item.get("since") or ""))
    out.print(table if answer["items"] else "no active mandate", highlight=False)


@app.command(name="end-mandate")
def end_mandate(agent: str, direction: Direction, role: TraderRole = "seller",
                data_dir: DataDir = None, rpc_url: RpcUrl = None, account: Account = None) -> None:  # fmt: skip
    """Withdraws AGENT's mandate for DIRECTION: it receives no key data set you register from now on.

    What it received stays readable to it (its node holds those content keys)."""
    _checked_direction(direction)
    _checked_role(role)
    _write(data_dir, rpc_url, lambda node: node.access.end_mandate(agent, direction, trader_principal(node, role, account)))
