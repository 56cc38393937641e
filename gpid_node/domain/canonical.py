"""Canonical form of a key data set, its section commitments, and the on-chain keys.

Byte for byte what ``contracts/src/libraries/GPIDLib.sol`` computes; docs/protocol.md states each
formula and ``contracts/test/vectors.json`` pins them. Input is the normalised key data set as a
JSON-ready dict (``KeyDataSet.model_dump(mode="json")``).
"""

from __future__ import annotations

import json
import re
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import rfc8785
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.hmac import HMAC
from eth_hash.backends import pysha3
from eth_hash.main import Keccak256

from gpid_node.domain.gpid import GPID

SECTION_IDENTITY = 1
SECTION_SELLER = 2
SECTION_BUYER = 4
SECTION_GOODS = 8
SECTIONS = {"identity": SECTION_IDENTITY, "seller": SECTION_SELLER, "buyer": SECTION_BUYER, "goods": SECTION_GOODS}
ALL_SECTIONS = 15
PAYLOAD_FORMAT_DEFLATE_JSON = 1
SALT_BYTES = 32
MAX_IDENTIFIER_BYTES = 70
MAX_SAFE_INTEGER = 2**53  # RFC 8785 writes numbers as IEEE 754 doubles; integers below this are exact

# Keccak-256 through eth-hash's C backend (safe-pysha3): a node computes eight per key data set, and
# the default backend (pycryptodome) costs five times as much a call. Same function, same digests.
keccak = Keccak256(pysha3.backend)
# Field paths of the immutable identity section, as an amendment's merge patch names them.
IDENTITY_FIELDS = ("schema_version", "seller.trader_id", "invoice.number", "invoice.date")


def _has_no_floats(value: Any) -> bool:
    """Whether ``value`` holds only text, booleans, None, exact integers, lists and objects with ASCII
    member names (no floats): the values whose RFC 8785 form is sorted compact JSON.

    Walks with a stack and exact type tests (JSON values from ``json.loads`` or a model dump are
    never subclasses); any other type takes the general path of ``rfc8785``.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is dict:
            for key in item:
                if type(key) is not str or not key.isascii():
                    return False
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        elif kind is int:
            if not -MAX_SAFE_INTEGER < item < MAX_SAFE_INTEGER:
                return False
        else:
            return False
    return True


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical JSON.

    A normalised key data set holds no floats (decimals travel as strings) and only ASCII member
    names; for such values RFC 8785 equals sorted-key compact JSON with raw UTF-8, which the standard
    library writes ten times faster. Anything else goes through ``rfc8785`` (a property test checks
    that both agree).
    """
    return _canonical(value, _has_no_floats(value))


def _canonical(value: Any, simple: bool) -> bytes:
    """``canonical_json`` once it is known whether ``value`` is simple (no floats, ASCII names)."""
    if simple:
        try:
            return _compact(value).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: let rfc8785 refuse it
            pass
    return rfc8785.dumps(value)


_compact = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


@lru_cache(maxsize=4096)  # trader IDs come back with every key data set of a trader
def normal_identifier(text: str) -> str:
    """Normal form of an invoice number, declaration reference or trader ID (docs/protocol.md)."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if not ch.isspace())
    return "".join(ch.upper() if "a" <= ch <= "z" else ch for ch in text)


def is_normal_identifier(text: str) -> bool:
    """The contract's own test of normal form (GPIDLib.isNormalIdentifier)."""
    raw = text.encode("utf-8")
    return 0 < len(raw) <= MAX_IDENTIFIER_BYTES and not any(b <= 0x20 or b == 0x7F or 0x61 <= b <= 0x7A for b in raw)


def trader_id_text(trader_id: dict[str, str]) -> str:
    """``SCHEME:VALUE`` in normal form, the text the contract binds."""
    return normal_identifier(f"{trader_id['scheme']}:{trader_id['value']}")


def _word(value: bytes) -> bytes:
    if len(value) > 32:
        raise ValueError("an ABI word holds at most 32 bytes")
    return value.rjust(32, b"\0")


