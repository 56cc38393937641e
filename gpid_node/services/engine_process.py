"""The outbox and the indexer in a process of their own: the node's engine process.

Threads of one Python process share one interpreter lock. Run as threads beside the REST facade,
the outbox (simulate, sign, send, follow) and the indexer (decode, check, write) take the CPU the
HTTP handlers need; in a process of their own each side has a core. ``gpid-node serve`` and
``gpid-node dev`` run them so (``GPID_ENGINE_PROCESS``, on by default); the CLI's one-shot commands
and the in-process tests run them as threads.

The API process (parent) and the engine process (child) share the database and talk over one pipe::

    parent ──("wake",)──────────────> child     entries were recorded: look now
    parent <─("finished", outcomes)── child     entries mined or failed: release their callers
    parent <─("indexer", state)────── child     the indexer moved: status, lag, wait_for follow it
    parent ──("encryption_keys", n, keys)──> child     keys rotated while the node runs: hold them too
    parent <─("encryption_keys_held", n)──── child     it does (the parent then publishes the new key)

Nothing that must survive a crash goes through the pipe: the outbox's entries and the index are in
the database, so either process can die at any moment and nothing is lost (the outbox is crash-safe
by design; a caller whose entries finish while no message reaches it sees them at its next check).
The child exits as soon as the pipe closes (the API process is gone, even after ``kill -9``); it
ignores SIGINT and SIGTERM, which the API process receives too and answers by stopping it. When the
child dies on its own, the API process logs it and starts another (after 1 s, doubling up to 30 s).
An encryption key rotated while the node runs (services/key_rotations.py) is handed over before it
is published, and goes into the spec a restarted child is built from.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from typing import Any

import structlog

from gpid_node.chain.deploy import Deployment
from gpid_node.domain.redaction import redact_url
from gpid_node.services.engines import Engines
from gpid_node.services.indexer import IndexerState
from gpid_node.services.webhook_dispatch import WebhookConfig

log = structlog.get_logger("gpid.engines")

RESTART_FIRST_S = 1.0
RESTART_MAX_S = 30.0
STOP_WAIT_S = 15.0
START_WAIT_S = 60.0  # how long the API process waits for its engine process's first report before serving
SYNC_TIME_EVERY_S = 1.0  # how often the time of the indexer's last sync alone is told to the API process
HAND_OVER_WAIT_S = 30.0  # how long the API process waits for its engine process to hold rotated keys


@dataclass(frozen=True)
class EngineSpec:
    """What the engine process needs to build its own engines (sent once, over its own pipe)."""

    database: str
    rpc_url: str
    deployment: Deployment
    fee_mode: str
    keys: list[bytes]
    encryption_keys: list[tuple[str, list[bytes]]]  # account → X25519 private keys, oldest first
    batch_size: int
    confirmations: int
    poll_s: float
    log_level: str
    log_format: str
    rpc_options: Any = None  # chain.transport.RpcOptions: the endpoint's credentials, TLS files, fallbacks
    remote_signers: dict[str, str] | None = None  # account -> signer URL (chain/remote_signer.py)
    webhooks: WebhookConfig = field(default_factory=WebhookConfig)

    @classmethod
    def of(cls, engines: Engines, settings: Any) -> EngineSpec:
        return cls(
            database=engines.store.url, rpc_url=settings.rpc_url, deployment=engines.deployment,
            fee_mode=engines.client.fee_mode.value, keys=engines.keyring.private_keys(),
            encryption_keys=engines.keyring.encryption.private_keys(), batch_size=engines.batch_size,
            confirmations=engines.confirmations, poll_s=engines.poll_s, log_level=settings.log_level,
            log_format=settings.log_format,
            rpc_options=settings.rpc_options(),
            remote_signers=engines.keyring.remote_signers(), webhooks=engines.webhooks,
        )  # fmt: skip

    def __repr__(self) -> str:  # never shows a key
        return (f"EngineSpec(database={redact_url(self.database)!r}, rpc_url={redact_url(self.rpc_url)!r}, keys={len(self.keys)}, "
                f"encryption_keys={sum(len(keys) for _, keys in self.encryption_keys)})")


def worth_telling(sent: IndexerState | None, state: IndexerState) -> bool:
    """Whether the API process should be told ``state``, having been told ``sent`` last: any change
    but the time of the last sync; that alone (each sync ends with a new one) once a second."""
    if sent is None or replace(state, last_sync_at=sent.last_sync_at) != sent:
        return True
    if state.last_sync_at == sent.last_sync_at:
        return False
    if sent.last_sync_at is None or state.last_sync_at is None:
        return True  # the first completed sync: the indexer now follows the chain
    return (state.last_sync_at - sent.last_sync_at).total_seconds() >= SYNC_TIME_EVERY_S


def _keyring_of(spec: EngineSpec) -> Any:
    """The engine process's keyring: the API process's signing keys with their encryption keys."""
    from gpid_node.chain.keystore import EncryptionKeyring, Keyring
    from gpid_node.chain.remote_signer import remote_accounts

    return Keyring.of_keys(spec.keys, EncryptionKeyring.of_private_keys(spec.encryption_keys),
                           remote_accounts(spec.remote_signers or {}))  # fmt: skip


def adopt_encryption_keys(encryption: Any, items: list[tuple[str, list[bytes]]]) -> int:
    """Adds to ``encryption`` (an EncryptionKeyring) the keys of ``items`` (account → private keys,
    oldest first) it does not hold yet; how many. The indexer takes them at its next block."""
    from gpid_node.domain.encryption_keys import EncryptionKeyPair

    added = 0
    for account, raws in items:
        added += len(encryption.adopt(account, [EncryptionKeyPair.from_private_bytes(raw) for raw in raws]))
    if added:
        log.info("engines.encryption_keys_added", keys=added)
    return added


def run_engines(spec: EngineSpec, pipe: Connection) -> None:
    """The engine process: the outbox and indexer threads built from ``spec``, until the API process
    says stop or goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    from gpid_node.chain.client import RegistryClient, connect
    from gpid_node.logs import configure_logging, hide
    from gpid_node.store.database import Store

    configure_logging(spec.log_level, spec.log_format)
    hide(urls=(spec.rpc_url, spec.database, *(spec.remote_signers or {}).values()))
    if spec.rpc_options is not None:
        hide(spec.rpc_options.bearer_token, *(value for _, value in spec.rpc_options.headers), urls=spec.rpc_options.fallback_urls)
    sending = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        with sending:
            try:
                pipe.send(message)
            except OSError:  # the API process is gone: the receiving loop below ends this process
                pass

    engines = Engines(
        store=Store(spec.database),
        client=RegistryClient(connect(spec.rpc_url, options=spec.rpc_options), spec.deployment.registry, spec.fee_mode),
        keyring=_keyring_of(spec),
        deployment=spec.deployment,
        batch_size=spec.batch_size,
        confirmations=spec.confirmations,
        poll_s=spec.poll_s,
        webhooks=spec.webhooks,
    )
    last: list[IndexerState | None] = [None]

    def report(state: IndexerState) -> None:
        if worth_telling(last[0], state):
            last[0] = state
            send(("indexer", state))

    engines.outbox.on_finished = lambda outcomes: send(("finished", outcomes))
    engines.indexer.on_progress = report
    engines.start()
    log.info("engines.started", pid=os.getpid())
    try:
        while True:
            message = pipe.recv()
            if message[0] == "wake":
                engines.outbox.wake()
            elif message[0] == "encryption_keys":
                adopt_encryption_keys(engines.keyring.encryption, message[2])
                send(("encryption_keys_held", message[1]))
            elif message[0] == "stop":
                break
    except (EOFError, OSError):
        # The API process is gone: leave at once, as if stopped with it (nothing is lost, see above).
        os._exit(0)
    engines.stop()
    engines.store.dispose()
    log.info("engines.stopped")


