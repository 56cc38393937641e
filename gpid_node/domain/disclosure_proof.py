"""The proof a disclosure carries: revealed fields, their salts, multi-leaf Merkle proofs, the other
section roots; built from a key data set and its seed, checked against a version's digest alone.

Issue 20's ``gpid-disclosure/1`` document wraps this with the GPID, version, chain id and registry;
whoever checks it reads that version's digest from the chain and calls :func:`verify`. Hashes,
salts and seeds are written in unpadded base64url (43 characters against 66 for ``0x`` hex): the
document must fit a QR code on a driver's papers.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from gpid_node.domain import merkle
from gpid_node.domain.canonical import Commitments
from gpid_node.domain.errors import FieldProblem, InvalidDisclosure, ValidationFailed

ACCEPTED_PATTERNS = "a field path such as invoice.number, goods[0].hs_code, seller.address or goods[*].packages"


@dataclass(frozen=True)
class SectionProof:
    """The multi-leaf proof of one section: its leaf count, the tree positions of the revealed leaves
    (ascending, in the order of their paths), and the sibling hashes in :func:`merkle.climb` order."""

    count: int
    indices: tuple[int, ...]
    siblings: tuple[bytes, ...]


@dataclass(frozen=True)
class DisclosureProof:
    """Revealed ``fields`` ``{path: value}`` and everything needed to recompute the digest from them.

    ``salts`` holds the salt of each revealed leaf outside a complete column; ``column_seeds`` holds
    one seed per goods column revealed on every line (``goods[*].packages``), together with the
    list's ``goods.length``; ``proofs`` one :class:`SectionProof` per section with revealed fields;
    ``roots`` the commitment of every other section. In the JSON form a complete column's values
    are one list under the column's name (``"goods[*].packages": [2, 1, ...]``).
    """

    fields: dict[str, Any]
    salts: dict[str, bytes]
    column_seeds: dict[str, bytes]
    proofs: dict[str, SectionProof]
    roots: dict[str, bytes]
    buyer_commitment: bytes

    def as_json(self) -> dict[str, Any]:
        """The JSON form (members in a fixed order; hashes in unpadded base64url)."""
        columns: dict[str, dict[int, Any]] = {}
        for path, value in self.fields.items():
            if merkle.column_of(path) in self.column_seeds:
                columns.setdefault(merkle.column_of(path), {})[merkle.line_of(path) or 0] = value
        fields: dict[str, Any] = {}
        for path, value in self.fields.items():  # a complete column as one list: its paths once
            column = merkle.column_of(path)
            lines = columns.get(column)
            if lines is not None and sorted(lines) == list(range(len(lines))):
                if column not in fields:
                    fields[column] = [lines[line] for line in range(len(lines))]
            else:
                fields[path] = value
        return {
            "fields": fields,
            "salts": {path: b64(salt) for path, salt in self.salts.items()},
            "column_seeds": {column: b64(seed) for column, seed in self.column_seeds.items()},
            "proofs": {
                name: {"count": p.count, "indices": list(p.indices), "siblings": [b64(h) for h in p.siblings]}
                for name, p in self.proofs.items()
            },
            "roots": {name: b64(root) for name, root in self.roots.items()},
            "buyer_commitment": b64(self.buyer_commitment),
        }

    @classmethod
    def from_json(cls, document: Any) -> DisclosureProof:
        """Reads the JSON form strictly: every member wrong or unknown is one named problem."""
        return _Reader().read(document)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    """Decodes canonical unpadded base64url; anything else (padding, other alphabet, non-zero
    trailing bits that would decode to the same bytes) raises ValueError."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc
    if b64(raw) != text:
        raise ValueError("not canonical unpadded base64url")
    return raw


