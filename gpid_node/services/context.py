"""What every use case works over: the adapters (store, chain client, keyring) and the engines
(outbox, indexer), with the checks each write makes before anything is recorded."""

from __future__ import annotations

from dataclasses import dataclass, field

from gpid_node.chain.abi import event_topic
from gpid_node.chain.client import RegistryClient
from gpid_node.chain.keystore import Keyring
from gpid_node.domain import errors as e
from gpid_node.domain.access import WRITERS, Action, Principal
from gpid_node.services.indexer import Indexer
from gpid_node.services.outbox import Outbox
from gpid_node.store.database import Store

UNBOUND = b"\0" * 32  # the trader key of an account bound to no trader ID
# The events the recipients of a registration and a grantee's key are chosen from (via the index).
RIGHTS_TOPICS = [
    event_topic(name)
    for name in ("EncryptionKeyPublished", "CustomsCountrySet", "RoleGranted", "RoleRevoked", "MandateSet",
                 "TraderBound", "TraderUnbound")
]  # fmt: skip


@dataclass(frozen=True)
class RightsPosition:
    """Where the index stands for the rights events (:meth:`Context.require_current_index`)."""

    block: int  # the index holds every rights event up to this block
    changed: bool  # a rights event lies after the block the caller remembered


@dataclass
class Context:
    """The adapters and engines of one node, and the settings the use cases read."""

    store: Store
    client: RegistryClient
    keyring: Keyring
    outbox: Outbox
    indexer: Indexer
    write_timeout_s: float = 30.0
    poll_s: float = 0.05
    _trader_keys: dict[str, bytes] = field(init=False, default_factory=dict)

    def trader_key_of(self, account: str) -> bytes:
        """The trader key the registry binds ``account`` to (remembered once bound: a binding moves
        only by offboarding, after which the chain refuses the account's writes anyway)."""
        key = self._trader_keys.get(account)
        if key is None:
            key = self.client.trader_key_of(account)
            if key != UNBOUND:
                self._trader_keys[account] = key
        return key

    def signer(self, principal: Principal, action: Action) -> str:
        """The account that signs ``action`` for ``principal``: its own, when its role may ask for
        the action and this node holds its key."""
        if not principal.may(action):
            raise e.PermissionDenied(
                f"the {principal.role} role may not {action}; this needs the "
                f"{' or '.join(sorted(r.value for r in WRITERS[action]))} role"
            )
        if principal.account not in self.keyring:
            raise e.PermissionDenied(
                f"this node holds no key for {principal.account}: send this request to the node of that account"
            )
        return principal.account

    def require_chain(self) -> None:
        """Refuses a write while the chain cannot be reached (nothing is recorded then)."""
        # An answer from the chain in the last half second counts (any failed call forgets it); else a
        # real probe. A write accepted just as the chain fails is still durable: the outbox sends it later.
        if not self.client.is_reachable(max_age_s=0.5):
            raise e.ChainUnavailable("the chain cannot be reached; nothing was written, try again later")

    def require_current_index(self, remembered_at: int | None = None) -> RightsPosition:
        """Makes sure the index knows every rights event the chain has now (less the confirmations
        the indexer leaves): the recipients of a registration and the grantee's key are read from the
        index, and a node that has just started, or was down, must not choose them from an old
        picture of the chain. One ``eth_getLogs`` over the blocks not indexed yet tells whether any
        such event is among them; only then does the write wait for the index (refused, nothing
        recorded, when it does not catch up in time).

        ``remembered_at``: the block up to which the caller last read rights from the index (its
        remembered recipients); the same ``eth_getLogs`` then also tells whether a rights event came
        after it."""
        target = self.client.block_number() - self.indexer.confirmations
        cursor = self.indexer.state().cursor
        first = self.indexer.start_block if cursor is None else cursor.number + 1
        start = first if remembered_at is None else min(first, remembered_at + 1)
        blocks = self.client.log_blocks(RIGHTS_TOPICS, start, target) if start <= target else []
        if any(block >= first for block in blocks) and not self.indexer.wait_for(target, self.write_timeout_s):
            raise e.ChainUnavailable(
                f"this node's index has not caught up with block {target} of the chain, and the recipients of the "
                "data are read from it; nothing was written, try again shortly"
            )
        changed = remembered_at is not None and any(block > remembered_at for block in blocks)
        return RightsPosition(max(target, remembered_at or 0), changed)
