"""The proof bundle (``gpid-proof-bundle/1``): one version of a key data set with everything an
auditor needs to prove it against the chain offline, trusting nothing but one block hash.

A bundle holds the data, its opening (format 2: the GPID's seed; format 1: its salt), the section
commitments and the version's digest, the registry's storage slots of that digest and of the GPID's
record, ``eth_getProof`` of both slots at one block (account proof and storage proofs, as the
JSON-RPC gives them) and the header of that block (the fields its hash covers). :func:`check` then
proves, without a node and without a network:

1. the header hashes to the block hash the auditor trusts (:mod:`.block_header`);
2. the account proof leads from the header's ``stateRoot`` to the registry's account (key
   ``keccak256(address)``), whose ``storageRoot`` it yields;
3. the storage proofs lead from that root (keys ``keccak256(slot)``) to the stored digest and to the
   GPID's record word (its current version at that block, its format);
4. the commitments hash to that digest, and the data with its opening recompute each commitment;
5. the GPID is the one the registry derives from this invoice's seller and number on this chain.

Every failure is named (``problems``, each with the member it concerns) and every member of the
bundle is checked, so that no byte of it can change unnoticed. docs/protocol.md ("Proof bundle")
states the format; the Merkle-Patricia proofs are read with the ``trie`` and ``rlp`` packages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import rlp
from trie import HexaryTrie

from gpid_node.domain import canonical, merkle
from gpid_node.domain.addresses import checksum
from gpid_node.domain.block_header import HeaderError, hashed_fields, header_hash
from gpid_node.domain.errors import FieldProblem, InvalidGPID
from gpid_node.domain.gpid import GPID
from gpid_node.domain.registry_storage import RecordWord, record_slot, slot_text, version_digest_slot

FORMAT = "gpid-proof-bundle/1"
MEMBERS = ("format", "chain_id", "registry", "gpid", "version", "payload_format", "data", "opening",
           "commitments", "digest", "storage", "block", "proof")  # fmt: skip
COMMITMENT_MEMBERS = ("identity", "seller", "buyer", "goods", "buyer_trader_key")
PROOF_MEMBERS = ("address", "accountProof", "balance", "codeHash", "nonce", "storageHash", "storageProof")
OPENING_OF_FORMAT = {1: "salt", 2: "seed"}

_HASH = re.compile(r"0x[0-9a-f]{64}")
_DATA = re.compile(r"0x(?:[0-9a-f]{2})+")
_QUANTITY = re.compile(r"0x(?:0|[1-9a-f][0-9a-f]*)")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


# ---------------------------------------------------------------------- making a bundle


def assemble(*, chain_id: int, registry: str, gpid: GPID, version: int, payload_format: int, data: dict[str, Any],
             opening: bytes, block: dict[str, Any], proof: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    """A bundle from the index's data and opening and the chain's ``eth_getBlockByNumber`` and
    ``eth_getProof`` answers (``registry`` checksummed, the proof over the digest slot then the
    record slot). Pure: the caller checks the result with :func:`check` before handing it out."""
    commitments = _commitments_of(payload_format, data, opening)
    header = hashed_fields(block)
    return {
        "format": FORMAT,
        "chain_id": chain_id,
        "registry": registry,
        "gpid": str(gpid),
        "version": version,
        "payload_format": payload_format,
        "data": data,
        "opening": {OPENING_OF_FORMAT[payload_format]: "0x" + opening.hex()},
        "commitments": {name: "0x" + value.hex() for name, value in zip(COMMITMENT_MEMBERS, commitments.as_tuple(), strict=True)},
        "digest": "0x" + commitments.digest.hex(),
        "storage": {"version_digest_slot": slot_text(version_digest_slot(gpid, version)), "record_slot": slot_text(record_slot(gpid))},
        "block": {"number": int(header["number"], 16), "hash": "0x" + header_hash(header).hex(), "header": header},
        "proof": {name: proof[name] for name in PROOF_MEMBERS},
    }


def _commitments_of(payload_format: int, data: dict[str, Any], opening: bytes) -> canonical.Commitments:
    if payload_format == 2:
        return merkle.commitments_v2(data, opening)
    return canonical.commitments(data, opening)


# ---------------------------------------------------------------------- the verdict


@dataclass
class Verdict:
    """What :func:`check` concluded: ``valid`` when no problem was found."""

    gpid: str | None = None
    version: int | None = None
    block_number: int | None = None
    block_hash: str | None = None
    current_version: int | None = None  # the registry's version at that block, from its record
    problems: list[FieldProblem] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # what was proven, in order

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def superseded(self) -> bool | None:
        """Whether a later version existed at the proven block (None when the record was not proven)."""
        if self.current_version is None or self.version is None:
            return None
        return self.current_version > self.version

    def as_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid, "gpid": self.gpid, "version": self.version, "block": self.block_number,
            "block_hash": self.block_hash, "current_version_at_block": self.current_version,
            "superseded": self.superseded, "checked": self.checked,
            "problems": [p.as_dict() for p in self.problems],
        }  # fmt: skip

    def refuse(self, path: str, message: str) -> None:
        self.problems.append(FieldProblem(path, message))


class _Malformed(ValueError):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


# ---------------------------------------------------------------------- checking a bundle


def trusted_hash(text: str) -> bytes:
    """The block hash an auditor gives (``0x`` and 64 hex digits, either case); ValueError otherwise."""
    cleaned = text.strip().lower()
    if _HASH.fullmatch(cleaned) is None:
        raise ValueError(f"{text!r} is not a block hash: give 0x and 64 hex digits")
    return bytes.fromhex(cleaned[2:])


def check(bundle: Any, trusted_block_hash: bytes) -> Verdict:
    """Proves the bundle against ``trusted_block_hash`` (32 bytes): every problem found, named."""
    verdict = Verdict(block_hash="0x" + trusted_block_hash.hex())
    try:
        shape = _Shape.of(bundle)
    except _Malformed as exc:
        verdict.refuse(exc.path, exc.message)
        return verdict
    verdict.gpid, verdict.version = str(shape.gpid), shape.version
    verdict.block_number = shape.block_number
    state_root = _check_header(shape, trusted_block_hash, verdict)
    storage_root = _check_account(shape, state_root, verdict)
    _check_storage(shape, storage_root, verdict)
    _check_commitments(shape, verdict)
    _check_gpid(shape, verdict)
    return verdict


@dataclass(frozen=True)
class _Shape:
    """A bundle whose members are all present, of the right types and in canonical text."""

    bundle: dict[str, Any]
    gpid: GPID
    version: int
    payload_format: int
    opening: bytes
    commitments: canonical.Commitments
    digest: bytes
    block_number: int
    header: dict[str, Any]
    proof: dict[str, Any]

    @classmethod
    def of(cls, bundle: Any) -> _Shape:
        b = _object(bundle, "", MEMBERS)
        if b["format"] != FORMAT:
            raise _Malformed("format", f"{b['format']!r} is not {FORMAT!r}")
        gpid = _gpid(b["gpid"])
        version = _integer(b["version"], "version", 1)
        _integer(b["chain_id"], "chain_id", 1)
        if not isinstance(b["registry"], str) or _ADDRESS.fullmatch(b["registry"]) is None or checksum(b["registry"]) != b["registry"]:
            raise _Malformed("registry", "not an address in its EIP-55 checksummed form")
        payload_format = _integer(b["payload_format"], "payload_format", 1)
        if payload_format not in OPENING_OF_FORMAT:
            raise _Malformed("payload_format", f"{payload_format} is neither 1 (plain) nor 2 (encrypted)")
        if not isinstance(b["data"], dict):
            raise _Malformed("data", "not a JSON object (the key data set)")
        name = OPENING_OF_FORMAT[payload_format]
        opening = _hash(_object(b["opening"], "opening", (name,))[name], f"opening.{name}")
        members = _object(b["commitments"], "commitments", COMMITMENT_MEMBERS)
        commitments = canonical.Commitments(*(_hash(members[n], f"commitments.{n}") for n in COMMITMENT_MEMBERS))
        digest = _hash(b["digest"], "digest")
        storage = _object(b["storage"], "storage", ("version_digest_slot", "record_slot"))
        for slot_name in storage:
            _hash(storage[slot_name], f"storage.{slot_name}")
        block = _object(b["block"], "block", ("number", "hash", "header"))
        number = _integer(block["number"], "block.number", 0)
        _hash(block["hash"], "block.hash")
        if not isinstance(block["header"], dict):
            raise _Malformed("block.header", "not a JSON object (the header's fields)")
        proof = _object(b["proof"], "proof", PROOF_MEMBERS)
        _nodes(proof["accountProof"], "proof.accountProof")
        for member in ("balance", "nonce"):
            _quantity(proof[member], f"proof.{member}")
        for member in ("codeHash", "storageHash"):
            _hash(proof[member], f"proof.{member}")
        entries = proof["storageProof"]
        if not isinstance(entries, list) or len(entries) != 2:
            raise _Malformed("proof.storageProof", "not a list of two storage proofs (the digest's slot, the record's slot)")
        for index, entry in enumerate(entries):
            path = f"proof.storageProof[{index}]"
            item = _object(entry, path, ("key", "value", "proof"))
            _hash(item["key"], f"{path}.key")
            _quantity(item["value"], f"{path}.value")
            _nodes(item["proof"], f"{path}.proof")
        return cls(b, gpid, version, payload_format, opening, commitments, digest, number, block["header"], proof)


def _check_header(shape: _Shape, trusted: bytes, verdict: Verdict) -> bytes | None:
    """The header's stateRoot, once its fields are readable (None when they are not)."""
    header = shape.header
    try:
        computed = header_hash(header)
    except HeaderError as exc:
        verdict.refuse("block.header", str(exc))
        return None
    if computed != trusted:
        verdict.refuse("block.header", f"the header does not hash to the trusted block hash 0x{trusted.hex()} "
                                       f"(it hashes to 0x{computed.hex()}): it is not that block's header")  # fmt: skip
    else:
        verdict.checked.append(f"the header of block {shape.block_number} hashes to the trusted block hash")
    if shape.bundle["block"]["hash"] != "0x" + computed.hex():
        verdict.refuse("block.hash", "the bundle's block hash is not the hash of its header")
    if int(header["number"], 16) != shape.block_number:
        verdict.refuse("block.number", "the bundle's block number is not its header's")
    return bytes.fromhex(header["stateRoot"][2:])


