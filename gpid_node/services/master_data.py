"""A seller's master data for e-invoices: its item catalogue and its partner directory.

What EN 16931 invoices rarely carry (HS code, origins) or never carry (net mass, packages, EORI
numbers) the seller keeps once per item and per customer; :mod:`gpid_node.services.einvoices`
completes each invoice with it. Entries belong to the seller's trader ID (as its rights do: a new
account of the same trader finds them) and are checked with the key data set's own field rules
(:mod:`gpid_node.domain.fields`), every problem named with its path, before anything is written.

CSV files (``gpid-node items import``, ``PUT /v1/items`` with ``text/csv``) have a header row:
``item_id,hs_code,country_of_origin,preferential_origin,net_mass_kg_per_unit,packages_per_unit``
and ``partner_id,scheme,value``; an empty cell is no value. A file is written whole or not at all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainValidator, ValidationError

from gpid_node.domain import canonical
from gpid_node.domain import errors as e
from gpid_node.domain.access import Action, Principal
from gpid_node.domain.amounts import _parse_decimal, decimal_places, decimal_text
from gpid_node.domain.einvoices import ItemMaster
from gpid_node.domain.fields import CountryCode, HSCode, PreferentialOrigin, refusal
from gpid_node.domain.model import TraderId, problems_of
from gpid_node.domain.times import iso
from gpid_node.services.context import UNBOUND, Context
from gpid_node.store import master_data, queries
from gpid_node.store.tables import ITEM_ID, PARTNER_ID, CatalogueItemRow, PartnerRow

ITEM_CSV_COLUMNS = ("item_id", "hs_code", "country_of_origin", "preferential_origin", "net_mass_kg_per_unit", "packages_per_unit")
PARTNER_CSV_COLUMNS = ("partner_id", "scheme", "value")
MAX_CSV_ROWS = 100_000
PER_UNIT_DECIMALS = 6  # a gram per thousand units; a package per million units
MAX_PER_UNIT = Decimal(10) ** 9


def _per_unit(value: Any) -> Decimal | None:
    """A quantity per invoiced unit: exact, positive, at most 6 decimals and 9 digits before the point."""
    if value is None:
        return None
    number = _parse_decimal(value)
    if number <= 0:
        raise refusal("decimal_positive", f"must be greater than 0, got {decimal_text(number)}")
    if number >= MAX_PER_UNIT:
        raise refusal("decimal_too_large", "must have at most 9 digits before the decimal point")
    if (places := decimal_places(number)) > PER_UNIT_DECIMALS:
        raise refusal("decimal_places", f"at most {PER_UNIT_DECIMALS} decimals; {decimal_text(number)} has {places}")
    return number.normalize() if number == number.to_integral_value() else number


PerUnit = Annotated[Decimal | None, PlainValidator(_per_unit)]


class ItemEntry(BaseModel):
    """A catalogue entry as ``PUT /v1/items/{item_id}`` takes it (every member optional, none unknown)."""

    model_config = ConfigDict(extra="forbid")

    hs_code: HSCode | None = None
    country_of_origin: CountryCode | None = None
    preferential_origin: PreferentialOrigin = None
    net_mass_kg_per_unit: PerUnit = None
    packages_per_unit: PerUnit = None


class PartnerEntry(BaseModel):
    """A partner as ``PUT /v1/partners/{id}`` takes it."""

    model_config = ConfigDict(extra="forbid")

    trader_id: TraderId


def _checked_id(value: Any, path: str, max_length: int, what: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > max_length or any(ord(c) < 32 for c in text):
        raise e.ValidationFailed([e.FieldProblem(path, f"{what} is 1 to {max_length} characters without control characters, "
                                                       f"as the invoices write it; got {value!r}")])  # fmt: skip
    return text


def _validated(model: type[BaseModel], raw: Any, prefix: str = "") -> BaseModel:
    if not isinstance(raw, Mapping):
        raise e.ValidationFailed([e.FieldProblem(prefix.rstrip("."), f"expected an object with the fields {', '.join(model.model_fields)}")])
    try:
        return model.model_validate(dict(raw))
    except ValidationError as error:
        raise e.ValidationFailed([e.FieldProblem(prefix + p.path if p.path else prefix.rstrip("."), p.message)
                                  for p in problems_of(error)]) from None  # fmt: skip


def item_values(raw: Any, prefix: str = "") -> dict[str, str | None]:
    """A catalogue entry's five values as stored (text), checked; ValidationFailed names each bad field."""
    entry = _validated(ItemEntry, raw, prefix)
    assert isinstance(entry, ItemEntry)
    return {
        "hs_code": entry.hs_code, "country_of_origin": entry.country_of_origin,
        "preferential_origin": entry.preferential_origin,
        "net_mass_kg_per_unit": None if entry.net_mass_kg_per_unit is None else decimal_text(entry.net_mass_kg_per_unit),
        "packages_per_unit": None if entry.packages_per_unit is None else decimal_text(entry.packages_per_unit),
    }  # fmt: skip


