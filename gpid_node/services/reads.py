"""Reads and integrity: key data sets, their history and lists, each version proven against the
digest the registry holds for it.

A key data set the caller may not read is "unknown", never "forbidden" (its existence does not
leak); who may read what is :func:`gpid_node.domain.access.may_read`. A caller who may read it gets
its public facts only (``data`` null, ``readable`` false) when its role sees no data (the
operator) or when this node holds no key that opens it (format 2).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from gpid_node.domain import canonical, merkle
from gpid_node.domain import errors as e
from gpid_node.domain.access import Principal, Visibility, may_read, sees_data
from gpid_node.domain.gpid import GPID
from gpid_node.domain.times import iso
from gpid_node.services.context import Context
from gpid_node.services.provenance import source_of
from gpid_node.store import queries
from gpid_node.store.tables import KeyDataSetRow, VersionRow

CHAIN_DIGESTS_REMEMBERED = 100_000  # versions whose on-chain digest is remembered (about 20 MB)
CATCH_UP_S = 10.0  # how long a write waits for the index to reach the version the chain holds


def recomputed_digest(version: VersionRow) -> str | None:
    """The digest of a version's data as the index holds it (its commitments under its salt, or for
    format 2 its Merkle commitments under the GPID's seed), or None."""
    if version.data is None or version.salt is None:
        return None
    try:
        salt = bytes.fromhex(version.salt.removeprefix("0x"))
        if version.payload is not None:  # format 2 keeps its payload; the salt column holds the seed
            return "0x" + merkle.commitments_v2(version.data, salt).digest.hex()
        return "0x" + canonical.commitments(version.data, salt).digest.hex()
    except (KeyError, TypeError, AttributeError, ValueError):
        return None


def visibility_of(session: Session, row: KeyDataSetRow) -> Visibility:
    """What the index knows about the key data set ``row`` that decides who may read it."""
    links = queries.links_for(session, row.gpid)
    return Visibility(
        issuer=row.issuer, seller_trader_id=row.seller_trader_id, buyer_trader_id=row.buyer_trader_id,
        seller_country=row.seller_country, buyer_country=row.buyer_country,
        linkers=frozenset(link.linker for link in links), declaration_countries=frozenset(link.country for link in links),
        format=row.format, grantees=frozenset(queries.grantees(session, row.gpid)),
        mandated=queries.mandates_since(session, row.seller_trader_key), registered_block=row.registered_block,
    )  # fmt: skip


def visible(session: Session, row: KeyDataSetRow, principal: Principal) -> bool:
    """Whether ``principal`` may read the indexed key data set ``row``."""
    return may_read(principal, visibility_of(session, row))


def shows_data(row: KeyDataSetRow, principal: Principal) -> bool:
    """Whether an answer to ``principal`` about ``row`` (which it may read) carries the data: not
    for a role that sees public facts only, nor when this node cannot decrypt the key data set."""
    return sees_data(principal) and bool(row.readable)


