"""Where the registry keeps a GPID's record and each version's digest in its storage.

Solidity gives state variables slots in declaration order, inherited contracts first
(docs.soliditylang.org, "Layout of State Variables in Storage"). ``GPIDRegistry`` inherits
OpenZeppelin 5's ``AccessControl``, whose only state variable is ``mapping(bytes32 => RoleData)
_roles`` (slot 0; its ``ERC165`` and ``Context`` have none), then declares
``mapping(bytes16 gpid => Record) _records`` (slot 1) and ``mapping(bytes16 gpid =>
mapping(uint32 version => VersionInfo)) _versions`` (slot 2). solc's ``storageLayout`` output says
the same (tests/chain/test_storage_layout.py compiles it and compares), and a test reads the slots
of a real registry with ``eth_getStorageAt``.

A mapping's value for key ``k`` sits at ``keccak256(h(k) || p)``, ``p`` the mapping's slot as a
32-byte word and ``h(k)`` the key padded to 32 bytes as in memory: a ``bytes16`` on the left
(zeros after), a ``uint32`` on the right. ``VersionInfo.digest`` is its struct's first member
(offset 0). ``Record`` packs into one word from the low-order end: issuer (20 bytes),
registeredAt (5), version (4), links (2), format (1).
"""

from __future__ import annotations

from dataclasses import dataclass

from gpid_node.domain.canonical import keccak
from gpid_node.domain.gpid import GPID

ROLES_SLOT = 0  # AccessControl._roles
RECORDS_SLOT = 1  # GPIDRegistry._records
VERSIONS_SLOT = 2  # GPIDRegistry._versions
VERSION_DIGEST_OFFSET = 0  # VersionInfo.digest: the first slot of the struct, the whole word
# Record's members: (byte offset from the low-order end, bytes), as solc packs them into one word.
RECORD_MEMBERS = {"issuer": (0, 20), "registeredAt": (20, 5), "version": (25, 4), "links": (29, 2), "format": (31, 1)}


def _word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def record_slot(gpid: GPID) -> int:
    """The slot of ``_records[gpid]``."""
    return int.from_bytes(keccak(gpid.raw.ljust(32, b"\0") + _word(RECORDS_SLOT)), "big")


def version_digest_slot(gpid: GPID, version: int) -> int:
    """The slot of ``_versions[gpid][version].digest``."""
    inner = keccak(gpid.raw.ljust(32, b"\0") + _word(VERSIONS_SLOT))
    return int.from_bytes(keccak(_word(version) + inner), "big")


def slot_text(slot: int) -> str:
    """A slot as JSON-RPC names a storage key: ``0x`` and 64 lower-case hex digits."""
    return "0x" + _word(slot).hex()


@dataclass(frozen=True)
class RecordWord:
    """The registry's record of a GPID, read from its storage word."""

    issuer: str
    registered_at: int
    version: int
    links: int
    format: int

    @classmethod
    def of(cls, word: int) -> RecordWord:
        def member(name: str) -> int:
            offset, size = RECORD_MEMBERS[name]
            return (word >> (8 * offset)) & ((1 << (8 * size)) - 1)

        return cls(
            issuer="0x" + member("issuer").to_bytes(20, "big").hex(),
            registered_at=member("registeredAt"),
            version=member("version"),
            links=member("links"),
            format=member("format"),
        )
