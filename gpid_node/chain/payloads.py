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

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import repeat
from typing import TYPE_CHECKING, Any

from sha3 import keccak_256  # safe-pysha3 in C, what eth-hash's backend calls, without its wrapper

from gpid_node.chain.abi import signature
from gpid_node.chain.artifacts import registry_abi
from gpid_node.chain.errors import RpcRefused

if TYPE_CHECKING:
    from gpid_node.chain.client import RegistryClient

__all__ = [
    "FoundPayloads", "by_hash", "find_payloads", "payload_function_names", "payloads_in_calldata", "payloads_in_trace",
    "registry_calls", "wanted_of",
]  # fmt: skip

PAYLOAD_ARGUMENT = "payload"
WORD = 32
_ZEROS = bytes(WORD)


# ------------------------------------------------------------------ the walk over a call's ABI encoding
#
# Only the payloads are wanted, so the calldata is walked instead of decoded: the head/tail offsets
# lead to each ``bytes payload``, everything else is checked and skipped. The checks are eth_abi's
# (strict mode, the reference the tests compare against): calldata eth_abi refuses yields no
# payload here either. Every offset and length is compared with the calldata's size before it is
# used, so hostile calldata costs at most one pass over its own bytes.


class _Malformed(Exception):
    """Calldata that does not decode as the function's arguments (caught in payloads_in_calldata)."""


def _word(data: bytes, at: int) -> int:
    end = at + WORD
    if end > len(data):
        raise _Malformed
    return int.from_bytes(data[at:end], "big")


class _Encoding:
    """How one ABI type is encoded. A static one is ``words`` words in place; a dynamic one is an
    offset in its container's head and its encoding in the tail (``read``)."""

    __slots__ = ()
    dynamic = False
    words = 1
    head_count = 1  # what eth_abi counts for it in a tuple's head: a static T[k] counts k, all else 1

    def check(self, data: bytes, at: int) -> None:  # a static encoding, ``words`` words at ``at`` (in bounds)
        raise NotImplementedError

    def read(self, data: bytes, start: int, out: list[bytes]) -> None:  # a dynamic encoding starting at ``start``
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class _Static(_Encoding):
    """A static type (elementary, or a tuple or fixed-size array of static types): its words, and
    the check of each word whose padding eth_abi validates (``(byte offset, check)``)."""

    words: int
    checks: tuple[tuple[int, Callable[[bytes, int], bool]], ...] = ()
    head_count: int = 1

    def check(self, data: bytes, at: int) -> None:
        for offset, valid in self.checks:
            if not valid(data, at + offset):
                raise _Malformed