def _proven_value(root: bytes, key: bytes, nodes: list[str]) -> bytes:
    """The value a Merkle-Patricia proof leads to from ``root`` for ``key``; ValueError when the proof
    does not lead anywhere from that root (b"" when it proves the key absent)."""
    try:
        return bytes(HexaryTrie.get_from_proof(root, key, [rlp.decode(bytes.fromhex(node[2:])) for node in nodes]))
    except Exception as exc:  # trie and rlp raise their own classes for each kind of malformed node
        raise ValueError(f"{type(exc).__name__}: {exc}") from None


def _check_account(shape: _Shape, state_root: bytes | None, verdict: Verdict) -> bytes | None:
    """The registry's storageRoot the account proof leads to from ``state_root``, or None."""
    proof, registry = shape.proof, shape.bundle["registry"]
    if proof["address"] != registry.lower():
        verdict.refuse("proof.address", f"the proof is of account {proof['address']}, not of the registry {registry.lower()}")
        return None
    if state_root is None:
        return None
    address = bytes.fromhex(registry[2:])
    try:
        leaf = _proven_value(state_root, canonical.keccak(address), proof["accountProof"])
        if not leaf:
            raise ValueError("it proves the account absent")
        nonce, balance, storage_root, code_hash = (bytes(item) for item in rlp.decode(leaf))
    except ValueError as exc:
        verdict.refuse("proof.accountProof", f"the account proof does not lead from the header's state root to the registry's account: {exc}")
        return None
    stated = {"nonce": _int_text(nonce), "balance": _int_text(balance), "storageHash": "0x" + storage_root.hex(),
              "codeHash": "0x" + code_hash.hex()}  # fmt: skip
    for member, value in stated.items():
        if proof[member] != value:
            verdict.refuse(f"proof.{member}", f"the proof states {proof[member]}, the proven account holds {value}")
    verdict.checked.append(f"the account proof leads from the state root to the registry {registry}")
    return storage_root


