"""One block's rows: its events mapped into index rows, with what they need of earlier blocks.

The mappers (:mod:`gpid_node.services.index_rows`) are pure; an event may need what the index
already holds, though: an amendment its previous version's data and its key data set's integrity,
a registration whose payload names another trader the ID bound to its seller key. This module
gathers one block's rows (:class:`BlockRows`), reading those from the block itself first and from
the store (:mod:`gpid_node.store.index_writes`) otherwise, inside the indexer's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy.orm import Session

from gpid_node.chain.abi import Event
from gpid_node.domain.amendment_policy import amendment_problems
from gpid_node.services.index_rows import (
    BlockRef,
    amendment_row,
    binding_row,
    check_payload,
    hex_of,
    link_row,
    party_fields,
    registration_problems,
    registration_rows,
    seller_trader_id_of,
    verification_row,
)
from gpid_node.store import index_writes

__all__ = ["BlockRows", "map_block"]

log = structlog.get_logger("gpid.indexer")


@dataclass
class BlockRows:
    """The rows one block produces, gathered before they are written in its transaction."""

    new_sets: dict[str, dict[str, Any]] = field(default_factory=dict)
    set_updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: list[dict[str, Any]] = field(default_factory=list)
    latest: dict[str, dict[str, Any]] = field(default_factory=dict)  # gpid -> newest version row of this block
    links: list[dict[str, Any]] = field(default_factory=list)
    verifications: list[dict[str, Any]] = field(default_factory=list)
    bindings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.versions) + len(self.links) + len(self.verifications) + len(self.bindings)

    def write(self, session: Session, number: int) -> None:
        """Writes them (block ``number``'s rows) in the caller's transaction."""
        index_writes.write_block(
            session, number, new_sets=self.new_sets.values(), versions=self.versions,
            set_updates=self.set_updates.values(), links=self.links, verifications=self.verifications,
            bindings=self.bindings,
        )  # fmt: skip


def map_block(session: Session, events: Iterable[Event], block: BlockRef) -> BlockRows:
    """A block's events (in log order) as the rows they add and change."""
    rows = BlockRows()
    for event in events:
        _map(session, rows, event, block)
    return rows


def _map(session: Session, work: BlockRows, event: Event, block: BlockRef) -> None:
    match event.name:
        case "KeyDataSetRegistered":
            _map_registration(session, work, event, block)
        case "KeyDataSetAmended":
            _map_amendment(session, work, event, block)
        case "DeclarationLinked":
            work.links.append(link_row(event, block))
        case "VerificationRecorded":
            work.verifications.append(verification_row(event, block))
        case "TraderBound" | "TraderUnbound":
            work.bindings.append(binding_row(event, block))


def _map_registration(session: Session, work: BlockRows, event: Event, block: BlockRef) -> None:
    a = event.args
    seller_key, invoice_key = bytes(a["sellerTraderKey"]), bytes(a["invoiceKey"])
    check = check_payload(a["payload"], a["commitments"])
    if check.data is not None:
        check = check.adding(registration_problems(check.data, seller_key, invoice_key))
    seller_id = seller_trader_id_of(check.data, seller_key) or _bound_trader_id(session, work, seller_key)
    kds, version = registration_rows(event, block, check, seller_id)
    if not check.ok:
        log.warning("indexer.integrity_failure", gpid=kds["gpid_text"], version=1, problem=check.problem)
    work.new_sets[kds["gpid"]] = kds
    work.versions.append(version)
    work.latest[kds["gpid"]] = version


def _map_amendment(session: Session, work: BlockRows, event: Event, block: BlockRef) -> None:
    a = event.args
    gpid, number = hex_of(a["gpid"]), int(a["version"])
    kds_state = work.new_sets.get(gpid) or work.set_updates.get(gpid) or _stored_set(session, gpid)
    if kds_state is None:
        log.error("indexer.amendment_without_registration", gpid=gpid, version=number, block=block.number)
        return
    previous = work.latest.get(gpid)
    if previous is None or previous["version"] != number - 1:
        previous = index_writes.stored_version(session, gpid, number - 1)
    check = check_payload(a["payload"], a["commitments"])
    if previous is None:
        check = check.adding([f"version {number - 1} is not in the index"])
    elif check.data is not None:
        check = check.adding(amendment_problems(check.data, previous["data"], number - 1))
    row = amendment_row(event, block, check, None if previous is None else previous["data"])
    if not check.ok:
        log.warning("indexer.integrity_failure", gpid=gpid, version=number, problem=check.problem)
    work.versions.append(row)
    work.latest[gpid] = row
    changes: dict[str, Any] = {
        "current_version": number,
        "updated_at": block.time,
        "integrity_ok": bool(kds_state["integrity_ok"]) and check.ok,
    }
    if check.ok:
        changes.update(party_fields(check.data))
    if gpid in work.new_sets:
        work.new_sets[gpid].update(changes)
    else:
        work.set_updates[gpid] = {**work.set_updates.get(gpid, {"gpid": gpid}), **changes}


def _bound_trader_id(session: Session, work: BlockRows, trader_key: bytes) -> str | None:
    """The trader ID last bound to a key (this block's bindings first), for a payload that names another."""
    key = hex_of(trader_key)
    for row in reversed(work.bindings):
        if row["trader_key"] == key and row["bound"]:
            return row["trader_id"]
    return index_writes.bound_trader_id(session, key)


def _stored_set(session: Session, gpid: str) -> dict[str, Any] | None:
    """A key data set of an earlier block, as much as an amendment's mapping reads of it."""
    integrity_ok = index_writes.set_integrity_ok(session, gpid)
    return None if integrity_ok is None else {"gpid": gpid, "integrity_ok": integrity_ok}
