"""Each seller's master data for e-invoices: its item catalogue and its partner directory.

Rows are keyed by the seller's trader key (``0x``-hex, as ``key_data_sets.seller_trader_key``) and
the id its invoices use; values arrive validated (:mod:`gpid_node.services.master_data`). A put
replaces the whole entry; many puts (a CSV import) go in the caller's one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gpid_node.store.tables import CatalogueItemRow, PartnerRow

__all__ = [
    "ITEM_COLUMNS",
    "PARTNER_COLUMNS",
    "ItemValues",
    "delete_item",
    "delete_partner",
    "item_page",
    "item_values_of",
    "items_of",
    "partner_page",
    "partner_values_of",
    "partners_of",
    "put_items",
    "put_partners",
]

ITEM_COLUMNS = ("hs_code", "country_of_origin", "preferential_origin", "net_mass_kg_per_unit", "packages_per_unit")
PARTNER_COLUMNS = ("trader_id_scheme", "trader_id_value")
_IN_CHUNK = 500  # ids per IN (...) list: well below every backend's parameter limit

Row = TypeVar("Row", CatalogueItemRow, PartnerRow)


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), _IN_CHUNK):
        yield ids[start : start + _IN_CHUNK]


def _put(session: Session, model: type[Row], key_column: str, seller: str, entries: Mapping[str, Mapping[str, Any]],
         columns: tuple[str, ...], now: datetime) -> list[str]:  # fmt: skip
    """Inserts or replaces ``entries`` (id -> values); answers the ids that were new."""
    ids = list(entries)
    key = getattr(model, key_column)
    existing: dict[str, Row] = {}
    for chunk in _chunks(ids):
        rows = session.scalars(select(model).where(model.seller_trader_key == seller, key.in_(chunk)))
        existing.update({getattr(row, key_column): row for row in rows})
    created = []
    for entry_id, values in entries.items():
        row = existing.get(entry_id)
        if row is None:
            session.add(model(seller_trader_key=seller, **{key_column: entry_id}, updated_at=now,
                              **{c: values.get(c) for c in columns}))  # fmt: skip
            created.append(entry_id)
        else:
            for column in columns:
                setattr(row, column, values.get(column))
            row.updated_at = now
    session.flush()
    return created


def put_items(session: Session, seller: str, items: Mapping[str, Mapping[str, Any]], now: datetime) -> list[str]:
    """Inserts or replaces catalogue entries (item id -> the five values); answers the new item ids."""
    return _put(session, CatalogueItemRow, "item_id", seller, items, ITEM_COLUMNS, now)


def put_partners(session: Session, seller: str, partners: Mapping[str, Mapping[str, Any]], now: datetime) -> list[str]:
    """Inserts or replaces partners (partner id -> scheme and value); answers the new partner ids."""
    return _put(session, PartnerRow, "partner_id", seller, partners, PARTNER_COLUMNS, now)


def items_of(session: Session, seller: str, item_ids: Iterable[str] | None = None) -> dict[str, CatalogueItemRow]:
    """The seller's catalogue entries with these ids (all of them when ``item_ids`` is None)."""
    return _rows_of(session, CatalogueItemRow, "item_id", seller, item_ids)


def partners_of(session: Session, seller: str, partner_ids: Iterable[str] | None = None) -> dict[str, PartnerRow]:
    """The seller's partners with these ids (all of them when ``partner_ids`` is None)."""
    return _rows_of(session, PartnerRow, "partner_id", seller, partner_ids)


def _rows_of(session: Session, table: type[Row], key: str, seller: str, ids: Iterable[str] | None) -> dict[str, Row]:
    """The seller's rows of ``table`` by their ``key`` column, those named in ``ids`` (in chunks) or all."""
    column = getattr(table, key)
    mine = select(table).where(table.seller_trader_key == seller)
    if ids is None:
        return {getattr(r, key): r for r in session.scalars(mine)}
    found: dict[str, Row] = {}
    for chunk in _chunks(list(dict.fromkeys(ids))):
        found.update({getattr(r, key): r for r in session.scalars(mine.where(column.in_(chunk)))})
    return found


ItemValues = tuple[str | None, str | None, str | None, str | None, str | None]  # ITEM_COLUMNS, in order
_ITEM_VALUES = select(CatalogueItemRow.item_id, *(getattr(CatalogueItemRow, c) for c in ITEM_COLUMNS))
_PARTNER_VALUES = select(PartnerRow.partner_id, PartnerRow.trader_id_scheme, PartnerRow.trader_id_value)


def item_values_of(session: Session, seller: str, item_ids: Iterable[str]) -> dict[str, ItemValues]:
    """The values of the seller's catalogue entries with these ids (the columns only: what one invoice
    needs, read without building ORM objects)."""
    found: dict[str, ItemValues] = {}
    for chunk in _chunks(list(dict.fromkeys(item_ids))):
        rows = session.execute(_ITEM_VALUES.where(CatalogueItemRow.seller_trader_key == seller, CatalogueItemRow.item_id.in_(chunk)))
        found.update({row[0]: (row[1], row[2], row[3], row[4], row[5]) for row in rows})
    return found


def partner_values_of(session: Session, seller: str, partner_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """The (scheme, value) of the seller's partners with these ids."""
    found: dict[str, tuple[str, str]] = {}
    for chunk in _chunks(list(dict.fromkeys(partner_ids))):
        rows = session.execute(_PARTNER_VALUES.where(PartnerRow.seller_trader_key == seller, PartnerRow.partner_id.in_(chunk)))
        found.update({row[0]: (row[1], row[2]) for row in rows})
    return found


def item_page(session: Session, seller: str, limit: int, offset: int) -> tuple[list[CatalogueItemRow], int]:
    """One page of the seller's catalogue by item id, and how many entries it holds."""
    where = CatalogueItemRow.seller_trader_key == seller
    total = session.scalar(select(func.count()).select_from(CatalogueItemRow).where(where)) or 0
    rows = session.scalars(select(CatalogueItemRow).where(where).order_by(CatalogueItemRow.item_id).limit(limit).offset(offset))
    return list(rows), total


def partner_page(session: Session, seller: str, limit: int, offset: int) -> tuple[list[PartnerRow], int]:
    """One page of the seller's partners by partner id, and how many it holds."""
    where = PartnerRow.seller_trader_key == seller
    total = session.scalar(select(func.count()).select_from(PartnerRow).where(where)) or 0
    rows = session.scalars(select(PartnerRow).where(where).order_by(PartnerRow.partner_id).limit(limit).offset(offset))
    return list(rows), total


def delete_item(session: Session, seller: str, item_id: str) -> bool:
    """Removes one catalogue entry; whether there was one."""
    result = session.execute(delete(CatalogueItemRow).where(CatalogueItemRow.seller_trader_key == seller,
                                                            CatalogueItemRow.item_id == item_id))  # fmt: skip
    return bool(getattr(result, "rowcount", 0))


def delete_partner(session: Session, seller: str, partner_id: str) -> bool:
    """Removes one partner; whether there was one."""
    result = session.execute(delete(PartnerRow).where(PartnerRow.seller_trader_key == seller, PartnerRow.partner_id == partner_id))
    return bool(getattr(result, "rowcount", 0))
