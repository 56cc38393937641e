"""A webhook receiver process for tests (:mod:`support.webhook_receiver`): start, configure, read, stop."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from support.processes import ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Receiver:
    """A receiver on 127.0.0.1:``port`` writing what it gets to ``folder``."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> Receiver:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "support.webhook_receiver", str(self.port), str(self.folder)],
            cwd=ROOT / "tests", stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == b"ready"
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def secret(self, path: str, secret: str) -> None:
        secrets_file = self.folder / "secrets.json"
        known = json.loads(secrets_file.read_text()) if secrets_file.exists() else {}
        secrets_file.write_text(json.dumps({**known, path: secret}))

    def behave(self, status: int = 200, delay_s: float = 0.0) -> None:
        (self.folder / "behaviour.json").write_text(json.dumps({"status": status, "delay_s": delay_s}))

    def received(self, path: str | None = None) -> list[dict[str, Any]]:
        log = self.folder / "received.jsonl"
        lines = log.read_text().splitlines() if log.exists() else []
        records = [json.loads(line) for line in lines if line.strip()]
        return [r for r in records if path is None or r["path"] == path]

    def wait_for(self, count: int, path: str | None = None, timeout_s: float = 20.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while True:
            records = self.received(path)
            if len(records) >= count or time.monotonic() > deadline:
                return records
            time.sleep(0.05)
