"""UBL 2.1 invoices (Peppol BIS Billing 3.0 shape) generated from the project's sample key data
sets, with the seller's catalogue and partner directory that complete them: for the e-invoice
tests and ``scripts/bench einvoice``.

:func:`invoice_set` gives the invoice, the catalogue entries of its items, the partners, and the key
data set that deriving the invoice with them must give: the sample's goods with net mass per item
(so one catalogue entry per item holds), packages = the invoiced quantity.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from gpid_node.domain.samples import GOODS, sample_key_data_set

SELLER_VAT = "DE123456789"
BUYER_VAT = "GB123456789"
CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PARTNERS = {BUYER_VAT: {"trader_id": {"scheme": "EORI", "value": "GB123456789000"}}}


def item_id_of(index: int) -> str:
    """The seller's item id of GOODS[index]."""
    return f"RM-{438100 + index}"


def catalogue() -> dict[str, dict[str, Any]]:
    """A full catalogue of the sample goods: HS code, origins, net mass and one package per unit."""
    rng = random.Random("catalogue")
    return {
        item_id_of(i): {"hs_code": hs, "country_of_origin": "DE", "preferential_origin": "EU",
                        "net_mass_kg_per_unit": f"{rng.randrange(500, 95_000) / 1000:.3f}", "packages_per_unit": "1"}
        for i, (_, hs) in enumerate(GOODS)
    }  # fmt: skip


@dataclass(frozen=True)
class InvoiceSet:
    xml: bytes
    key_data_set: dict[str, Any]


def _party(tag: str, party: dict[str, Any], vat: str) -> str:
    a = party["address"]
    return f"""<cac:{tag}><cac:Party>
  <cbc:EndpointID schemeID="9930">{vat}</cbc:EndpointID>
  <cac:PostalAddress><cbc:StreetName>{escape(a["street"])}</cbc:StreetName><cbc:CityName>{escape(a["city"])}</cbc:CityName>
   <cbc:PostalZone>{escape(a["postcode"])}</cbc:PostalZone><cac:Country><cbc:IdentificationCode>{a["country"]}</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
  <cac:PartyTaxScheme><cbc:CompanyID>{vat}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
  <cac:PartyLegalEntity><cbc:RegistrationName>{escape(party["name"])}</cbc:RegistrationName></cac:PartyLegalEntity>
 </cac:Party></cac:{tag}>"""


def _line(good: dict[str, Any], item_id: str, *, with_hs: bool, root: str) -> str:
    quantity_tag = "CreditedQuantity" if root == "CreditNote" else "InvoicedQuantity"
    line_tag = "CreditNoteLine" if root == "CreditNote" else "InvoiceLine"
    hs = f'<cac:CommodityClassification><cbc:ItemClassificationCode listID="HS">{good["hs_code"]}</cbc:ItemClassificationCode></cac:CommodityClassification>' if with_hs else ""
    quantity = good["packages"]
    price = (Decimal(good["value"]) / quantity).quantize(Decimal("0.0001"))
    value = good["value"]
    return f"""<cac:{line_tag}><cbc:ID>{good["sequence"]}</cbc:ID>
  <cbc:{quantity_tag} unitCode="C62">{quantity}</cbc:{quantity_tag}>
  <cbc:LineExtensionAmount currencyID="{good["currency"]}">{value}</cbc:LineExtensionAmount>
  <cac:Item><cbc:Name>{escape(good["description"])}</cbc:Name>
   <cac:SellersItemIdentification><cbc:ID>{item_id}</cbc:ID></cac:SellersItemIdentification>
   {hs}
   <cac:ClassifiedTaxCategory><cbc:ID>K</cbc:ID><cbc:Percent>0</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>
  </cac:Item>
  <cac:Price><cbc:PriceAmount currencyID="{good["currency"]}">{price}</cbc:PriceAmount><cbc:BaseQuantity unitCode="C62">1</cbc:BaseQuantity></cac:Price>
 </cac:{line_tag}>"""


