"""Erasure of a GPID's data on this node (crypto-shredding, the node's part): ``gpid-node erase``.

The operator of a node removes a GPID's decrypted data and content key from this node's index and
records who erased it, when and why (store/erasures.py). The record outlives a rewind, a rebuilt
index and a later grant: the index never stores that data again, and the node answers for the GPID
with its public facts only, marked ``erasure`` (services/reads.py).

What it does not do (docs/security.md, "Personal data and erasure"): the ciphertext and the wrapped
content keys stay on chain; the other recipients (seller, buyer, Customs, agents, grantees) keep
their copies until their nodes erase them too; this node's private keys still open the ciphertext
(destroying a private key shreds everything wrapped to it: the documented procedure).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import structlog

from gpid_node.domain import errors as e
from gpid_node.domain.gpid import GPID
from gpid_node.domain.times import iso
from gpid_node.store import erasures
from gpid_node.store.database import Store

__all__ = ["MAX_BY", "MAX_REASON", "erase", "erasure_of", "erasures_list"]

log = structlog.get_logger("gpid.erasures")

MAX_REASON = 500
MAX_BY = 200


def _shown(erasure: erasures.Erasure) -> dict[str, Any]:
    shown = asdict(erasure)
    shown["gpid"] = erasure.gpid_text
    shown["erased_at"] = iso(erasure.erased_at)
    del shown["gpid_text"]
    return shown


def _text(value: str, path: str, limit: int, what: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise e.ValidationFailed([e.FieldProblem(path, f"give {what}")])
    if len(text) > limit:
        raise e.ValidationFailed([e.FieldProblem(path, f"{len(text)} characters; at most {limit}")])
    return text


def erase(store: Store, gpid_text: str, *, reason: str, erased_by: str, now: datetime | None = None) -> dict[str, Any]:
    """Erases the GPID's decrypted data and content key from this node's index and records it; the
    erasure (``already_erased`` when it was erased before: the first record stays), with
    ``versions_erased`` (the versions whose data it removed now) and ``indexed`` (whether the index
    holds the GPID yet: one not indexed yet is recorded, and never gets its data)."""
    problems = []
    try:
        gpid = GPID.parse(gpid_text)
    except e.ValidationFailed as exc:
        problems += [e.FieldProblem("gpid", p.message) for p in exc.problems]
    for path, value, limit, what in (("--reason", reason, MAX_REASON, "the reason of the erasure (a request, a retention period that ended)"),
                                     ("--by", erased_by, MAX_BY, "who erases (your name or role)")):  # fmt: skip
        try:
            _text(value, path, limit, what)
        except e.ValidationFailed as exc:
            problems += exc.problems
    if problems:
        raise e.ValidationFailed(problems)
    with store.session() as session:
        before = erasures.erasure_of(session, gpid.hex)
        indexed = erasures.indexed(session, gpid.hex)
        found, held = erasures.record(session, gpid.hex, str(gpid), _text(erased_by, "--by", MAX_BY, ""),
                                      _text(reason, "--reason", MAX_REASON, ""), now or datetime.now(UTC))  # fmt: skip
    log.info("erasures.erased", gpid=str(gpid), versions_erased=held, already_erased=before is not None, indexed=indexed)
    return {**_shown(found), "already_erased": before is not None, "versions_erased": held, "indexed": indexed}


def erasure_of(store: Store, gpid: GPID) -> dict[str, Any] | None:
    """The GPID's erasure on this node as an answer shows it (``erased_at``, ``reason``), None when none."""
    with store.session() as session:
        found = erasures.erasure_of(session, gpid.hex)
    return None if found is None else {"erased_at": iso(found.erased_at), "reason": found.reason}


def erasures_list(store: Store) -> list[dict[str, Any]]:
    """Every erasure on this node, oldest first: GPID, who, why, when."""
    with store.session() as session:
        return [_shown(x) for x in erasures.erasures(session)]
