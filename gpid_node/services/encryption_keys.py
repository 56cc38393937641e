"""Publishing the node's encryption keys on chain: each account's current X25519 public key is what
the registry's ``encryptionKeyOf`` names, so others wrap content keys to it.

A node publishes when it starts (:meth:`Node.start`): one view per account, a transaction only for an
account whose current local key is not the chain's (a new account, a data folder of before
encryption keys, a rotation done while the node was stopped). An account that cannot pay or is
refused is skipped with a warning; a chain that cannot be reached stops the round (the next start
tries again). The operator may publish a participant's key at onboarding instead
(``publishEncryptionKeyFor``, :mod:`gpid_node.services.onboarding`).

A rotation (:func:`rotate_key`) with the node stopped saves the new key and publishes it at once; one
beside a running node (:func:`rotate_beside_running_node`) only saves it: the running node takes it on
and publishes it through its own outbox (:mod:`gpid_node.services.key_rotations`), and the rotation
waits until the chain and the node's index name it.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

import structlog

from gpid_node.chain.client import RegistryClient
from gpid_node.chain.errors import RpcRefused
from gpid_node.chain.keystore import EncryptionKeystore, Keyring
from gpid_node.domain import errors as e
from gpid_node.domain.encryption_keys import EncryptionKeyPair
from gpid_node.store import access_queries
from gpid_node.store.database import Store

__all__ = ["KeyStatus", "key_statuses", "publish_current_key", "publish_current_keys", "rotate_beside_running_node", "rotate_key"]

TAKE_ON_WAIT_S = 60.0  # how long a rotation beside a running node waits for the node to publish the key
TAKE_ON_POLL_S = 0.5

log = structlog.get_logger("gpid.keys")


@dataclass(frozen=True)
class KeyStatus:
    """One local encryption key of an account, and whether it is the one the chain names now."""

    account: str
    key_id: str
    public_key: str
    current: bool  # the account's newest local key
    published: bool  # the chain's current key of the account

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _hex(raw: bytes) -> str:
    return "0x" + raw.hex()


def key_statuses(client: RegistryClient, keyring: Keyring) -> list[KeyStatus]:
    """Every encryption key the keyring holds, oldest first per account, with the chain's view."""
    statuses = []
    for account in keyring.encryption.accounts:
        on_chain = client.encryption_key_of(account)
        pairs = keyring.encryption.keys_of(account)
        for index, pair in enumerate(pairs):
            statuses.append(KeyStatus(
                account=account, key_id=_hex(pair.key_id), public_key=_hex(pair.public_bytes),
                current=index == len(pairs) - 1, published=on_chain is not None and on_chain[0] == pair.public_bytes,
            ))  # fmt: skip
    return statuses


def publish_current_key(client: RegistryClient, keyring: Keyring, account: str) -> str | None:
    """Sends ``publishEncryptionKey`` for the account's current key unless the chain names it already;
    the transaction hash, or None when nothing was sent. Raises the chain's refusal."""
    signer = keyring.get(account)
    pair: EncryptionKeyPair | None = keyring.encryption.current(account)
    if signer is None or pair is None:
        raise e.ValidationFailed([e.FieldProblem("account", f"this node holds no signing and encryption key of {account}")])
    on_chain = client.encryption_key_of(account)
    if on_chain is not None and on_chain[0] == pair.public_bytes:
        return None
    receipt = client.transact(signer, "publishEncryptionKey", pair.public_bytes)
    log.info("keys.encryption_key_published", account=account, key_id=_hex(pair.key_id), transaction=receipt.transaction_hash)
    return receipt.transaction_hash


