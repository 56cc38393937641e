"""The ``gpid-disclosure/1`` document: a :class:`~gpid_node.domain.disclosure_proof.DisclosureProof`
bound to one version of one GPID on one registry, in its JSON form and in its QR form.

The JSON form is the proof's members beside ``format``, ``gpid``, ``version``, ``chain_id`` and
``registry``; it is self-contained: whoever holds it and can read that version's digest from the
chain checks it (:func:`problems`), with no node and no index. The QR form is
``"GPD1:" + base45(raw-deflate(skeleton) || hashes)`` (RFC 9285 base45, as the EU digital COVID
certificate uses it), the skeleton being the compact JSON with every hash written ``""`` and the
hashes their 32 bytes in the skeleton's order: all characters are in the QR code's alphanumeric set,
so any scanner hands the text over unchanged; deflate folds the JSON's repeated names, and the hashes
(random bytes deflate cannot shrink) travel raw rather than as base64url. The 10-line gate
disclosure (packages and net mass, about 1,480 bytes of JSON) is a version-26 code at error
correction M, against version 32 for the JSON itself in byte mode (docs/protocol.md, "Disclosure QR").
"""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass
from typing import Any

from gpid_node.domain import disclosure_proof, merkle
from gpid_node.domain.addresses import checksum, is_address
from gpid_node.domain.disclosure_proof import DisclosureProof
from gpid_node.domain.errors import FieldProblem, InvalidDisclosure, InvalidGPID
from gpid_node.domain.gpid import GPID

FORMAT = "gpid-disclosure/1"
QR_PREFIX = "GPD1:"
HEADER_MEMBERS = ("format", "gpid", "version", "chain_id", "registry")
MAX_INFLATED_BYTES = 256 * 1024  # a disclosure of every field of 100 goods lines is about 60 KiB
MAX_QR_TEXT = 8 * 1024  # far beyond what one QR code holds (4,296 alphanumeric characters)
BASE45_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_BASE45_VALUE = {c: i for i, c in enumerate(BASE45_ALPHABET)}


@dataclass(frozen=True)
class Disclosure:
    """Chosen fields of one version of one GPID, with the proof that opens them against its digest."""

    gpid: GPID
    version: int
    chain_id: int
    registry: str
    proof: DisclosureProof

    def as_json(self) -> dict[str, Any]:
        """The document: its header members, then the proof's (``fields``, ``salts``, ...)."""
        header = {"format": FORMAT, "gpid": str(self.gpid), "version": self.version,
                  "chain_id": self.chain_id, "registry": self.registry}  # fmt: skip
        return {**header, **self.proof.as_json()}

    def compact_json(self) -> bytes:
        """The document as compact UTF-8 JSON (no spaces), the form the size target counts."""
        return compact(self.as_json())

    def qr_text(self) -> str:
        """The text a QR code of this document holds: ``GPD1:`` and base45 of the deflated skeleton
        (the compact JSON with every hash written ``""``) followed by those hashes' 32 bytes each."""
        document = self.as_json()
        hashes: list[bytes] = []
        for slots in _hash_slots(document):
            for container, key in slots:
                hashes.append(base64.urlsafe_b64decode(container[key] + "=" * (-len(container[key]) % 4)))
                container[key] = ""
        deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = deflater.compress(compact(document)) + deflater.flush()
        return QR_PREFIX + base45_encode(packed + b"".join(hashes))

    @property
    def revealed(self) -> dict[str, Any]:
        """The revealed fields, one concrete path each (``goods[3].packages``), in the proof's order."""
        return dict(self.proof.fields)


