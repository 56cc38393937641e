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

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from gpid_node.chain.abi import Event
from gpid_node.chain.writes import Amend, Register
from gpid_node.domain import payload_crypto
from gpid_node.domain.canonical import PayloadError
from gpid_node.services.index_rows import PayloadCheck, reason_in
from gpid_node.store import submissions

__all__ = ["KeyFinder", "OwnRequests", "is_own", "own_amendment", "own_registration", "requests_of_block"]

# The content key from the recipient keys of ours among a payload's, for a GPID (ContentKeys.content_key_finder).
KeyFinder = Callable[[Iterable[payload_crypto.RecipientKey], str], bytes | None]


# The requests this node recorded about GPIDs, per (kind, GPID hex), read for a whole block at once
# (:func:`requests_of_block`).
OwnRequests = Mapping[tuple[str, str], Sequence[Mapping[str, Any]]]


def requests_of_block(session: Session, events: Iterable[Event]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The requests this node recorded about the format-2 registrations and amendments among
    ``events``, in two queries, for :func:`is_own` to look each one up without one of its own."""
    wanted: dict[str, list[str]] = {Register.kind: [], Amend.kind: []}
    for event in events:
        if event.payload is not None and event.payload_format == payload_crypto.PAYLOAD_FORMAT_ENCRYPTED:
            kind = Register.kind if event.name == "KeyDataSetRegistered" else Amend.kind if event.name == "KeyDataSetAmended" else None
            if kind is not None:
                wanted[kind].append("0x" + bytes(event.args["gpid"]).hex())
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for kind, gpids in wanted.items():
        if gpids:
            found.update(((kind, gpid), requests) for gpid, requests in submissions.requests_about_each(session, gpids, kind).items())
    return found


def is_own(kind: str, gpid_hex: str, payload: bytes, committed: Sequence[bytes], known: OwnRequests) -> bool:
    """Whether this node recorded a write of ``kind`` (``register`` or ``amend``) about the GPID with
    exactly this payload and these commitments (a registration's, an amendment's new ones); ``known``
    holds the requests of the block's GPIDs (:func:`requests_of_block`)."""
    payload, words = bytes(payload), [bytes(word) for word in committed]
    for request in known.get((kind, gpid_hex), ()):
        write = Register.from_json(request) if kind == Register.kind else Amend.from_json(request)
        mine = write.commitments if isinstance(write, Register) else write.next
        if write.payload == payload and list(mine) == words:
            return True
    return False


def own_registration(
    content_key: KeyFinder, gpid_hex: str, payload: bytes, committed: Sequence[bytes], binding: payload_crypto.Binding,
    known: OwnRequests,
) -> tuple[PayloadCheck, bytes | None] | None:  # fmt: skip
    """A registration this node wrote, read without the Merkle check: its data, seed and content
    key (``content_key`` finds ours among its wrapped keys); None when it is not one of ours (or
    does not read back, which the full check then reports)."""
    if not is_own(Register.kind, gpid_hex, payload, committed, known):
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
    gpid_hex: str, payload: bytes, committed: Sequence[bytes], content_key: bytes, binding: payload_crypto.Binding,
    version: int, known: OwnRequests,
) -> PayloadCheck | None:  # fmt: skip
    """An amendment this node wrote, read without the Merkle check, with the reason inside it (None
    when it is not ours)."""
    if not is_own(Amend.kind, gpid_hex, payload, committed, known):
        return None
    try:
        read = payload_crypto.read_payload(bytes(payload), content_key, binding, version)
    except (PayloadError, ValueError):
        return None
    reason, problems = reason_in(read)
    return PayloadCheck(read.data, read.seed, problems, reason)
