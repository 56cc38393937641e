"""The pure parts of the e-invoice use cases: what a credit note does to the goods, the draft's
problems (missing first, then invalid values with their origin), master data values, provenance."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

import pytest
from support.einvoices import PARTNERS, catalogue, invoice_set, ubl

from gpid_node.domain import errors as e
from gpid_node.domain.einvoices import ItemMaster, read_einvoice
from gpid_node.services.einvoices import credited_goods, draft_of, media_type_of
from gpid_node.services.master_data import item_values, partner_values
from gpid_node.services.provenance import document_check

GOODS = [
    {"sequence": 1, "description": "Spindle", "hs_code": "84669340", "value": "1000.00", "currency": "EUR", "packages": 2, "net_mass_kg": "10.000"},
    {"sequence": 2, "description": "Vice", "hs_code": "84669120", "value": "250.50", "currency": "EUR", "packages": 1, "net_mass_kg": "5.000"},
    {"sequence": 3, "description": "Spindle", "hs_code": "84669340", "value": "900.00", "currency": "EUR", "packages": 1, "net_mass_kg": "9.000"},
]  # fmt: skip


def credit(description: str, value: str, hs_code: str | None = None, currency: str = "EUR") -> dict[str, Any]:
    return {"description": description, "value": value, "currency": currency, **({"hs_code": hs_code} if hs_code else {})}


def test_a_credit_note_lowers_values_removes_lines_credited_in_full_and_numbers_again() -> None:
    left = credited_goods(GOODS, [credit("Vice", "250.50"), credit("Spindle", "0.5", "84669340")], "CN-1")
    assert [(g["sequence"], g["description"], g["value"], g["packages"], g["net_mass_kg"]) for g in left] == [
        (1, "Spindle", "999.50", 2, "10.000"), (2, "Spindle", "900.00", 1, "9.000")]
    assert GOODS[1]["value"] == "250.50"  # the current version is not changed in place


def test_a_credit_note_that_matches_nothing_or_credits_too_much_is_refused_naming_each_line() -> None:
    with pytest.raises(e.ValidationFailed) as refused:
        credited_goods(GOODS, [credit("Lathe", "1.00"), credit("Vice", "300.00"), credit("Spindle", "1.00", currency="USD")], "CN-2")
    assert [p.path for p in refused.value.problems] == ["goods[0]", "goods[1].value", "goods[2].currency"]
    assert "Lathe" in refused.value.problems[0].message and "CN-2" in refused.value.problems[0].message
    with pytest.raises(e.ValidationFailed) as everything:
        credited_goods(GOODS[:1], [credit("Spindle", "1000")], "CN-3")
    assert everything.value.problems[0].path == "goods"


def items() -> dict[str, ItemMaster]:
    return {k: ItemMaster(v["hs_code"], v["country_of_origin"], v["preferential_origin"], Decimal(v["net_mass_kg_per_unit"]),
                          Decimal(v["packages_per_unit"])) for k, v in catalogue().items()}  # fmt: skip


def test_the_draft_lists_missing_fields_first_then_invalid_values_with_their_origin() -> None:
    generated = invoice_set("SVC-1", 2)
    xml = ubl(generated.key_data_set, ["UNKNOWN", next(iter(catalogue()))]).replace(b">GB<", b">ZZ<")
    partners = {k: v["trader_id"] for k, v in PARTNERS.items()}
    draft = draft_of(read_einvoice(xml, "application/xml"), items(), partners, {"scheme": "EORI", "value": "DE123456789012345"})
    paths = [p.path for p in draft.problems]
    assert paths == ["goods[0].hs_code", "goods[0].packages", "goods[0].net_mass_kg", "goods[0].country_of_origin", "buyer.address.country"]
    assert draft.problems[-1].message.endswith("(from the invoice)") and not draft.complete
    complete = draft_of(read_einvoice(generated.xml, "application/xml"), items(), partners, {"scheme": "EORI", "value": "DE123456789012345"})
    assert complete.complete and complete.answer()["missing"] == []


def test_master_data_values_are_normalised_and_every_bad_one_named() -> None:
    assert item_values({"hs_code": "8466 93 40", "country_of_origin": "de", "net_mass_kg_per_unit": 1.50, "packages_per_unit": "2"}) == {
        "hs_code": "84669340", "country_of_origin": "DE", "preferential_origin": None, "net_mass_kg_per_unit": "1.5",
        "packages_per_unit": "2"}  # fmt: skip
    with pytest.raises(e.ValidationFailed) as refused:
        item_values({"hs_code": 84669340, "preferential_origin": "XX", "net_mass_kg_per_unit": "0", "packages_per_unit": True})
    assert [p.path for p in refused.value.problems] == ["hs_code", "preferential_origin", "net_mass_kg_per_unit", "packages_per_unit"]
    assert partner_values({"trader_id": {"value": " gb123456789000 "}}) == {"trader_id_scheme": "EORI", "trader_id_value": "GB123456789000"}
    with pytest.raises(e.ValidationFailed) as bad:
        partner_values([])
    assert bad.value.problems[0].message.startswith("expected an object")


def test_a_document_is_the_source_only_when_its_sha256_is() -> None:
    document = b"<Invoice/>"
    source = {"syntax": "UBL", "customization": "x", "sha256": hashlib.sha256(document).hexdigest()}
    assert document_check(source, document)["matches"] is True
    assert document_check(source, document + b" ")["matches"] is False
    assert document_check(None, document)["matches"] is False
    assert (media_type_of(b"  %PDF-1.7 ..."), media_type_of(b"\xef\xbb\xbf<Invoice/>")) == ("application/pdf", "application/xml")