class EngineProcess:
    """The API process's handle on its engine process: starts it, relays messages, restarts it."""

    def __init__(self, engines: Engines, spec: EngineSpec) -> None:
        self.engines = engines
        self.spec = spec
        self._context = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads forked
        self._process: Any = None
        self._pipe: Connection | None = None
        self._sending = threading.Lock()
        self._stopping = threading.Event()
        self._receiver: threading.Thread | None = None
        self._reported = threading.Event()  # set by the engine process's first message
        self._keys_sent = 0  # hand-overs of encryption keys sent, and those the engine process holds
        self._keys_held = 0
        self._keys_changed = threading.Condition()

    def start(self) -> EngineProcess:
        self._stopping.clear()
        self._spawn()
        self.engines.outbox.wake_elsewhere = self.wake
        self._receiver = threading.Thread(target=self._receive, name="gpid-engines", daemon=True)
        self._receiver.start()
        # Serve once the engines run (writes recorded before would wait for them, and status would be empty).
        if not self._reported.wait(START_WAIT_S):
            log.warning("engines.slow_start", waited_s=START_WAIT_S)
        return self

    def _spawn(self) -> None:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(target=run_engines, args=(self.spec, theirs), name="gpid-engines", daemon=True)
        process.start()
        theirs.close()  # the child's end lives in the child only: its death closes the pipe for us
        self._process, self._pipe = process, ours

    def wake(self) -> None:
        self._send(("wake",))

    def hand_over_encryption_keys(self, timeout_s: float = HAND_OVER_WAIT_S) -> bool:
        """Gives the engine process every encryption key the API process holds now (a key rotated while
        the node runs) and waits until it holds them; False when ``timeout_s`` ran out first. A
        restarted engine process gets them from the spec."""
        with self._sending:
            self.spec = replace(self.spec, encryption_keys=self.engines.keyring.encryption.private_keys())
            self._keys_sent += 1
            number = self._keys_sent
        self._send(("encryption_keys", number, self.spec.encryption_keys))
        with self._keys_changed:
            return self._keys_changed.wait_for(lambda: self._keys_held >= number, timeout_s)

    def _keys_handed_over(self, number: int) -> None:
        with self._keys_changed:
            self._keys_held = max(self._keys_held, number)
            self._keys_changed.notify_all()

    def _send(self, message: tuple[Any, ...]) -> None:
        with self._sending:
            if self._pipe is None:
                return
            try:
                self._pipe.send(message)
            except OSError:  # the child is gone: the receiver restarts it
                pass

    def _receive(self) -> None:
        delay = RESTART_FIRST_S
        while not self._stopping.is_set():
            pipe = self._pipe
            assert pipe is not None
            try:
                message = pipe.recv()
            except (EOFError, OSError):
                if self._stopping.is_set():
                    return
                self._process.join(timeout=STOP_WAIT_S)
                log.error("engines.exited", exit_code=self._process.exitcode, restart_in_s=delay)
                stopped = "the engine process stopped; restarting it"
                self.engines.indexer.adopt(replace(self.engines.indexer.state(), last_error=stopped))
                if self._stopping.wait(delay):
                    return
                delay = min(delay * 2, RESTART_MAX_S)
                with self._sending:
                    self._spawn()
                    handed_over = self._keys_sent  # the new process was built from the spec, which holds them
                self._keys_handed_over(handed_over)
                self.engines.restarts += 1
                continue
            self._reported.set()
            if message[0] == "finished":
                self.engines.outbox.finished(message[1])
            elif message[0] == "encryption_keys_held":
                self._keys_handed_over(message[1])
            elif message[0] == "indexer":
                self.engines.indexer.adopt(message[1])
                delay = RESTART_FIRST_S  # it runs: the next restart waits the shortest time again

    def stop(self) -> None:
        """Asks the engine process to stop after its current round, and waits for it (else kills it)."""
        self._stopping.set()
        self.engines.outbox.wake_elsewhere = None
        self._send(("stop",))
        if self._process is not None:
            self._process.join(timeout=STOP_WAIT_S)
            if self._process.is_alive():
                log.warning("engines.killed", reason=f"still running {STOP_WAIT_S} s after it was asked to stop")
                self._process.kill()
                self._process.join(timeout=5)
        if self._pipe is not None:
            self._pipe.close()
        if self._receiver is not None:
            self._receiver.join(timeout=5)