def partner_values(raw: Any, prefix: str = "") -> dict[str, str]:
    """A partner's trader ID as stored, checked (scheme and value shape, as in a key data set)."""
    entry = _validated(PartnerEntry, raw, prefix)
    assert isinstance(entry, PartnerEntry)
    return {"trader_id_scheme": entry.trader_id.scheme, "trader_id_value": entry.trader_id.value}


def item_answer(row: CatalogueItemRow) -> dict[str, Any]:
    return {"item_id": row.item_id, **{c: getattr(row, c) for c in master_data.ITEM_COLUMNS},
            "updated_at": iso(row.updated_at)}  # fmt: skip


def partner_answer(row: PartnerRow) -> dict[str, Any]:
    return {"partner_id": row.partner_id, "trader_id": {"scheme": row.trader_id_scheme, "value": row.trader_id_value},
            "updated_at": iso(row.updated_at)}  # fmt: skip


def _item_master(hs_code: str | None, country_of_origin: str | None, preferential_origin: str | None,
                 net_mass_kg_per_unit: str | None, packages_per_unit: str | None) -> ItemMaster:  # fmt: skip
    return ItemMaster(
        hs_code=hs_code, country_of_origin=country_of_origin, preferential_origin=preferential_origin,
        net_mass_kg_per_unit=None if net_mass_kg_per_unit is None else Decimal(net_mass_kg_per_unit),
        packages_per_unit=None if packages_per_unit is None else Decimal(packages_per_unit),
    )  # fmt: skip


def item_master(row: CatalogueItemRow) -> ItemMaster:
    """A stored catalogue entry as the derivation reads it."""
    return _item_master(*(getattr(row, c) for c in master_data.ITEM_COLUMNS))


def _csv_rows(text: str, columns: tuple[str, ...], what: str) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV file with a header naming ``columns`` (the first one required), with their line numbers."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = reader.fieldnames or []
    unknown = [h for h in header if h not in columns]
    if columns[0] not in header or unknown:
        found = ", ".join(header) or "nothing"
        raise e.ValidationFailed([e.FieldProblem("header", f"a {what} file starts with the header {','.join(columns)} "
                                                           f"(the first column required, the others optional); found {found}")])  # fmt: skip
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for row in reader:
            if len(rows) >= MAX_CSV_ROWS:
                raise e.ValidationFailed([e.FieldProblem("", f"a {what} file holds at most {MAX_CSV_ROWS} rows")])
            if None in row:
                raise e.ValidationFailed([e.FieldProblem(f"line {reader.line_num}", f"more cells than the header's {len(header)} columns")])
            rows.append((reader.line_num, {k: v.strip() for k, v in row.items() if isinstance(v, str) and v.strip()}))
    except csv.Error as exc:
        raise e.ValidationFailed([e.FieldProblem(f"line {reader.line_num}", f"not CSV: {exc}")]) from None
    return rows


def _decoded(body: bytes | str) -> str:
    if isinstance(body, str):
        return body
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise e.ValidationFailed([e.FieldProblem("", f"the file is not UTF-8 text (byte {exc.start}): save it as UTF-8 CSV")]) from None


