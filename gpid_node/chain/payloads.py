"""Where the payload of a key data set event is: in the calldata of the call that emitted it.

``KeyDataSetRegistered`` and ``KeyDataSetAmended`` carry ``payloadHash = keccak256(payload)``, not the
payload: each byte in an event's data costs 8 gas on top of the 16 its calldata byte has already
paid, about a tenth of a format-2 registration. The payload is the ``payload`` argument of the call
to the registry that emitted the event (``register``, ``registerBatch`` or ``amend``: every input
named ``payload`` in the registry's ABI, inside structs and arrays too). That call is the
transaction's input when the transaction called the registry; when a contract relayed it (a
multisig, a smart wallet), it is one of the calls in the transaction's call trace
(``debug_traceTransaction`` with the ``callTracer``).

The decoding here is pure (calldata and traces in, payloads by hash out); :func:`find_payloads` is
the one place that fetches, through the client, for the events of one range of blocks:

* each distinct transaction once (``eth_getTransactionByHash``, batched);
* a transaction that is no longer in the block its logs came from (a reorg under way) is
  ``moved``: the indexer stops the range there, as for any other sign that the chain moved;
* a hash that the transaction's input does not hold (a relayed call) is looked up in its call
  trace; when the endpoint offers no trace (the method is not enabled, or refused), or the trace
  holds no such payload either, the transaction is ``missing`` with the reason, and the events it
  emitted are indexed with their public facts only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from eth_abi import decode as abi_decode
from eth_hash.auto import keccak

from gpid_node.chain.abi import abi_type, signature
from gpid_node.chain.artifacts import registry_abi
from gpid_node.chain.errors import RpcRefused

if TYPE_CHECKING:
    from gpid_node.chain.client import RegistryClient

__all__ = [
    "FoundPayloads", "by_hash", "find_payloads", "payload_function_names", "payloads_in_calldata", "payloads_in_trace",
    "registry_calls", "wanted_of",
]  # fmt: skip

PAYLOAD_ARGUMENT = "payload"


@dataclass(frozen=True)
class _PayloadFunction:
    """A registry function with a payload among its inputs, worked out once from the ABI."""

    name: str
    types: tuple[str, ...]
    inputs: tuple[dict[str, Any], ...]


def _holds_payload(item: dict[str, Any]) -> bool:
    if item["name"] == PAYLOAD_ARGUMENT and item["type"] == "bytes":
        return True
    return any(_holds_payload(c) for c in item.get("components", ()))


@cache
def _payload_functions() -> dict[bytes, _PayloadFunction]:
    """Selector -> function, for every registry function that takes a payload (directly or in a struct)."""
    functions = {}
    for item in registry_abi():
        if item["type"] == "function" and any(_holds_payload(i) for i in item["inputs"]):
            functions[keccak(signature(item).encode())[:4]] = _PayloadFunction(
                item["name"], tuple(abi_type(i) for i in item["inputs"]), tuple(item["inputs"])
            )
    return functions


def payload_function_names() -> list[str]:
    """The registry functions whose calls carry payloads (``register``, ``registerBatch``, ``amend``)."""
    return sorted(f.name for f in _payload_functions().values())


def _payloads_of(spec: dict[str, Any], value: Any) -> Iterator[bytes]:
    kind = spec["type"]
    if kind.endswith("[]"):
        inner = dict(spec, type=kind[:-2])
        for item in value:
            yield from _payloads_of(inner, item)
    elif kind == "tuple":
        for component, item in zip(spec["components"], value, strict=True):
            yield from _payloads_of(component, item)
    elif kind == "bytes" and spec["name"] == PAYLOAD_ARGUMENT:
        yield bytes(value)


def payloads_in_calldata(calldata: bytes) -> list[bytes]:
    """The payloads a call to the registry carries, in argument order; [] for a call of a function
    without payload, or calldata that does not decode as the function's arguments."""
    function = _payload_functions().get(bytes(calldata[:4]))
    if function is None:
        return []
    try:
        values = abi_decode(list(function.types), bytes(calldata[4:]))
    except Exception:  # eth_abi raises several kinds for malformed data; none of it is a payload
        return []
    return [p for spec, value in zip(function.inputs, values, strict=True) for p in _payloads_of(spec, value)]


