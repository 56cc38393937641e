"""A node: its adapters and engines joined, and the use cases over them.

The REST facade and the CLI both build one with :func:`open_node` and call its use cases
(``node.registration.register(...)``, ``node.reads.key_data_set(...)``, ...). A node raises only
:mod:`gpid_node.domain.errors`; it knows no HTTP.
"""

from __future__ import annotations

from typing import Any

from gpid_node.chain.client import RegistryClient
from gpid_node.chain.deploy import Deployment
from gpid_node.chain.keystore import Keyring
from gpid_node.domain import errors as e
from gpid_node.services.access import Access
from gpid_node.services.amendments import Amendments
from gpid_node.services.context import Context
from gpid_node.services.declarations import Declarations
from gpid_node.services.disclosures import Disclosures
from gpid_node.services.einvoices import EInvoices
from gpid_node.services.encryption_keys import publish_current_keys
from gpid_node.services.engine_process import EngineProcess, EngineSpec
from gpid_node.services.engines import Engines
from gpid_node.services.events import Events
from gpid_node.services.indexer import Indexer
from gpid_node.services.key_rotations import KeyRotations
from gpid_node.services.master_data import MasterData
from gpid_node.services.outbox import Outbox
from gpid_node.services.proof_bundles import ProofBundles
from gpid_node.services.reads import Reads
from gpid_node.services.registration import Registration
from gpid_node.services.submission import Submissions
from gpid_node.services.verification import Verifications
from gpid_node.services.webhook_dispatch import WebhookConfig
from gpid_node.services.webhooks import Webhooks
from gpid_node.store.database import Store


class Node:
    """One node: store, chain client, keyring and deployment; the outbox and the indexer; the use cases."""

    def __init__(
        self,
        store: Store,
        client: RegistryClient,
        keyring: Keyring,
        deployment: Deployment,
        *,
        batch_size: int = 50,
        confirmations: int = 0,
        write_timeout_s: float = 30.0,
        poll_s: float = 0.05,
        public_url: str | None = None,
        payload_format: int = 2,
        webhooks: WebhookConfig | None = None,
        import_workers: int | None = None,
    ) -> None:
        self.deployment = deployment
        self.confirmations = confirmations
        self.public_url = public_url
        self.engines = Engines(store, client, keyring, deployment, batch_size=batch_size,
                               confirmations=confirmations, poll_s=poll_s, webhooks=webhooks or WebhookConfig())  # fmt: skip
        self.context = Context(store, client, keyring, self.engines.outbox, self.engines.indexer,
                               write_timeout_s=write_timeout_s, poll_s=poll_s)  # fmt: skip
        self.submissions = Submissions(self.context)
        self.reads = Reads(self.context)
        self.registration = Registration(self.context, self.submissions, payload_format=payload_format, import_workers=import_workers)
        self.amendments = Amendments(self.context, self.reads, self.submissions)
        self.declarations = Declarations(self.context, self.reads, self.submissions)
        self.verifications = Verifications(self.context, self.reads, self.submissions)
        self.access = Access(self.context, self.reads, self.submissions)
        self.disclosures = Disclosures(self.context, self.reads)
        self.proof_bundles = ProofBundles(self.context)
        self.master_data = MasterData(self.context)
        self.einvoices = EInvoices(self.context, self.master_data, self.registration, self.amendments, self.reads)
        self.events = Events(self.context)
        self.webhooks = Webhooks(self.context, self.engines.webhooks)
        self._engine_process: EngineProcess | None = None
        self._key_rotations: KeyRotations | None = None

    @property
    def store(self) -> Store:
        return self.context.store

    @property
    def client(self) -> RegistryClient:
        return self.context.client

    @property
    def keyring(self) -> Keyring:
        return self.context.keyring

    @property
    def outbox(self) -> Outbox:
        return self.engines.outbox

    @property
    def indexer(self) -> Indexer:
        return self.engines.indexer

    def start(self, settings: Any = None) -> Node:
        """Publishes the accounts' current encryption keys where the chain names others (before the
        outbox runs: it counts the accounts' nonces), then starts the outbox and the indexer: in an
        engine process of their own when ``settings`` ask for one (``engine_process``), else as
        threads of this process. An endpoint that refuses the node's credentials stops it here, naming
        the settings to fix (an endpoint that is down does not: the node serves what it has)."""
        _check_credentials(self.client)
        publish_current_keys(self.client, self.keyring)
        if settings is not None and settings.engine_process:
            self._engine_process = EngineProcess(self.engines, EngineSpec.of(self.engines, settings)).start()
        else:
            self.engines.start()
        if settings is not None:  # keys rotated into the keystore while it runs (services/key_rotations.py)
            self._key_rotations = self.key_rotations(settings).start()
        return self

    def key_rotations(self, settings: Any) -> KeyRotations:
        """What takes on the encryption keys rotated into ``<data dir>/keys`` while this node runs."""
        from gpid_node.chain.keystore import EncryptionKeystore

        def published_key_of(account: str) -> bytes | None:
            published = self.client.encryption_key_of(account)
            return None if published is None else published[0]

        engine_process = self._engine_process
        return KeyRotations(
            EncryptionKeystore(settings.data_dir / "keys", settings.keystore_password.get_secret_value()), self.keyring,
            self.store, self.outbox, published_key_of, None if engine_process is None else engine_process.hand_over_encryption_keys,
        )  # fmt: skip

    def stop(self) -> None:
        if self._key_rotations is not None:
            self._key_rotations.stop()
            self._key_rotations = None
        if self._engine_process is not None:
            self._engine_process.stop()
            self._engine_process = None
        self.engines.stop()


def _check_credentials(client: RegistryClient) -> None:
    """Raises ChainUnavailable when the endpoint refuses the node's credentials or TLS files
    (chain/transport.py ``EndpointRefused``); an outage passes."""
    from gpid_node.chain.transport import EndpointRefused

    try:
        client.block_number()
    except e.ChainUnavailable as exc:
        if isinstance(exc.__cause__, EndpointRefused):
            raise


def open_node(settings: Any, keyring: Keyring, *, rpc_url: str | None = None, payload_format: int = 2) -> Node:
    """A node from its settings: the store migrated, the deployment record loaded, the client connected.
    ``payload_format`` 1 registers plaintext key data sets (benchmarks comparing with format 2 only)."""
    from gpid_node.chain.client import connect

    deployment = Deployment.read(settings.deployment_path)
    url = rpc_url or settings.rpc_url
    if not url:
        raise e.ValidationFailed([e.FieldProblem("GPID_RPC_URL", "set the JSON-RPC endpoint of the chain")])
    options = settings.rpc_options()  # credentials, TLS files, fallbacks
    client = RegistryClient(connect(url, options=options), deployment.registry, settings.fee_mode)
    store = Store(settings.database)
    store.migrate()
    return Node(
        store=store, client=client, keyring=keyring, deployment=deployment, batch_size=settings.batch_size,
        confirmations=settings.confirmations, write_timeout_s=settings.write_timeout_s,
        poll_s=settings.poll_interval_s, public_url=settings.public_url, payload_format=payload_format,
        webhooks=WebhookConfig.of(settings), import_workers=settings.import_workers,
    )  # fmt: skip