def _int_text(raw: bytes) -> str:
    return hex(int.from_bytes(raw, "big"))


def _check_storage(shape: _Shape, storage_root: bytes | None, verdict: Verdict) -> None:
    slots = {"version_digest_slot": version_digest_slot(shape.gpid, shape.version), "record_slot": record_slot(shape.gpid)}
    for index, (name, slot) in enumerate(slots.items()):
        if shape.bundle["storage"][name] != slot_text(slot):
            verdict.refuse(f"storage.{name}", f"not the slot of {shape.gpid} (version {shape.version}) in the registry's storage: "
                                              f"that is {slot_text(slot)}")  # fmt: skip
        entry = shape.proof["storageProof"][index]
        if entry["key"] != slot_text(slot):
            verdict.refuse(f"proof.storageProof[{index}].key", f"the storage proof is for another slot than {name} ({slot_text(slot)})")
            continue
        if storage_root is None:
            continue
        try:
            raw = _proven_value(storage_root, canonical.keccak(slot.to_bytes(32, "big")), entry["proof"])
            value = int.from_bytes(bytes(rlp.decode(raw)), "big") if raw else 0
        except ValueError as exc:
            verdict.refuse(f"proof.storageProof[{index}].proof", f"the storage proof does not lead from the account's storage root to {name}: {exc}")
            continue
        if entry["value"] != hex(value):
            verdict.refuse(f"proof.storageProof[{index}].value", f"the proof states {entry['value']}, the proven slot holds {hex(value)}")
        if name == "version_digest_slot":
            if value != int.from_bytes(shape.digest, "big"):
                verdict.refuse("digest", "the storage proof does not lead to the stored digest: the registry holds "
                                         f"0x{value.to_bytes(32, 'big').hex()} for version {shape.version} at this block")  # fmt: skip
            else:
                verdict.checked.append(f"the registry holds the digest for version {shape.version} at block {shape.block_number}")
        else:
            _check_record(shape, RecordWord.of(value), verdict)