def select_paths(data: dict[str, Any], patterns: Sequence[str]) -> list[str]:
    """The leaf paths chosen by ``patterns`` (a field, an object such as ``seller.address``, or a
    column over every line such as ``goods[*].packages``, which also selects ``goods.length``)."""
    leaves = merkle.leaf_values(data)
    selected: set[str] = set()
    problems: list[FieldProblem] = []
    for number, pattern in enumerate(patterns):
        if not isinstance(pattern, str) or not merkle.is_field_path(pattern.replace("[*]", "[0]")):
            problems.append(FieldProblem(f"fields[{number}]", f"{pattern!r} is not a field path; accepted: {ACCEPTED_PATTERNS}"))
            continue
        if "[*]" in pattern:
            matches = {p for p in leaves if _under(merkle.column_of(p), pattern)}
            if matches:
                matches.add(pattern.split("[*]", 1)[0] + "." + merkle.LENGTH_MEMBER)
        else:
            matches = {p for p in leaves if _under(p, pattern)}
        if not matches:
            problems.append(FieldProblem(f"fields[{number}]", f"{pattern} names no field of this key data set; accepted: {ACCEPTED_PATTERNS}"))
        selected |= matches
    if problems:
        raise ValidationFailed(problems)
    return sorted(selected, key=lambda p: (merkle.SECTION_NAMES.index(merkle.section_of(p) or ""), merkle.sort_key(p)))


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "[")


def prove(data: dict[str, Any], seed: bytes, paths: Sequence[str]) -> DisclosureProof:
    """The proof revealing the leaves at ``paths`` (concrete leaf paths, see :func:`select_paths`).

    A column whose every line is revealed travels as one column seed, and the list's length is
    revealed with it (the verifier derives the salts from the seed and that length).
    """
    by_section = merkle.section_leaves(data, seed)
    leaves = {leaf.path: leaf for section in by_section.values() for leaf in section}
    unknown = [p for p in paths if p not in leaves]
    if unknown:
        raise ValueError(f"no leaf at {', '.join(unknown)}")
    revealed = set(paths)
    lengths = {p[: -len(merkle.LENGTH_MEMBER) - 1]: leaves[p].value for p in leaves if p.endswith("." + merkle.LENGTH_MEMBER)}
    column_seeds: dict[str, bytes] = {}
    for column in sorted({merkle.column_of(p) for p in revealed if merkle.list_of(p) is not None}):
        parent = column.split("[*]", 1)[0]
        lines = [column.replace("[*]", f"[{i}]", 1) for i in range(lengths[parent])]
        if all(line in revealed for line in lines):
            column_seeds[column] = merkle.column_seed(seed, column, lengths[parent])
            revealed.add(f"{parent}.{merkle.LENGTH_MEMBER}")
    salts = {p: leaves[p].salt for p in sorted(revealed) if merkle.column_of(p) not in column_seeds}
    proofs: dict[str, SectionProof] = {}
    roots: dict[str, bytes] = {}
    for name in merkle.SECTION_NAMES:
        section = by_section[name]
        indices = [i for i, leaf in enumerate(section) if leaf.path in revealed]
        levels = merkle.tree_levels([leaf.hash for leaf in section])
        if indices:
            proofs[name] = SectionProof(len(section), tuple(indices), tuple(merkle.multiproof(levels, indices)))
        else:
            roots[name] = merkle.section_root(len(section), levels[-1][0])
    fields = {leaf.path: leaf.value for name in merkle.SECTION_NAMES for leaf in by_section[name] if leaf.path in revealed}
    commitments = merkle.commitments_v2(data, seed)
    return DisclosureProof(fields, salts, column_seeds, proofs, roots, commitments.buyer_trader_key)


def verify(proof: DisclosureProof, digest: bytes) -> Commitments:
    """The commitments the proof opens, when their digest is ``digest`` (a version's digest read
    from the chain); otherwise InvalidDisclosure naming every problem found."""
    problems: list[FieldProblem] = []
    salts = _salts(proof, problems)
    sections: dict[str, bytes] = {}
    for name in merkle.SECTION_NAMES:
        paths = sorted((p for p in proof.fields if merkle.section_of(p) == name), key=merkle.sort_key)
        if not paths:
            if name in proof.proofs:
                problems.append(FieldProblem(f"proofs.{name}", "a proof for a section with no revealed field"))
            if name not in proof.roots:
                problems.append(FieldProblem(f"roots.{name}", "missing: the commitment of a section with no revealed field"))
            else:
                sections[name] = proof.roots[name]
            continue
        if name in proof.roots:
            problems.append(FieldProblem(f"roots.{name}", "given for a section whose root the revealed fields prove"))
        if name not in proof.proofs:
            problems.append(FieldProblem(f"proofs.{name}", f"missing: the proof of {', '.join(paths)}"))
            continue
        root = _section_root(name, proof.proofs[name], paths, proof.fields, salts, problems)
        if root is not None:
            sections[name] = root
    if problems:
        raise InvalidDisclosure(problems)
    commitments = Commitments(sections["identity"], sections["seller"], sections["buyer"], sections["goods"], proof.buyer_commitment)
    if commitments.digest != digest:
        raise InvalidDisclosure([FieldProblem(
            "fields",
            f"the revealed fields, salts and proofs give digest 0x{commitments.digest.hex()}, "
            f"not the version's digest 0x{digest.hex()}: tampered with, or for another GPID or version",
        )])
    return commitments


