"""The node's engines: the outbox (records → chain), the indexer (chain → index) and the webhook
dispatcher (index → subscribers), built from the adapters and run as three threads, here or in the engine process (:mod:`.engine_process`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from gpid_node.chain.client import RegistryClient
from gpid_node.chain.deploy import Deployment
from gpid_node.chain.keystore import Keyring
from gpid_node.services.indexer import Indexer, IndexerState
from gpid_node.services.outbox import Outbox
from gpid_node.services.webhook_dispatch import Dispatcher, WebhookConfig
from gpid_node.store.database import Store


@dataclass
class Engines:
    """An outbox and an indexer over one store and one registry, and their threads."""

    store: Store
    client: RegistryClient
    keyring: Keyring
    deployment: Deployment
    batch_size: int = 50
    confirmations: int = 0
    poll_s: float = 0.05
    webhooks: WebhookConfig = field(default_factory=WebhookConfig)
    outbox: Outbox = field(init=False)
    dispatcher: Dispatcher = field(init=False)
    indexer: Indexer = field(init=False)
    restarts: int = field(init=False, default=0)  # engine processes started again after one died (engine_process.py)
    _stop: threading.Event = field(init=False, default_factory=threading.Event)
    _threads: list[threading.Thread] = field(init=False, default_factory=list)
    _told: Callable[[IndexerState], None] | None = field(init=False, default=None)  # the indexer's listener before ours

    def __post_init__(self) -> None:
        self.indexer = Indexer(
            self.store, self.client, start_block=self.deployment.block, confirmations=self.confirmations,
            encryption=self.keyring.encryption,
        )  # fmt: skip
        self.outbox = Outbox(
            self.store, self.client, self.keyring, batch_size=self.batch_size, poll_s=self.poll_s,
            on_change=self.indexer.wake,
        )  # fmt: skip
        self.dispatcher = Dispatcher(self.store, policy=self.webhooks.policy, schedule=self.webhooks.schedule,
                                     timeout_s=self.webhooks.timeout_s, poll_s=self.poll_s)  # fmt: skip

    def start(self) -> Engines:
        """Runs the outbox and the indexer as threads of this process."""
        self._stop.clear()
        if self.indexer.on_progress != self._indexed:  # the dispatcher queues as soon as the indexer commits
            self._told, self.indexer.on_progress = self.indexer.on_progress, self._indexed
        for name, target in (("outbox", self.outbox.run), ("indexer", self._run_indexer), ("webhooks", self.dispatcher.run)):
            thread = threading.Thread(target=target, args=(self._stop,), name=f"gpid-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def _indexed(self, state: IndexerState) -> None:
        if self._told is not None:
            self._told(state)
        self.dispatcher.wake()

    def _run_indexer(self, stop: threading.Event) -> None:
        self.indexer.run(stop, poll_s=self.poll_s)

    def stop(self) -> None:
        """Stops the threads after their current round."""
        self._stop.set()
        self.outbox.wake()
        self.indexer.wake()
        self.dispatcher.wake()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()
