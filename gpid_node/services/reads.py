"""Reads and integrity: key data sets, their history and lists, each version proven against the
digest the registry holds for it.

A key data set the caller may not read is "unknown", never "forbidden" (its existence does not
leak); who may read what is :func:`gpid_node.domain.access.may_read`. A caller who may read it gets
its public facts only (``data`` null, ``readable`` false) when its role sees no data (the
operator) or when this node holds no key that opens it (format 2); so does an amendment's reason in
words (null), while its reason code and changed sections are public facts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from gpid_node.domain import canonical, merkle
from gpid_node.domain import errors as e
from gpid_node.domain.access import Principal, Visibility, may_read, sees_data
from gpid_node.domain.gpid import GPID
from gpid_node.domain.reference import is_country
from gpid_node.domain.times import as_utc, iso
from gpid_node.services.context import Context
from gpid_node.services.provenance import source_of
from gpid_node.store import erasures, queries
from gpid_node.store.tables import KeyDataSetRow, VersionRow

CHAIN_DIGESTS_REMEMBERED = 100_000  # versions whose on-chain digest is remembered (about 20 MB)
CATCH_UP_S = 10.0  # how long a write waits for the index to reach the version the chain holds
EXPORT_PAGE = 500  # rows an export reads per transaction
MAX_FILTER_TEXT = 80  # the longest invoice number, trader ID or reference the index keeps


@dataclass(frozen=True)
class ListQuery:
    """The filters of a list as the caller gives them (text, each None when not given)."""

    invoice_number: str | None = None
    seller: str | None = None
    buyer: str | None = None
    declaration: str | None = None
    declaration_country: str | None = None
    registered_from: str | None = None
    registered_to: str | None = None

    @property
    def confidential(self) -> tuple[str, ...]:
        """The filters given that name confidential data (they match only data the caller may see)."""
        return tuple(name for name in ("invoice_number", "buyer") if getattr(self, name) is not None)


def _instant(text: str, name: str, problems: list[e.FieldProblem], *, end_of_day: bool) -> datetime | None:
    """An ISO 8601 date or date-time (a naive one is UTC). A date alone is its whole day: from its
    start (``registered_from``), or to its end (``registered_to``, as the start of the next day)."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return start + timedelta(days=1) if end_of_day else start
        moment = as_utc(datetime.fromisoformat(value.replace("z", "Z")))
        return moment + timedelta(microseconds=1) if end_of_day else moment  # registered_to is inclusive
    except (ValueError, OverflowError):
        problems.append(e.FieldProblem(name, f"expected an ISO 8601 date (2026-12-04) or date-time "
                                             f"(2026-12-04T09:30:00Z), got {text[:40]!r}"))  # fmt: skip
        return None


def _trader_id(text: str, name: str, problems: list[e.FieldProblem]) -> str | None:
    value = canonical.normal_identifier(text)
    scheme, _, rest = value.partition(":")
    if not scheme or not rest or len(value) > MAX_FILTER_TEXT:
        problems.append(e.FieldProblem(name, f"expected a trader ID as SCHEME:VALUE, e.g. EORI:DE123456789012345, got {text[:40]!r}"))
        return None
    return value


def list_filter(query: ListQuery, principal: Principal) -> queries.ListFilter:
    """The filters of a list in the index's form, or ValidationFailed naming each bad parameter.

    A role that sees public facts only (the consortium operator) may not filter by the confidential
    fields (invoice number, buyer): 422, rather than a list that would tell which GPIDs carry them.
    """
    problems: list[e.FieldProblem] = []
    for name in ("invoice_number", "seller", "buyer", "declaration", "declaration_country", "registered_from", "registered_to"):
        text = getattr(query, name)
        if text is not None and any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text.strip()):
            problems.append(e.FieldProblem(name, "control characters are not accepted"))
    if problems:
        raise e.ValidationFailed(problems)
    if query.confidential and not sees_data(principal):
        problems += [e.FieldProblem(name, f"the {principal.role} role sees public facts only: filter by seller, declaration "
                                          "or registration time") for name in query.confidential]  # fmt: skip
    numbers: tuple[str, ...] = ()
    if query.invoice_number is not None:
        typed = query.invoice_number.strip()
        if not typed or len(typed) > MAX_FILTER_TEXT:
            problems.append(e.FieldProblem("invoice_number", f"expected an invoice number of 1 to {MAX_FILTER_TEXT} characters"))
        numbers = tuple(dict.fromkeys((typed, canonical.normal_identifier(typed))))
    seller = None if query.seller is None else _trader_id(query.seller, "seller", problems)
    buyer = None if query.buyer is None else _trader_id(query.buyer, "buyer", problems)
    reference = country = None
    if query.declaration is not None:
        reference = canonical.normal_identifier(query.declaration)
        if not canonical.is_normal_identifier(reference):
            problems.append(e.FieldProblem("declaration", "expected a declaration reference of 1 to 70 characters"))
    if query.declaration_country is not None:
        country = query.declaration_country.strip().upper()
        if query.declaration is None:
            problems.append(e.FieldProblem("declaration_country", "give it with declaration (the reference it qualifies)"))
        elif not is_country(country):
            problems.append(e.FieldProblem("declaration_country", f"expected an ISO 3166-1 alpha-2 country code, got {query.declaration_country[:10]!r}"))
    start = None if query.registered_from is None else _instant(query.registered_from, "registered_from", problems, end_of_day=False)
    before = None if query.registered_to is None else _instant(query.registered_to, "registered_to", problems, end_of_day=True)
    if start is not None and before is not None and start >= before:
        problems.append(e.FieldProblem("registered_to", "is before registered_from"))
    if problems:
        raise e.ValidationFailed(problems)
    return queries.ListFilter(
        invoice_numbers=numbers, seller_trader_id=seller, buyer_trader_id=buyer, declaration_reference=reference,
        declaration_country=country, registered_from=start, registered_before=before,
    )  # fmt: skip


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