@dataclass(frozen=True, slots=True)
class _ByteString(_Encoding):
    """``bytes`` or ``string``: a length word, then the bytes, zero-padded to a whole word."""

    payload: bool
    text: bool
    dynamic = True

    def read(self, data: bytes, start: int, out: list[bytes]) -> None:
        length = _word(data, start)
        first = start + WORD
        end = first + length
        padded = first + -(-length // WORD) * WORD
        if padded > len(data) or data[end:padded] != _ZEROS[: padded - end]:
            raise _Malformed
        if self.text:
            try:
                data[first:end].decode("utf-8")
            except UnicodeDecodeError:
                raise _Malformed from None
        if self.payload:
            out.append(data[first:end])


@dataclass(frozen=True, slots=True)
class _Tuple(_Encoding):
    """A tuple with a dynamic member: its members' heads, each dynamic one an offset from the tuple's start."""

    members: tuple[_Encoding, ...]
    head_words: int  # sum of the members' head_count
    dynamic = True

    def read(self, data: bytes, start: int, out: list[bytes]) -> None:
        _read_members(self.members, data, start, self.head_words, out)


@dataclass(frozen=True, slots=True)
class _Array(_Encoding):
    """``T[]`` (a length word, then the tuple of its elements) or ``T[k]`` of a dynamic ``T`` (the tuple alone)."""

    item: _Encoding
    size: int | None  # None for T[]
    dynamic = True

    def read(self, data: bytes, start: int, out: list[bytes]) -> None:
        count = self.size
        if count is None:
            count = _word(data, start)
            start += WORD
        item_words = 1 if self.item.dynamic else self.item.words
        if start + count * item_words * WORD > len(data):  # before the loop: a hostile length costs nothing
            raise _Malformed
        _read_members(repeat(self.item, count), data, start, count, out)


def _read_members(members: Iterable[_Encoding], data: bytes, start: int, head_count: int, out: list[bytes]) -> None:
    """The members of a tuple encoded at ``start``. A dynamic member's offset must point past the
    head (as eth_abi counts it) and inside the calldata."""
    at, head_end, size = start, start + head_count * WORD, len(data)
    for member in members:
        if member.dynamic:
            target = start + _word(data, at)
            if target < head_end or target >= size:
                raise _Malformed
            member.read(data, target, out)
            at += WORD
        else:
            end = at + member.words * WORD
            if end > size:
                raise _Malformed
            member.check(data, at)
            at = end


def _zero_prefix(length: int) -> Callable[[bytes, int], bool]:
    zeros = bytes(length)
    return lambda data, at: data[at : at + length] == zeros


def _zero_suffix(length: int) -> Callable[[bytes, int], bool]:
    zeros = bytes(length)
    return lambda data, at: data[at + WORD - length : at + WORD] == zeros


def _sign_extended(length: int) -> Callable[[bytes, int], bool]:
    zeros, ones = bytes(length), b"\xff" * length
    return lambda data, at: data[at : at + length] == (ones if data[at + length] >= 0x80 else zeros)


def _boolean(data: bytes, at: int) -> bool:
    return data[at : at + WORD - 1] == _ZEROS[: WORD - 1] and data[at + WORD - 1] <= 1


_ELEMENTARY = re.compile(r"(?P<kind>uint|int|bytes|address|bool|ufixed|fixed)(?P<bits>\d*)(?:x\d+)?")
_ARRAY = re.compile(r"(?P<item>.+)\[(?P<size>\d*)\]")


def _elementary(kind: str) -> _Static:
    match = _ELEMENTARY.fullmatch(kind)
    if match is None:
        raise ValueError(f"the registry's ABI has an input of type {kind!r}, which the payload reader does not know")
    name, bits = match["kind"], match["bits"]
    if name == "bool":
        return _Static(1, ((0, _boolean),))
    if name == "address":
        return _Static(1, ((0, _zero_prefix(12)),))
    if name == "bytes":
        padding = WORD - int(bits)
        return _Static(1, ((0, _zero_suffix(padding)),) if padding else ())
    padding = WORD - int(bits or (128 if name.endswith("fixed") else 256)) // 8
    if not padding:
        return _Static(1)
    return _Static(1, ((0, _sign_extended(padding) if name in ("int", "fixed") else _zero_prefix(padding)),))


def _encoding_of(spec: Mapping[str, Any]) -> _Encoding:
    """The encoding of one ABI input (``components`` for tuples). The elements of an array named
    ``payload`` are payloads, as are its items: ``bytes[] payload`` carries several."""
    kind = spec["type"]
    array = _ARRAY.fullmatch(kind)
    if array is not None:
        item = _encoding_of({**spec, "type": array["item"]})
        if not array["size"]:
            return _Array(item, None)
        size = int(array["size"])
        if item.dynamic:
            return _Array(item, size)
        assert isinstance(item, _Static)
        checks = tuple((i * item.words * WORD + offset, check) for i in range(size) for offset, check in item.checks)
        return _Static(item.words * size, checks, head_count=size)
    if kind == "tuple":
        members = tuple(_encoding_of(c) for c in spec["components"])
        if not members:
            raise ValueError("the registry's ABI has an empty tuple, which has no ABI encoding")
        if any(m.dynamic for m in members):
            return _Tuple(members, sum(m.head_count for m in members))
        static = [m for m in members if isinstance(m, _Static)]
        offsets = [sum(m.words for m in static[:i]) * WORD for i in range(len(static))]
        checks = tuple((base + offset, check) for base, m in zip(offsets, static, strict=True) for offset, check in m.checks)
        return _Static(sum(m.words for m in static), checks)
    if kind in ("bytes", "string"):
        return _ByteString(payload=kind == "bytes" and spec.get("name") == PAYLOAD_ARGUMENT, text=kind == "string")
    return _elementary(kind)


@dataclass(frozen=True)
class _PayloadFunction:
    """A registry function with a payload among its inputs, worked out once from the ABI: its
    inputs as the members of one tuple, the encoding of its arguments."""

    name: str
    arguments: _Tuple

    def payloads(self, arguments: bytes) -> list[bytes]:
        """The payloads among ``arguments`` (the calldata after the selector), in argument order;
        [] when they do not decode as this function's arguments."""
        out: list[bytes] = []
        try:
            self.arguments.read(arguments, 0, out)
        except _Malformed:
            return []
        return out


def _holds_payload(item: dict[str, Any]) -> bool:
    if item["name"] == PAYLOAD_ARGUMENT and item["type"] == "bytes":
        return True
    return any(_holds_payload(c) for c in item.get("components", ()))


def _payload_function(item: Mapping[str, Any]) -> _PayloadFunction:
    arguments = tuple(_encoding_of(i) for i in item["inputs"])
    return _PayloadFunction(item["name"], _Tuple(arguments, sum(a.head_count for a in arguments)))


def _before_invoice_keys(spec: Mapping[str, Any]) -> dict[str, Any]:
    """An ABI input as a registry before invoice keys declared it: ``string invoiceNumber`` where
    ``register`` and the ``Registration`` struct now take ``bytes32 invoiceKey``."""
    if spec.get("name") == "invoiceKey" and spec["type"] == "bytes32":
        return {**spec, "name": "invoiceNumber", "type": "string"}
    if "components" in spec:
        return {**spec, "components": [_before_invoice_keys(c) for c in spec["components"]]}
    return dict(spec)


@cache
def _payload_functions() -> dict[bytes, _PayloadFunction]:
    """Selector -> function, for every registry function that takes a payload (directly or in a struct),
    and for the ``register`` and ``registerBatch`` of registries before invoice keys (their
    registrations, of old chains, stay readable)."""
    functions: dict[bytes, _PayloadFunction] = {}
    for item in registry_abi():
        if item["type"] != "function" or not any(_holds_payload(i) for i in item["inputs"]):
            continue
        legacy = {**item, "inputs": [_before_invoice_keys(i) for i in item["inputs"]]}
        for variant in (item, legacy):
            functions.setdefault(keccak_256(signature(variant).encode()).digest()[:4], _payload_function(variant))
    return functions


def payload_function_names() -> list[str]:
    """The registry functions whose calls carry payloads (``register``, ``registerBatch``, ``amend``)."""
    return sorted({f.name for f in _payload_functions().values()})


def payloads_in_calldata(calldata: bytes) -> list[bytes]:
    """The payloads a call to the registry carries, in argument order; [] for a call of a function
    without payload, or calldata that does not decode as the function's arguments."""
    function = _payload_functions().get(bytes(calldata[:4]))
    return [] if function is None else function.payloads(bytes(calldata[4:]))


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
    """Payloads by their keccak256, as events name them (safe-pysha3's C Keccak: a fifth of eth_hash.auto's cost)."""
    return {keccak_256(p).digest(): p for p in payloads}


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
