"""Call frames rebuilt from the default tracer's steps, for the endpoints whose
``debug_traceTransaction`` has no ``callTracer`` (the Hardhat network answers "only supports the
default tracer"). Pure: steps in, a ``callTracer``-shaped tree out, which
:func:`gpid_node.chain.payloads.payloads_in_trace` reads as it reads the tracer's own.

A step that makes a call (``CALL``, ``CALLCODE``, ``DELEGATECALL``, ``STATICCALL``) has the callee on
its stack and the call's input in its memory; the steps after it run one level deeper while the
call runs, and the first step back at the caller's depth has the call's result on the stack (0 for a
call that failed, whose frame then carries an ``error`` as the ``callTracer``'s does).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["frames_from_struct_logs"]

WORD = 32
_CALLS = {"CALL": (-4, -5), "CALLCODE": (-4, -5), "DELEGATECALL": (-3, -4), "STATICCALL": (-3, -4)}  # stack: args offset, length
_CREATES = ("CREATE", "CREATE2")
MAX_TRACED_INPUT = 8 * 1024 * 1024


def _stack_int(stack: Sequence[Any], at: int) -> int:
    return int(str(stack[at]), 16)


def _memory_slice(memory: Sequence[Any], offset: int, length: int) -> bytes:
    """``length`` bytes at ``offset`` of a step's memory (32-byte words in hex, as the default tracer
    gives them); bytes beyond the words shown read as zeros, as the EVM's fresh memory does."""
    if length > MAX_TRACED_INPUT:
        raise ValueError(f"a traced call's input of {length} bytes is more than a block's gas can pay for")
    if length == 0:
        return b""
    first, last = offset // WORD, (offset + length + WORD - 1) // WORD
    raw = b"".join(bytes.fromhex(str(word).removeprefix("0x").rjust(2 * WORD, "0")) for word in memory[first:last])
    start = offset - first * WORD
    return raw[start : start + length].ljust(length, b"\0")


def frames_from_struct_logs(struct_logs: Sequence[Mapping[str, Any]], to: str | None, calldata: str, failed: bool) -> dict[str, Any]:
    """A ``callTracer``-shaped frame tree (type, to, input, error, calls) rebuilt from the default
    tracer's steps (``structLogs`` with stack and memory), for the endpoints whose
    ``debug_traceTransaction`` has no ``callTracer`` (the Hardhat network). ``to``, ``calldata`` and
    ``failed`` are the transaction's own. A call that returned 0 on the stack gets an ``error``; so
    does the top frame of a failed transaction. Raises ValueError on steps of another shape."""
    top: dict[str, Any] = {"type": "CALL" if to else "CREATE", "to": to, "input": calldata, "calls": []}
    if failed:
        top["error"] = "execution reverted"
    frames = [top]  # frames[d - 1] is the frame running at depth d
    waiting: dict[str, Any] | None = None  # a call made by the previous step, entered or not
    for step in struct_logs:
        depth, stack = int(step["depth"]), step.get("stack") or []
        if waiting is not None:
            if depth == len(frames) + 1:
                frames.append(waiting)  # the call entered code: its steps follow, one level deeper
            elif depth == len(frames) and not _stack_int(stack, -1):
                waiting["error"] = "failed"  # a call that ran no code (no code, too little gas or balance)
            waiting = None
        while len(frames) > max(depth, 1):
            returned = frames.pop()
            if not _stack_int(stack, -1):  # the call's result, on the caller's stack
                returned.setdefault("error", "execution reverted")
        op = str(step.get("op", ""))
        if op in _CALLS:
            offset_at, length_at = _CALLS[op]
            data = _memory_slice(step.get("memory") or [], _stack_int(stack, offset_at), _stack_int(stack, length_at))
            waiting = {"type": op, "to": "0x" + f"{_stack_int(stack, -2):040x}"[-40:], "input": "0x" + data.hex(), "calls": []}
        elif op in _CREATES:
            waiting = {"type": op, "to": None, "input": "0x", "calls": []}
        else:
            continue
        frames[-1]["calls"].append(waiting)
    return top