def shows_data(row: KeyDataSetRow | Row[Any], principal: Principal) -> bool:
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
        if version.data is None and version.integrity_ok:  # format 2 without our key, or a payload not found
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
        """A format-2 version no key of this node opens, or a version whose payload the indexer did
        not find (a call relayed by a contract, and an endpoint without ``debug_traceTransaction``):
        its digest is compared with the chain's, its data cannot be checked here (which is no
        integrity failure)."""
        problem = (
            "this node holds no key that opens this key data set: its data cannot be checked here" if version.payload is not None
            else "this node did not find this version's payload in its transaction (a call relayed by a contract, "
                 "and a chain endpoint without debug_traceTransaction): its data cannot be checked here"
        )  # fmt: skip
        return {
            "verified": False, "checked_against": "index" if chain_digest is None else "chain",
            "chain_reachable": chain_digest is not None, "chain_digest": chain_digest or None,
            "payload_matches_commitments": None, "readable": False, "digest": version.digest,
            "transaction": version.transaction_hash, "block": version.block_number,
            "registry": self.context.client.address, "chain_id": self.context.client.chain_id,
            "problem": problem,
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
            erased = erasures.erasure_of(session, gpid.hex)
        if chosen is None:
            if version is not None:
                raise e.ValidationFailed([e.FieldProblem("version", f"{gpid} has versions 1 to {row.current_version}")])
            raise e.NotFound(f"{gpid} was registered at {iso(row.registered_at)}, after {iso(as_of)}")
        shown = shows_data(row, principal)
        integrity = self.integrity(gpid, chosen)
        if erased is not None and chosen.data is None:
            integrity["problem"] = f"this node erased this key data set's data on {iso(erased.erased_at)}: it cannot be checked here"
        return {
            "gpid": str(gpid),
            "version": chosen.version,
            "current_version": row.current_version,
            "data": chosen.data if shown else None,
            "format": row.format,
            "readable": shown and chosen.data is not None,
            "integrity": integrity,
            "registered_at": iso(row.registered_at),
            "updated_at": iso(chosen.time),
            "issuer": row.issuer,
            "source": source_of(self.context, row, chosen) if shown else None,
            "erasure": None if erased is None else {"erased_at": iso(erased.erased_at), "reason": erased.reason},
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
                {"version": v.version, "author": v.author, "time": iso(v.time), "reason": v.reason if shown else None,
                 "reason_code": v.reason_code, "changed_fields": v.changed_fields if shown else None,
                 "changed_sections": v.changed_sections, "transaction": v.transaction_hash,
                 "block": v.block_number, "integrity_ok": v.integrity_ok}
                for v in versions
            ],
        }  # fmt: skip

    def list_key_data_sets(
        self, principal: Principal, limit: int, offset: int, query: ListQuery | None = None
    ) -> dict[str, Any]:
        """One page of the key data sets the caller may read (and ``query`` keeps), newest first."""
        filters = list_filter(query or ListQuery(), principal)
        with self.context.store.session() as session:
            rows, total = queries.list_visible(
                session, principal.role.value, principal.account, principal.trader_id, principal.country, limit, offset,
                filters,
            )  # fmt: skip
        return {"items": [summary(r, principal) for r in rows], "total": total, "limit": limit, "offset": offset}

    def export_key_data_sets(self, principal: Principal, query: ListQuery | None = None) -> Iterator[dict[str, Any]]:
        """Every key data set the caller may read (and ``query`` keeps), as the list's items in its
        order, read a page per transaction while the caller consumes them (a list of any length in
        bounded memory). The filters are checked at once: ValidationFailed before the first item."""
        filters = list_filter(query or ListQuery(), principal)
        return self._export(principal, filters)

    def _export(self, principal: Principal, filters: queries.ListFilter) -> Iterator[dict[str, Any]]:
        after: tuple[int, str] | None = None
        while True:
            with self.context.store.session() as session:
                rows = queries.visible_after(
                    session, principal.role.value, principal.account, principal.trader_id, principal.country, filters,
                    after, EXPORT_PAGE,
                )  # fmt: skip
                items = [summary(r, principal) for r in rows]
            yield from items
            if len(rows) < EXPORT_PAGE:
                return
            after = (rows[-1].registered_block, rows[-1].gpid)


def summary(row: KeyDataSetRow | Row[Any], principal: Principal) -> dict[str, Any]:
    """A key data set as lists show it (from its row, or from ``queries.SUMMARY_COLUMNS``): the
    confidential fields only to whom they are shown."""
    shown = shows_data(row, principal)
    return {
        "gpid": row.gpid_text, "version": row.current_version, "invoice_number": row.invoice_number if shown else None,
        "seller_trader_id": row.seller_trader_id, "buyer_trader_id": row.buyer_trader_id if shown else None,
        "registered_at": iso(row.registered_at), "updated_at": iso(row.updated_at), "integrity_ok": row.integrity_ok,
        "format": row.format, "readable": shown,
    }  # fmt: skip