def _hex_bytes(text: Any) -> bytes:
    if not isinstance(text, str):
        return b""
    try:
        return bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        return b""


def registry_calls(frame: Mapping[str, Any], registry: str) -> Iterator[bytes]:
    """The inputs of the calls to ``registry`` in a ``callTracer`` frame and the frames below it, in
    execution order. A frame that failed (``error``) is left out with everything below it: its
    state changes and its events were undone. A ``DELEGATECALL`` runs other code in the caller's
    storage, so only plain calls to the registry's address count."""
    if frame.get("error"):
        return
    to = frame.get("to")
    if isinstance(to, str) and to.lower() == registry.lower() and str(frame.get("type", "CALL")).upper() == "CALL":
        yield _hex_bytes(frame.get("input"))
    for child in frame.get("calls") or ():
        if isinstance(child, Mapping):
            yield from registry_calls(child, registry)


def payloads_in_trace(trace: Mapping[str, Any], registry: str) -> list[bytes]:
    """The payloads of every call to ``registry`` in a ``callTracer`` trace."""
    return [p for calldata in registry_calls(trace, registry) for p in payloads_in_calldata(calldata)]


def by_hash(payloads: Iterable[bytes]) -> dict[bytes, bytes]:
    return {keccak(p): p for p in payloads}


@dataclass
class FoundPayloads:
    """What :func:`find_payloads` found for one range: payloads by keccak256, the transactions no
    longer in their logs' block, and those whose payloads could not be read (with the reason)."""

    payloads: dict[bytes, bytes] = field(default_factory=dict)
    moved: set[str] = field(default_factory=set)
    missing: dict[str, str] = field(default_factory=dict)
    traced: int = 0  # transactions whose payloads were looked for in a call trace


def find_payloads(client: RegistryClient, wanted: Mapping[str, tuple[str, set[bytes]]]) -> FoundPayloads:
    """Fetches the payloads named by events: ``wanted`` maps a transaction hash to the block hash its
    logs were read from and the payload hashes its events carry."""
    found = FoundPayloads()
    transactions = client.transactions(list(wanted))
    for tx_hash, (block_hash, hashes) in wanted.items():
        tx = transactions.get(tx_hash)
        if not isinstance(tx, Mapping) or str(tx.get("blockHash") or "").lower() != block_hash.lower():
            found.moved.add(tx_hash)  # not (or no longer) in that block: the chain moved under the range
            continue
        mine: dict[bytes, bytes] = {}
        if str(tx.get("to") or "").lower() == client.address.lower():
            mine = by_hash(payloads_in_calldata(_hex_bytes(tx.get("input"))))
        if not hashes <= mine.keys():
            found.traced += 1
            try:
                mine.update(by_hash(payloads_in_trace(client.call_trace(tx_hash), client.address)))
            except RpcRefused as refused:
                found.missing[tx_hash] = f"the transaction did not call the registry directly, and the endpoint refuses debug_traceTransaction: {refused}"
                continue
        unknown = hashes - mine.keys()
        if unknown:
            found.missing[tx_hash] = (f"no call to the registry in the transaction carries the payload with hash "
                                      f"{', '.join('0x' + h.hex() for h in sorted(unknown))}")  # fmt: skip
        found.payloads.update({h: mine[h] for h in hashes & mine.keys()})
    return found


def wanted_of(events: Sequence[Any]) -> dict[str, tuple[str, set[bytes]]]:
    """The transactions to fetch for ``events`` (decoded registry events): transaction hash -> (block
    hash, payload hashes) of the key data set events among them."""
    wanted: dict[str, tuple[str, set[bytes]]] = {}
    for event in events:
        payload_hash = event.args.get("payloadHash")
        if payload_hash is None:
            continue
        hashes = wanted.setdefault(event.transaction_hash, (event.block_hash, set()))[1]
        hashes.add(bytes(payload_hash))
    return wanted
