"""From an e-invoice and the seller's master data to a draft key data set: the invoice's own values
win, the catalogue fills the rest, packages and net mass only through the catalogue, the buyer's
trader ID from the partner directory, and every missing field named at once in words a clerk acts on.

The expected key data sets are typed from the sample documents (see test_reading_samples.py) and the
master data given here, not from the derivation's output."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from gpid_node.domain.einvoices import EInvoice, InvoiceLine, ItemMaster, Missing, derive, read_einvoice
from gpid_node.domain.model import parse_key_data_set

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "einvoices"
SELLER_EORI = {"scheme": "EORI", "value": "FR99999999800019"}
BUYER_EORI = {"scheme": "EORI", "value": "FR78787878400018"}


def sample(name: str) -> EInvoice:
    return read_einvoice((SAMPLES / name).read_bytes(), "application/xml")


UBL_CATALOGUE = {
    # The invoice gives JOIO50CL an HS code (15092000) and an origin (FR): those win over these.
    "JOIO50CL": ItemMaster(hs_code="1509.90", country_of_origin="IT", preferential_origin="EU",
                           net_mass_kg_per_unit=Decimal("0.46"), packages_per_unit=Decimal("0.15")),
    # NOUGATCUBES has no HS code on the invoice: the catalogue's, written with a dot, gives it.
    "NOUGATCUBES": ItemMaster(hs_code="1704.90", country_of_origin="ES", preferential_origin=None,
                              net_mass_kg_per_unit=Decimal("0.2505"), packages_per_unit=Decimal("0.1")),
}  # fmt: skip


def test_a_ubl_invoice_with_a_full_catalogue_derives_a_complete_key_data_set() -> None:
    derivation = derive(sample("ubl-21-en16931.xml"), items=UBL_CATALOGUE,
                        partners={"FR19787878784": BUYER_EORI}, seller_trader_id=SELLER_EORI)  # fmt: skip
    assert derivation.key_data_set == {
        "schema_version": "1",
        "seller": {"name": "Au bon moulin",
                   "address": {"street": "1242 chemin de l'olive", "postcode": "84340", "city": "Malaucène", "country": "FR"},
                   "trader_id": SELLER_EORI},
        "buyer": {"name": "Ma jolie boutique SARL",
                  "address": {"street": "35 rue de la République", "postcode": "69001", "city": "Lyon", "country": "FR"},
                  "trader_id": BUYER_EORI},
        "invoice": {"number": "F124212", "date": "2026-06-17"},
        "goods": [
            # 10 * 0.15 packages = 1.5, rounded up to 2; 10 * 0.46 kg = 4.600
            {"sequence": 1, "description": "Huile d'olive Joio 50cl", "hs_code": "15092000", "value": "135.00",
             "currency": "EUR", "packages": 2, "net_mass_kg": "4.600", "preferential_origin": "EU",
             "country_of_origin": "FR"},
            # 20 * 0.1 = 2 packages; 20 * 0.2505 kg = 5.010
            {"sequence": 2, "description": "Nougats en cubes", "hs_code": "170490", "value": "138.00",
             "currency": "EUR", "packages": 2, "net_mass_kg": "5.010", "country_of_origin": "FR"},
        ],
    }  # fmt: skip
    assert derivation.missing == ()
    assert derivation.source == {"syntax": "UBL", "customization": "urn:cen.eu:en16931:2017",
                                 "sha256": "90c598998073f00952bbcdb75ab9dbce02c2caeed26e88d3094eabeda982435a"}  # fmt: skip
    assert (derivation.kind, derivation.corrects) == ("invoice", ())
    # The draft is a key data set the model accepts as it stands.
    parse_key_data_set(derivation.key_data_set, today=date(2026, 12, 1))


def test_sources_say_where_each_field_came_from() -> None:
    sources = derive(sample("ubl-21-en16931.xml"), items=UBL_CATALOGUE,
                     partners={"FR19787878784": BUYER_EORI}, seller_trader_id=SELLER_EORI).sources  # fmt: skip
    assert {path: sources[path] for path in (
        "seller.name", "seller.address.city", "seller.trader_id", "buyer.trader_id", "invoice.number", "invoice.date",
        "goods[0].hs_code", "goods[1].hs_code", "goods[0].country_of_origin", "goods[0].value", "goods[0].currency",
        "goods[0].packages", "goods[0].net_mass_kg", "goods[0].preferential_origin", "goods[0].sequence",
    )} == {
        "seller.name": "invoice", "seller.address.city": "invoice", "seller.trader_id": "account",
        "buyer.trader_id": "partners", "invoice.number": "invoice", "invoice.date": "invoice",
        "goods[0].hs_code": "invoice", "goods[1].hs_code": "catalogue", "goods[0].country_of_origin": "invoice",
        "goods[0].value": "invoice", "goods[0].currency": "invoice", "goods[0].packages": "catalogue",
        "goods[0].net_mass_kg": "catalogue", "goods[0].preferential_origin": "catalogue", "goods[0].sequence": "invoice",
    }  # fmt: skip
    assert "goods[1].preferential_origin" not in sources  # the catalogue has none: absent, not guessed


def test_a_cii_invoice_without_master_data_names_every_missing_path_at_once() -> None:
    derivation = derive(sample("factur-x-en16931.xml"), items={}, partners={}, seller_trader_id=SELLER_EORI)
    line1 = "the invoice line 'PRESTATION SUPPORT' (item ART_1254)"
    line2 = "the invoice line 'FOURNITURES PAPIER' (item ART_9874)"
    line3 = "the invoice line 'APPEL'"
    no_item = "the line has no seller's item id to look it up in the catalogue"
    assert derivation.missing == (
        Missing("buyer.trader_id", "the partner directory has no trader ID for 'LE CLIENT' under FR 05 987 654 321, 3654789851, "
                                   "987654321 (its identifiers on the invoice): add the partner under one of them"),
        Missing("goods[0].hs_code", f"{line1} has no HS code and the catalogue has no entry for item ART_1254"),
        Missing("goods[0].packages", f"{line1}: invoices carry no number of packages and the catalogue has no entry for item ART_1254"),
        Missing("goods[0].net_mass_kg", f"{line1}: invoices carry no net mass and the catalogue has no entry for item ART_1254"),
        Missing("goods[0].country_of_origin", f"{line1} has no country of origin and the catalogue has no entry for item ART_1254"),
        Missing("goods[1].hs_code", f"{line2} has no HS code and the catalogue has no entry for item ART_9874"),
        Missing("goods[1].packages", f"{line2}: invoices carry no number of packages and the catalogue has no entry for item ART_9874"),
        Missing("goods[1].net_mass_kg", f"{line2}: invoices carry no net mass and the catalogue has no entry for item ART_9874"),
        Missing("goods[2].hs_code", f"{line3} has no HS code and {no_item}"),
        Missing("goods[2].packages", f"{line3}: invoices carry no number of packages and {no_item}"),
        Missing("goods[2].net_mass_kg", f"{line3}: invoices carry no net mass and {no_item}"),
        Missing("goods[2].country_of_origin", f"{line3} has no country of origin and {no_item}"),
    )  # fmt: skip
    # What the invoice does give is in the draft: line 2's origin (BT-159 FR) and every value.
    goods = derivation.key_data_set["goods"]
    assert goods[1]["country_of_origin"] == "FR"
    assert [g["value"] for g in goods] == ["60.00", "28.00", "7.00"]
    assert [g["sequence"] for g in goods] == [1, 2, 3]


def test_a_partner_found_by_a_party_id_when_the_vat_id_is_not_in_the_directory() -> None:
    derivation = derive(sample("factur-x-en16931.xml"), items={}, partners={"987654321": BUYER_EORI}, seller_trader_id=SELLER_EORI)
    assert derivation.key_data_set["buyer"]["trader_id"] == BUYER_EORI
    assert derivation.sources["buyer.trader_id"] == "partners"


def test_the_vat_id_is_tried_before_the_party_ids() -> None:
    other = {"scheme": "EORI", "value": "FR1"}
    partners = {"FR 05 987 654 321": BUYER_EORI, "3654789851": other}
    derivation = derive(sample("factur-x-en16931.xml"), items={}, partners=partners, seller_trader_id=SELLER_EORI)
    assert derivation.key_data_set["buyer"]["trader_id"] == BUYER_EORI


def test_a_catalogue_entry_without_a_value_says_which_value_it_lacks() -> None:
    items = {"ART_1254": ItemMaster(hs_code="998200", country_of_origin="FR", preferential_origin=None,
                                    net_mass_kg_per_unit=None, packages_per_unit=None)}  # fmt: skip
    missing = {m.path: m.message for m in derive(sample("factur-x-en16931.xml"), items=items, partners={}, seller_trader_id=SELLER_EORI).missing}
    assert missing["goods[0].packages"].endswith("the catalogue entry for item ART_1254 has no packages per unit")
    assert missing["goods[0].net_mass_kg"].endswith("the catalogue entry for item ART_1254 has no net mass per unit")
    assert "goods[0].hs_code" not in missing and "goods[0].country_of_origin" not in missing


def test_the_minimum_profile_names_the_missing_addresses_and_the_missing_lines() -> None:
    derivation = derive(sample("factur-x-minimum.xml"), items={}, partners={"987654321": BUYER_EORI}, seller_trader_id=SELLER_EORI)
    assert [m.path for m in derivation.missing] == [
        "seller.address.street", "seller.address.postcode", "seller.address.city",
        "buyer.address.street", "buyer.address.postcode", "buyer.address.city", "buyer.address.country",
        "goods",
    ]  # fmt: skip
    assert derivation.missing[-1].message == "the invoice has no lines"


def test_an_account_without_a_trader_id_is_named() -> None:
    derivation = derive(sample("ubl-21-en16931.xml"), items=UBL_CATALOGUE, partners={"FR19787878784": BUYER_EORI}, seller_trader_id={})
    assert [m.path for m in derivation.missing] == ["seller.trader_id"]


# --- credit notes and corrective invoices ----------------------------------------------------------


def test_a_credit_note_says_what_it_corrects() -> None:
    derivation = derive(sample("ubl-21-en16931-creditnote.xml"), items=UBL_CATALOGUE,
                        partners={"FR19787878784": BUYER_EORI}, seller_trader_id=SELLER_EORI)  # fmt: skip
    assert (derivation.kind, derivation.corrects) == ("credit_note", ("F124211", "F124210"))
    assert derivation.key_data_set["invoice"] == {"number": "A124212", "date": "2026-06-17"}


def test_a_corrective_invoice_says_what_it_corrects() -> None:
    derivation = derive(sample("factur-x-en16931-corrective.xml"), items={}, partners={}, seller_trader_id=SELLER_EORI)
    assert (derivation.kind, derivation.corrects) == ("corrective", ("F20260003",))


def test_an_invoice_citing_earlier_invoices_corrects_nothing() -> None:
    # The UBL sample is a 380 invoice whose BillingReference names two earlier invoices.
    derivation = derive(sample("ubl-21-en16931.xml"), items={}, partners={}, seller_trader_id=SELLER_EORI)
    assert (derivation.kind, derivation.corrects) == ("invoice", ())


# --- values, units and rounding --------------------------------------------------------------------


def one_line(line: InvoiceLine, currency: str = "EUR") -> EInvoice:
    base = sample("ubl-21-en16931.xml")
    return dataclasses.replace(base, currency=currency, lines=(line,))


LINE = InvoiceLine(line_id="7", item_id="438146", name="POT KETCHUP 3 LT", description=None, quantity=Decimal("12"),
                   unit_code="XBX", net_amount=Decimal("1000.5"), hs_code=None, country_of_origin=None)  # fmt: skip


def test_the_example_message_of_the_issue() -> None:
    [hs] = [m for m in derive(one_line(LINE), items={}, partners={}, seller_trader_id=SELLER_EORI).missing if m.path == "goods[0].hs_code"]
    assert hs.message == "the invoice line 'POT KETCHUP 3 LT' (item 438146) has no HS code and the catalogue has no entry for item 438146"


def test_a_unit_of_measure_that_means_boxes_never_becomes_packages() -> None:
    # 12 XBX (boxes): still no packages without the catalogue.
    derivation = derive(one_line(LINE), items={}, partners={}, seller_trader_id=SELLER_EORI)
    assert "packages" not in derivation.key_data_set["goods"][0]
    assert "goods[0].packages" in {m.path for m in derivation.missing}


@pytest.mark.parametrize(
    ("currency", "amount", "value"),
    [("EUR", "1000.5", "1000.50"), ("JPY", "1000.00", "1000"), ("KWD", "12.5", "12.500"), ("EUR", "-3", "-3.00"),
     ("EUR", "12.345", "12.345"),  # more decimals than the currency has: left as written, the model names it
     ("XYZ", "1.5", "1.5")],  # not a currency: left as written, the model names it
)  # fmt: skip
def test_the_value_has_the_currency_minor_units(currency: str, amount: str, value: str) -> None:
    line = dataclasses.replace(LINE, net_amount=Decimal(amount))
    good = derive(one_line(line, currency), items={}, partners={}, seller_trader_id=SELLER_EORI).key_data_set["goods"][0]
    assert (good["value"], good["currency"]) == (value, currency)


@pytest.mark.parametrize(
    ("quantity", "packages_per_unit", "mass_per_unit", "packages", "mass"),
    [("12", "1", "3.1", 12, "37.200"), ("12", "0.25", "0.0004", 3, "0.005"), ("7", "0.5", "1", 4, "7.000"),
     ("1.5", "1", "0.3333", 2, "0.500"), ("3", "0.3333333333", "1", 1, "3.000")],
)  # fmt: skip
def test_packages_round_up_and_net_mass_rounds_to_the_gram(quantity: str, packages_per_unit: str, mass_per_unit: str,
                                                           packages: int, mass: str) -> None:  # fmt: skip
    line = dataclasses.replace(LINE, quantity=Decimal(quantity))
    items = {"438146": ItemMaster(hs_code="210320", country_of_origin="NL", preferential_origin=None,
                                  net_mass_kg_per_unit=Decimal(mass_per_unit), packages_per_unit=Decimal(packages_per_unit))}  # fmt: skip
    good = derive(one_line(line), items=items, partners={}, seller_trader_id=SELLER_EORI).key_data_set["goods"][0]
    assert (good["packages"], good["net_mass_kg"]) == (packages, mass)


def test_an_hs_code_on_the_invoice_loses_its_dots_and_wins_over_the_catalogue() -> None:
    line = dataclasses.replace(LINE, hs_code="2103.20 00", country_of_origin="BE")
    items = {"438146": ItemMaster(hs_code="210390", country_of_origin="NL", preferential_origin=None,
                                  net_mass_kg_per_unit=None, packages_per_unit=None)}  # fmt: skip
    derivation = derive(one_line(line), items=items, partners={}, seller_trader_id=SELLER_EORI)
    good = derivation.key_data_set["goods"][0]
    assert (good["hs_code"], good["country_of_origin"]) == ("21032000", "BE")
    assert (derivation.sources["goods[0].hs_code"], derivation.sources["goods[0].country_of_origin"]) == ("invoice", "invoice")


# --- EN 16931 example 1 (CII) and the OASIS credit note (UBL) ----------------------------------------


def test_en16931_example_1_gives_the_issue_s_own_message() -> None:
    derivation = derive(sample("CII_example1.xml"), items={}, partners={"10202": BUYER_EORI}, seller_trader_id=SELLER_EORI)
    by_path = {m.path: m.message for m in derivation.missing}
    assert by_path["goods[2].hs_code"] == ("the invoice line 'POT KETCHUP 3 LT' (item 438146) has no HS code and the catalogue "
                                           "has no entry for item 438146")  # fmt: skip
    assert len(derivation.missing) == 20 * 4  # HS code, packages, net mass, origin of each of the 20 lines; nothing else
    assert derivation.key_data_set["buyer"]["trader_id"] == BUYER_EORI  # found by the buyer's identifier BT-46 (10202)
    values = [good["value"] for good in derivation.key_data_set["goods"]]
    assert values[:6] == ["19.90", "9.85", "8.29", "14.46", "35.00", "35.00"] and values[-1] == "-109.98"


KOKSMAAT_ITEMS = [("1", "166022"), ("2", "661813"), ("3", "438146"), ("4", "438103"), ("5", "666955"), ("6", "664871"),
                  ("7", "350257"), ("8", "350258"), ("9", "999998"), ("10", "740810"), ("11", "740829"), ("12", "740828"),
                  ("13", "740827"), ("14", "999996"), ("15", "999995"), ("16", "102172"), ("17", "999994"), ("18", "999993"),
                  ("19", "999992"), ("20", "175137")]  # fmt: skip


def test_en16931_example_1_with_its_catalogue_is_complete_but_for_what_the_model_judges() -> None:
    item_ids = [line_id_item[1] for line_id_item in KOKSMAAT_ITEMS]
    items = {item: ItemMaster(hs_code="210320", country_of_origin="NL", preferential_origin=None,
                              net_mass_kg_per_unit=Decimal("3"), packages_per_unit=Decimal("1")) for item in item_ids}  # fmt: skip
    derivation = derive(sample("CII_example1.xml"), items=items, partners={"10202": BUYER_EORI}, seller_trader_id=SELLER_EORI)
    assert derivation.missing == ()
    good = derivation.key_data_set["goods"][18]  # line 19, EM FRITUURVET: 6 units
    assert (good["sequence"], good["packages"], good["net_mass_kg"]) == (19, 6, "18.000")


def test_the_oasis_credit_note_is_a_credit_note_that_names_no_invoice() -> None:
    derivation = derive(sample("UBL-CreditNote-2.1-Example.xml"), items={}, partners={}, seller_trader_id=SELLER_EORI)
    # No BT-25: the service refuses to amend without knowing which invoice (services/einvoices.py).
    assert (derivation.kind, derivation.corrects) == ("credit_note", ())
    assert derivation.source["customization"] == ""


def test_a_catalogue_figure_that_gives_no_usable_product_is_named() -> None:
    line = dataclasses.replace(LINE, quantity=Decimal("12"))
    items = {"438146": ItemMaster(hs_code="210320", country_of_origin="NL", preferential_origin=None,
                                  net_mass_kg_per_unit=Decimal("NaN"), packages_per_unit=Decimal("1E+30"))}  # fmt: skip
    missing = {m.path: m.message for m in derive(one_line(line), items=items, partners={}, seller_trader_id=SELLER_EORI).missing}
    assert missing["goods[0].packages"].endswith("the catalogue entry for item 438146 has packages per unit 1E+30, which times the "
                                                 "invoiced quantity 12 gives no usable figure: correct the catalogue entry")  # fmt: skip
    assert "has net mass per unit NaN" in missing["goods[0].net_mass_kg"]