def publish_current_keys(client: RegistryClient, keyring: Keyring) -> dict[str, str]:
    """Publishes each account's current key where the chain names another (or none): account →
    transaction hash of what was sent. Refused accounts are skipped with a warning; an unreachable
    chain ends the round with a warning (never an error: the node serves what it has)."""
    sent: dict[str, str] = {}
    for account in keyring.addresses:
        if keyring.encryption.current(account) is None:
            continue
        try:
            transaction = publish_current_key(client, keyring, account)
        except e.ChainUnavailable as exc:
            log.warning("keys.publish_postponed", reason=str(exc))
            break
        except (e.GPIDError, RpcRefused) as exc:
            log.warning("keys.publish_refused", account=account, reason=str(exc),
                        hint="fund the account, or have the operator publish it at onboarding (--encryption-key)")  # fmt: skip
            continue
        if transaction is not None:
            sent[account] = transaction
    return sent


def rotate_key(client: RegistryClient, keyring: Keyring, keystore: EncryptionKeystore, account: str) -> dict[str, Any]:
    """Creates the account's new current key pair, saves it beside the old ones (they stay, for the data
    wrapped to them) and publishes it. A refused or unreachable publication is reported, not raised:
    the key is saved, and the node publishes it when it next starts."""
    if keyring.get(account) is None:
        raise e.ValidationFailed([e.FieldProblem(
            "--account", f"this node holds no key of {account}; its accounts: {', '.join(keyring.addresses) or 'none'}"
        )])  # fmt: skip
    pair = keystore.rotate(account)
    keyring.encryption.add(account, pair)
    result: dict[str, Any] = {"account": account, "key_id": _hex(pair.key_id), "public_key": _hex(pair.public_bytes),
                              "keys": len(keyring.encryption.keys_of(account)), "published": False, "transaction": None}  # fmt: skip
    try:
        result["transaction"] = publish_current_key(client, keyring, account)
        result["published"] = True
    except (e.GPIDError, RpcRefused) as exc:
        log.warning("keys.publish_refused", account=account, reason=str(exc))
        result["note"] = f"saved but not published ({exc}); the node publishes it when it starts"
    return result


def rotate_beside_running_node(
    client: RegistryClient, store: Store, keystore: EncryptionKeystore, account: str, *, timeout_s: float = TAKE_ON_WAIT_S
) -> dict[str, Any]:
    """Saves a new current key pair for the account beside its old ones, for the node running on this
    data folder to take on and publish (it looks at its key files every second: services/key_rotations.py);
    nothing is sent from here (the node's outbox is the account's one writer). Waits up to ``timeout_s``
    until the chain names the new key (``published``) and the node's index does (``indexed``: from then
    on its registrations wrap to it)."""
    if keystore.load(account) is None:
        held = keystore.accounts()
        raise e.ValidationFailed([e.FieldProblem(
            "--account", f"this node holds no encryption key of {account} (no file in {keystore.folder}); its accounts: "
                         f"{', '.join(held) or 'none'}"
        )])  # fmt: skip
    pair = keystore.rotate(account)
    result: dict[str, Any] = {"account": account, "key_id": _hex(pair.key_id), "public_key": _hex(pair.public_bytes),
                              "keys": len(keystore.load(account) or []), "published": False, "indexed": False,
                              "published_by": "the running node (its outbox)"}  # fmt: skip
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            on_chain = client.encryption_key_of(account)
        except e.ChainUnavailable:
            on_chain = None
        result["published"] = on_chain is not None and on_chain[0] == pair.public_bytes
        if result["published"]:
            with store.session() as session:
                indexed = access_queries.current_keys(session, [account]).get(account)
            result["indexed"] = indexed is not None and indexed.public_key == pair.public_bytes
        if result["indexed"] or time.monotonic() >= deadline:
            break
        time.sleep(TAKE_ON_POLL_S)
    if not result["indexed"]:
        result["note"] = (f"saved; not yet {'indexed' if result['published'] else 'published'} after {timeout_s:g} s: the "
                          "running node takes it on within a second and publishes it through its outbox (check its log for "
                          "keys.encryption_key_taken_on, and `gpid-node keys encryption list`)")  # fmt: skip
    return result
