"""Read-side queries over the index, for the API and the CLI.

Each function takes an open :class:`~sqlalchemy.orm.Session` (one transaction, from
``Store.session()``) and returns table rows; nothing here writes. Keys are given as the index keeps
them: GPIDs as ``0x``-hex of the ``bytes16`` (``GPID.hex``), trader keys as ``0x``-hex, accounts as
addresses (any case; compared checksummed). Every datetime handed back is timezone-aware UTC, on
SQLite (which stores naive values) as on PostgreSQL.

Who may read what (:func:`visible_filter`) is the read rule of :mod:`gpid_node.domain.access`, its
grounds turned into one SQL clause so that lists can be filtered and counted in the database.

No read loads an unbounded history: the versions and the declaration links of one GPID are capped
by the registry (``domain/limits.py``: 100 each) and read with that cap as an explicit LIMIT, the
verifications of a GPID (which the registry does not cap) a page at a time, lists a page at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, Select, and_, exists, false, func, or_, select, true
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, aliased, defer
from sqlalchemy.orm.attributes import set_committed_value

from gpid_node.domain.access import Ground, Principal, Role, read_grounds
from gpid_node.domain.addresses import checksum, is_address
from gpid_node.domain.canonical import normal_identifier
from gpid_node.domain.limits import MAX_LINKS, MAX_VERSIONS
from gpid_node.store.tables import (
    AmendmentDelegateRow,
    Base,
    ChainCursor,
    CustomsAccountRow,
    DeclarationLinkRow,
    EncryptionKeyRow,
    GrantRow,
    IndexedBlock,
    KeyDataSetRow,
    MandateRow,
    TraderBindingRow,
    VerificationRow,
    VersionRow,
)

__all__ = [
    "CHAIN_TABLES",
    "ListFilter",
    "cursor",
    "declaration",
    "grantees",
    "index_counts",
    "is_visible",
    "key_data_set",
    "links_for",
    "list_visible",
    "mandates_since",
    "outcomes_of_declarations",
    "trader_bindings",
    "verifications_for",
    "version_at",
    "versions",
    "visible_after",
    "visible_filter",
]

# The tables the indexer rebuilds from the chain (the cursor aside), in the order they are compared.
CHAIN_TABLES: tuple[type[Base], ...] = (
    KeyDataSetRow,
    VersionRow,
    DeclarationLinkRow,
    VerificationRow,
    TraderBindingRow,
    EncryptionKeyRow,
    CustomsAccountRow,
    MandateRow,
    GrantRow,
    AmendmentDelegateRow,
    IndexedBlock,
)

_Row = TypeVar("_Row", bound=Base)


# ---------------------------------------------------------------------- helpers


def _utc(value: datetime) -> datetime:
    """A stored datetime as aware UTC (SQLite hands back naive UTC, PostgreSQL the session's zone)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _aware(row: _Row) -> _Row:
    """The row with every datetime attribute made aware UTC, without marking the row changed."""
    for column in row.__table__.columns:
        value = row.__dict__.get(column.key)
        if isinstance(value, datetime) and value.tzinfo is not UTC:
            set_committed_value(row, column.key, _utc(value))
    return row


def _all(session: Session, statement: Select[Any]) -> list[Any]:
    return [_aware(row) for row in session.scalars(statement)]


def _first(session: Session, statement: Select[Any]) -> Any:
    row = session.scalars(statement.limit(1)).first()
    return None if row is None else _aware(row)


def _key(hex_text: str) -> str:
    """A GPID or hash key in the index's form: ``0x`` + lower-case hex digits."""
    text = hex_text.strip().lower()
    return text if text.startswith("0x") else "0x" + text


def _account(account: str | None) -> str | None:
    """An address checksummed as the index stores it; other text is kept as given (it matches nothing)."""
    if account is None:
        return None
    return checksum(account) if is_address(account) else account


def _as_utc(value: datetime) -> datetime:
    """A caller's instant in UTC; a naive datetime is taken to be UTC already."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# ---------------------------------------------------------------------- key data sets and versions


def key_data_set(session: Session, gpid_hex: str) -> KeyDataSetRow | None:
    """The key data set with this GPID (``0x``-hex of its 16 bytes), or None."""
    return _first(session, select(KeyDataSetRow).where(KeyDataSetRow.gpid == _key(gpid_hex)))


def versions(session: Session, gpid_hex: str, *, data: bool = True) -> list[VersionRow]:
    """Every indexed version of a key data set, oldest first (empty for an unknown GPID).

    At most ``MAX_VERSIONS`` rows: the registry keeps no more, and the LIMIT guards the read should
    an index hold more (a registry deployed before the cap); it then keeps the newest, so that the
    last row is always the current version. ``data=False`` leaves each version's data set unloaded
    (reading ``row.data`` then raises rather than loading it row by row), for lists that show only
    who changed what and when.
    """
    statement = (
        select(VersionRow)
        .where(VersionRow.gpid == _key(gpid_hex))
        .order_by(VersionRow.version.desc())
        .limit(MAX_VERSIONS)
    )
    if not data:
        statement = statement.options(defer(VersionRow.data, raiseload=True))
    return _all(session, statement)[::-1]


def version_at(
    session: Session, gpid_hex: str, *, version: int | None = None, as_of: datetime | None = None
) -> VersionRow | None:
    """One version of a key data set: version ``version``, or the latest whose time is at or before
    ``as_of`` (a naive datetime is read as UTC), or with neither the current version.

    None when there is no such version (an unknown GPID or version, or ``as_of`` before the
    registration). Giving both ``version`` and ``as_of`` is a programming error (ValueError).
    """
    if version is not None and as_of is not None:
        raise ValueError("version_at takes a version or an as_of time, not both")
    statement = select(VersionRow).where(VersionRow.gpid == _key(gpid_hex))
    if version is not None:
        return _first(session, statement.where(VersionRow.version == version))
    if as_of is not None:
        statement = statement.where(VersionRow.time <= _as_utc(as_of))
    return _first(session, statement.order_by(VersionRow.version.desc()))


def version_facts(connection: Connection, gpid_hex: str, version: int) -> tuple[VersionRow, int] | None:
    """One indexed version's digest facts (version, digest, block hash, integrity, whether a format-2
    payload came with it) and its GPID's current version, in one select that loads no data: what a
    disclosure's verdict needs, at a fraction of an ORM read. The VersionRow is transient (no session,
    ``data`` and the payload's bytes not loaded; ``payload`` is ``b""`` for a format-2 version). None
    when the index has no such version."""
    row = connection.execute(
        select(VersionRow.version, VersionRow.digest, VersionRow.block_hash, VersionRow.integrity_ok,
               VersionRow.payload.is_not(None), KeyDataSetRow.current_version)
        .join(KeyDataSetRow, KeyDataSetRow.gpid == VersionRow.gpid)
        .where(VersionRow.gpid == _key(gpid_hex), VersionRow.version == version)
    ).first()  # fmt: skip
    if row is None:
        return None
    facts = VersionRow(gpid=_key(gpid_hex), version=row[0], digest=row[1], block_hash=row[2], integrity_ok=bool(row[3]),
                       payload=b"" if row[4] else None)  # fmt: skip
    return facts, int(row[5])


# ---------------------------------------------------------------------- declarations, checks, traders


def links_for(session: Session, gpid_hex: str) -> list[DeclarationLinkRow]:
    """The declarations that reference a key data set, in chain order.

    At most ``MAX_LINKS`` rows: the registry links no more to one GPID, and the LIMIT guards the
    read should an index hold more (a registry deployed before the cap).
    """
    statement = (
        select(DeclarationLinkRow)
        .where(DeclarationLinkRow.gpid == _key(gpid_hex))
        .order_by(DeclarationLinkRow.block_number, DeclarationLinkRow.log_index)
        .limit(MAX_LINKS)
    )
    return _all(session, statement)


def declaration(session: Session, country: str, reference: str) -> list[DeclarationLinkRow]:
    """The links of one declaration (country + reference, both put in normal form), in chain order."""
    statement = (
        select(DeclarationLinkRow)
        .where(
            DeclarationLinkRow.country == country.strip().upper(),
            DeclarationLinkRow.reference == normal_identifier(reference),
        )
        .order_by(DeclarationLinkRow.block_number, DeclarationLinkRow.log_index)
    )
    return _all(session, statement)


def verifications_for(
    session: Session, gpid_hex: str, *, limit: int = MAX_LINKS, offset: int = 0
) -> list[VerificationRow]:
    """One page of the Customs outcomes recorded on chain for a key data set, in chain order.

    The registry does not cap them (Customs may check a declaration again), so they are read a page
    at a time: ``limit`` rows (by default as many as declarations may reference the GPID) from
    ``offset``.
    """
    statement = (
        select(VerificationRow)
        .where(VerificationRow.gpid == _key(gpid_hex))
        .order_by(VerificationRow.block_number, VerificationRow.log_index)
        .limit(max(0, limit))
        .offset(max(0, offset))
    )
    return _all(session, statement)


# Customs outcomes shown per declaration of a GPID (the newest; Customs may check a declaration again).
MAX_OUTCOMES_SHOWN = 100


def outcomes_of_declarations(
    session: Session, gpid_hex: str, *, per_declaration: int = MAX_OUTCOMES_SHOWN
) -> list[VerificationRow]:
    """The Customs outcomes recorded for a key data set, at most the newest ``per_declaration`` of
    each declaration (by its reference key), in chain order: what its declarations' list shows."""
    ranked = (
        select(VerificationRow.id, func.row_number().over(
            partition_by=VerificationRow.reference_key,
            order_by=(VerificationRow.block_number.desc(), VerificationRow.log_index.desc()),
        ).label("rank"))
        .where(VerificationRow.gpid == _key(gpid_hex))
        .subquery()
    )  # fmt: skip
    statement = (
        select(VerificationRow)
        .join(ranked, ranked.c.id == VerificationRow.id)
        .where(ranked.c.rank <= max(0, per_declaration))
        .order_by(VerificationRow.block_number, VerificationRow.log_index)
    )
    return _all(session, statement)


