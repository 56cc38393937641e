"""Call frames rebuilt from the default tracer's steps (chain/traces.py), on hand-made steps: the
shapes a relayed call can take. tests/contracts/test_chains.py compares them with anvil's callTracer
on a real relayed registration."""

from __future__ import annotations

from typing import Any

import pytest

from gpid_node.chain.payloads import registry_calls
from gpid_node.chain.traces import frames_from_struct_logs

REGISTRY = "0x" + "ab" * 20
OTHER = "0x" + "cd" * 20


def word(value: int) -> str:
    return f"{value:064x}"


def call(depth: int, to: str, data: bytes, op: str = "CALL") -> dict[str, Any]:
    """A step making a call with ``data`` at memory offset 0 (the memory shows just that)."""
    padded = data.ljust(-(-len(data) // 32) * 32, b"\0")
    memory = [padded[i : i + 32].hex() for i in range(0, len(padded), 32)]
    args = [word(len(data)), word(0)] + ([word(0)] if op in ("CALL", "CALLCODE") else [])
    return {"depth": depth, "op": op, "stack": [word(0), word(0), *args, word(int(to, 16)), word(100_000)], "memory": memory}


def step(depth: int, op: str = "PUSH1", top: int = 1) -> dict[str, Any]:
    return {"depth": depth, "op": op, "stack": [word(top)], "memory": []}


def test_a_call_into_code_that_returns_is_a_frame_with_its_input() -> None:
    steps = [step(1), call(1, REGISTRY, b"\x01\x02\x03"), step(2), step(2, "RETURN"), step(1, top=1), step(1, "STOP")]
    tree = frames_from_struct_logs(steps, OTHER, "0xfeed", failed=False)
    assert tree["to"] == OTHER and tree["input"] == "0xfeed" and "error" not in tree
    (frame,) = tree["calls"]
    assert frame == {"type": "CALL", "to": REGISTRY, "input": "0x010203", "calls": []}
    assert list(registry_calls(tree, REGISTRY)) == [b"\x01\x02\x03"]


def test_a_call_that_reverts_is_an_error_frame_and_its_calls_are_left_out() -> None:
    steps = [call(1, OTHER, b"\x09"), step(2), call(2, REGISTRY, b"\x07" * 40), step(3, "RETURN"), step(2, top=1),
             step(2, "REVERT"), step(1, top=0), step(1, "STOP")]  # fmt: skip
    tree = frames_from_struct_logs(steps, OTHER, "0x", failed=False)
    (outer,) = tree["calls"]
    assert outer["error"] and outer["calls"][0]["input"] == "0x" + "07" * 40 and "error" not in outer["calls"][0]
    assert list(registry_calls(tree, REGISTRY)) == []  # undone with the frame that reverted


def test_a_call_that_runs_no_code_and_a_delegatecall() -> None:
    steps = [call(1, REGISTRY, b"\x05", op="STATICCALL"), step(1, top=0), call(1, REGISTRY, b"\x06", op="DELEGATECALL"),
             step(2), step(1, top=1)]  # fmt: skip
    tree = frames_from_struct_logs(steps, REGISTRY, "0x", failed=True)
    first, second = tree["calls"]
    assert first["type"] == "STATICCALL" and first["error"] and first["input"] == "0x05"
    assert second["type"] == "DELEGATECALL" and "error" not in second
    assert tree["error"] and list(registry_calls(tree, REGISTRY)) == []  # a failed transaction carries nothing


def test_an_input_beyond_the_memory_shown_reads_as_zeros_and_a_huge_one_is_refused() -> None:
    short = call(1, REGISTRY, b"\x01")
    short["stack"][-5] = word(40)  # 40 bytes asked, one word shown
    tree = frames_from_struct_logs([short, step(1)], OTHER, "0x", failed=False)
    assert tree["calls"][0]["input"] == "0x01" + "00" * 39
    short["stack"][-5] = word(2**200)
    with pytest.raises(ValueError):
        frames_from_struct_logs([short, step(1)], OTHER, "0x", failed=False)