@lru_cache(maxsize=4096)
def trader_key(trader_id: str) -> bytes:
    return keccak(trader_id.encode("utf-8"))


INVOICE_KEY_DOMAIN = b"GPID/invoice-key/v1"  # the HMAC message's prefix (docs/protocol.md, "Invoice key")
TRADER_SECRET_BYTES = 32  # k_trader: one per seller trader, kept by its node (chain/keystore.TraderSecrets)


def invoice_key(trader_secret: bytes, invoice_number: str) -> bytes:
    """The invoice key a registration sends instead of the invoice number:
    ``HMAC-SHA256(k_trader, b"GPID/invoice-key/v1" || UTF-8 of the normalised invoice number)``.

    Without ``k_trader`` (the seller trader's secret, never on chain) nobody can test a guessed
    invoice number against it, so the chain does not reveal the number even to someone who knows
    the seller's trader ID and its numbering scheme. Refuses a number not in normal form: the node
    checks what the contract used to check.
    """
    if len(trader_secret) != TRADER_SECRET_BYTES:
        raise ValueError(f"a trader secret has {TRADER_SECRET_BYTES} bytes, not {len(trader_secret)}")
    if not is_normal_identifier(invoice_number):
        raise ValueError(f"the invoice number {invoice_number!r} is not in normal form")
    mac = HMAC(trader_secret, hashes.SHA256())
    mac.update(INVOICE_KEY_DOMAIN + invoice_number.encode("utf-8"))
    return mac.finalize()


def registry_key(seller_trader_key: bytes, invoice_key_: bytes) -> bytes:
    """GPIDLib.registryKey: keccak256(abi.encode(sellerTraderKey, invoiceKey)), the key of rule 1."""
    return keccak(_word(seller_trader_key) + _word(invoice_key_))


def legacy_registry_key(seller_trader_key: bytes, invoice_number: str) -> bytes:
    """The registry key of a registry before invoice keys (it took the invoice number in clear):
    keccak256(abi.encode(sellerTraderKey, keccak256(invoiceNumber))). Only to check old chains."""
    return keccak(_word(seller_trader_key) + keccak(invoice_number.encode("utf-8")))


def reference_key(declaration_reference: str) -> bytes:
    return keccak(declaration_reference.encode("utf-8"))


def gpid_of(chain_id: int, registry: str, registry_key_: bytes) -> GPID:
    """GPIDLib.gpidOf: the first 16 bytes of keccak256(abi.encode(chainId, registry, registryKey))."""
    encoded = _word(chain_id.to_bytes(32, "big")) + _word(bytes.fromhex(registry.removeprefix("0x"))) + registry_key_
    return GPID(keccak(encoded)[:16])


def gpid_of_invoice(chain_id: int, registry: str, seller_trader_key: bytes, invoice_key_: bytes) -> GPID:
    """The GPID of an invoice, computable before mining: from its seller's trader key and invoice key."""
    return gpid_of(chain_id, registry, registry_key(seller_trader_key, invoice_key_))


def sections(data: dict[str, Any]) -> dict[str, Any]:
    """The four sections of a normalised key data set, by name."""
    seller = data["seller"]
    return {
        "identity": {
            "schema_version": data["schema_version"],
            "seller_trader_id": seller["trader_id"],
            "invoice": {"number": data["invoice"]["number"], "date": data["invoice"]["date"]},
        },
        "seller": {"name": seller["name"], "address": seller["address"]},
        "buyer": data["buyer"],
        "goods": {"goods": data["goods"]},
    }


@lru_cache(maxsize=8192)
def section_salt(salt: bytes, section_bit: int) -> bytes:
    return keccak(salt + bytes([section_bit]))