def trader_bindings(
    session: Session, trader_key_hex: str | None = None, account: str | None = None
) -> list[TraderBindingRow]:
    """Binding and unbinding events, in chain order, optionally of one trader key and/or one account."""
    statement = select(TraderBindingRow)
    if trader_key_hex is not None:
        statement = statement.where(TraderBindingRow.trader_key == _key(trader_key_hex))
    if account is not None:
        statement = statement.where(TraderBindingRow.account == _account(account))
    return _all(session, statement.order_by(TraderBindingRow.block_number, TraderBindingRow.log_index))


# ---------------------------------------------------------------------- grants and mandates, as the read rule needs them


def grantees(session: Session, gpid_hex: str) -> set[str]:
    """The accounts ever granted access to a key data set (active or revoked)."""
    statement = select(GrantRow.grantee).where(GrantRow.gpid == _key(gpid_hex), GrantRow.wrapped_key.is_not(None))
    return set(session.scalars(statement.distinct()))


def _newer_mandate() -> ColumnElement[bool]:
    """True for a ``MandateRow`` with a later row for the same trader, agent and direction."""
    later = aliased(MandateRow)
    return exists().where(
        later.trader_key == MandateRow.trader_key, later.agent == MandateRow.agent, later.direction == MandateRow.direction,
        or_(later.block_number > MandateRow.block_number,
            and_(later.block_number == MandateRow.block_number, later.log_index > MandateRow.log_index)),
    )  # fmt: skip


