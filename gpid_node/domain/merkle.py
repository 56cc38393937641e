"""Format-2 commitments: salted per-field leaves, one Merkle tree per section, multi-leaf proofs.

Each section commitment of format 2 is the root of a binary Keccak tree over one leaf per scalar
field, so a holder of the data can later reveal chosen fields (a *disclosure*) that anyone checks
against the digest on chain, without learning the rest. The salts come from one secret 32-byte
``seed`` per GPID that travels only inside the ciphertext; docs/protocol.md ("Format 2") states every
formula and ``contracts/test/vectors.json`` (member ``format2``) pins them.

Two choices differ from the first draft of the lead's note, for the size of a disclosure (issue 20:
packages and net mass of ten goods lines in well under 2,000 bytes of JSON):

- leaves are ordered by their *column* first (the path with list indices written ``[*]``) and by
  line number second, so the packages of every line sit side by side and a disclosure of a whole
  column needs a handful of sibling hashes instead of one path per line;
- the salt of a goods-line field is derived through a *column seed* bound to the number of lines,
  so a disclosure of a whole column carries one 32-byte seed instead of one salt per line;
- a section's commitment binds its leaf count (:func:`section_root`), which a proof carries.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sha3 import keccak_256 as _keccak_256  # safe-pysha3 in C, what eth-hash's backend calls, without its wrapper

from gpid_node.domain.canonical import Commitments, canonical_json, keccak, trader_id_text, trader_key

SEED_BYTES = 32
HASH_BYTES = 32
LEAF_SALT_TAG = b"GPID/leaf-salt/v2"
COLUMN_SEED_TAG = b"GPID/column-seed/v2"
BUYER_SALT_TAG = b"GPID/buyer-salt/v2"
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
ROOT_PREFIX = b"\x02"
SECTION_NAMES = ("identity", "seller", "buyer", "goods")
LENGTH_MEMBER = "length"

_NAME = r"[a-z_][a-z0-9_]*"
_INDEX = r"\[(?:0|[1-9][0-9]{0,5})\]"
_PATH = re.compile(rf"{_NAME}(?:{_INDEX})?(?:\.{_NAME}(?:{_INDEX})?)*")
_MEMBER_NAME = re.compile(_NAME)
_INDEX_IN_PATH = re.compile(r"\[([0-9]+)\]")


def is_field_path(path: str) -> bool:
    """Whether ``path`` is written in the field-path syntax of the API (``goods[0].hs_code``)."""
    return _PATH.fullmatch(path) is not None


def column_of(path: str) -> str:
    """The path with its list index written ``[*]``: ``goods[3].packages`` → ``goods[*].packages``."""
    return _INDEX_IN_PATH.sub("[*]", path)


def line_of(path: str) -> int | None:
    """The list index a path names (``goods[3].packages`` → 3), None for a path outside a list."""
    found = _INDEX_IN_PATH.search(path)
    return int(found.group(1)) if found else None


def list_of(path: str) -> str | None:
    """The path of the list a path's line belongs to (``goods[3].packages`` → ``goods``)."""
    found = _INDEX_IN_PATH.search(path)
    return path[: found.start()] if found else None


@lru_cache(maxsize=65536)  # a node meets the same few hundred paths again and again
def section_of(path: str) -> str | None:
    """The section a leaf path belongs to (the four sections of canonical.sections), None if none."""
    head = re.split(r"[.\[]", path, maxsplit=1)[0]
    if head in ("schema_version", "invoice"):
        return "identity"
    if head == "seller":
        return "identity" if path == "seller.trader_id" or path.startswith("seller.trader_id.") else "seller"
    if head in ("buyer", "goods"):
        return head
    return None


@lru_cache(maxsize=65536)
def sort_key(path: str) -> tuple[bytes, int]:
    """Leaf order inside a section: column in UTF-8 byte order, then line number (``-1`` outside lists)."""
    line = line_of(path)
    return column_of(path).encode("utf-8"), -1 if line is None else line


def leaf_values(data: dict[str, Any]) -> dict[str, Any]:
    """Every leaf of a normalised key data set: ``{path: value}``, one per scalar field, plus one
    ``<list>.length`` per list (its number of lines), and an empty object or list as a value.

    Refuses (ValueError) what has no unambiguous path: member names outside ``[a-z_][a-z0-9_]*``,
    lists inside lists, members that belong to no section.
    """
    leaves = _flatten(data)
    for path in leaves:
        if section_of(path) is None:
            raise ValueError(f"{path}: the field belongs to no section")
    return leaves