def compact(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def read(document: Any) -> Disclosure:
    """A disclosure from its JSON form (an object), or from text holding the JSON form or the QR
    form; InvalidDisclosure naming every member that is wrong."""
    if isinstance(document, str):
        document = _parse_text(document)
    if not isinstance(document, dict):
        raise InvalidDisclosure([FieldProblem("", f"a {FORMAT} document is a JSON object (or the GPD1: text of its QR code)")])
    problems: list[FieldProblem] = []
    if document.get("format") != FORMAT:
        problems.append(FieldProblem("format", f"not {FORMAT!r}: this is not a GPID disclosure this verifier reads"))
    gpid = _gpid(document.get("gpid"), problems)
    version = document.get("version")
    if type(version) is not int or not 1 <= version < 2**32:
        problems.append(FieldProblem("version", "not a version number (1 or more)"))
    chain_id = document.get("chain_id")
    if type(chain_id) is not int or not 1 <= chain_id < 2**256:
        problems.append(FieldProblem("chain_id", "not a chain id (a positive integer)"))
    registry = document.get("registry")
    if not isinstance(registry, str) or not is_address(registry) or registry != checksum(registry):
        problems.append(FieldProblem("registry", "not a registry address in its checksum form (EIP-55)"))
    proof: DisclosureProof | None = None
    try:
        proof = DisclosureProof.from_json({k: v for k, v in document.items() if k not in HEADER_MEMBERS})
    except InvalidDisclosure as exc:
        problems.extend(exc.problems)
    if problems or proof is None or gpid is None:
        raise InvalidDisclosure(problems)
    return Disclosure(gpid, int(version), int(chain_id), str(registry), proof)  # type: ignore[arg-type]


def _gpid(text: Any, problems: list[FieldProblem]) -> GPID | None:
    if not isinstance(text, str):
        problems.append(FieldProblem("gpid", "missing or not a GPID as printed"))
        return None
    try:
        gpid = GPID.parse(text)
    except InvalidGPID as exc:
        problems.append(FieldProblem("gpid", str(exc)))
        return None
    if str(gpid) != text:
        problems.append(FieldProblem("gpid", f"not written as printed: {gpid}"))
        return None
    return gpid


def _parse_text(text: str) -> Any:
    """The JSON value of a document given as text: its JSON form, or its QR form."""
    stripped = text.strip()
    try:
        if stripped.startswith(QR_PREFIX):
            return unpack_qr_text(stripped)
        return strict_json(stripped)
    except (ValueError, RecursionError) as exc:
        raise InvalidDisclosure([FieldProblem("", f"neither the JSON of a {FORMAT} document nor the {QR_PREFIX} text of its QR code")]) from exc


def unpack_qr_text(text: str) -> Any:
    """The document (its JSON value) a QR text holds; InvalidDisclosure when it is not base45 of a
    raw-deflate stream of JSON followed by exactly the 32-byte hashes its ``""`` slots ask for."""
    if len(text) > MAX_QR_TEXT:
        raise InvalidDisclosure([FieldProblem("", f"the QR text is {len(text)} characters, more than any QR code holds")])
    try:
        packed = base45_decode(text[len(QR_PREFIX) :])
        inflater = zlib.decompressobj(-15)
        skeleton = inflater.decompress(packed, MAX_INFLATED_BYTES)
        if inflater.unconsumed_tail or not inflater.eof:
            raise ValueError("not one complete raw-deflate stream within 256 KiB")
    except (ValueError, zlib.error) as exc:
        raise InvalidDisclosure([FieldProblem("", f"the {QR_PREFIX} text is not base45 of a deflated document: {exc}")]) from exc
    try:
        document = strict_json(skeleton)
    except (ValueError, RecursionError) as exc:
        raise InvalidDisclosure([FieldProblem("", f"the {QR_PREFIX} text does not hold a JSON document")]) from exc
    hashes = inflater.unused_data
    slots = [slot for group in _hash_slots(document) for slot in group]
    if len(hashes) != merkle.HASH_BYTES * len(slots):
        raise InvalidDisclosure([FieldProblem("", f"the {QR_PREFIX} text carries {len(hashes)} bytes of hashes for "
                                                  f"{len(slots)} slots of 32 bytes")])  # fmt: skip
    for number, (container, key) in enumerate(slots):
        if container[key] != "":
            raise InvalidDisclosure([FieldProblem("", f'the {QR_PREFIX} text writes a hash in its JSON: a slot is ""')])
        container[key] = disclosure_proof.b64(hashes[number * merkle.HASH_BYTES : (number + 1) * merkle.HASH_BYTES])
    return document


def _hash_slots(document: Any) -> list[list[tuple[Any, Any]]]:
    """Where a document's hashes are, in the order of its members (the QR form's hash order):
    ``salts``, ``column_seeds`` and ``roots`` values, each section's ``siblings``, ``buyer_commitment``."""
    if not isinstance(document, dict):
        return []
    found: list[list[tuple[Any, Any]]] = []
    for name, value in document.items():
        if name in ("salts", "column_seeds", "roots") and isinstance(value, dict):
            found.append([(value, key) for key in value])
        elif name == "proofs" and isinstance(value, dict):
            for section in value.values():
                if isinstance(section, dict) and isinstance(section.get("siblings"), list):
                    found.append([(section["siblings"], i) for i in range(len(section["siblings"]))])
        elif name == "buyer_commitment":
            found.append([(document, name)])
    return found


def strict_json(text: str | bytes) -> Any:
    """JSON with no member named twice (a second ``fields`` must not silently win): ValueError otherwise."""

    def members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found = dict(pairs)
        if len(found) != len(pairs):
            raise ValueError("a member is named twice")
        return found

    return json.loads(text, object_pairs_hook=members)


def base45_encode(raw: bytes) -> str:
    """RFC 9285: each two bytes as three characters (least significant first), a last byte as two."""
    out: list[str] = []
    for start in range(0, len(raw) - 1, 2):
        n = raw[start] * 256 + raw[start + 1]
        out += (BASE45_ALPHABET[n % 45], BASE45_ALPHABET[n // 45 % 45], BASE45_ALPHABET[n // 2025])
    if len(raw) % 2:
        n = raw[-1]
        out += (BASE45_ALPHABET[n % 45], BASE45_ALPHABET[n // 45])
    return "".join(out)


def base45_decode(text: str) -> bytes:
    """RFC 9285 strictly: a character outside the alphabet, a dangling character or a group over
    its range raises ValueError."""
    if len(text) % 3 == 1:
        raise ValueError("a base45 text is never 1 more than a multiple of 3 characters long")
    try:
        values = [_BASE45_VALUE[c] for c in text]
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]!r} is not a base45 character") from exc
    out = bytearray()
    for start in range(0, len(values), 3):
        group = values[start : start + 3]
        if len(group) == 3:
            n = group[0] + group[1] * 45 + group[2] * 2025
            if n > 0xFFFF:
                raise ValueError("a base45 group over 65535")
            out += n.to_bytes(2, "big")
        else:
            n = group[0] + group[1] * 45
            if n > 0xFF:
                raise ValueError("a base45 pair over 255")
            out.append(n)
    return bytes(out)


def binding_problems(disclosure: Disclosure, chain_id: int, registry: str) -> list[FieldProblem]:
    """The document names another chain or registry than the verifier reads (then no digest is asked for)."""
    found: list[FieldProblem] = []
    if disclosure.chain_id != chain_id:
        found.append(FieldProblem("chain_id", f"the document is for chain {disclosure.chain_id}; checked on chain {chain_id}"))
    if disclosure.registry.lower() != registry.lower():
        found.append(FieldProblem("registry", f"the document is for registry {disclosure.registry}; checked against {registry}"))
    return found


def problems(disclosure: Disclosure, chain_id: int, registry: str, digest: bytes | None) -> list[FieldProblem]:
    """What keeps ``disclosure`` from proving its fields, given the chain and registry the verifier
    reads and the digest that registry holds for the document's version (None: it holds no such
    version). Empty when the fields are proven."""
    found = binding_problems(disclosure, chain_id, registry)
    if found:
        return found
    if digest is None:
        return [FieldProblem("version", f"the registry holds no version {disclosure.version} of {disclosure.gpid}")]
    try:
        disclosure_proof.verify(disclosure.proof, digest)
    except InvalidDisclosure as exc:
        return list(exc.problems)
    return []


def expanded(disclosure: Disclosure) -> dict[str, Any]:
    """The revealed fields as the gate officer reads them, in section then column then line order."""
    order = {name: i for i, name in enumerate(merkle.SECTION_NAMES)}
    paths = sorted(disclosure.proof.fields, key=lambda p: (order.get(merkle.section_of(p) or "", 9), merkle.line_of(p) or 0, p))
    return {path: disclosure.proof.fields[path] for path in paths}