def mandates_since(session: Session, trader_key_hex: str) -> dict[str, int]:
    """The agents holding an active mandate (any direction) of a trader, each with the block of its
    mandate active now (the earliest when it holds both directions): what the read rule needs."""
    statement = (
        select(MandateRow.agent, func.min(MandateRow.block_number))
        .where(MandateRow.trader_key == _key(trader_key_hex), MandateRow.active.is_(True), ~_newer_mandate())
        .group_by(MandateRow.agent)
    )
    return {agent: int(block) for agent, block in session.execute(statement)}


# ---------------------------------------------------------------------- visibility


def visible_filter(
    role: str, account: str | None, trader_id: str | None, country: str | None
) -> ColumnElement[bool]:
    """The clause over ``key_data_sets`` that is true for the rows this caller may read.

    ``role`` is one of seller, buyer, broker, customs, operator (a ``Role`` works too); an unknown
    role sees nothing. The clause is made of the read grounds of :mod:`gpid_node.domain.access`
    (the rule :func:`~gpid_node.domain.access.may_read` checks in Python), one condition per ground.
    """
    try:
        principal = Principal(
            role=Role(str(role)), account=_account(account) or "", trader_id=trader_id or None,
            country=country.strip().upper() if country else None,
        )  # fmt: skip
    except ValueError:
        return false()
    clauses = [_ground_clause(ground, principal) for ground in read_grounds(principal)]
    return or_(*clauses) if clauses else false()


