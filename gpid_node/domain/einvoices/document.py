"""What the node reads from an e-invoice: the EN 16931 business terms a key data set is made of.

Values are kept as the invoice gives them (after whitespace is trimmed); turning them into key data
set fields is :mod:`gpid_node.domain.einvoices.derivation`'s business, and which business term
feeds which field is :mod:`gpid_node.domain.einvoices.mapping`'s table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

__all__ = ["EInvoice", "InvoiceKind", "InvoiceLine", "Party", "Syntax"]

Syntax = Literal["UBL", "CII"]
InvoiceKind = Literal["invoice", "credit_note", "corrective"]


@dataclass(frozen=True)
class Party:
    """The seller (BG-4) or the buyer (BG-7) as the invoice names them."""

    name: str | None
    street: str | None
    postcode: str | None
    city: str | None
    country: str | None
    vat_id: str | None
    party_ids: tuple[str, ...]


@dataclass(frozen=True)
class InvoiceLine:
    """One invoice line (BG-25).

    ``item_id`` is the seller's item identifier (BT-155: UBL ``SellersItemIdentification/ID``, CII
    ``SellerAssignedID``), the key into the seller's item catalogue. ``net_amount`` is BT-131, the
    line net amount: quantity times net price, less line allowances, plus line charges.
    """

    line_id: str
    item_id: str | None
    name: str
    description: str | None
    quantity: Decimal
    unit_code: str | None
    net_amount: Decimal
    hs_code: str | None
    country_of_origin: str | None


@dataclass(frozen=True)
class EInvoice:
    """An e-invoice as read: its syntax, what kind of document it is, and the terms that matter here.

    ``sha256`` is the hex SHA-256 of the document as received (the XML bytes, or the PDF bytes for a
    Factur-X/ZUGFeRD PDF), so that whoever holds the document can check it is the one a key data
    set was derived from. ``preceding_invoices`` are BT-25, the invoices a credit note or a
    corrective invoice refers to.
    """

    syntax: Syntax
    customization: str | None
    sha256: str
    kind: InvoiceKind
    type_code: str
    number: str
    issue_date: date
    currency: str
    seller: Party
    buyer: Party
    lines: tuple[InvoiceLine, ...]
    preceding_invoices: tuple[str, ...]
