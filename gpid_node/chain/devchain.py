"""The embedded development chain: an anvil process from the pinned npm package.

The node starts it on loopback with its state persisted in the data folder (dumped every few
seconds and on a clean exit), so a restart keeps every GPID; it stops only the process it started.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from gpid_node.chain.artifacts import REPO_ROOT
from gpid_node.chain.keystore import DEV_MNEMONIC
from gpid_node.domain.errors import ChainUnavailable

DEV_CHAIN_ID = 31337
HARDFORK_ENV = "GPID_ANVIL_HARDFORK"
# anvil's well-known development mnemonic: the funded accounts of every development chain.


ANVIL_ENV = "GPID_ANVIL"


def find_anvil() -> tuple[Path, str]:
    """The anvil binary ``gpid-node dev`` starts, and where it was found, first match wins:

    1. ``GPID_ANVIL``: the path of an anvil binary (e.g. an installed node's: ``npm install
       @foundry-rs/anvil`` somewhere, or Foundry's own);
    2. the repository's ``node_modules`` (a checkout after ``./scripts/run``: the pinned npm package,
       whose platform package ships the binary);
    3. ``anvil`` on ``PATH``.
    """
    override = os.environ.get(ANVIL_ENV)
    if override:
        path = Path(override).expanduser()
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise ChainUnavailable(f"{ANVIL_ENV}={override} is not an executable file: give the path of an anvil binary")
        return path, ANVIL_ENV
    modules = REPO_ROOT / "node_modules"
    for candidate in sorted((modules / "@foundry-rs").glob("anvil-*/bin/anvil")):
        if os.access(candidate, os.X_OK):
            return candidate, "node_modules"
    wrapper = modules / ".bin" / "anvil"
    if wrapper.exists():
        return wrapper, "node_modules"
    found = shutil.which("anvil")
    if found:
        return Path(found), "PATH"
    raise ChainUnavailable(
        f"anvil is not installed: set {ANVIL_ENV} to an anvil binary, put one on PATH (`npm install -g @foundry-rs/anvil`, "
        "or Foundry's), or run ./scripts/run in the repository (it installs the pinned npm package)"
    )


def anvil_executable() -> Path:
    """The anvil binary (:func:`find_anvil`)."""
    return find_anvil()[0]


def default_hardfork() -> str | None:
    """The hardfork from ``GPID_ANVIL_HARDFORK`` (e.g. ``paris``), or None: anvil's latest."""
    return os.environ.get(HARDFORK_ENV) or None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rpc_ready(url: str, timeout: float = 0.5) -> bool:
    try:
        response = httpx.post(
            url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}, timeout=timeout
        )
        return response.status_code == 200 and "result" in response.json()
    except (httpx.HTTPError, ValueError):
        return False


@dataclass
class DevChain:
    """One anvil process on 127.0.0.1, its state in ``state_file`` (or in memory when None).

    ``hardfork`` (default: ``GPID_ANVIL_HARDFORK``, else anvil's latest) runs the chain with an older
    rule set, e.g. ``paris`` like many Besu and GoQuorum networks; ``--hardfork`` in ``extra_args``
    wins over it."""

    port: int = field(default_factory=free_port)
    state_file: Path | None = None
    state_interval_s: int = 1
    chain_id: int = DEV_CHAIN_ID
    block_time_s: float | None = None
    extra_args: tuple[str, ...] = ()
    hardfork: str | None = field(default_factory=default_hardfork)
    log_file: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        args = [
            str(anvil_executable()),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--chain-id", str(self.chain_id),
            "--mnemonic", DEV_MNEMONIC,
            "--accounts", "10",
            "--code-size-limit", "49152",
        ]  # fmt: skip
        if self.hardfork and "--hardfork" not in self.extra_args:
            args += ["--hardfork", self.hardfork]
        if self.block_time_s:
            args += ["--block-time", str(self.block_time_s)]
        if self.state_file is not None:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            args += ["--state", str(self.state_file), "--state-interval", str(self.state_interval_s)]
        return args + list(self.extra_args)

    @property
    def pid_file(self) -> Path | None:
        return self.state_file.parent / "anvil.pid" if self.state_file is not None else None

    def _stop_orphan(self) -> None:
        """Stops an anvil a killed earlier run left on this state file (it is ours: same data folder)."""
        if self.pid_file is None or not self.pid_file.exists():
            return
        try:
            pid = int(self.pid_file.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (ValueError, OSError):
            return
        if "anvil" in cmdline and str(self.state_file) in cmdline:
            os.kill(pid, signal.SIGTERM)
            for _ in range(100):
                if not Path(f"/proc/{pid}").exists():
                    break
                time.sleep(0.05)

    def start(self, timeout_s: float = 30.0) -> DevChain:
        if self.process is not None and self.process.poll() is None:
            return self
        self._stop_orphan()
        if rpc_ready(self.url, timeout=0.2):
            raise ChainUnavailable(f"port {self.port} already answers JSON-RPC: another chain runs there")
        if self.log_file is not None:
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            self.command(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ChainUnavailable(f"anvil exited with code {self.process.returncode} at start (see {self.log_file})")
            if rpc_ready(self.url):
                if self.pid_file is not None:
                    self.pid_file.write_text(str(self.process.pid))
                return self
            time.sleep(0.05)
        self.stop()
        raise ChainUnavailable(f"anvil did not answer on {self.url} within {timeout_s} s")

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stops the process this object started (SIGTERM, so anvil writes its state; SIGKILL if stuck)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        if self.pid_file is not None:
            self.pid_file.unlink(missing_ok=True)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout_s)

    def kill(self) -> None:
        """SIGKILL, as a power loss would: anvil keeps only its last periodic state dump."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=10)

    def __enter__(self) -> DevChain:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
