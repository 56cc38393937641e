"""Which EVM implementation the chain tests run on: anvil (the default) or the Hardhat network.

``GPID_TEST_CHAIN=hardhat ./scripts/test tests/contracts tests/e2e`` runs the contract suite and the
end-to-end flows against Hardhat's EDR node (npm ``hardhat``, pinned in package.json), started on a
free loopback port with tests/support/hardhat.config.js and stopped by PID. ``new_chain`` gives the
selected launcher with anvil's interface (:class:`DevChain`); a test that needs something only anvil
has is marked with :func:`anvil_only`, which names the missing capability in the skip reason.
"""

from __future__ import annotations

import math
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from gpid_node.chain.artifacts import REPO_ROOT
from gpid_node.chain.devchain import DevChain, rpc_ready
from gpid_node.chain.keystore import DEV_MNEMONIC
from gpid_node.domain.errors import ChainUnavailable

CHAINS = ("anvil", "hardhat")
TEST_CHAIN = os.environ.get("GPID_TEST_CHAIN", "anvil").strip().lower() or "anvil"
if TEST_CHAIN not in CHAINS:
    raise RuntimeError(f"GPID_TEST_CHAIN={TEST_CHAIN!r}: the tests run on one of {', '.join(CHAINS)}")

HARDHAT_CONFIG = Path(__file__).with_name("hardhat.config.js")


def hardhat_cli() -> Path:
    """Hardhat's command-line entry point in node_modules (run with node directly, so the PID is the node's)."""
    cli = REPO_ROOT / "node_modules" / "hardhat" / "internal" / "cli" / "cli.js"
    if not cli.exists():
        raise ChainUnavailable("hardhat is not installed: run ./scripts/test (it runs `npm ci`) in the project folder")
    return cli


@dataclass
class HardhatChain(DevChain):
    """One ``hardhat node`` (EDR) on 127.0.0.1 with anvil's launcher interface.

    Hardhat keeps its state in memory only: ``state_file`` is accepted (the end-to-end tests pass
    one for anvil) and ignored, so a restart starts an empty chain.
    """

    @property
    def pid_file(self) -> Path | None:
        return None

    def command(self) -> list[str]:
        """``extra_args`` are anvil's flags: only ``--hardfork NAME`` has a counterpart, in the config."""
        return ["node", str(hardhat_cli()), "--config", str(HARDHAT_CONFIG), "node",
                "--hostname", "127.0.0.1", "--port", str(self.port)]  # fmt: skip

    def hardfork_name(self) -> str:
        """``--hardfork NAME`` in ``extra_args``, else the ``hardfork`` field (DevChain's, from
        ``GPID_ANVIL_HARDFORK``), else "" (Hardhat's latest)."""
        args = list(self.extra_args)
        return args[args.index("--hardfork") + 1] if "--hardfork" in args[:-1] else (self.hardfork or "")

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GPID_", "HARDHAT_"))}
        env.update(
            GPID_HARDHAT_CHAIN_ID=str(self.chain_id),
            GPID_HARDHAT_MNEMONIC=DEV_MNEMONIC,
            GPID_HARDHAT_BLOCK_TIME_MS=str(int((self.block_time_s or 0) * 1000)),
            HARDHAT_DISABLE_TELEMETRY_PROMPT="true",
            GPID_HARDHAT_LOGGING=os.environ.get("GPID_HARDHAT_LOGGING", "0"),
            GPID_HARDHAT_HARDFORK=self.hardfork_name(),
        )
        return env

    def start(self, timeout_s: float = 60.0) -> DevChain:
        """Starts the node (from the project folder, where node_modules is) and waits for its JSON-RPC."""
        if self.process is not None and self.process.poll() is None:
            return self
        self.state_file = None  # Hardhat cannot persist its state (see the class docstring)
        if rpc_ready(self.url, timeout=0.2):
            raise ChainUnavailable(f"port {self.port} already answers JSON-RPC: another chain runs there")
        if self.log_file is not None:
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(self.command(), cwd=REPO_ROOT, env=self.environment(), stdout=log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ChainUnavailable(f"hardhat node exited with code {self.process.returncode} at start (see {self.log_file})")
            if rpc_ready(self.url):
                self._set_clock()
                return self
            time.sleep(0.1)
        self.stop()
        raise ChainUnavailable(f"hardhat node did not answer on {self.url} within {timeout_s} s")

    def _set_clock(self) -> None:
        """Hardhat stamps blocks from its genesis time, taken while the node was still starting (some
        seconds ago on a busy machine). Block 1, empty, is mined at once stamped now, and the later
        blocks follow the wall clock from there, as anvil's do. (Stamping the next block without
        mining it would count from when it is mined, maybe a minute later: the chain would lag.)"""
        body = {"jsonrpc": "2.0", "id": 1, "method": "evm_mine", "params": [math.ceil(time.time())]}
        answer = httpx.post(self.url, json=body, timeout=10).json()
        if "error" in answer:
            raise ChainUnavailable(f"hardhat node refused evm_mine: {answer['error']}")


def new_chain(**kwargs: Any) -> DevChain:
    """A launcher for the chain GPID_TEST_CHAIN selects (not started), with DevChain's arguments."""
    return HardhatChain(**kwargs) if TEST_CHAIN == "hardhat" else DevChain(**kwargs)


def anvil_only(capability: str) -> pytest.MarkDecorator:
    """Skips on any chain but anvil, saying what the test needs that only anvil gives."""
    return pytest.mark.skipif(TEST_CHAIN != "anvil", reason=f"GPID_TEST_CHAIN={TEST_CHAIN}: needs {capability}, which only anvil gives")
