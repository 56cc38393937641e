"""The one table from EN 16931 business terms to the key data set: where each term is in UBL 2.1 and
in UN/CEFACT CII, which attribute of :class:`~gpid_node.domain.einvoices.document.EInvoice` it
fills, and which key data set field it feeds. The reader evaluates these XPaths and nothing else;
``docs/einvoices.md`` documents the table row by row (a test keeps the two in step).

Each XPath is relative to its scope's element (:data:`SCOPES`): the document's root element, the
seller's or the buyer's party, or one invoice line. UBL paths cover both ``Invoice`` and
``CreditNote`` (whose lines are ``CreditNoteLine`` with a ``CreditedQuantity``).

The key data set fields that EN 16931 has no term for are filled from the seller's master data;
:data:`NOT_IN_EN16931` says from where. :data:`CREDIT_NOTE_TYPE_CODES` and
:data:`CORRECTIVE_TYPE_CODES` tell what kind of document a BT-3 type code makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CORRECTIVE_TYPE_CODES",
    "CREDIT_NOTE_TYPE_CODES",
    "NAMESPACES",
    "NOT_IN_EN16931",
    "ROOTS",
    "SCOPES",
    "TERMS",
    "UBL_TYPE_CODE_BY_ROOT",
    "Scope",
    "Term",
]

Scope = Literal["document", "seller", "buyer", "line"]
ValueKind = Literal["text", "code", "date", "decimal"]

NAMESPACES: dict[str, str] = {
    "ubl": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "ublcn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}

# The root elements the node reads, in Clark notation, with their syntax.
ROOTS: dict[str, Literal["UBL", "CII"]] = {
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice": "UBL",
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote": "UBL",
    "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice": "CII",
}

# Where each scope's element is, relative to the root element: (UBL, CII).
SCOPES: dict[Scope, tuple[str, str]] = {
    "document": (".", "."),
    "seller": ("cac:AccountingSupplierParty/cac:Party",
               "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty"),
    "buyer": ("cac:AccountingCustomerParty/cac:Party",
              "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/ram:BuyerTradeParty"),
    "line": ("cac:InvoiceLine | cac:CreditNoteLine",
             "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem"),
}  # fmt: skip


@dataclass(frozen=True)
class Term:
    """One EN 16931 business term as the node reads it.

    ``attribute`` is the attribute of the scope's value it fills (``EInvoice.number``,
    ``Party.city``, ``InvoiceLine.net_amount`` ...); ``key_data_set`` is the key data set field
    it feeds (``None`` when it serves a lookup or the document's kind instead, said in ``use``).
    ``many`` terms collect every match; the others take the first. ``required`` terms refuse the
    document when absent: EN 16931 makes them mandatory and the node cannot do without them.
    """

    bt: str
    name: str
    scope: Scope
    attribute: str
    key_data_set: str | None
    ubl: str
    cii: str
    kind: ValueKind = "text"
    required: bool = False
    many: bool = False
    use: str = ""


_PARTY_NAME_UBL = ("cac:PartyLegalEntity/cbc:RegistrationName"
                   " | cac:PartyName/cbc:Name[not(../../cac:PartyLegalEntity/cbc:RegistrationName)]")  # fmt: skip
_VAT_UBL = "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID"
_VAT_CII = "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']"


def _party(role: Literal["seller", "buyer"], bts: tuple[str, ...]) -> tuple[Term, ...]:
    """The rows of one party (BG-4 seller, BG-7 buyer): the two parties share their paths."""
    name, ident, legal, vat, street, city, postcode, country = bts
    section = role
    Role = role.capitalize()
    not_mapped = "read, not mapped: the seller's trader ID is the registering account's"
    return (
        Term(name, f"{Role} name", role, "name", f"{section}.name", _PARTY_NAME_UBL, "ram:Name",
             use="the legal registration name; UBL's trading name (PartyName) when the registration name is absent"),
        Term(ident, f"{Role} identifier", role, "party_ids", None, "cac:PartyIdentification/cbc:ID",
             "ram:ID | ram:GlobalID", many=True,
             use="key into the partner directory" if role == "buyer" else not_mapped),
        Term(legal, f"{Role} legal registration identifier", role, "party_ids", None,
             "cac:PartyLegalEntity/cbc:CompanyID", "ram:SpecifiedLegalOrganization/ram:ID", many=True,
             use="key into the partner directory" if role == "buyer" else not_mapped),
        Term(vat, f"{Role} VAT identifier", role, "vat_id", None, _VAT_UBL, _VAT_CII,
             use="key into the partner directory (tried first)" if role == "buyer" else not_mapped),
        Term(street, f"{Role} address line 1", role, "street", f"{section}.address.street",
             "cac:PostalAddress/cbc:StreetName", "ram:PostalTradeAddress/ram:LineOne"),
        Term(city, f"{Role} city", role, "city", f"{section}.address.city",
             "cac:PostalAddress/cbc:CityName", "ram:PostalTradeAddress/ram:CityName"),
        Term(postcode, f"{Role} post code", role, "postcode", f"{section}.address.postcode",
             "cac:PostalAddress/cbc:PostalZone", "ram:PostalTradeAddress/ram:PostcodeCode"),
        Term(country, f"{Role} country code", role, "country", f"{section}.address.country",
             "cac:PostalAddress/cac:Country/cbc:IdentificationCode", "ram:PostalTradeAddress/ram:CountryID", kind="code"),
    )  # fmt: skip


TERMS: tuple[Term, ...] = (
    # --- the document (BG-1 .. BG-3)
    Term("BT-1", "Invoice number", "document", "number", "invoice.number",
         "cbc:ID", "rsm:ExchangedDocument/ram:ID", required=True),
    Term("BT-2", "Invoice issue date", "document", "issue_date", "invoice.date",
         "cbc:IssueDate", "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString", kind="date", required=True),
    Term("BT-3", "Invoice type code", "document", "type_code", None,
         "cbc:InvoiceTypeCode | cbc:CreditNoteTypeCode", "rsm:ExchangedDocument/ram:TypeCode", kind="code",
         use="the kind of document: invoice, credit note or corrective invoice; mandatory in CII; a UBL document without "
             "it (UBL 2.1 allows that) is 380 as an Invoice, 381 as a CreditNote"),
    Term("BT-5", "Invoice currency code", "document", "currency", "goods[*].currency",
         "cbc:DocumentCurrencyCode",
         "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:InvoiceCurrencyCode",
         kind="code", required=True),
    Term("BT-24", "Specification identifier", "document", "customization", None,
         "cbc:CustomizationID",
         "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
         use="source.customization: which CIUS or extension the invoice follows"),
    Term("BT-25", "Preceding invoice reference", "document", "preceding_invoices", None,
         "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID",
         "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:InvoiceReferencedDocument/ram:IssuerAssignedID",
         many=True, use="the invoices a credit note or corrective invoice corrects"),
    # --- the seller (BG-4, BG-5) and the buyer (BG-7, BG-8)
    *_party("seller", ("BT-27", "BT-29", "BT-30", "BT-31", "BT-35", "BT-37", "BT-38", "BT-40")),
    *_party("buyer", ("BT-44", "BT-46", "BT-47", "BT-48", "BT-50", "BT-52", "BT-53", "BT-55")),
    # --- the lines (BG-25, BG-31)
    Term("BT-126", "Invoice line identifier", "line", "line_id", None,
         "cbc:ID", "ram:AssociatedDocumentLineDocument/ram:LineID", required=True,
         use="kept on the line; goods[*].sequence numbers the lines 1..n in document order instead"),
    Term("BT-129", "Invoiced quantity", "line", "quantity", None,
         "cbc:InvoicedQuantity | cbc:CreditedQuantity", "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity",
         kind="decimal", required=True,
         use="× the catalogue's packages and net mass per unit = goods[*].packages and goods[*].net_mass_kg"),
    Term("BT-130", "Invoiced quantity unit of measure code", "line", "unit_code", None,
         "cbc:InvoicedQuantity/@unitCode | cbc:CreditedQuantity/@unitCode",
         "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode", kind="code",
         use="kept on the line; never turned into packages"),
    Term("BT-131", "Invoice line net amount", "line", "net_amount", "goods[*].value",
         "cbc:LineExtensionAmount",
         "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
         kind="decimal", required=True),
    Term("BT-153", "Item name", "line", "name", "goods[*].description",
         "cac:Item/cbc:Name", "ram:SpecifiedTradeProduct/ram:Name", required=True),
    Term("BT-154", "Item description", "line", "description", None,
         "cac:Item/cbc:Description", "ram:SpecifiedTradeProduct/ram:Description",
         use="kept on the line; the key data set describes a good by its name"),
    Term("BT-155", "Item Seller's identifier", "line", "item_id", None,
         "cac:Item/cac:SellersItemIdentification/cbc:ID", "ram:SpecifiedTradeProduct/ram:SellerAssignedID",
         use="key into the seller's item catalogue"),
    Term("BT-158", "Item classification identifier (listID HS)", "line", "hs_code", "goods[*].hs_code",
         "cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode[@listID='HS']",
         "ram:SpecifiedTradeProduct/ram:DesignatedProductClassification/ram:ClassCode[@listID='HS']", kind="code",
         use="wins over the catalogue; dots and spaces removed"),
    Term("BT-159", "Item country of origin", "line", "country_of_origin", "goods[*].country_of_origin",
         "cac:Item/cac:OriginCountry/cbc:IdentificationCode", "ram:SpecifiedTradeProduct/ram:OriginTradeCountry/ram:ID",
         kind="code", use="wins over the catalogue"),
)  # fmt: skip

# Key data set fields no EN 16931 term carries: where the derivation takes them from.
NOT_IN_EN16931: dict[str, str] = {
    "schema_version": "always \"1\"",
    "seller.trader_id": "account: the registering account's bound trader ID (EN 16931 has no EORI term)",
    "buyer.trader_id": "partners: the partner directory, looked up by BT-48, then BT-46 and BT-47 as the invoice gives them",
    "goods[*].sequence": "invoice: the lines numbered 1..n in document order",
    "goods[*].hs_code": "catalogue: the item's HS code when the line has no BT-158 with listID HS",
    "goods[*].country_of_origin": "catalogue: the item's country of origin when the line has no BT-159",
    "goods[*].packages": "catalogue: packages per unit × BT-129, rounded up (never guessed from the unit of measure)",
    "goods[*].net_mass_kg": "catalogue: net mass per unit × BT-129, to the gram",
    "goods[*].preferential_origin": "catalogue: the item's preferential origin, absent when the catalogue has none",
    "goods[*].binding_tariff_reference": "not derived: add it when registering if the good has binding tariff information",
}

# UNTDID 1001 document type codes (BT-3) that make a credit note, and a corrective invoice. Any
# other code is an invoice (380 commercial invoice, 383 debit note, 386 prepayment, 389 self-billed,
# ...); a UBL CreditNote document is a credit note whatever its code.
CREDIT_NOTE_TYPE_CODES: frozenset[str] = frozenset({"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"})
CORRECTIVE_TYPE_CODES: frozenset[str] = frozenset({"384"})

# The type code of a UBL document that gives none (UBL 2.1 makes it optional; EN 16931 does not):
# what its root element says it is.
UBL_TYPE_CODE_BY_ROOT: dict[str, str] = {"Invoice": "380", "CreditNote": "381"}