def ubl(data: dict[str, Any], item_ids: list[str], *, with_hs: bool = False, root: str = "Invoice",
        number: str | None = None, corrects: str | None = None, issue_date: str | None = None,
        type_code: str | None = None) -> bytes:  # fmt: skip
    """A UBL 2.1 Invoice (or CreditNote) of the key data set ``data``, line i naming item ``item_ids[i]``."""
    total = sum(Decimal(g["value"]) for g in data["goods"])
    currency = data["goods"][0]["currency"]
    namespace = f"urn:oasis:names:specification:ubl:schema:xsd:{root}-2"
    type_tag, default_code = ("CreditNoteTypeCode", "381") if root == "CreditNote" else ("InvoiceTypeCode", "380")
    type_code = type_code or default_code
    reference = (f"<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>{escape(corrects)}</cbc:ID>"
                 "</cac:InvoiceDocumentReference></cac:BillingReference>") if corrects else ""  # fmt: skip
    lines = "\n ".join(_line(g, item_ids[i], with_hs=with_hs, root=root) for i, g in enumerate(data["goods"]))
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<{root} xmlns="{namespace}" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:CustomizationID>{CUSTOMIZATION}</cbc:CustomizationID>
 <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
 <cbc:ID>{escape(number or data["invoice"]["number"])}</cbc:ID>
 <cbc:IssueDate>{issue_date or data["invoice"]["date"]}</cbc:IssueDate>
 <cbc:{type_tag}>{type_code}</cbc:{type_tag}>
 <cbc:DocumentCurrencyCode>{currency}</cbc:DocumentCurrencyCode>
 <cbc:BuyerReference>PO-{escape(data["invoice"]["number"])}</cbc:BuyerReference>
 {reference}
 {_party("AccountingSupplierParty", data["seller"], SELLER_VAT)}
 {_party("AccountingCustomerParty", data["buyer"], BUYER_VAT)}
 <cac:TaxTotal><cbc:TaxAmount currencyID="{currency}">0.00</cbc:TaxAmount>
  <cac:TaxSubtotal><cbc:TaxableAmount currencyID="{currency}">{total}</cbc:TaxableAmount><cbc:TaxAmount currencyID="{currency}">0.00</cbc:TaxAmount>
   <cac:TaxCategory><cbc:ID>K</cbc:ID><cbc:Percent>0</cbc:Percent><cbc:TaxExemptionReasonCode>VATEX-EU-IC</cbc:TaxExemptionReasonCode><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>
  </cac:TaxSubtotal></cac:TaxTotal>
 <cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="{currency}">{total}</cbc:LineExtensionAmount>
  <cbc:TaxExclusiveAmount currencyID="{currency}">{total}</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount currencyID="{currency}">{total}</cbc:TaxInclusiveAmount>
  <cbc:PayableAmount currencyID="{currency}">{total}</cbc:PayableAmount></cac:LegalMonetaryTotal>
 {lines}
</{root}>
"""
    return text.encode()


def invoice_set(number: str, lines: int = 10, *, seed: int | str = 0, invoice_date: str = "2026-11-20",
                with_hs: bool = False) -> InvoiceSet:  # fmt: skip
    """A sample invoice as UBL and the key data set the full catalogue and partners derive from it."""
    data = sample_key_data_set(number, lines=lines, seed=seed, invoice_date=invoice_date)
    entries = catalogue()
    rng = random.Random(f"{seed}:{number}:items")
    item_ids = []
    for good in data["goods"]:
        index = next(i for i, (text, _) in enumerate(GOODS) if good["description"].startswith(text))
        item_id = item_id_of(index)
        item_ids.append(item_id)
        entry = entries[item_id]
        good["packages"] = rng.randrange(1, 12)
        good["hs_code"] = entry["hs_code"]
        good["net_mass_kg"] = f"{Decimal(entry['net_mass_kg_per_unit']) * good['packages']:.3f}"
    return InvoiceSet(ubl(data, item_ids, with_hs=with_hs), data)


FIXTURES = __import__("pathlib").Path(__file__).resolve().parents[1] / "fixtures" / "einvoices"
FACTURX_ITEMS = {  # the Factur-X sample's lines: item ids as the PDF gives them (line 3 gets one here)
    "ART_1254": {"hs_code": "847130", "country_of_origin": "FR", "net_mass_kg_per_unit": "0.001", "packages_per_unit": "1"},
    "ART_9874": {"hs_code": "480256", "country_of_origin": "FR", "net_mass_kg_per_unit": "2.5", "packages_per_unit": "0.5"},
    "ART_0001": {"hs_code": "851762", "country_of_origin": "FR", "net_mass_kg_per_unit": "0.2", "packages_per_unit": "1"},
}
FACTURX_BUYER = ("987654321", {"trader_id": {"scheme": "EORI", "value": "FR98765432100014"}})


def facturx_pdf() -> bytes:
    """The factur-x package's sample Factur-X PDF (invoice F20260023), its third line given the seller's
    item id ART_0001 (it has none, so no catalogue could complete it), embedded again with factur-x."""
    import facturx

    pdf = (FIXTURES / "invoice_EN16931.pdf").read_bytes()
    _, xml = facturx.get_xml_from_pdf(pdf, check_xsd=False)
    xml = xml.replace(b"<ram:Name>APPEL</ram:Name>", b"<ram:SellerAssignedID>ART_0001</ram:SellerAssignedID><ram:Name>APPEL</ram:Name>", 1)
    assert b"ART_0001" in xml
    return bytes(facturx.generate_from_binary(pdf, xml, check_xsd=True))