def _flatten(data: dict[str, Any]) -> dict[str, Any]:
    """:func:`leaf_values` without the check of sections (:func:`_layout` makes it once per shape)."""
    leaves: dict[str, Any] = {}
    for name in data:
        if not isinstance(name, str) or not _is_member_name(name):
            raise ValueError(f"member name {name!r} is not a field name")
    stack: list[tuple[str, Any, bool]] = [(name, value, False) for name, value in data.items()]
    while stack:
        path, value, in_list = stack.pop()
        if isinstance(value, dict) and value:
            for name, child in value.items():
                if not isinstance(name, str) or not _is_member_name(name):
                    raise ValueError(f"{path}: member name {name!r} is not a field name")
                stack.append((f"{path}.{name}", child, in_list))
        elif isinstance(value, list):
            if in_list:
                raise ValueError(f"{path}: a list inside a list has no field path")
            leaves[f"{path}.{LENGTH_MEMBER}"] = len(value)
            stack.extend((f"{path}[{index}]", child, True) for index, child in enumerate(value))
        else:
            leaves[path] = value
    return leaves


def leaf_salt(salt_key: bytes, path: str) -> bytes:
    """``keccak256("GPID/leaf-salt/v2" || key || utf8(path))``: key is the seed, or a column seed."""
    return keccak(LEAF_SALT_TAG + salt_key + path.encode("utf-8"))


def column_seed(seed: bytes, column: str, lines: int) -> bytes:
    """``keccak256("GPID/column-seed/v2" || seed || utf8(column) || uint32(lines))``.

    Opens the salts of one column of a list of exactly ``lines`` lines and nothing else: a
    disclosure of ``goods[*].packages`` carries it instead of one salt per line.
    """
    return keccak(COLUMN_SEED_TAG + seed + column.encode("utf-8") + lines.to_bytes(4, "big"))


def salt_of(seed: bytes, path: str, list_lengths: dict[str, int]) -> bytes:
    """The salt of the leaf at ``path``; ``list_lengths`` gives each list's number of lines."""
    parent = list_of(path)
    if parent is None:
        return leaf_salt(seed, path)
    return leaf_salt(column_seed(seed, column_of(path), list_lengths[parent]), path)


def buyer_salt(seed: bytes) -> bytes:
    """``keccak256("GPID/buyer-salt/v2" || seed)``: the opening of the salted buyer commitment."""
    return keccak(BUYER_SALT_TAG + seed)


def buyer_commitment(salt: bytes, buyer_trader_key: bytes) -> bytes:
    """``keccak256(abi.encode(bytes32 buyerSalt, bytes32 buyerTraderKey))``, the fifth member."""
    return keccak(salt + buyer_trader_key)


def leaf_hash(salt: bytes, path: str, value: Any) -> bytes:
    """``keccak256(0x00 || salt || keccak256(utf8(path)) || keccak256(canonical(value)))``."""
    return keccak(LEAF_PREFIX + salt + keccak(path.encode("utf-8")) + keccak(canonical_json(value)))


def node_hash(left: bytes, right: bytes) -> bytes:
    """``keccak256(0x01 || left || right)``: the prefix keeps a node from passing as a leaf."""
    return _keccak_256(NODE_PREFIX + left + right).digest()


@dataclass(frozen=True)
class Leaf:
    """One leaf of a section tree: its path, its JSON value, its salt and its hash."""

    path: str
    value: Any
    salt: bytes
    hash: bytes


def _check_seed(seed: bytes) -> None:
    if len(seed) != SEED_BYTES:
        raise ValueError(f"the seed is {SEED_BYTES} bytes, not {len(seed)}")


def section_leaves(data: dict[str, Any], seed: bytes) -> dict[str, list[Leaf]]:
    """The leaves of each section, in tree order (:func:`sort_key`)."""
    _check_seed(seed)
    values = leaf_values(data)
    by_section: dict[str, list[Leaf]] = {name: [] for name in SECTION_NAMES}
    salts: list[bytes] = []
    hashes = _leaf_hashes(values, seed, salts)
    for (section, path, *_), salt, leaf in zip(_layout(tuple(values)).slots, salts, itertools.chain(*hashes), strict=True):
        by_section[SECTION_NAMES[section]].append(Leaf(path, values[path], salt, leaf))
    return by_section