class MasterData:
    """The item catalogue and the partner directory of the sellers this node's accounts act for."""

    def __init__(self, context: Context) -> None:
        self.context = context
        # trader key -> its trader ID: the key is the hash of the ID's text, so the pair never changes
        self._trader_ids: dict[str, dict[str, str]] = {}

    def seller_key(self, principal: Principal) -> str:
        """The trader key (``0x``-hex) whose master data the caller keeps: its bound trader's, as a seller."""
        account = self.context.signer(principal, Action.REGISTER)
        key = self.context.trader_key_of(account)
        if key == UNBOUND:
            raise e.TraderNotBound(account)
        return "0x" + key.hex()

    def seller_trader_id(self, principal: Principal, seller_key: str) -> dict[str, str] | None:
        """The caller's bound trader ID as ``{"scheme", "value"}``: its API key's when it is the bound
        one, else the one the index (which mirrors the chain) binds to that trader key."""
        known = self._trader_ids.get(seller_key)
        if known is not None:
            return dict(known)
        texts = [principal.trader_id] if principal.trader_id else []
        if not any(self._is_trader_id_of(t, seller_key) for t in texts):
            with self.context.store.session() as session:
                texts += [r.trader_id for r in reversed(queries.trader_bindings(session, trader_key_hex=seller_key)) if r.bound and r.trader_id]
        for text in texts:
            if text and self._is_trader_id_of(text, seller_key):
                scheme, value = canonical.normal_identifier(text).split(":", 1)
                self._trader_ids[seller_key] = {"scheme": scheme, "value": value}
                return {"scheme": scheme, "value": value}
        return None

    @staticmethod
    def _is_trader_id_of(text: str | None, seller_key: str) -> bool:
        return bool(text) and ":" in str(text) and "0x" + canonical.trader_key(canonical.normal_identifier(str(text))).hex() == seller_key

    def for_invoice(self, principal: Principal, item_ids: list[str], partner_ids: list[str]
                    ) -> tuple[dict[str, str] | None, dict[str, ItemMaster], dict[str, dict[str, str]]]:  # fmt: skip
        """What completes one invoice, in one read: the caller's trader ID, the catalogue entries of
        these items and the partners under these ids."""
        seller = self.seller_key(principal)
        trader_id = self.seller_trader_id(principal, seller)
        with self.context.store.session() as session:
            rows = master_data.item_values_of(session, seller, item_ids) if item_ids else {}
            found = master_data.partner_values_of(session, seller, partner_ids) if partner_ids else {}
        items = {k: _item_master(*values) for k, values in rows.items()}
        return trader_id, items, {k: {"scheme": scheme, "value": value} for k, (scheme, value) in found.items()}

    # ------------------------------------------------------------------ items

    def put_item(self, item_id: str, raw: Any, principal: Principal) -> tuple[dict[str, Any], bool]:
        """Creates or replaces one catalogue entry; answers it and whether it is new."""
        seller = self.seller_key(principal)
        item_id = _checked_id(item_id, "item_id", ITEM_ID, "an item id")
        values = item_values(raw)
        with self.context.store.session() as session:
            created = master_data.put_items(session, seller, {item_id: values}, datetime.now(UTC))
            row = master_data.items_of(session, seller, [item_id])[item_id]
            answer = item_answer(row)
        return answer, bool(created)

    def items(self, principal: Principal, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        seller = self.seller_key(principal)
        with self.context.store.session() as session:
            rows, total = master_data.item_page(session, seller, limit, offset)
            return {"items": [item_answer(r) for r in rows], "total": total, "limit": limit, "offset": offset}

    def delete_item(self, item_id: str, principal: Principal) -> None:
        seller = self.seller_key(principal)
        with self.context.store.session() as session:
            if not master_data.delete_item(session, seller, item_id):
                raise e.NotFound(f"your catalogue has no item {item_id!r}")

    def import_items(self, body: bytes | str, principal: Principal) -> dict[str, Any]:
        """Creates or replaces every entry of a CSV file, all or nothing (every bad cell named first)."""
        seller = self.seller_key(principal)
        entries: dict[str, dict[str, str | None]] = {}
        problems: list[e.FieldProblem] = []
        for line, row in _csv_rows(_decoded(body), ITEM_CSV_COLUMNS, "catalogue"):
            try:
                item_id = _checked_id(row.pop("item_id", ""), f"line {line}.item_id", ITEM_ID, "an item id")
                if item_id in entries:
                    raise e.ValidationFailed([e.FieldProblem(f"line {line}.item_id", f"item {item_id} is already on an earlier line")])
                entries[item_id] = item_values(row, f"line {line}.")
            except e.ValidationFailed as exc:
                problems += exc.problems
        if problems:
            raise e.ValidationFailed(problems[:1000])
        with self.context.store.session() as session:
            created = master_data.put_items(session, seller, entries, datetime.now(UTC))
        return {"read": len(entries), "created": len(created), "replaced": len(entries) - len(created)}

    def catalogue(self, principal: Principal, item_ids: list[str] | None = None) -> dict[str, ItemMaster]:
        """The caller's catalogue entries of these item ids (all when None), as the derivation reads them."""
        seller = self.seller_key(principal)
        with self.context.store.session() as session:
            return {k: item_master(r) for k, r in master_data.items_of(session, seller, item_ids).items()}

    # ------------------------------------------------------------------ partners

    def put_partner(self, partner_id: str, raw: Any, principal: Principal) -> tuple[dict[str, Any], bool]:
        """Creates or replaces one partner; answers it and whether it is new."""
        seller = self.seller_key(principal)
        partner_id = _checked_id(partner_id, "partner_id", PARTNER_ID, "a partner id (VAT id or party id)")
        values = partner_values(raw)
        with self.context.store.session() as session:
            created = master_data.put_partners(session, seller, {partner_id: values}, datetime.now(UTC))
            answer = partner_answer(master_data.partners_of(session, seller, [partner_id])[partner_id])
        return answer, bool(created)

    def partners(self, principal: Principal, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        seller = self.seller_key(principal)
        with self.context.store.session() as session:
            rows, total = master_data.partner_page(session, seller, limit, offset)
            return {"items": [partner_answer(r) for r in rows], "total": total, "limit": limit, "offset": offset}

    def delete_partner(self, partner_id: str, principal: Principal) -> None:
        seller = self.seller_key(principal)
        with self.context.store.session() as session:
            if not master_data.delete_partner(session, seller, partner_id):
                raise e.NotFound(f"your partner directory has no partner {partner_id!r}")

    def import_partners(self, body: bytes | str, principal: Principal) -> dict[str, Any]:
        """Creates or replaces every partner of a CSV file (``partner_id,scheme,value``), all or nothing."""
        seller = self.seller_key(principal)
        entries: dict[str, dict[str, str]] = {}
        problems: list[e.FieldProblem] = []
        for line, row in _csv_rows(_decoded(body), PARTNER_CSV_COLUMNS, "partner"):
            try:
                partner_id = _checked_id(row.get("partner_id", ""), f"line {line}.partner_id", PARTNER_ID, "a partner id")
                if partner_id in entries:
                    raise e.ValidationFailed([e.FieldProblem(f"line {line}.partner_id", f"partner {partner_id} is already on an earlier line")])
                trader_id = {"scheme": row.get("scheme", "EORI"), "value": row.get("value")}
                entries[partner_id] = partner_values({"trader_id": trader_id}, f"line {line}.")
            except e.ValidationFailed as exc:
                problems += exc.problems
        if problems:
            raise e.ValidationFailed(problems[:1000])
        with self.context.store.session() as session:
            created = master_data.put_partners(session, seller, entries, datetime.now(UTC))
        return {"read": len(entries), "created": len(created), "replaced": len(entries) - len(created)}

    def directory(self, principal: Principal, partner_ids: list[str] | None = None) -> dict[str, dict[str, str]]:
        """The caller's partners with these ids (all when None) as ``{"scheme", "value"}``."""
        seller = self.seller_key(principal)
        with self.context.store.session() as session:
            rows = master_data.partners_of(session, seller, partner_ids)
            return {k: {"scheme": r.trader_id_scheme, "value": r.trader_id_value} for k, r in rows.items()}