@dataclass(frozen=True)
class Commitments:
    """GPIDLib.Commitments: four salted section hashes and the buyer's trader key."""

    identity: bytes
    seller: bytes
    buyer: bytes
    goods: bytes
    buyer_trader_key: bytes

    def as_tuple(self) -> tuple[bytes, bytes, bytes, bytes, bytes]:
        """The ABI tuple, in the struct's field order."""
        return (self.identity, self.seller, self.buyer, self.goods, self.buyer_trader_key)

    @classmethod
    def from_tuple(cls, values: Any) -> Commitments:
        return cls(*(bytes(v) for v in values))

    @property
    def digest(self) -> bytes:
        """GPIDLib.digestOf."""
        return keccak(b"".join(self.as_tuple()))

    def changed_sections(self, other: Commitments) -> int:
        """GPIDLib.changedSections: a mask of SECTION_* bits."""
        mask = 0
        if self.identity != other.identity:
            mask |= SECTION_IDENTITY
        if self.seller != other.seller:
            mask |= SECTION_SELLER
        if self.buyer != other.buyer or self.buyer_trader_key != other.buyer_trader_key:
            mask |= SECTION_BUYER
        if self.goods != other.goods:
            mask |= SECTION_GOODS
        return mask


def commitments(data: dict[str, Any], salt: bytes) -> Commitments:
    """The commitments of a normalised key data set under the GPID's salt."""
    parts = sections(data)
    simple = _has_no_floats(data)  # the sections hold nothing but parts of data: one walk for all four
    return _commitments_of(data, salt, {name: _canonical(parts[name], simple) for name in SECTIONS})


def _commitments_of(data: dict[str, Any], salt: bytes, texts: dict[str, bytes]) -> Commitments:
    """The commitments given each section's canonical JSON."""
    hashed = {name: keccak(section_salt(salt, bit) + texts[name]) for name, bit in SECTIONS.items()}
    return Commitments(
        identity=hashed["identity"],
        seller=hashed["seller"],
        buyer=hashed["buyer"],
        goods=hashed["goods"],
        buyer_trader_key=trader_key(trader_id_text(data["buyer"]["trader_id"])),
    )


MAX_JSON_DEPTH = 32  # a key data set nests 5 deep; hostile payloads nest 100,000 deep
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')  # a JSON string, escapes included
_NOT_BRACKETS = bytes(range(256)).translate(None, b"[]{}")


def _nested_deeper_than(raw: bytes, limit: int) -> bool:
    """Whether JSON text nests arrays and objects deeper than ``limit`` (strings ignored).

    The standard library's parser recurses in C; with the recursion limit some libraries raise
    (py_ecc: 100,000), a deflated ``[[[[...`` of a few hundred bytes would overflow the stack.
    Text with no more opening brackets than ``limit`` cannot nest deeper (a key data set of ten
    lines has about twenty); only longer text is read bracket by bracket, its strings blanked out.
    """
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    depth = 0
    for bracket in _JSON_STRING.sub(b'""', raw).translate(None, _NOT_BRACKETS):
        if bracket in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class PayloadError(ValueError):
    """A payload that cannot be read (unknown format tag, truncated, not JSON)."""


def encode_payload(data: dict[str, Any], salt: bytes) -> bytes:
    """Format 1: tag, salt, raw-deflated canonical JSON."""
    if len(salt) != SALT_BYTES:
        raise ValueError(f"the salt is {SALT_BYTES} bytes")
    return bytes([PAYLOAD_FORMAT_DEFLATE_JSON]) + salt + deflate_json(data)


def deflate_json(value: Any) -> bytes:
    """Raw deflate (no zlib header) of ``value``'s canonical JSON: the body of format 1, the
    plaintext of format 2."""
    deflate = zlib.compressobj(level=9, wbits=-15, memLevel=9)
    return deflate.compress(canonical_json(value)) + deflate.flush()


@dataclass(frozen=True)
class Payload:
    """A payload read: the key data set, its salt, and the JSON text it carried with where each
    top-level member's value sits in it (``spans``; None unless the text is compact)."""

    data: dict[str, Any]
    salt: bytes
    text: str
    spans: dict[str, tuple[int, int]] | None

    def commitments_as_written(self) -> Commitments | None:
        """The commitments computed over the payload's own text of its buyer and goods sections.

        They equal :func:`commitments` when that text is canonical, as every node writes it, and save
        encoding those sections again (most of a key data set's bytes). When they do not match the
        chain's, the caller computes :func:`commitments` before concluding anything: text that is
        merely not canonical still holds the committed data. None when the text is not compact JSON.
        """
        spans = self.spans
        if spans is None or "buyer" not in spans or "goods" not in spans:
            return None
        parts = sections(self.data)
        (buyer_from, buyer_to), (goods_from, goods_to) = spans["buyer"], spans["goods"]
        texts = {
            "identity": canonical_json(parts["identity"]),
            "seller": canonical_json(parts["seller"]),
            "buyer": self.text[buyer_from:buyer_to].encode("utf-8"),
            "goods": b'{"goods":' + self.text[goods_from:goods_to].encode("utf-8") + b"}",
        }
        return _commitments_of(self.data, self.salt, texts)