def _ground_clause(ground: Ground, principal: Principal) -> ColumnElement[bool]:
    """One read ground as SQL over ``key_data_sets`` (see :func:`gpid_node.domain.access.holds`)."""
    kds = KeyDataSetRow
    match ground:
        case Ground.EVERYTHING:
            return true()
        case Ground.ISSUER:
            return kds.issuer == principal.account if principal.account else false()
        case Ground.SELLER_TRADER:
            return kds.seller_trader_id == principal.trader_id
        case Ground.BUYER_TRADER:
            return kds.buyer_trader_id == principal.trader_id
        case Ground.LINKER:
            if not principal.account:
                return false()
            linked = exists().where(and_(DeclarationLinkRow.gpid == kds.gpid, DeclarationLinkRow.linker == principal.account))
            return and_(kds.format == 1, linked)
        case Ground.GRANTEE:
            if not principal.account:
                return false()
            return exists().where(
                GrantRow.gpid == kds.gpid, GrantRow.grantee == principal.account, GrantRow.wrapped_key.is_not(None)
            )
        case Ground.MANDATED:
            if not principal.account:
                return false()
            return exists().where(
                MandateRow.trader_key == kds.seller_trader_key, MandateRow.agent == principal.account,
                MandateRow.active.is_(True), MandateRow.block_number <= kds.registered_block, ~_newer_mandate(),
            )  # fmt: skip
        case Ground.SELLER_COUNTRY:
            return kds.seller_country == principal.country
        case Ground.BUYER_COUNTRY:
            return kds.buyer_country == principal.country
        case Ground.DECLARATION_COUNTRY:
            return exists().where(and_(DeclarationLinkRow.gpid == kds.gpid, DeclarationLinkRow.country == principal.country))
    return false()


def is_visible(
    session: Session, gpid_hex: str, role: str, account: str | None, trader_id: str | None, country: str | None
) -> bool:
    """Whether this caller may read this key data set (False for an unknown GPID as well)."""
    statement = select(
        exists().where(KeyDataSetRow.gpid == _key(gpid_hex), visible_filter(role, account, trader_id, country))
    )
    return bool(session.scalar(statement))


@dataclass(frozen=True)
class ListFilter:
    """The searches of a list of key data sets (each None or empty: no condition), values in the
    index's form: trader IDs ``SCHEME:VALUE`` and references in normal form, instants aware.

    Invoice numbers and buyers are confidential (format 2): a row matches them only when this node
    holds its data (``readable``); the caller's right to see that data is the service's to check.
    """

    invoice_numbers: tuple[str, ...] = ()  # any of them (as written, and in normal form)
    seller_trader_id: str | None = None
    buyer_trader_id: str | None = None
    declaration_reference: str | None = None
    declaration_country: str | None = None  # with declaration_reference only
    registered_from: datetime | None = None  # at or after
    registered_before: datetime | None = None  # strictly before

    def clause(self) -> ColumnElement[bool]:
        """The filter as one SQL condition over ``key_data_sets``."""
        kds = KeyDataSetRow
        conditions: list[ColumnElement[bool]] = []
        if self.invoice_numbers:
            conditions += [kds.invoice_number.in_(self.invoice_numbers), kds.readable.is_(True)]
        if self.buyer_trader_id is not None:
            conditions += [kds.buyer_trader_id == self.buyer_trader_id, kds.readable.is_(True)]
        if self.seller_trader_id is not None:
            conditions.append(kds.seller_trader_id == self.seller_trader_id)
        if self.declaration_reference is not None:  # IN, not a correlated EXISTS: the few GPIDs of the reference first
            linked = select(DeclarationLinkRow.gpid).where(DeclarationLinkRow.reference == self.declaration_reference)
            if self.declaration_country is not None:
                linked = linked.where(DeclarationLinkRow.country == self.declaration_country)
            conditions.append(kds.gpid.in_(linked))
        if self.registered_from is not None:
            conditions.append(kds.registered_at >= _as_utc(self.registered_from))
        if self.registered_before is not None:
            conditions.append(kds.registered_at < _as_utc(self.registered_before))
        return and_(true(), *conditions)