def _check_record(shape: _Shape, record: RecordWord, verdict: Verdict) -> None:
    if record.version < shape.version:
        verdict.refuse("version", f"the registry's record of {shape.gpid} has {record.version} version(s) at this block, not {shape.version}")
        return
    if record.format != shape.payload_format:
        verdict.refuse("payload_format", f"the registry's record says payload format {record.format}, not {shape.payload_format}")
    verdict.current_version = record.version
    verdict.checked.append(f"the registry's record of {shape.gpid} holds version {record.version} as current at this block")


def _check_commitments(shape: _Shape, verdict: Verdict) -> None:
    if shape.commitments.digest != shape.digest:
        verdict.refuse("commitments", "the section commitments do not hash to the version's digest")
    try:
        recomputed = _commitments_of(shape.payload_format, shape.bundle["data"], shape.opening)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        verdict.refuse("data", f"the data does not recompute the digest: it is not a key data set ({type(exc).__name__}: {exc})")
        return
    differing = [name for name, ours, theirs in zip(COMMITMENT_MEMBERS, recomputed.as_tuple(), shape.commitments.as_tuple(), strict=True)
                 if ours != theirs]  # fmt: skip
    for name in differing:
        what = "the buyer's trader key commitment" if name == "buyer_trader_key" else f"section {name}"
        verdict.refuse(f"data.{name}" if name in merkle.SECTION_NAMES else "data.buyer.trader_id",
                       f"the data does not recompute the digest: {what} differs")  # fmt: skip
    if not differing and recomputed.digest == shape.digest:
        name = OPENING_OF_FORMAT[shape.payload_format]
        verdict.checked.append(f"the data with its {name} recomputes the digest (payload format {shape.payload_format})")