class Reads:
    """The read side of one node, with the digests the chain confirmed remembered."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self._chain_digests: dict[tuple[str, int, str], str] = {}
        self._chain_digests_rewinds = 0

    # ------------------------------------------------------------------ integrity

    def _chain_digest(self, gpid: GPID, version: VersionRow) -> str | None:
        """The digest the registry holds for an indexed version: None when the chain cannot be
        reached, "" when the registry has no such version.

        A version's digest is written once and never changes, so a digest the chain confirmed for
        the indexed version (same block) is remembered while the chain answers the indexer, until the
        indexer takes rows back (a reorg or an older chain): then everything remembered is forgotten.
        """
        indexer = self.context.indexer
        if indexer.rewinds != self._chain_digests_rewinds:
            self._chain_digests.clear()
            self._chain_digests_rewinds = indexer.rewinds
        key = (gpid.hex, version.version, version.block_hash)
        remembered = self._chain_digests.get(key)
        if remembered is not None and indexer.following:
            return remembered
        try:
            digest = "0x" + self.context.client.version_of(gpid, version.version).digest.hex()
        except e.ChainUnavailable:
            return None
        except e.GPIDError:
            return ""
        if digest == version.digest:
            if len(self._chain_digests) >= CHAIN_DIGESTS_REMEMBERED:
                self._chain_digests.clear()
            self._chain_digests[key] = digest
        return digest

    def chain_digest(self, gpid: GPID, version: VersionRow) -> str | None:
        """The digest the registry holds for an indexed version (``0x``-hex; remembered once confirmed):
        None when the chain cannot be reached, "" when the registry has no such version."""
        return self._chain_digest(gpid, version)

    def integrity(self, gpid: GPID, version: VersionRow) -> dict[str, Any]:
        """The version's integrity, proven against the digest the registry holds for it.

        The data served is hashed again with its salt (``data_digest``): a row altered in the index
        database (data, or data and digest) is never served as verified.
        """
        chain_digest = self._chain_digest(gpid, version)
        if version.data is None and version.payload is not None and version.integrity_ok:
            return self._sealed_integrity(version, chain_digest)
        data_digest = recomputed_digest(version)
        data_matches = bool(version.integrity_ok) and data_digest is not None and data_digest == version.digest
        proof: dict[str, Any] = {
            "payload_matches_commitments": data_matches,
            "digest": version.digest,
            "transaction": version.transaction_hash,
            "block": version.block_number,
            "registry": self.context.client.address,
            "chain_id": self.context.client.chain_id,
        }
        if chain_digest is None:
            proof.update(verified=False, checked_against="index", chain_reachable=False,
                         problem="the chain cannot be reached: integrity could not be proven now")  # fmt: skip
        else:
            matches = chain_digest == version.digest
            proof.update(verified=data_matches and matches, checked_against="chain",
                         chain_reachable=True, chain_digest=chain_digest or None)  # fmt: skip
            if not version.integrity_ok:
                proof["problem"] = version.integrity_problem
            elif not data_matches:
                proof["problem"] = (
                    "the data in the index does not match the digest recorded for this version: the index was "
                    "altered; rebuild it from the chain"
                )
            elif not matches:
                proof["problem"] = "the digest on chain differs from the indexed version"
        return proof

    def _sealed_integrity(self, version: VersionRow, chain_digest: str | None) -> dict[str, Any]:
        """A format-2 version no key of this node opens: its digest is compared with the chain's,
        its data cannot be checked here (which is no integrity failure)."""
        return {
            "verified": False, "checked_against": "index" if chain_digest is None else "chain",
            "chain_reachable": chain_digest is not None, "chain_digest": chain_digest or None,
            "payload_matches_commitments": None, "readable": False, "digest": version.digest,
            "transaction": version.transaction_hash, "block": version.block_number,
            "registry": self.context.client.address, "chain_id": self.context.client.chain_id,
            "problem": "this node holds no key that opens this key data set: its data cannot be checked here",
        }  # fmt: skip

    def proven(self, gpid: GPID, version: VersionRow) -> bool:
        """An older version's data hashes to the digest the registry holds for that version (only
        to the indexed digest while the chain cannot be reached)."""
        data_digest = recomputed_digest(version)
        if not version.integrity_ok or data_digest is None or data_digest != version.digest:
            return False
        chain_digest = self._chain_digest(gpid, version)
        return chain_digest is None or chain_digest == data_digest

    def freshness(self) -> dict[str, Any]:
        """How far the index is behind the chain, as every read answers it."""
        status = self.context.indexer.status()
        return {"indexed_block": status.get("cursor"), "head_block": status.get("head"),
                "lag_blocks": status.get("lag"), "chain_reachable": status.get("last_error") is None}  # fmt: skip

    # ------------------------------------------------------------------ reads

    def current_version(self, gpid: GPID, principal: Principal) -> VersionRow:
        """The current version, after making sure the index has caught up with the chain (a write
        builds on it)."""
        on_chain = self.context.client.record_of(gpid).version
        deadline = time.monotonic() + CATCH_UP_S
        while True:
            with self.context.store.session() as session:
                row = queries.key_data_set(session, gpid.hex)
                readable = row is not None and visible(session, row, principal)
                if row is not None and readable and row.current_version >= on_chain:
                    version = queries.version_at(session, gpid.hex, version=row.current_version)
                    if version is not None:
                        return version
            if on_chain == 0 or (row is not None and not readable) or time.monotonic() > deadline:
                raise e.UnknownGPID(str(gpid))
            time.sleep(self.context.poll_s)

    def key_data_set(
        self, gpid_text: str, principal: Principal, *, version: int | None = None, as_of: datetime | None = None
    ) -> dict[str, Any]:
        """One version of a key data set (the current one, ``version``, or the one valid ``as_of``)."""
        gpid = GPID.parse(gpid_text)
        with self.context.store.session() as session:
            row = queries.key_data_set(session, gpid.hex)
            if row is None or not visible(session, row, principal):
                raise e.UnknownGPID(str(gpid))
            chosen = queries.version_at(session, gpid.hex, version=version, as_of=as_of)
        if chosen is None:
            if version is not None:
                raise e.ValidationFailed([e.FieldProblem("version", f"{gpid} has versions 1 to {row.current_version}")])
            raise e.NotFound(f"{gpid} was registered at {iso(row.registered_at)}, after {iso(as_of)}")
        shown = shows_data(row, principal)
        return {
            "gpid": str(gpid),
            "version": chosen.version,
            "current_version": row.current_version,
            "data": chosen.data if shown else None,
            "format": row.format,
            "readable": shown and chosen.data is not None,
            "integrity": self.integrity(gpid, chosen),
            "registered_at": iso(row.registered_at),
            "updated_at": iso(chosen.time),
            "issuer": row.issuer,
            "source": source_of(self.context, row, chosen) if shown else None,
            "freshness": self.freshness(),
        }

    def history(self, gpid_text: str, principal: Principal) -> dict[str, Any]:
        """Every version of a key data set: author, time, reason, what changed."""
        gpid = GPID.parse(gpid_text)
        with self.context.store.session() as session:
            row = queries.key_data_set(session, gpid.hex)
            if row is None or not visible(session, row, principal):
                raise e.UnknownGPID(str(gpid))
            versions = queries.versions(session, gpid.hex, data=False)  # the facts only, not 100 data sets
            shown = shows_data(row, principal)
        return {
            "gpid": str(gpid),
            "versions": [
                {"version": v.version, "author": v.author, "time": iso(v.time), "reason": v.reason,
                 "reason_code": v.reason_code, "changed_fields": v.changed_fields if shown else None,
                 "changed_sections": v.changed_sections, "transaction": v.transaction_hash,
                 "block": v.block_number, "integrity_ok": v.integrity_ok}
                for v in versions
            ],
        }  # fmt: skip

    def list_key_data_sets(self, principal: Principal, limit: int, offset: int) -> dict[str, Any]:
        """One page of the key data sets the caller may read, newest first."""
        with self.context.store.session() as session:
            rows, total = queries.list_visible(
                session, principal.role.value, principal.account, principal.trader_id, principal.country, limit, offset
            )
        items = [
            {"gpid": r.gpid_text, "version": r.current_version,
             "invoice_number": r.invoice_number if shows_data(r, principal) else None, "seller_trader_id": r.seller_trader_id,
             "buyer_trader_id": r.buyer_trader_id if shows_data(r, principal) else None,
             "registered_at": iso(r.registered_at), "updated_at": iso(r.updated_at), "integrity_ok": r.integrity_ok,
             "format": r.format, "readable": shows_data(r, principal)}
            for r in rows
        ]  # fmt: skip
        return {"items": items, "total": total, "limit": limit, "offset": offset}
