"""ABI-driven decoding of the registry's custom errors and events (pure: bytes in, values out).

Like ethereum-etl's mappers: raw receipts and logs become plain records here; fetching and storing
happen elsewhere. A test checks that every error in the ABI maps to a domain exception.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import Any

from eth_abi import decode as abi_decode
from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from gpid_node.chain.artifacts import registry_abi


def abi_type(item: dict[str, Any]) -> str:
    """The canonical ABI type of an input, tuples spelled out."""
    kind = item["type"]
    if kind.startswith("tuple"):
        inner = ",".join(abi_type(c) for c in item["components"])
        return f"({inner}){kind[len('tuple'):]}"
    return kind


def signature(item: dict[str, Any]) -> str:
    return f"{item['name']}({','.join(abi_type(i) for i in item['inputs'])})"


@lru_cache(maxsize=4096)
def _checksummed(address: str) -> str:
    """EIP-55 form of an address (a hash each time, and few accounts write to a registry)."""
    return to_checksum_address(address)


def _plain(value: Any, kind: str = "") -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if kind == "address":
        return _checksummed(value)
    return value


@dataclass(frozen=True)
class ContractError:
    """A decoded revert: the contract's error name and its arguments by name."""

    name: str
    args: dict[str, Any]


@cache
def _errors_by_selector() -> dict[bytes, dict[str, Any]]:
    items = [i for i in registry_abi() if i["type"] == "error"]
    items.append({"name": "Error", "inputs": [{"name": "message", "type": "string"}]})
    items.append({"name": "Panic", "inputs": [{"name": "code", "type": "uint256"}]})
    return {keccak(signature(i).encode())[:4]: i for i in items}


def error_names() -> list[str]:
    return sorted(i["name"] for i in _errors_by_selector().values())


def decode_error(data: bytes | str | None) -> ContractError | None:
    """Decodes revert data (selector + arguments); None when it is not an error of this ABI."""
    if data is None:
        return None
    if isinstance(data, str):
        try:
            data = bytes.fromhex(data.removeprefix("0x"))
        except ValueError:
            return None
    item = _errors_by_selector().get(bytes(data[:4]))
    if item is None:
        return None
    values = abi_decode([abi_type(i) for i in item["inputs"]], bytes(data[4:]))
    args = {i["name"]: _plain(v, i["type"]) for i, v in zip(item["inputs"], values, strict=True)}
    if item["name"] == "BatchItemRejected":
        args["error"] = decode_error(args["reason"])
    return ContractError(item["name"], args)


@dataclass(frozen=True)
class Event:
    """One decoded log of the registry, with where it sits on chain.

    ``payload`` is for the key data set events, whose log carries only ``payloadHash``: the payload
    with that hash, found in the calldata of the transaction (:mod:`gpid_node.chain.payloads`) and
    attached with :meth:`with_payload`; None when it was not looked for or not found.
    ``payload_format`` is its format tag (its first byte), or, when it was not found, the format the
    registry stores for the GPID (None when that is unknown too).
    """

    name: str
    args: dict[str, Any]
    block_number: int
    block_hash: str
    transaction_hash: str
    log_index: int
    payload: bytes | None = None
    payload_format: int | None = None

    def with_payload(self, payload: bytes | None, stored_format: int | None = None) -> Event:
        """This event with the payload its ``payloadHash`` names (None: not found; ``stored_format``
        is then the GPID's format as the registry stores it, if known)."""
        found_format = (payload[0] if payload else 0) if payload is not None else stored_format
        return replace(self, payload=payload, payload_format=found_format)


@dataclass(frozen=True)
class _EventShape:
    """What decoding one event needs, worked out once from the ABI."""

    item: dict[str, Any]
    indexed: tuple[tuple[str, str], ...]  # (name, ABI type) of the topics after the first
    topic_types: tuple[str, ...]
    unindexed: tuple[tuple[str, str], ...]  # (name, ABI type) of the data's values
    data_types: tuple[str, ...]


@cache
def _events_by_topic() -> dict[bytes, _EventShape]:
    shapes = {}
    for item in registry_abi():
        if item["type"] != "event":
            continue
        indexed = tuple((i["name"], abi_type(i)) for i in item["inputs"] if i["indexed"])
        unindexed = tuple((i["name"], abi_type(i)) for i in item["inputs"] if not i["indexed"])
        shapes[keccak(signature(item).encode())] = _EventShape(
            item, indexed, tuple(t for _, t in indexed), unindexed, tuple(t for _, t in unindexed)
        )
    return shapes


def event_topic(name: str) -> str:
    for topic, shape in _events_by_topic().items():
        if shape.item["name"] == name:
            return "0x" + topic.hex()
    raise KeyError(name)


def _hex(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    text = str(value.hex() if hasattr(value, "hex") and not isinstance(value, str) else value)
    return text if text.startswith("0x") else "0x" + text


def _bytes(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    return bytes.fromhex(str(value).removeprefix("0x"))


def decode_log(log: dict[str, Any]) -> Event | None:
    """Decodes one raw log (JSON-RPC shape or web3's); None for a log of another contract's event."""
    topics = [_bytes(t) for t in log["topics"]]
    if not topics:
        return None
    shape = _events_by_topic().get(topics[0])
    if shape is None:
        return None
    args: dict[str, Any] = {}
    if len(topics) != len(shape.indexed) + 1:
        raise ValueError(f"{shape.item['name']} has {len(shape.indexed)} indexed arguments, the log {len(topics) - 1} topics")
    # Indexed arguments are static types here, one word each: the topics decode as one tuple.
    for (name, kind), value in zip(shape.indexed, abi_decode(shape.topic_types, b"".join(topics[1:])), strict=True):
        args[name] = _plain(value, kind)
    for (name, kind), value in zip(shape.unindexed, abi_decode(shape.data_types, _bytes(log["data"])), strict=True):
        args[name] = _plain(value, kind)
    block_number = log["blockNumber"]
    return Event(
        name=shape.item["name"],
        args=args,
        block_number=int(block_number, 16) if isinstance(block_number, str) else int(block_number),
        block_hash=_hex(log["blockHash"]),
        transaction_hash=_hex(log["transactionHash"]),
        log_index=int(log["logIndex"], 16) if isinstance(log["logIndex"], str) else int(log["logIndex"]),
    )