def _check_gpid(shape: _Shape, verdict: Verdict) -> None:
    b = shape.bundle
    try:
        seller = canonical.trader_key(canonical.trader_id_text(b["data"]["seller"]["trader_id"]))
        number = canonical.normal_identifier(b["data"]["invoice"]["number"])
    except (KeyError, TypeError, AttributeError):
        return  # the data was refused above
    # A registry before invoice keys derived the GPID from the invoice number itself; since, from the
    # seller's keyed invoice key (docs/protocol.md, "Invoice key"), which only the seller's node can
    # recompute: the number is then bound to the GPID by the identity commitment in the digest the
    # registry stores under it (checked above), not by the GPID.
    if canonical.gpid_of(b["chain_id"], b["registry"], canonical.legacy_registry_key(seller, number)) == shape.gpid:
        verdict.checked.append(f"{shape.gpid} is the GPID of invoice {number} of its seller on chain {b['chain_id']}")
    else:
        verdict.checked.append(f"{shape.gpid} is keyed by its seller's invoice key: invoice {number} is bound to it by the "
                               "identity commitment of the digest stored under it")  # fmt: skip


# ---------------------------------------------------------------------- shapes of members


def _object(value: Any, path: str, members: tuple[str, ...]) -> dict[str, Any]:
    where = path or "the bundle"
    if not isinstance(value, dict):
        raise _Malformed(path, f"{where} is not a JSON object")
    missing = [m for m in members if m not in value]
    extra = sorted(m for m in value if m not in members)
    if missing:
        raise _Malformed(path, f"{where} lacks {', '.join(missing)}")
    if extra:
        raise _Malformed(path, f"{where} has members a {FORMAT} bundle does not have: {', '.join(extra)}")
    return value


def _integer(value: Any, path: str, least: int) -> int:
    if type(value) is not int or value < least:
        raise _Malformed(path, f"not an integer of at least {least}")
    return value


def _hash(value: Any, path: str) -> bytes:
    if not isinstance(value, str) or _HASH.fullmatch(value) is None:
        raise _Malformed(path, "not 0x and 64 lower-case hex digits")
    return bytes.fromhex(value[2:])


def _quantity(value: Any, path: str) -> None:
    if not isinstance(value, str) or _QUANTITY.fullmatch(value) is None:
        raise _Malformed(path, "not a quantity in lower-case 0x-hex without leading zeros")


def _nodes(value: Any, path: str) -> None:
    if not isinstance(value, list) or not value:
        raise _Malformed(path, "not a list of proof nodes")
    for index, node in enumerate(value):
        if not isinstance(node, str) or _DATA.fullmatch(node) is None:
            raise _Malformed(f"{path}[{index}]", "not a proof node in lower-case 0x-hex")


def _gpid(text: Any) -> GPID:
    if not isinstance(text, str):
        raise _Malformed("gpid", "not a GPID text")
    try:
        gpid = GPID.parse(text)
    except InvalidGPID as exc:
        raise _Malformed("gpid", exc.message) from None
    if str(gpid) != text:
        raise _Malformed("gpid", f"not written as printed: {gpid}")
    return gpid