def section_roots(data: dict[str, Any], seed: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    """The four section commitments (identity, seller, buyer, goods), as :func:`merkle_root` of
    :func:`section_leaves` gives them, without the leaves: the indexer checks every format-2 version
    it reads and a registration commits once, so this is the node's hot loop (no ``Leaf`` objects,
    Keccak called directly, each path's place, column and hash worked out once per layout)."""
    _check_seed(seed)
    identity, seller, buyer, goods = (_root(hashes) for hashes in _leaf_hashes(_flatten(data), seed))
    return identity, seller, buyer, goods


# The order and salt inputs of a set of leaf paths, worked out once: data sets of one shape (the
# same fields, the same number of lines) share it.
_Slot = tuple[int, str, bytes, bytes, int]  # section index, path, utf8(path), keccak(path), column index (-1: none)


@dataclass(frozen=True)
class _Layout:
    slots: tuple[_Slot, ...]  # in tree order: by section, then sort_key
    columns: tuple[tuple[bytes, str], ...]  # utf8(column), and the path of its list's length leaf


_LAYOUTS_REMEMBERED = 1024
_LAYOUT_REMEMBERED_LEAVES = 4096  # a larger data set's layout is worked out each time (memory stays bounded)


def _layout(paths: tuple[str, ...]) -> _Layout:
    return _remembered_layout(paths) if len(paths) <= _LAYOUT_REMEMBERED_LEAVES else _make_layout(paths)


@lru_cache(maxsize=_LAYOUTS_REMEMBERED)
def _remembered_layout(paths: tuple[str, ...]) -> _Layout:
    return _make_layout(paths)


def _make_layout(paths: tuple[str, ...]) -> _Layout:
    sections = {name: index for index, name in enumerate(SECTION_NAMES)}
    columns: dict[str, tuple[int, str]] = {}  # column -> (index, its list)
    slots: list[_Slot] = []
    for path in sorted(paths, key=sort_key):
        section = section_of(path)
        if section is None:
            raise ValueError(f"{path}: the field belongs to no section")
        parent = _list_and_column(path)
        column = -1 if parent is None else columns.setdefault(parent[1], (len(columns), parent[0]))[0]
        slots.append((sections[section], path, path.encode("utf-8"), _path_hash(path), column))
    slots.sort(key=lambda slot: slot[0])  # stable: sort_key order within each section
    return _Layout(
        tuple(slots),
        tuple((column.encode("utf-8"), f"{parent}.{LENGTH_MEMBER}") for column, (_, parent) in columns.items()),
    )


def _leaf_hashes(values: dict[str, Any], seed: bytes, salts: list[bytes] | None = None) -> list[list[bytes]]:
    """The leaf hashes of each section in tree order (and their salts, in ``salts``, when given):
    :func:`salt_of` and :func:`leaf_hash` with each column seed and path hash computed once."""
    layout = _layout(tuple(values))
    column_seeds = [
        _keccak_256(COLUMN_SEED_TAG + seed + column + values[length].to_bytes(4, "big")).digest() for column, length in layout.columns
    ]
    by_section: list[list[bytes]] = [[] for _ in SECTION_NAMES]
    salt_prefixes = [LEAF_SALT_TAG + key for key in column_seeds]
    seed_prefix = LEAF_SALT_TAG + seed
    scalars = _SCALAR_HASHES
    for section, path, path_bytes, path_hash, column in layout.slots:
        salt = _keccak_256((seed_prefix if column < 0 else salt_prefixes[column]) + path_bytes).digest()
        value = values[path]
        kind = value.__class__
        if kind is int or kind is bool or value is None or (kind is str and len(value) <= _SCALAR_TEXT):
            value_hash = scalars.get((kind, value)) or _scalar_hash(kind, value)
        else:
            value_hash = _keccak_256(canonical_json(value)).digest()
        by_section[section].append(_keccak_256(LEAF_PREFIX + salt + path_hash + value_hash).digest())
        if salts is not None:
            salts.append(salt)
    return by_section


def _root(hashes: list[bytes]) -> bytes:
    """:func:`merkle_root` without keeping the levels."""
    count = len(hashes)
    if not count:
        raise ValueError("a tree has at least one leaf")
    level = hashes
    while len(level) > 1:
        above = [_keccak_256(NODE_PREFIX + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            above.append(level[-1])
        level = above
    return _keccak_256(ROOT_PREFIX + count.to_bytes(4, "big") + level[0]).digest()


@lru_cache(maxsize=65536)
def _list_and_column(path: str) -> tuple[str, str] | None:
    parent = list_of(path)
    return None if parent is None else (parent, column_of(path))


@lru_cache(maxsize=65536)
def _path_hash(path: str) -> bytes:
    return _keccak_256(path.encode("utf-8")).digest()


# keccak256(canonical(value)) of short scalars, keyed by their type too (``True == 1``): countries,
# units, codes and flags recur from one data set to the next.
_SCALAR_HASHES: dict[tuple[type, Any], bytes] = {}
_SCALARS_REMEMBERED = 65536
_SCALAR_TEXT = 64  # longer text is hashed each time


def _scalar_hash(kind: type, value: Any) -> bytes:
    if len(_SCALAR_HASHES) >= _SCALARS_REMEMBERED:
        _SCALAR_HASHES.clear()
    found = _SCALAR_HASHES[(kind, value)] = _keccak_256(canonical_json(value)).digest()
    return found


@lru_cache(maxsize=4096)
def _is_member_name(name: str) -> bool:
    return _MEMBER_NAME.fullmatch(name) is not None


def tree_levels(hashes: Sequence[bytes]) -> list[list[bytes]]:
    """Every level of the tree over ``hashes``, leaves first, root last (an odd last node is
    promoted unchanged)."""
    if not hashes:
        raise ValueError("a tree has at least one leaf")
    levels = [list(hashes)]
    while len(levels[-1]) > 1:
        below = levels[-1]
        above = [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        if len(below) % 2:
            above.append(below[-1])
        levels.append(above)
    return levels


def section_root(count: int, tree_root: bytes) -> bytes:
    """``keccak256(0x02 || uint32(leafCount) || treeRoot)``: the commitment of a section.

    The leaf count is bound in because a proof carries it: a tree alone would accept a proof of a
    left-hand leaf with any count whose right edge the proof never touches.
    """
    return keccak(ROOT_PREFIX + count.to_bytes(4, "big") + tree_root)


def merkle_root(hashes: Sequence[bytes]) -> bytes:
    """The section commitment over leaf hashes in tree order."""
    return section_root(len(hashes), tree_levels(hashes)[-1][0])


def climb(count: int, known: dict[int, bytes], sibling: Callable[[int, int], bytes]) -> bytes:
    """The root from the leaves in ``known`` (index → hash), asking ``sibling(level, index)`` for
    every other node needed, level by level from the leaves, left to right at each level.

    The prover's ``sibling`` reads the tree, the verifier's takes the next hash of the proof: the
    one walk fixes the order of a multi-leaf proof's sibling list.
    """
    width, level = count, 0
    while width > 1:
        above: dict[int, bytes] = {}
        for index in sorted(known):
            if index // 2 in above:
                continue
            if index == width - 1 and index % 2 == 0:
                above[index // 2] = known[index]
                continue
            left, right = index & ~1, index | 1
            left_hash = known[left] if left in known else sibling(level, left)
            right_hash = known[right] if right in known else sibling(level, right)
            above[index // 2] = node_hash(left_hash, right_hash)
        known, width, level = above, (width + 1) // 2, level + 1
    return known[0]


def multiproof(levels: list[list[bytes]], indices: Iterable[int]) -> list[bytes]:
    """The sibling hashes that prove the leaves at ``indices``, in :func:`climb` order."""
    taken: list[bytes] = []

    def sibling(level: int, index: int) -> bytes:
        taken.append(levels[level][index])
        return taken[-1]

    climb(len(levels[0]), {index: levels[0][index] for index in indices}, sibling)
    return taken


def commitments_v2(data: dict[str, Any], seed: bytes) -> Commitments:
    """The format-2 commitments: four section roots and the salted buyer commitment, in the order
    of GPIDLib.Commitments; ``.digest`` is GPIDLib.digestOf as in format 1."""
    identity, seller, buyer, goods = section_roots(data, seed)
    buyer_key = trader_key(trader_id_text(data["buyer"]["trader_id"]))
    return Commitments(
        identity=identity,
        seller=seller,
        buyer=buyer,
        goods=goods,
        buyer_trader_key=buyer_commitment(buyer_salt(seed), buyer_key),
    )
