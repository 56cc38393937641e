"""Running the node's own commands as real processes in tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from gpid_node.chain.devchain import HARDFORK_ENV

ROOT = Path(__file__).resolve().parents[2]
GPID_NODE = str(Path(sys.executable).with_name("gpid-node"))


def env_for(data_dir: Path, **extra: str | None) -> dict[str, str]:
    """This environment without GPID_ settings (but the anvil hardfork a test run chose, so the dev
    chains the processes start keep it), then the data folder, JSON logs and `extra` (None: left unset)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GPID_") or k == HARDFORK_ENV}
    env.update(GPID_DATA_DIR=str(data_dir), GPID_LOG_FORMAT="json")
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def start(args: list[str], data_dir: Path, log: Path, cwd: Path = ROOT, **extra: str | None) -> subprocess.Popen[bytes]:
    handle = open(log, "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(args, cwd=cwd, env=env_for(data_dir, **extra), stdout=handle, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip


def wait_http(url: str, timeout_s: float = 120.0, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout_s: float = 30) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def kill_anvil_of(data_dir: Path) -> None:
    pid_file = data_dir / "chain" / "anvil.pid"
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass


def credentials(data_dir: Path) -> dict[str, Any]:
    return json.loads((data_dir / "dev-credentials.json").read_text())


def api_key(creds: dict[str, Any], role: str, country: str | None = None) -> str:
    return next(p["api_key"] for p in creds["participants"] if p["role"] == role and (country is None or p["country"] == country))
