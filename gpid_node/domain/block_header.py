"""A block header as the JSON-RPC gives it, reduced to the fields its hash covers, and that hash.

A block's hash is ``keccak256(rlp([field, ...]))`` over the header fields in the order of the
yellow paper, each fork appending its own at the end: London (EIP-1559) ``baseFeePerGas``,
Shanghai (EIP-4895) ``withdrawalsRoot``, Cancun (EIP-4844, EIP-4788) ``blobGasUsed``,
``excessBlobGas``, ``parentBeaconBlockRoot``, Prague (EIP-7685) ``requestsHash``. The fifteen
fields of the yellow paper are always there; of the later ones, a header holds those of its fork
and the forks before, and is encoded with exactly the fields present, in that order. (Clients may
write more than their fork defines: the genesis headers of anvil's Berlin, London and Shanghai
chains carry Cancun's two blob gas fields, zero, and their hashes cover them; encoding what is
present, in order, gives the hash in both cases.) A member this module does not know is refused rather than hashed in a
guessed place. Only ``stateRoot`` and ``number`` are read from a header, both among the first
fifteen, whose places never change.

``eth_getBlockByNumber`` adds members the hash does not cover (``hash``, ``size``,
``totalDifficulty``, ``transactions``, ``uncles``, ``withdrawals``): :func:`hashed_fields` drops
them, so that a proof bundle carries nothing an auditor could not check. Values stay in their
JSON-RPC text (``0x``-hex, lower case); quantities are read as integers (RLP writes them big-endian
without leading zeros), everything else as bytes of a fixed or free length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import rlp

from gpid_node.domain.canonical import keccak


@dataclass(frozen=True)
class HeaderField:
    """One field of the header: its JSON-RPC name, whether it is a quantity, its byte length if
    fixed (None for free length), and where it comes from."""

    name: str
    quantity: bool
    length: int | None
    since: str


HEADER_FIELDS: tuple[HeaderField, ...] = (
    HeaderField("parentHash", False, 32, "yellow paper"),
    HeaderField("sha3Uncles", False, 32, "yellow paper"),
    HeaderField("miner", False, 20, "yellow paper"),
    HeaderField("stateRoot", False, 32, "yellow paper"),
    HeaderField("transactionsRoot", False, 32, "yellow paper"),
    HeaderField("receiptsRoot", False, 32, "yellow paper"),
    HeaderField("logsBloom", False, 256, "yellow paper"),
    HeaderField("difficulty", True, None, "yellow paper"),
    HeaderField("number", True, None, "yellow paper"),
    HeaderField("gasLimit", True, None, "yellow paper"),
    HeaderField("gasUsed", True, None, "yellow paper"),
    HeaderField("timestamp", True, None, "yellow paper"),
    HeaderField("extraData", False, None, "yellow paper"),
    HeaderField("mixHash", False, 32, "yellow paper"),
    HeaderField("nonce", False, 8, "yellow paper"),
    HeaderField("baseFeePerGas", True, None, "London, EIP-1559"),
    HeaderField("withdrawalsRoot", False, 32, "Shanghai, EIP-4895"),
    HeaderField("blobGasUsed", True, None, "Cancun, EIP-4844"),
    HeaderField("excessBlobGas", True, None, "Cancun, EIP-4844"),
    HeaderField("parentBeaconBlockRoot", False, 32, "Cancun, EIP-4788"),
    HeaderField("requestsHash", False, 32, "Prague, EIP-7685"),
)
FIELD_NAMES = tuple(f.name for f in HEADER_FIELDS)
BASE_FIELDS = 15  # the yellow paper's: every header has them, in these places

_QUANTITY = re.compile(r"0x(?:0|[1-9a-f][0-9a-f]*)")
_DATA = re.compile(r"0x(?:[0-9a-f]{2})*")


class HeaderError(ValueError):
    """A header that cannot be encoded: the message names the field and what is wrong."""


def fork_of(header: dict[str, Any]) -> str:
    """The fork of the latest field a header holds (HeaderError when a member is unknown or one of
    the yellow paper's fifteen is missing)."""
    unknown = sorted(name for name in header if name not in FIELD_NAMES)
    if unknown:
        raise HeaderError(f"the header has fields this check does not know ({', '.join(unknown)}): "
                          f"a block of a later fork; a header is hashed over {', '.join(FIELD_NAMES)}")  # fmt: skip
    missing = [name for name in FIELD_NAMES[:BASE_FIELDS] if name not in header]
    if missing:
        raise HeaderError(f"the header lacks {', '.join(missing)}, which every block header has")
    latest = [spec for spec in HEADER_FIELDS if spec.name in header][-1]
    return "before London" if latest.since == "yellow paper" else latest.since


def hashed_fields(block: dict[str, Any]) -> dict[str, str]:
    """The members of a JSON-RPC block that its hash covers, in header order (the rest dropped).

    HeaderError when they do not hash to the block's ``hash``: the block has a header field this
    module does not know (a later fork), which is named among the members left out."""
    header = {name: block[name] for name in FIELD_NAMES if name in block}
    fork_of(header)
    if "hash" in block and "0x" + header_hash(header).hex() != block["hash"]:
        left_out = sorted(name for name in block if name not in header)
        raise HeaderError(f"the block's header fields known here do not hash to its hash {block['hash']}: one of the members "
                          f"left out ({', '.join(left_out)}) is a header field of a fork this node does not know")  # fmt: skip
    return header


def _value(spec: HeaderField, text: Any) -> int | bytes:
    if not isinstance(text, str):
        raise HeaderError(f"header field {spec.name} is not a 0x-hex text")
    if spec.quantity:
        if _QUANTITY.fullmatch(text) is None:
            raise HeaderError(f"header field {spec.name} is not a quantity in lower-case 0x-hex without leading zeros")
        return int(text, 16)
    if _DATA.fullmatch(text) is None:
        raise HeaderError(f"header field {spec.name} is not lower-case 0x-hex bytes")
    raw = bytes.fromhex(text[2:])
    if spec.length is not None and len(raw) != spec.length:
        raise HeaderError(f"header field {spec.name} is {len(raw)} bytes, not {spec.length}")
    return raw


def encode_header(header: dict[str, Any]) -> bytes:
    """``rlp([field, ...])`` of a header given as its hashed JSON-RPC fields."""
    fork_of(header)
    return bytes(rlp.encode([_value(spec, header[spec.name]) for spec in HEADER_FIELDS if spec.name in header]))


def header_hash(header: dict[str, Any]) -> bytes:
    """The block hash: ``keccak256(rlp(header))``."""
    return keccak(encode_header(header))
