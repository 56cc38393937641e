"""From an e-invoice and the seller's master data to the draft of a key data set.

The invoice's own values win where present (HS code BT-158 with ``listID="HS"``, country of origin
BT-159); the seller's item catalogue fills the rest; number of packages and net mass come only from
the catalogue (per unit times invoiced quantity, packages rounded up), because EN 16931 has no term for
them and a unit of measure says nothing about packaging. The buyer's trader ID comes from the
seller's partner directory, the seller's from the account that registers (EN 16931 has no EORI term).

:func:`derive` maps; it does not validate the key data set (the registration service runs the
model's validation on the draft). What it cannot fill it names in ``missing``, every path at once,
with a message a clerk can act on.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any, Literal

from gpid_node.domain import reference
from gpid_node.domain.einvoices.document import EInvoice, InvoiceKind, InvoiceLine, Party
from gpid_node.domain.einvoices.master_data import ItemMaster
from gpid_node.domain.fields import MASS_DECIMALS

__all__ = ["Derivation", "Missing", "Source", "derive"]

Source = Literal["invoice", "catalogue", "partners", "account"]

_EXACT = decimal.Context(prec=60)


@dataclass(frozen=True)
class Missing:
    """A key data set field the invoice and the master data leave empty, and what would fill it."""

    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


@dataclass(frozen=True)
class Derivation:
    """The draft key data set (DESIGN.md's JSON form, absent fields absent), what is missing, and
    where each field came from.

    ``sources`` maps each field path present in the draft to ``invoice``, ``catalogue``,
    ``partners`` or ``account``. ``source`` identifies the e-invoice (``syntax``, ``customization``,
    ``sha256``). For a credit note or a corrective invoice, ``kind`` says so and ``corrects`` lists
    the invoice numbers it refers to (BT-25): the node registers it as an amendment of that invoice,
    not as a new key data set.
    """

    key_data_set: dict[str, Any]
    missing: tuple[Missing, ...]
    sources: dict[str, str]
    source: dict[str, str]
    kind: InvoiceKind
    corrects: tuple[str, ...] = field(default=())


def derive(
    invoice: EInvoice,
    *,
    items: Mapping[str, ItemMaster],
    partners: Mapping[str, dict[str, str]],
    seller_trader_id: dict[str, str],
) -> Derivation:
    """The draft key data set of ``invoice``, completed by the seller's catalogue (``items``, keyed
    by the seller's item id) and partner directory (``partners``, a customer's VAT id or party id
    as the invoice gives it → ``{"scheme", "value"}``); ``seller_trader_id`` is the registering
    account's bound trader ID."""
    builder = _Builder()
    data: dict[str, Any] = {"schema_version": "1"}
    data["seller"] = builder.party("seller", invoice.seller, "seller")
    if seller_trader_id:
        data["seller"]["trader_id"] = dict(seller_trader_id)
        builder.sources["seller.trader_id"] = "account"
    else:
        builder.miss("seller.trader_id", "the registering account is not bound to a trader ID: ask the onboarding authority to bind it")
    data["buyer"] = builder.party("buyer", invoice.buyer, "buyer")
    _buyer_trader_id(builder, data["buyer"], invoice.buyer, partners)
    data["invoice"] = {"number": invoice.number, "date": invoice.issue_date.isoformat()}
    builder.sources["invoice.number"] = "invoice"
    builder.sources["invoice.date"] = "invoice"
    data["goods"] = [builder.goods(index, line, invoice.currency, items) for index, line in enumerate(invoice.lines)]
    if not invoice.lines:
        builder.miss("goods", "the invoice has no lines")
    return Derivation(
        key_data_set=data,
        missing=tuple(builder.missing),
        sources=builder.sources,
        source={"syntax": invoice.syntax, "customization": invoice.customization or "", "sha256": invoice.sha256},
        kind=invoice.kind,
        corrects=invoice.preceding_invoices if invoice.kind != "invoice" else (),
    )


_PARTY_ROLE = {"seller": "seller", "buyer": "buyer"}
_ADDRESS_TERMS = {"street": "street (address line 1)", "postcode": "post code", "city": "city", "country": "country code"}