def _salts(proof: DisclosureProof, problems: list[FieldProblem]) -> dict[str, bytes]:
    """The salt of every revealed field, from ``salts`` or a column seed; problems for what is
    missing, left over, or opens lines the disclosure does not show."""
    found: dict[str, bytes] = {}
    lengths: dict[str, int] = {}
    for path, value in proof.fields.items():
        if path.endswith("." + merkle.LENGTH_MEMBER) and type(value) is int and value >= 0:
            lengths[path[: -len(merkle.LENGTH_MEMBER) - 1]] = value
    for column, seed in proof.column_seeds.items():
        parent = column.split("[*]", 1)[0]
        if parent not in lengths:
            problems.append(FieldProblem(f"column_seeds.{column}", f"needs {parent}.{merkle.LENGTH_MEMBER} among the fields"))
            continue
        if not 0 < lengths[parent] <= len(proof.fields):  # bounded before the loop: the document is anyone's
            problems.append(FieldProblem(f"column_seeds.{column}", f"opens {lengths[parent]} lines, not the lines among the fields"))
            continue
        for line in range(lengths[parent]):
            path = column.replace("[*]", f"[{line}]", 1)
            if path not in proof.fields:
                problems.append(FieldProblem(f"column_seeds.{column}", f"opens {path}, which is not among the fields"))
            else:
                found[path] = merkle.leaf_salt(seed, path)
    for path, salt in proof.salts.items():
        if path not in proof.fields:
            problems.append(FieldProblem(f"salts.{path}", "a salt for a field that is not revealed"))
        elif path in found:
            problems.append(FieldProblem(f"salts.{path}", "given twice: its column seed opens it"))
        else:
            found[path] = salt
    for path in proof.fields:
        if path not in found:
            problems.append(FieldProblem(f"fields.{path}", "no salt: give it in salts or its column's seed in column_seeds"))
    return found


def _section_root(
    name: str, proof: SectionProof, paths: list[str], fields: dict[str, Any], salts: dict[str, bytes], problems: list[FieldProblem]
) -> bytes | None:
    where = f"proofs.{name}"
    if len(proof.indices) != len(paths):
        problems.append(FieldProblem(f"{where}.indices", f"{len(proof.indices)} positions for {len(paths)} revealed fields"))
        return None
    if any(b <= a for a, b in zip(proof.indices, proof.indices[1:], strict=False)) or not 0 <= proof.indices[-1] < proof.count:
        problems.append(FieldProblem(f"{where}.indices", f"not ascending positions below the leaf count {proof.count}"))
        return None
    known: dict[int, bytes] = {}
    for index, path in zip(proof.indices, paths, strict=False):
        if path not in salts:
            return None
        try:
            known[index] = merkle.leaf_hash(salts[path], path, fields[path])
        except (ValueError, TypeError) as exc:
            problems.append(FieldProblem(f"fields.{path}", f"has no canonical JSON form: {exc}"))
            return None
    siblings: Iterator[bytes] = iter(proof.siblings)

    def sibling(level: int, index: int) -> bytes:
        taken = next(siblings, None)
        if taken is None:
            raise LookupError
        return taken

    try:
        tree_root = merkle.climb(proof.count, known, sibling)
    except LookupError:
        problems.append(FieldProblem(f"{where}.siblings", "too few sibling hashes for these positions"))
        return None
    if next(siblings, None) is not None:
        problems.append(FieldProblem(f"{where}.siblings", "more sibling hashes than these positions use"))
        return None
    return merkle.section_root(proof.count, tree_root)


