"""Consortium participants, for the operator: ``participants list | onboard | offboard | rebind``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.table import Table

from gpid_node.cli.common import (
    DataDir,
    RpcUrl,
    out,
    participants_app,
    print_json,
    reader_of,
    settings_of,
    where,
)
from gpid_node.domain import errors as e


@participants_app.command("list")
def participants_list(data_dir: DataDir = None, rpc_url: RpcUrl = None,
                      as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False) -> None:  # fmt: skip
    """Trader ID bindings as the chain recorded them (who was bound when)."""
    from gpid_node.store import queries

    node, _ = reader_of(data_dir, rpc_url)
    with node.store.session() as session:
        rows = queries.trader_bindings(session)
    # An unbinding event carries only the trader key: name it by the ID an earlier binding gave it.
    names = {row.trader_key: row.trader_id for row in rows if row.trader_id}
    history: list[dict[str, Any]] = [{"trader_id": row.trader_id or names.get(row.trader_key), "trader_key": row.trader_key,
                "account": row.account, "bound": row.bound, "time": row.time.isoformat(), "block": row.block_number}
               for row in rows]  # fmt: skip
    if as_json:
        print_json({"bindings": history})
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
    from gpid_node.services.onboarding import open_onboarding

    if not settings.rpc_url:
        raise e.ValidationFailed([e.FieldProblem("--rpc-url", "name the chain's JSON-RPC endpoint (GPID_RPC_URL)")])
    return open_onboarding(settings)


def _account_of(text: str, option: str = "--account") -> str:
    """An address, or the address a keystore file holds (read without decrypting it)."""
    from gpid_node.chain.keystore import keystore_address
    from gpid_node.domain.addresses import checksum, is_address

    if is_address(text):
        return checksum(text)
    path = Path(text)
    if path.is_file():
        try:
            return checksum(keystore_address(path))
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


def _issue_key(node: str, role: str, account: str, name: str | None, trader_id: str | None, country: str | None) -> dict[str, Any]:
    """Creates the participant's API key in a node, unless that node has a valid one for the account and role."""
    from gpid_node.services.credentials import issue_key_once

    store = _store_of(node)
    try:
        issued = issue_key_once(store, role, account, name=name, trader_id=trader_id, country=country)
    finally:
        store.dispose()
    return {**issued, "api_key_node": where(node)}


def _revoke_keys(nodes: list[str], account: str) -> list[dict[str, Any]]:
    """Revokes every valid API key of the account in each node; returns what was revoked where."""
    from gpid_node.services.credentials import revoke_account_keys

    revoked = []
    for node in nodes:
        store = _store_of(node)
        try:
            revoked += [{"node": where(node), **key} for key in revoke_account_keys(store, account)]
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
    create_key: Annotated[Optional[Path], typer.Option(
        help="create the participant's key in this keystore file (reused if it exists), with its encryption key beside it")] = None,
    password: Annotated[Optional[str], typer.Option(help="password of the keystore --create-key writes")] = None,
    fund_eth: FundEth = None,
    encryption_key: Annotated[Optional[str], typer.Option(
        help="publish this X25519 public key (0x + 64 hex, as the participant's `gpid-node init` printed it) for the account")] = None,
    api_key_for_node: NodeTarget = None,
    data_dir: DataDir = None,
    rpc_url: RpcUrl = None,
) -> None:
    """Onboards a participant: binds its trader ID (seller, buyer), grants the broker role or Customs,
    and publishes its encryption key when --encryption-key gives it. --create-key creates the account's
    signing key and its encryption key (in the ``encryption`` folder of the keys folder, as ``init``
    does) and publishes that encryption key.

    Run it with the operator's data folder (its key holds the registry's onboarding role). Steps
    already done on chain are not sent again. The participant's API key is issued in the node named by
    --api-key-for-node, or in this node when its keyring holds the account.
    """
    from gpid_node.chain.keystore import EncryptionKeystore, create_keystore, keystore_scrypt_n, load_keystore
    from gpid_node.services.onboarding import (
        ROLES,
        normal_country,
        normal_encryption_key,
        normal_trader_id,
        parse_ether,
    )

    public_key = normal_encryption_key(encryption_key) if encryption_key is not None else None
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
    if create_key is not None and public_key is not None:
        raise e.ValidationFailed([e.FieldProblem(
            "--encryption-key", "--create-key creates the account's encryption key: give --encryption-key with --account only"
        )])  # fmt: skip
    settings = settings_of(data_dir, rpc_url=rpc_url)
    onboarding = _onboarding(settings)
    if create_key is not None:
        if not password:
            raise e.ValidationFailed([e.FieldProblem("--password", "--create-key needs the password that will protect the new key")])
        key = load_keystore(create_key, password) if create_key.exists() else create_keystore(create_key, password)
        address: str = key.address
        # its encryption key, created once and kept where the node holding the key reads it
        pair = EncryptionKeystore.beside(create_key, password).ensure(address, scrypt_n=keystore_scrypt_n(create_key))[-1]
        public_key = pair.public_bytes
    else:
        address = _account_of(account or "")
    steps = []
    funded = onboarding.fund(address, wei)
    if funded is not None:
        steps.append(funded)
    steps += onboarding.onboard(role, address, trader_id=trader_id, country=country)
    if public_key is not None:
        steps.append(onboarding.publish_encryption_key(address, public_key))
    result: dict[str, Any] = {"name": name, "role": role, "account": address, "trader_id": trader_id, "country": country,
                              "steps": [s.as_dict() for s in steps]}  # fmt: skip
    target = api_key_for_node or (str(settings.data_dir) if _holds_key(settings, address) else None)
    if target is not None:
        result.update(_issue_key(target, role, address, name, trader_id, country))
    print_json(result)


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
    onboarding = _onboarding(settings_of(data_dir, rpc_url=rpc_url))
    steps = onboarding.offboard(address)
    revoked = _revoke_keys(list(revoke_keys_in or []), address)
    if not steps and not revoked:
        raise e.NotFound(
            f"{address} holds no trader binding, broker or Customs role on this registry"
            + (" and no valid API key in the nodes named" if revoke_keys_in else "")
            + ": nothing to offboard (`gpid-node participants list` shows the bindings)"
        )
    print_json({"account": address, "steps": [s.as_dict() for s in steps], "revoked_api_keys": revoked})


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
    from gpid_node.services.onboarding import normal_trader_id, parse_ether

    if role not in ("seller", "buyer"):
        raise e.ValidationFailed([e.FieldProblem("--role", "a trader ID belongs to a seller or a buyer")])
    trader_id = normal_trader_id(trader_id)
    wei = parse_ether(fund_eth)
    old, new = _account_of(old_account, "--old-account"), _account_of(new_account, "--new-account")
    settings = settings_of(data_dir, rpc_url=rpc_url)
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
    print_json(result)