# The standard library's C scanner: (value, end index). typeshed does not declare the instance
# attribute JSONDecoder.__init__ sets, hence the ignore.
_scan_value: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # typeshed lacks JSONDecoder.scan_once


def _object_members(text: str) -> tuple[dict[str, Any], dict[str, tuple[int, int]]] | None:
    """A compact JSON object's members and the span of each value in ``text`` (the last of
    duplicate names wins, as in ``json.loads``); None for any other text (whitespace included)."""
    members: dict[str, Any] = {}
    spans: dict[str, tuple[int, int]] = {}
    try:
        if text[0] != "{":
            return None
        at = 1
        if text[at] == "}":
            return (members, spans) if at + 1 == len(text) else None
        while True:
            if text[at] != '"':
                return None
            name, at = _scan_value(text, at)
            if text[at] != ":":
                return None
            start = at + 1
            members[name], at = _scan_value(text, start)
            spans[name] = (start, at)
            if text[at] == ",":
                at += 1
            elif text[at] == "}" and at + 1 == len(text):
                return members, spans
            else:
                return None
    except (IndexError, StopIteration):
        return None


def read_payload(payload: bytes, max_json_bytes: int = 4 * 1024 * 1024) -> Payload:
    """The key data set, salt and JSON text a payload carries."""
    if not payload:
        raise PayloadError("empty payload")
    if payload[0] != PAYLOAD_FORMAT_DEFLATE_JSON:
        raise PayloadError(f"payload format {payload[0]} is not supported by this node")
    if len(payload) < 1 + SALT_BYTES:
        raise PayloadError("payload shorter than its salt")
    salt = payload[1 : 1 + SALT_BYTES]
    data, text, spans = inflate_json(payload[1 + SALT_BYTES :], max_json_bytes)
    return Payload(data, salt, text, spans)


def inflate_json(
    body: bytes, max_json_bytes: int = 4 * 1024 * 1024
) -> tuple[dict[str, Any], str, dict[str, tuple[int, int]] | None]:
    """The JSON object a raw-deflated body holds, its text, and its members' spans (see Payload).

    Bounded: at most ``max_json_bytes`` inflated, at most MAX_JSON_DEPTH levels of nesting, so a
    hostile payload of a few hundred bytes can neither exhaust memory nor the parser's stack.
    Every failure is a PayloadError.
    """
    inflate = zlib.decompressobj(wbits=-15)
    try:
        raw = inflate.decompress(body, max_json_bytes)
        if inflate.unconsumed_tail:
            raise PayloadError("payload inflates beyond the size limit")
        if _nested_deeper_than(raw, MAX_JSON_DEPTH):
            raise PayloadError(f"payload JSON nests deeper than {MAX_JSON_DEPTH} levels")
        text = raw.decode("utf-8")
        compact = _object_members(text)
        data, spans = compact if compact is not None else (json.loads(text), None)
    except (zlib.error, UnicodeDecodeError, ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError;
        if isinstance(exc, PayloadError):  # so is an integer beyond Python's 4,300 digits
            raise
        raise PayloadError(f"payload is not deflated JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise PayloadError("payload JSON is not an object")
    return data, text, spans


def decode_payload(payload: bytes, max_json_bytes: int = 4 * 1024 * 1024) -> tuple[dict[str, Any], bytes]:
    """The key data set and salt a payload carries."""
    read = read_payload(payload, max_json_bytes)
    return read.data, read.salt