class _Builder:
    """Collects the draft's sources and missing paths while the sections are built."""

    def __init__(self) -> None:
        self.sources: dict[str, str] = {}
        self.missing: list[Missing] = []

    def miss(self, path: str, message: str) -> None:
        self.missing.append(Missing(path, message))

    def take(self, section: dict[str, Any], path: str, key: str, value: Any, source: Source) -> None:
        section[key] = value
        self.sources[path] = source

    def party(self, path: str, party: Party, role: str) -> dict[str, Any]:
        section: dict[str, Any] = {}
        if party.name:
            self.take(section, f"{path}.name", "name", party.name, "invoice")
        else:
            self.miss(f"{path}.name", f"the invoice names no {role} (its {role}'s name is empty)")
        address: dict[str, Any] = {}
        for key, term in _ADDRESS_TERMS.items():
            value = getattr(party, key)
            if value:
                self.take(address, f"{path}.address.{key}", key, value, "invoice")
            else:
                self.miss(f"{path}.address.{key}", f"the invoice gives no {term} in the {role}'s postal address")
        section["address"] = address
        return section

    def goods(self, index: int, line: InvoiceLine, currency: str, items: Mapping[str, ItemMaster]) -> dict[str, Any]:
        path = f"goods[{index}]"
        what = _line_words(line)
        entry = items.get(line.item_id) if line.item_id else None
        good: dict[str, Any] = {}
        self.take(good, f"{path}.sequence", "sequence", index + 1, "invoice")
        self.take(good, f"{path}.description", "description", line.name, "invoice")

        hs_code = reference.strip_hs_separators(line.hs_code) if line.hs_code else None
        if hs_code:
            self.take(good, f"{path}.hs_code", "hs_code", hs_code, "invoice")
        elif entry is not None and entry.hs_code:
            self.take(good, f"{path}.hs_code", "hs_code", reference.strip_hs_separators(entry.hs_code), "catalogue")
        else:
            self.miss(f"{path}.hs_code", f"{what} has no HS code and {_catalogue_gap(line, entry, 'HS code')}")

        self.take(good, f"{path}.value", "value", _value_text(line.net_amount, currency), "invoice")
        self.take(good, f"{path}.currency", "currency", currency, "invoice")

        packages = _times_quantity(entry.packages_per_unit if entry else None, line.quantity)
        if packages is not None:
            self.take(good, f"{path}.packages", "packages", int(packages.to_integral_value(rounding=ROUND_CEILING)), "catalogue")
        else:
            gap = _catalogue_gap(line, entry, "packages per unit", entry.packages_per_unit if entry else None)
            self.miss(f"{path}.packages", f"{what}: invoices carry no number of packages and {gap}")

        mass = _times_quantity(entry.net_mass_kg_per_unit if entry else None, line.quantity)
        if mass is not None:
            mass = mass.quantize(Decimal(1).scaleb(-MASS_DECIMALS), rounding=ROUND_HALF_UP, context=_EXACT)
            self.take(good, f"{path}.net_mass_kg", "net_mass_kg", format(mass, "f"), "catalogue")
        else:
            gap = _catalogue_gap(line, entry, "net mass per unit", entry.net_mass_kg_per_unit if entry else None)
            self.miss(f"{path}.net_mass_kg", f"{what}: invoices carry no net mass and {gap}")

        if entry is not None and entry.preferential_origin:
            self.take(good, f"{path}.preferential_origin", "preferential_origin", entry.preferential_origin, "catalogue")

        if line.country_of_origin:
            self.take(good, f"{path}.country_of_origin", "country_of_origin", line.country_of_origin, "invoice")
        elif entry is not None and entry.country_of_origin:
            self.take(good, f"{path}.country_of_origin", "country_of_origin", entry.country_of_origin, "catalogue")
        else:
            self.miss(f"{path}.country_of_origin", f"{what} has no country of origin and {_catalogue_gap(line, entry, 'country of origin')}")
        return good


def _buyer_trader_id(builder: _Builder, section: dict[str, Any], buyer: Party, partners: Mapping[str, dict[str, str]]) -> None:
    """The buyer's trader ID from the partner directory: by its VAT id first, then its party ids."""
    keys = [key for key in (buyer.vat_id, *buyer.party_ids) if key]
    for key in keys:
        found = partners.get(key)
        if found:
            builder.take(section, "buyer.trader_id", "trader_id", {"scheme": found["scheme"], "value": found["value"]}, "partners")
            return
    name = f"'{buyer.name}'" if buyer.name else "the buyer"
    if keys:
        tried = ", ".join(keys)
        builder.miss("buyer.trader_id", f"the partner directory has no trader ID for {name} under {tried} (its identifiers on the invoice): "
                                        f"add the partner under one of them")  # fmt: skip
    else:
        builder.miss("buyer.trader_id", f"the invoice gives no VAT id or party id for {name}, so the partner directory cannot supply "
                                        "its trader ID")  # fmt: skip


def _line_words(line: InvoiceLine) -> str:
    """How a message names a line: by its item name and the seller's item id, as the clerk sees them
    on the invoice (the path, ``goods[2]``, already says which line it is)."""
    item = f" (item {line.item_id})" if line.item_id else ""
    return f"the invoice line '{line.name}'{item}"


def _catalogue_gap(line: InvoiceLine, entry: ItemMaster | None, what: str, given: Decimal | None = None) -> str:
    if not line.item_id:
        return "the line has no seller's item id to look it up in the catalogue"
    if entry is None:
        return f"the catalogue has no entry for item {line.item_id}"
    if given is not None:
        return (f"the catalogue entry for item {line.item_id} has {what} {given}, which times the invoiced quantity "
                f"{line.quantity} gives no usable figure: correct the catalogue entry")  # fmt: skip
    return f"the catalogue entry for item {line.item_id} has no {what}"


# Beyond any real shipment (the key data set's own bounds are far lower and its validation names them);
# keeps the arithmetic exact and the figures printable.
_LARGEST_PRODUCT = Decimal(10) ** 18


def _times_quantity(per_unit: Decimal | None, quantity: Decimal) -> Decimal | None:
    """``per_unit`` times ``quantity`` exactly, or ``None`` when there is no per-unit figure or no usable product."""
    if per_unit is None or not per_unit.is_finite() or abs(per_unit) >= _LARGEST_PRODUCT:
        return None
    product = _EXACT.multiply(per_unit, quantity)
    return product if product.is_finite() and abs(product) < _LARGEST_PRODUCT else None


def _value_text(amount: Decimal, currency: str) -> str:
    """The line net amount with the currency's minor units (``1000.5`` EUR → ``1000.50``).

    An amount that needs more decimals than the currency has is left as written: rounding would
    change the invoiced value, and the key data set's validation names the problem.
    """
    if not reference.is_currency(currency):
        return format(amount, "f")
    places = reference.currency_minor_unit(currency)
    try:
        exact = amount.quantize(Decimal(1).scaleb(-places), context=decimal.Context(prec=60, traps=[decimal.Inexact]))
    except decimal.Inexact:
        return format(amount, "f")
    return format(exact, "f")