def list_visible(
    session: Session,
    role: str,
    account: str | None,
    trader_id: str | None,
    country: str | None,
    limit: int,
    offset: int,
    filters: ListFilter | None = None,
) -> tuple[list[KeyDataSetRow], int]:
    """One page of the key data sets this caller may read (and ``filters`` keeps), newest
    registration first (then by GPID), and how many there are in all."""
    clause = and_(visible_filter(role, account, trader_id, country), (filters or ListFilter()).clause())
    total = session.scalar(select(func.count()).select_from(KeyDataSetRow).where(clause)) or 0
    statement = (
        select(KeyDataSetRow)
        .where(clause)
        .order_by(KeyDataSetRow.registered_block.desc(), KeyDataSetRow.gpid)
        .limit(max(0, limit))
        .offset(max(0, offset))
    )
    return _all(session, statement), int(total)


# What a list shows of each key data set (and the keyset an export pages by): an export reads these
# columns only, without building ORM rows (about five times faster than whole rows).
SUMMARY_COLUMNS = (
    KeyDataSetRow.gpid, KeyDataSetRow.gpid_text, KeyDataSetRow.current_version, KeyDataSetRow.invoice_number,
    KeyDataSetRow.seller_trader_id, KeyDataSetRow.buyer_trader_id, KeyDataSetRow.registered_at, KeyDataSetRow.updated_at,
    KeyDataSetRow.integrity_ok, KeyDataSetRow.format, KeyDataSetRow.readable, KeyDataSetRow.registered_block,
)  # fmt: skip


def visible_after(
    session: Session,
    role: str,
    account: str | None,
    trader_id: str | None,
    country: str | None,
    filters: ListFilter | None,
    after: tuple[int, str] | None,
    limit: int,
) -> list[Row[Any]]:
    """The next ``limit`` key data sets this caller may read (and ``filters`` keeps) in list order
    (newest registration first, then by GPID) after the row keyed ``(registered_block, gpid)``
    ``after`` (from the start when None): an export walks a list of any length this way, a page per
    transaction, never skipping or repeating a row that stays. Each row holds ``SUMMARY_COLUMNS``
    by name (datetimes as the database hands them back: naive UTC on SQLite)."""
    clause = and_(visible_filter(role, account, trader_id, country), (filters or ListFilter()).clause())
    if after is not None:
        block, gpid = after
        kds = KeyDataSetRow
        # "<= block" first: a range the planner walks the registered_block index with (an OR alone it cannot)
        clause = and_(clause, kds.registered_block <= block, or_(kds.registered_block < block, kds.gpid > gpid))
    statement = (
        select(*SUMMARY_COLUMNS)
        .where(clause)
        .order_by(KeyDataSetRow.registered_block.desc(), KeyDataSetRow.gpid)
        .limit(max(0, limit))
    )
    rows: list[Row[Any]] = [*session.connection().execute(statement)]  # Core rows: no ORM loading
    return rows


# ---------------------------------------------------------------------- the index itself


def cursor(session: Session) -> ChainCursor | None:
    """Where the indexer stands (the last block applied), or None before its first block."""
    return _first(session, select(ChainCursor).where(ChainCursor.id == 1))


def index_counts(session: Session) -> dict[str, int]:
    """Rows per chain-derived table, by table name: a quick way to compare two indexes."""
    return {
        table.__tablename__: int(session.scalar(select(func.count()).select_from(table)) or 0)
        for table in CHAIN_TABLES
    }
