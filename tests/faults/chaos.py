"""Helpers of the fault tests: a real dev node process, its chain, load clients, and the chain's own
record of what was written (to count lost and duplicated writes) and of what the index must hold."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from gpid_node.chain.abi import decode_log
from gpid_node.chain.client import RegistryClient
from gpid_node.chain.keystore import EncryptionKeyring, EncryptionKeystore
from gpid_node.chain.deploy import Deployment
from gpid_node.chain.devchain import DevChain, free_port, rpc_ready
from gpid_node.domain.gpid import GPID
from gpid_node.services.devmode import DEV_PASSWORD
from gpid_node.services.indexer import Indexer
from gpid_node.store.database import Store
from gpid_node.store import queries
from gpid_node.store.tables import IndexedBlock, OutboxEntry
from support.processes import GPID_NODE, api_key, credentials, start, stop, wait_http
from support.waiting import wait_until  # noqa: F401 - the fault tests import it from here

# The tables the indexer rebuilds from the chain; ``indexed_blocks`` records where each sync stopped,
# which differs between a live index and a fresh one.
CHAIN_TABLES = tuple(model for model in queries.CHAIN_TABLES if model is not IndexedBlock)


# ---------------------------------------------------------------------- a dev node process and its chain


@dataclass
class DevNode:
    """``gpid-node dev`` on loopback, its anvil on a fixed port (so it can be restarted there)."""

    data_dir: Path
    port: int
    chain_port: int
    log: Path
    process: subprocess.Popen[bytes]
    chains: list[DevChain] = field(default_factory=list)  # anvils the test restarted

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def chain_url(self) -> str:
        return f"http://127.0.0.1:{self.chain_port}"

    @property
    def state_file(self) -> Path:
        return self.data_dir / "chain" / "state.json"

    def key(self, role: str, country: str | None = None) -> str:
        return api_key(credentials(self.data_dir), role, country)

    def encryption(self) -> EncryptionKeyring:
        """The node's encryption keys (every demo participant's), as its data folder keeps them."""
        return encryption_keys_of(self.data_dir)

    def client(self) -> RegistryClient:
        return RegistryClient.connect(self.chain_url, Deployment.read(self.data_dir / "deployment.json").registry)

    def anvil_pid(self) -> int:
        if self.chains:
            pid = self.chains[-1].pid
            assert pid is not None
            return pid
        return int((self.data_dir / "chain" / "anvil.pid").read_text())

    def stop_chain(self, sig: int) -> None:
        """SIGTERM (anvil dumps its state and exits) or SIGKILL (only the last periodic dump remains)."""
        pid = self.anvil_pid()
        os.kill(pid, sig)
        deadline = time.monotonic() + 15
        while rpc_ready(self.chain_url, timeout=0.2) and time.monotonic() < deadline:
            time.sleep(0.05)
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:  # reaped by the node, or a zombie
            if (Path(f"/proc/{pid}/stat").read_text().split()[2:3] or ["?"])[0] == "Z":
                break
            time.sleep(0.05)
        assert not rpc_ready(self.chain_url), "the chain still answers"

    def restart_chain(self) -> None:
        """anvil again on the same port, from the state file the last one left."""
        chain = DevChain(port=self.chain_port, state_file=self.state_file, log_file=self.data_dir / "chain" / "anvil.log")
        chain.start()
        self.chains.append(chain)

    def stop(self) -> None:
        stop(self.process)
        for chain in self.chains:
            chain.stop()
        pid_file = self.data_dir / "chain" / "anvil.pid"
        if pid_file.exists():  # the node's own anvil, if the node did not stop it
            try:
                pid = int(pid_file.read_text())
                if "anvil" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace"):
                    os.kill(pid, signal.SIGTERM)
            except (OSError, ValueError):
                pass


# The fault tests retry refused writes in tight loops: the rate limiter stays on, far above their load.
HIGH_RATE_LIMITS = {"GPID_RATE_LIMIT_PER_S": "100000", "GPID_RATE_LIMIT_BURST": "100000",
                    "GPID_RATE_LIMIT_WRITES_PER_S": "100000", "GPID_RATE_LIMIT_WRITES_BURST": "100000"}


def start_dev_node(data_dir: Path, log_level: str = "info", **env: str) -> DevNode:
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**HIGH_RATE_LIMITS, **env}
    port, chain_port = free_port(), free_port()
    log = data_dir.parent / f"{data_dir.name}-node.log"
    process = start(
        [GPID_NODE, "dev", "--port", str(port), "--data-dir", str(data_dir), "--chain-port", str(chain_port)],
        data_dir, log, GPID_LOG_LEVEL=log_level, **env,
    )  # fmt: skip
    node = DevNode(data_dir, port, chain_port, log, process)
    try:
        wait_http(f"{node.url}/healthz", process=process)
    except BaseException:
        node.stop()
        raise
    return node


def encryption_keys_of(data_dir: Path) -> EncryptionKeyring:
    """The encryption keys a development data folder keeps (``keys/encryption/<account>.json``)."""
    keystore = EncryptionKeystore(data_dir / "keys", DEV_PASSWORD)
    keyring = EncryptionKeyring()
    for path in sorted((data_dir / "keys" / "encryption").glob("*.json")):
        for pair in keystore.load(path.stem) or []:
            keyring.add(path.stem, pair)
    assert keyring.accounts, f"no encryption key in {data_dir / 'keys'}"
    return keyring


# ---------------------------------------------------------------------- what the chain says was written


def registered_on_chain(client: RegistryClient, from_block: int = 0) -> Counter[str]:
    """How many KeyDataSetRegistered events each GPID (text form) has on chain."""
    return Counter(str(GPID(bytes(e.args["gpid"]))) for e in _events(client, from_block) if e.name == "KeyDataSetRegistered")


def links_on_chain(client: RegistryClient, from_block: int = 0) -> Counter[tuple[str, str]]:
    """How many DeclarationLinked events each (GPID, declaration reference) has on chain."""
    return Counter(
        (str(GPID(bytes(e.args["gpid"]))), e.args["declarationReference"])
        for e in _events(client, from_block)
        if e.name == "DeclarationLinked"
    )


def amendments_on_chain(client: RegistryClient, from_block: int = 0) -> Counter[tuple[str, int]]:
    return Counter(
        (str(GPID(bytes(e.args["gpid"]))), int(e.args["version"]))
        for e in _events(client, from_block)
        if e.name == "KeyDataSetAmended"
    )


def _events(client: RegistryClient, from_block: int) -> list[Any]:
    logs = client.w3.eth.get_logs({"address": client.address, "fromBlock": from_block, "toBlock": "latest"})
    return [event for event in (decode_log(dict(raw)) for raw in logs) if event is not None]


def state_ahead_of_history(client: RegistryClient, store: Store) -> set[object]:
    """The writes that anvil restored into its state but not into its history, named as the load
    names them: a GPID (text) for a registration, (GPID, version) for an amendment, (GPID,
    declaration reference) for a link.

    anvil's state dump (``--state-interval`` and on exit) reads the accounts and the blocks at two
    moments: a transaction mined in between is in the restored storage (the invoice is taken, the
    version is current, the declaration is linked) while its block, receipt and event are not. No
    node can index an event its chain no longer has; what the node must do is not write it twice
    (its entry, sent again, is refused: already registered, amended meanwhile, already linked) and
    never count it as its own mined write. These are the writes where exactly that happened: the
    node's entry failed with that refusal, the registry's storage holds the write, and no event of
    it exists.
    """
    failed = [(entry["kind"], entry["gpid"], entry["request"], entry["error"].get("type")) for entry in failed_entries(store)]
    registered, amended, linked = registered_on_chain(client), amendments_on_chain(client), links_on_chain(client)
    ahead: set[object] = set()
    for kind, gpid_hex, request, refusal in failed:
        if gpid_hex is None:
            continue
        gpid = GPID.from_hex(gpid_hex)
        record = client.record_of(gpid)
        issuer, version = record.issuer, record.version
        if kind == "register" and refusal == "InvoiceAlreadyRegistered":
            if registered[str(gpid)] == 0 and issuer != "0x" + "00" * 20:
                ahead.add(str(gpid))
        elif kind == "amend" and refusal == "CommitmentsMismatch":
            if version > 1 and amended[(str(gpid), version)] == 0:
                ahead.add((str(gpid), version))
        elif kind == "link" and refusal == "DeclarationAlreadyLinked":
            country, reference = bytes.fromhex(request["country"].removeprefix("0x")), request["reference"]
            if linked[(str(gpid), reference)] == 0 and client.view("isLinked", gpid.raw, country, reference):
                ahead.add((str(gpid), reference))
    return ahead


def failed_entries(store: Store) -> list[dict[str, Any]]:
    """The outbox entries that failed: what each was and why (to name them when a test finds one)."""
    with store.session() as session:
        return [{"id": entry.id, "kind": entry.kind, "gpid": entry.gpid, "request": entry.request,
                 "error": entry.error or {}, "transaction": entry.transaction_hash, "attempts": entry.attempts}
                for entry in session.scalars(select(OutboxEntry).where(OutboxEntry.status == "failed"))]  # fmt: skip


def lost_and_duplicated(accepted: set[Any], on_chain: Counter[Any]) -> tuple[list[Any], list[Any]]:
    """Accepted writes missing from the chain, and writes on chain more than once."""
    lost = sorted(str(x) for x in accepted if on_chain[x] == 0)
    duplicated = sorted(str(x) for x, n in on_chain.items() if n > 1)
    return lost, duplicated


# ---------------------------------------------------------------------- the index


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).isoformat()
    return value


def index_content(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """The chain-derived rows of an index (surrogate ids left out), sorted."""
    content: dict[str, list[tuple[Any, ...]]] = {}
    with store.session() as session:
        for model in CHAIN_TABLES:
            columns = [c for c in model.__table__.columns if c.name != "id"]
            rows = session.execute(select(*columns)).all()
            content[model.__tablename__] = sorted((tuple(_plain(v) for v in row) for row in rows), key=repr)
    return content


def reindexed(
    client: RegistryClient, start_block: int, path: Path, *, encryption: EncryptionKeyring | None
) -> dict[str, list[tuple[Any, ...]]]:
    """The index a fresh database gets from block 0 of the chain as it is now, with ``encryption``
    (the node's keys: the same key data sets readable; None: public facts only)."""
    path.unlink(missing_ok=True)
    store = Store(f"sqlite:///{path}")
    store.migrate()
    try:
        indexer = Indexer(store, client, start_block=start_block, encryption=encryption)
        indexer.sync()
        while indexer.lag():
            indexer.sync()
        return index_content(store)
    finally:
        store.dispose()


def outbox_statuses(store: Store) -> Counter[str]:
    with store.session() as session:
        return Counter(session.scalars(select(OutboxEntry.status)))


# ---------------------------------------------------------------------- load


@dataclass
class Answer:
    """One request of a load client: what was asked, when, and what came back."""

    operation: str
    started: float
    finished: float
    status: int | None  # None: the connection failed
    body: dict[str, Any] | None
    headers: dict[str, str]
    subject: Any = None  # the GPID, or (GPID, reference), the write was about


class Load:
    """Client threads sending requests in a loop until stopped; every answer is kept."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def record(self, answer: Answer) -> None:
        with self._lock:
            self.answers.append(answer)

    def call(self, http: httpx.Client, operation: str, method: str, path: str, subject: Any = None, **kwargs: Any) -> Answer:
        started = time.monotonic()
        try:
            response = http.request(method, path, **kwargs)
        except httpx.HTTPError:
            answer = Answer(operation, started, time.monotonic(), None, None, {}, subject)
        else:
            try:
                body = response.json()
            except ValueError:
                body = None
            answer = Answer(operation, started, time.monotonic(), response.status_code, body, dict(response.headers), subject)
        self.record(answer)
        return answer

    def run(self, target: Callable[[Load, int, threading.Event], None], clients: int) -> None:
        for n in range(clients):
            thread = threading.Thread(target=target, args=(self, n, self._stop), daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout_s: float = 60) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=timeout_s)
        assert not any(t.is_alive() for t in self._threads), "a load client did not finish"

    def of(self, operation: str) -> list[Answer]:
        with self._lock:
            return [a for a in self.answers if a.operation == operation]


def iterate(stop: threading.Event) -> Iterator[int]:
    i = 0
    while not stop.is_set():
        yield i
        i += 1