class _Reader:
    """Reads a DisclosureProof's JSON form, collecting every problem before refusing."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def read(self, document: Any) -> DisclosureProof:
        members = ("fields", "salts", "column_seeds", "proofs", "roots", "buyer_commitment")
        if not isinstance(document, dict):
            raise InvalidDisclosure([FieldProblem("", "a disclosure proof is a JSON object")])
        for name in document:
            if name not in members:
                self.problems.append(FieldProblem(str(name), f"unknown member; accepted: {', '.join(members)}"))
        fields: dict[str, Any] = {}
        for path, value in self._object(document, "fields").items():
            if "[*]" not in path:
                expanded = [(path, value)]
            elif not isinstance(value, list) or not value:
                self.problems.append(FieldProblem(f"fields.{path}", "a column's values are a list, one per line"))
                continue
            else:
                expanded = [(path.replace("[*]", f"[{line}]", 1), item) for line, item in enumerate(value)]
            for one, item in expanded:
                if one in fields:
                    self.problems.append(FieldProblem(f"fields.{one}", "given twice: as a path and in its column's list"))
                fields[one] = item
        for path in fields:
            if not merkle.is_field_path(path) or merkle.section_of(path) is None:
                self.problems.append(FieldProblem(f"fields.{path}", "not the path of a key data set field"))
        salts = {p: self._hash(f"salts.{p}", v) for p, v in self._object(document, "salts").items()}
        seeds: dict[str, bytes] = {}
        for column, value in self._object(document, "column_seeds").items():
            if "[*]" not in column or not merkle.is_field_path(column.replace("[*]", "[0]", 1)):
                self.problems.append(FieldProblem(f"column_seeds.{column}", "not a column such as goods[*].packages"))
            seeds[column] = self._hash(f"column_seeds.{column}", value)
        proofs = {n: self._section(f"proofs.{n}", v) for n, v in self._object(document, "proofs").items() if self._section_name("proofs", n)}
        roots = {n: self._hash(f"roots.{n}", v) for n, v in self._object(document, "roots").items() if self._section_name("roots", n)}
        buyer = self._hash("buyer_commitment", document.get("buyer_commitment"))
        if self.problems:
            raise InvalidDisclosure(self.problems)
        return DisclosureProof(fields, salts, seeds, proofs, roots, buyer)

    def _object(self, document: dict[str, Any], name: str) -> dict[str, Any]:
        value = document.get(name)
        if not isinstance(value, dict):
            self.problems.append(FieldProblem(name, "missing or not a JSON object"))
            return {}
        return value

    def _section_name(self, where: str, name: str) -> bool:
        if name in merkle.SECTION_NAMES:
            return True
        self.problems.append(FieldProblem(f"{where}.{name}", f"not a section; accepted: {', '.join(merkle.SECTION_NAMES)}"))
        return False

    def _hash(self, where: str, value: Any) -> bytes:
        try:
            raw = _unb64(value) if isinstance(value, str) else b""
        except ValueError as exc:
            self.problems.append(FieldProblem(where, f"{exc}; accepted: 32 bytes in unpadded base64url"))
            return b""
        if len(raw) != merkle.HASH_BYTES:
            self.problems.append(FieldProblem(where, "not 32 bytes in unpadded base64url"))
        return raw

    def _section(self, where: str, value: Any) -> SectionProof:
        if not isinstance(value, dict) or set(value) != {"count", "indices", "siblings"}:
            self.problems.append(FieldProblem(where, "accepted: an object with count, indices and siblings"))
            return SectionProof(0, (), ())
        count, indices, siblings = value["count"], value["indices"], value["siblings"]
        if type(count) is not int or not 1 <= count < 2**32:
            self.problems.append(FieldProblem(f"{where}.count", "not a leaf count from 1 to 2^32 - 1"))
        if not isinstance(indices, list) or not indices or any(type(i) is not int or i < 0 for i in indices):
            self.problems.append(FieldProblem(f"{where}.indices", "not a non-empty list of leaf positions"))
            indices = []
        if not isinstance(siblings, list):
            self.problems.append(FieldProblem(f"{where}.siblings", "not a list of hashes"))
            siblings = []
        return SectionProof(
            count if type(count) is int else 0,
            tuple(indices),
            tuple(self._hash(f"{where}.siblings[{i}]", h) for i, h in enumerate(siblings)),
        )
