"""The engine process of a real ``gpid-node dev``: the outbox and indexer run in a child process of
the API's. Killed with -9, it is started again and writes go on; the API process killed with -9
takes it along (it does not go on sending transactions for a node that is gone)."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from support.processes import ROOT
from support.chains import anvil_only

pytestmark = [pytest.mark.slow, anvil_only("the development mode's embedded anvil (gpid-node dev starts its own chain)")]
EXAMPLE = json.loads((ROOT / "schemas/examples/design-example.json").read_text())


def engine_pids(node_pid: int) -> list[int]:
    """The node's live children that run the engines (anvil is another child)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
            if int(ppid) == node_pid and state != "Z" and b"spawn_main" in (stat.parent / "cmdline").read_bytes():
                pids.append(int(stat.parent.name))
        except (FileNotFoundError, ProcessLookupError):
            continue
    return pids


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_until(condition, timeout_s: float = 60.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def invoice(number: str) -> dict[str, object]:
    return {**EXAMPLE, "invoice": {**EXAMPLE["invoice"], "number": number}}


def test_a_killed_engine_process_is_started_again_and_writes_go_on(node) -> None:  # noqa: ANN001
    process, api, seller, _ = node
    wait_until(lambda: len(engine_pids(process.pid)) == 1)
    first = httpx.post(f"{api}/v1/key-data-sets", json=invoice("ENGINE-1"), headers=seller, timeout=60)
    assert first.status_code == 201, first.text
    [engine] = engine_pids(process.pid)

    os.kill(engine, signal.SIGKILL)
    wait_until(lambda: engine_pids(process.pid) not in ([], [engine]))
    second = httpx.post(f"{api}/v1/key-data-sets", json=invoice("ENGINE-2"), headers=seller, timeout=60)
    assert second.status_code == 201, second.text
    read = httpx.get(f"{api}/v1/key-data-sets/{second.json()['gpid']}", headers=seller, timeout=30)
    assert read.status_code == 200 and read.json()["integrity"]["verified"] is True, read.text
    wait_until(lambda: httpx.get(f"{api}/readyz", timeout=10).status_code == 200)


def test_the_engine_process_leaves_with_a_killed_api_process(node) -> None:  # noqa: ANN001
    process, api, seller, _ = node
    wait_until(lambda: len(engine_pids(process.pid)) == 1)
    [engine] = engine_pids(process.pid)
    assert httpx.post(f"{api}/v1/key-data-sets", json=invoice("ENGINE-3"), headers=seller, timeout=60).status_code == 201

    os.kill(process.pid, signal.SIGKILL)  # the API process alone, not its process group
    process.wait(timeout=10)
    wait_until(lambda: not alive(engine), timeout_s=10)
