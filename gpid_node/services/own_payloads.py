"""Format-2 payloads this node wrote itself: the indexer reads them without checking them again.

A registration or amendment this node prepared recorded its exact payload and commitments in the
outbox (by the API process or the importing thread, in the database the indexer writes), and the
commitments were computed from the very data and seed the payload encrypts. When the indexer meets
an event whose payload *and* commitments are byte for byte those of such an entry about the same
GPID, recomputing the Merkle roots (most of a format-2 check) would only find them equal again: it
decrypts the payload for its data and seed and stops there. Nothing else is trusted: an event whose
payload differs by one byte from every entry (another node's data, a tampered copy, the same GPID
registered elsewhere) is checked in full, and so is everything a node indexes from a chain it did
not write to (a re-index into an empty database has no entries).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from sqlalchemy.orm import Session

from gpid_node.chain.writes import Amend, Register
from gpid_node.domain import payload_crypto
from gpid_node.domain.canonical import PayloadError
from gpid_node.services.index_rows import PayloadCheck, reason_in
from gpid_node.store import submissions

__all__ = ["KeyFinder", "is_own", "own_amendment", "own_registration"]

# The content key from the recipient keys of ours among a payload's, for a GPID (ContentKeys.content_key_finder).
KeyFinder = Callable[[Iterable[payload_crypto.RecipientKey], str], bytes | None]


def is_own(session: Session, kind: str, gpid_hex: str, payload: bytes, committed: Sequence[bytes]) -> bool:
    """Whether this node recorded a write of ``kind`` (``register`` or ``amend``) about the GPID with
    exactly this payload and these commitments (a registration's, an amendment's new ones)."""
    payload, words = bytes(payload), [bytes(word) for word in committed]
    for request in submissions.requests_about(session, gpid_hex, kind):
        write = Register.from_json(request) if kind == Register.kind else Amend.from_json(request)
        mine = write.commitments if isinstance(write, Register) else write.next
        if write.payload == payload and list(mine) == words:
            return True
    return False


def own_registration(
    session: Session, content_key: KeyFinder, gpid_hex: str, payload: bytes, committed: Sequence[bytes],
    binding: payload_crypto.Binding,
) -> tuple[PayloadCheck, bytes | None] | None:  # fmt: skip
    """A registration this node wrote, read without the Merkle check: its data, seed and content
    key (``content_key`` finds ours among its wrapped keys); None when it is not one of ours (or
    does not read back, which the full check then reports)."""
    if not is_own(session, Register.kind, gpid_hex, payload, committed):
        return None
    try:
        key = content_key(payload_crypto.decode_payload(bytes(payload)).recipient_keys, gpid_hex)
        if key is None:
            return PayloadCheck(None, None), None  # our key is gone (lost or not kept): public facts only
        read = payload_crypto.read_payload(bytes(payload), key, binding, 1)
    except (PayloadError, ValueError):
        return None
    return PayloadCheck(read.data, read.seed), key


def own_amendment(
    session: Session, gpid_hex: str, payload: bytes, committed: Sequence[bytes], content_key: bytes,
    binding: payload_crypto.Binding, version: int,
) -> PayloadCheck | None:  # fmt: skip
    """An amendment this node wrote, read without the Merkle check, with the reason inside it (None
    when it is not ours)."""
    if not is_own(session, Amend.kind, gpid_hex, payload, committed):
        return None
    try:
        read = payload_crypto.read_payload(bytes(payload), content_key, binding, version)
    except (PayloadError, ValueError):
        return None
    reason, problems = reason_in(read)
    return PayloadCheck(read.data, read.seed, problems, reason)
