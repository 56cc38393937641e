"""Encryption keys rotated while the node runs: the node notices them in its keystore, holds them in
both of its processes, then publishes the new current key through its own outbox.

``gpid-node keys encryption rotate`` beside a running node only writes the new key pair into the
account's encryption key file (the old pairs stay in it). The node looks at those files every
``CHECK_EVERY_S`` (one ``stat`` per account) and, when one changed::

    keystore file changed ──load──> API process holds the new pair (registrations pick their issuing
                                    key among the held pairs: the published one, until the new is)
          ──hand over──> engine process holds it (its indexer opens what is wrapped to it)
          ──outbox──> publishEncryptionKey, sent by the node's own worker (one writer per account)
          ──indexed──> recipients others choose, and this node's issuing key, follow the new key

The key is held everywhere before it is published, so nothing wrapped to it can reach the index
first. Keys removed from a file are not forgotten by the running node (a restart does that); a file
it cannot open (a wrong password, a damaged file) is logged and looked at again when it changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import structlog

from gpid_node.chain.keystore import EncryptionKeystore, Keyring
from gpid_node.chain.writes import PublishEncryptionKey
from gpid_node.domain import errors as e
from gpid_node.services.outbox import Outbox
from gpid_node.store.database import Store

__all__ = ["CHECK_EVERY_S", "KeyRotations", "Rotation"]

log = structlog.get_logger("gpid.keys")

CHECK_EVERY_S = 1.0  # how often the running node looks at its encryption key files


@dataclass(frozen=True)
class Rotation:
    """An account's new current key, taken on by the running node."""

    account: str
    key_id: str
    keys: int  # the account's keys the node now holds
    publication: int | None  # the outbox entry publishing it (None: the chain names it already)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_ino, status.st_mtime_ns, status.st_size


class KeyRotations:
    """Watches the node's encryption key files and takes on the keys rotated into them.

    ``hand_over`` gives the keyring's keys to the node's engine process and waits until it holds
    them (:meth:`EngineProcess.hand_over_encryption_keys`); None when the engines run as threads of
    this process, which share the keyring.
    """

    def __init__(
        self, keystore: EncryptionKeystore, keyring: Keyring, store: Store, outbox: Outbox,
        published_key_of: Callable[[str], bytes | None], hand_over: Callable[[], bool] | None = None,
    ) -> None:  # fmt: skip
        self.keystore = keystore
        self.keyring = keyring
        self.store = store
        self.outbox = outbox
        self.published_key_of = published_key_of
        self.hand_over = hand_over
        # none yet: the first check reads every file once (a key rotated while the node was starting)
        self._stamps: dict[str, tuple[int, int, int] | None] = {}
        self._unpublished: set[str] = set()  # accounts whose new key is held but its publication not recorded
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def _accounts(self) -> list[str]:
        return [a for a in self.keyring.addresses if a in self.keyring.encryption]

    def check(self) -> list[Rotation]:
        """Takes on the keys added to the files that changed since the last check, and publishes the
        new current keys (one not recorded yet, after a store outage say, is tried again); what it took on."""
        for account in self._accounts():
            stamp = _stamp(self.keystore.path_of(account))
            if stamp is None or stamp == self._stamps.get(account):
                continue
            self._stamps[account] = stamp
            try:
                pairs = self.keystore.load(account) or []
            except e.ValidationFailed as exc:
                log.error("keys.keystore_unreadable", account=account, reason=str(exc),
                          hint="the running node keeps the keys it holds; fix the file or restart the node")  # fmt: skip
                continue
            held = {pair.public_bytes for pair in self.keyring.encryption.keys_of(account)}
            if held - {pair.public_bytes for pair in pairs}:
                log.warning("keys.encryption_keys_removed_from_file", account=account,
                            hint="the running node keeps holding them until it restarts")  # fmt: skip
            if self.keyring.encryption.adopt(account, pairs):
                self._unpublished.add(account)
        rotations = []
        for account in sorted(self._unpublished):
            rotations.append(self._take_on(account))
            self._unpublished.discard(account)
        return rotations

    def _take_on(self, account: str) -> Rotation:
        """Hands the account's new key to the engine process, then records its publication."""
        if self.hand_over is not None and not self.hand_over():
            raise e.GPIDError("the engine process did not confirm that it holds the new encryption key; publishing it later")
        current = self.keyring.encryption.current(account)
        assert current is not None
        publication = None
        try:
            published = self.published_key_of(account)
        except e.ChainUnavailable:
            published = None  # recorded anyway: the outbox sends it when the chain answers again
        if published != current.public_bytes:
            with self.store.session() as session:
                publication = Outbox.record(session, account, PublishEncryptionKey(current.public_bytes))
            self.outbox.wake()
        rotation = Rotation(account, "0x" + current.key_id.hex(), len(self.keyring.encryption.keys_of(account)), publication)
        log.info("keys.encryption_key_taken_on", account=account, key_id=rotation.key_id, keys=rotation.keys,
                 outbox_entry=publication)  # fmt: skip
        return rotation

    # ------------------------------------------------------------------ the thread

    def run(self, stop: threading.Event, every_s: float = CHECK_EVERY_S) -> None:
        while not stop.wait(every_s):
            try:
                self.check()
            except Exception:  # a store outage, say: look again next time (the file's stamp is kept)
                log.warning("keys.rotation_check_failed", exc_info=True)

    def start(self, every_s: float = CHECK_EVERY_S) -> KeyRotations:
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, args=(self._stop, every_s), name="gpid-key-rotations", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
