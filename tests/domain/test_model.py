"""The key data set model, schema version 1: normalisation, rules and the problems it reports."""

from __future__ import annotations

import copy
import json
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gpid_node.domain.errors import FieldProblem, ValidationFailed
from gpid_node.domain.canonical import normal_identifier as normalise_identifier
from gpid_node.domain.model import (
    KeyDataSet,
    TraderId,
    parse_key_data_set,
    trader_id_text,
)

TODAY = date(2026, 11, 23)
DESIGN_EXAMPLE = Path(__file__).resolve().parents[2] / "schemas" / "examples" / "design-example.json"


@pytest.fixture
def kds() -> dict[str, Any]:
    """A fresh copy of DESIGN.md's example key data set."""
    return json.loads(DESIGN_EXAMPLE.read_text(encoding="utf-8"))


def problems(data: Any) -> dict[str, str]:
    """The problems ``parse_key_data_set`` reports for ``data``, by path (it must refuse it)."""
    with pytest.raises(ValidationFailed) as caught:
        parse_key_data_set(data, today=TODAY)
    found = caught.value.problems
    assert all(isinstance(p, FieldProblem) for p in found)
    by_path = {p.path: p.message for p in found}
    assert len(by_path) == len(found), f"one problem per path expected, got {found}"
    return by_path


def dumped(data: Any) -> dict[str, Any]:
    return parse_key_data_set(data, today=TODAY).model_dump(mode="json")


def test_design_example_round_trips_unchanged(kds: dict[str, Any]) -> None:
    assert dumped(kds) == kds


def test_numbers_are_normalised_to_strings_with_the_currency_decimals(kds: dict[str, Any]) -> None:
    kds["goods"][0].update(value=18450, net_mass_kg=310.5)
    line = dumped(kds)["goods"][0]
    assert line["value"] == "18450.00"
    assert line["net_mass_kg"] == "310.500"


def test_decimal_text_is_normalised(kds: dict[str, Any]) -> None:
    kds["goods"][0].update(value=" 18450.1 ", net_mass_kg="0.5")
    line = dumped(kds)["goods"][0]
    assert (line["value"], line["net_mass_kg"]) == ("18450.10", "0.500")


def test_float_is_converted_through_its_text_not_binary_arithmetic(kds: dict[str, Any]) -> None:
    kds["goods"][0].update(value=0.1 + 0.2 - 0.3 + 1234.56)  # 1234.56 exactly as printed by repr
    assert dumped(kds)["goods"][0]["value"] == "1234.56"
    parsed = parse_key_data_set(kds, today=TODAY)
    assert parsed.goods[0].value == Decimal("1234.56")


def test_trailing_zeros_beyond_the_minor_unit_are_accepted(kds: dict[str, Any]) -> None:
    kds["goods"][0].update(value="18450.1000")
    assert dumped(kds)["goods"][0]["value"] == "18450.10"


def test_value_with_too_many_decimals_for_currency_is_refused(kds: dict[str, Any]) -> None:
    kds["goods"][0].update(value="18450.123")
    assert problems(kds) == {"goods[0].value": "EUR has 2 decimals; 18450.123 has 3"}


def test_zero_decimal_currency_refuses_cents_and_prints_no_decimals(kds: dict[str, Any]) -> None:
    kds["goods"][0].update(value="1000.5", currency="JPY")
    assert problems(kds) == {"goods[0].value": "JPY has 0 decimals; 1000.5 has 1"}
    kds["goods"][0].update(value="1000.00")
    assert dumped(kds)["goods"][0]["value"] == "1000"


def test_three_decimal_currency_prints_three_decimals(kds: dict[str, Any]) -> None:
    kds["goods"][0].update(value="12.5", currency="kwd")
    line = dumped(kds)["goods"][0]
    assert (line["value"], line["currency"]) == ("12.500", "KWD")


@pytest.mark.parametrize("value", ["0", "-5", 0, -1.5])
def test_value_not_greater_than_zero_is_refused(kds: dict[str, Any], value: Any) -> None:
    kds["goods"][0]["value"] = value
    assert problems(kds)["goods[0].value"].startswith("must be greater than 0, got ")


@pytest.mark.parametrize("value", [True, float("nan"), float("inf"), "NaN", "Infinity", "1,5", "1_000", None, [], "12 EUR"])
def test_value_that_is_not_an_exact_decimal_is_refused(kds: dict[str, Any], value: Any) -> None:
    kds["goods"][0]["value"] = value
    message = problems(kds)["goods[0].value"]
    assert "decimal number such as \"18450.00\"" in message


def test_huge_value_is_refused(kds: dict[str, Any]) -> None:
    kds["goods"][0]["value"] = "1e20"
    assert problems(kds) == {"goods[0].value": "must have at most 15 digits before the decimal point"}


def test_net_mass_with_more_than_three_decimals_is_refused(kds: dict[str, Any]) -> None:
    kds["goods"][0]["net_mass_kg"] = "310.5004"
    assert problems(kds) == {"goods[0].net_mass_kg": "net mass in kg has at most 3 decimals (grams); 310.5004 has 4"}


@pytest.mark.parametrize("packages", [0, -1, 10_000_001])
def test_packages_out_of_range_are_refused(kds: dict[str, Any], packages: int) -> None:
    kds["goods"][0]["packages"] = packages
    assert problems(kds) == {
        "goods[0].packages": f"the number of packages must be from 1 to 10000000, got {packages}"
    }


@pytest.mark.parametrize("packages", [True, 2.5, "two", None])
def test_packages_that_are_not_whole_numbers_are_refused(kds: dict[str, Any], packages: Any) -> None:
    kds["goods"][0]["packages"] = packages
    assert problems(kds)["goods[0].packages"].startswith("expected a whole number such as 2, got ")


def test_hs_code_separators_are_removed(kds: dict[str, Any]) -> None:
    kds["goods"][0]["hs_code"] = " 8466.93.40 "
    assert dumped(kds)["goods"][0]["hs_code"] == "84669340"


@pytest.mark.parametrize("code", ["846693", "84669340", "8466934000"])
def test_hs_code_of_six_eight_or_ten_digits_is_accepted(kds: dict[str, Any], code: str) -> None:
    kds["goods"][0]["hs_code"] = code
    assert dumped(kds)["goods"][0]["hs_code"] == code


def test_unknown_hs_subheading_is_refused(kds: dict[str, Any]) -> None:
    kds["goods"][0]["hs_code"] = "99999900"
    assert problems(kds) == {
        "goods[0].hs_code": "HS subheading 999999 does not exist in the Harmonized System nomenclature"
    }


@pytest.mark.parametrize("code", ["8466934", "84669", "846693401", "84669340A", "８４６６９３"])
def test_hs_code_of_wrong_shape_is_refused(kds: dict[str, Any], code: str) -> None:
    kds["goods"][0]["hs_code"] = code
    assert problems(kds) == {
        "goods[0].hs_code": f'expected an HS code of 6, 8 or 10 digits such as "84669340", got {code!r}'
    }


def test_hs_code_as_number_is_refused_with_a_hint(kds: dict[str, Any]) -> None:
    kds["goods"][0]["hs_code"] = 84669340
    assert problems(kds) == {
        "goods[0].hs_code": 'expected an HS code of 6, 8 or 10 digits such as "84669340", got 84669340 '
        "(write it as text: a number loses leading zeros)"
    }


def test_country_name_instead_of_code_is_refused(kds: dict[str, Any]) -> None:
    kds["seller"]["address"]["country"] = "Germany"
    assert problems(kds) == {
        "seller.address.country": "expected an ISO 3166-1 alpha-2 country code such as DE, got 'Germany'"
    }


def test_codes_are_trimmed_and_upper_cased(kds: dict[str, Any]) -> None:
    kds["buyer"]["address"]["country"] = " gb"
    kds["goods"][0].update(currency="eur ", country_of_origin="de", preferential_origin="eu")
    out = dumped(kds)
    line = out["goods"][0]
    assert out["buyer"]["address"]["country"] == "GB"
    assert (line["currency"], line["country_of_origin"], line["preferential_origin"]) == ("EUR", "DE", "EU")


@pytest.mark.parametrize("code", ["XAU", "XDR", "XXX"])
def test_non_currency_iso_4217_codes_are_refused(kds: dict[str, Any], code: str) -> None:
    kds["goods"][0]["currency"] = code
    assert problems(kds) == {
        "goods[0].currency": f"{code} is an ISO 4217 code for a metal, a unit of account or testing, not a "
        "currency an invoice can be written in; expected an ISO 4217 currency code such as EUR"
    }


def test_unknown_currency_is_refused(kds: dict[str, Any]) -> None:
    kds["goods"][0]["currency"] = "euro"
    assert problems(kds) == {"goods[0].currency": "expected an ISO 4217 currency code such as EUR, got 'euro'"}


@pytest.mark.parametrize(("given", "stored"), [(None, None), ("GB", "GB"), ("EU", "EU")])
def test_preferential_origin_is_null_a_country_or_a_group(kds: dict[str, Any], given: Any, stored: Any) -> None:
    kds["goods"][0]["preferential_origin"] = given
    assert dumped(kds)["goods"][0]["preferential_origin"] == stored


def test_unknown_preferential_origin_is_refused(kds: dict[str, Any]) -> None:
    kds["goods"][0]["preferential_origin"] = "EFTA"
    assert problems(kds) == {
        "goods[0].preferential_origin": "expected null, an ISO 3166-1 alpha-2 country code such as DE, "
        "or an origin group (EU), got 'EFTA'"
    }


def test_optional_goods_fields_may_be_omitted_and_are_written_as_null(kds: dict[str, Any]) -> None:
    del kds["goods"][0]["binding_tariff_reference"]
    del kds["goods"][0]["preferential_origin"]
    line = dumped(kds)["goods"][0]
    assert line["binding_tariff_reference"] is None and line["preferential_origin"] is None


def test_text_is_nfc_normalised_and_trimmed(kds: dict[str, Any]) -> None:
    kds["seller"]["address"]["street"] = "  Hafenstras\u0073e 1\u0032 "
    kds["seller"]["name"] = "Mu\u0308ller GmbH\u00a0"  # decomposed ü, trailing no-break space
    out = dumped(kds)
    assert out["seller"]["name"] == "M\u00fcller GmbH"
    assert out["seller"]["address"]["street"] == "Hafenstrasse 12"


@pytest.mark.parametrize("text", ["Line one\nline two", "Tab\there", "Bell\x07"])
def test_control_characters_in_text_are_refused(kds: dict[str, Any], text: str) -> None:
    kds["goods"][0]["description"] = text
    assert problems(kds)["goods[0].description"].startswith("must not contain control characters")


def test_the_control_characters_refused_are_exactly_unicodes_categories_cc_and_cs() -> None:
    from gpid_node.domain.fields import _control_character

    for point in range(0x110000):
        found = _control_character(f"ok{chr(point)}ok")
        assert (found is not None) == (unicodedata.category(chr(point)) in ("Cc", "Cs")), hex(point)
        assert found in (None, chr(point))


def test_text_longer_than_its_bound_is_refused(kds: dict[str, Any]) -> None:
    kds["buyer"]["address"]["postcode"] = "1" * 18
    kds["seller"]["name"] = "N" * 141
    assert problems(kds) == {
        "seller.name": "must have at most 140 characters, got 141",
        "buyer.address.postcode": "must have at most 17 characters, got 18",
    }


def test_blank_text_is_refused(kds: dict[str, Any]) -> None:
    kds["buyer"]["address"]["city"] = "   "
    assert problems(kds) == {"buyer.address.city": "must not be empty"}


def test_invoice_number_is_kept_as_written_but_trimmed(kds: dict[str, Any]) -> None:
    kds["invoice"]["number"] = "  rm-2026 000123 "
    assert dumped(kds)["invoice"]["number"] == "rm-2026 000123"


def test_invoice_number_whose_normal_form_exceeds_70_bytes_is_refused(kds: dict[str, Any]) -> None:
    kds["invoice"]["number"] = "€" * 24  # 24 characters, 72 UTF-8 bytes
    assert problems(kds) == {
        "invoice.number": "the invoice number in normal form takes 72 UTF-8 bytes; the registry keys at most 70"
    }


def test_invoice_dated_today_is_accepted(kds: dict[str, Any]) -> None:
    kds["invoice"]["date"] = "2026-11-23"
    assert dumped(kds)["invoice"]["date"] == "2026-11-23"


def test_invoice_dated_in_the_future_is_refused(kds: dict[str, Any]) -> None:
    kds["invoice"]["date"] = "2026-11-24"
    assert problems(kds) == {
        "invoice.date": "the invoice date 2026-11-24 is in the future (today is 2026-11-23 in UTC)"
    }


def test_today_comes_from_the_validation_context(kds: dict[str, Any]) -> None:
    kds["invoice"]["date"] = "2026-11-24"
    assert KeyDataSet.model_validate(kds, context={"today": date(2026, 11, 24)}).invoice.date == date(2026, 11, 24)


@pytest.mark.parametrize("given", ["20261120", "2026-W47-5", "2026-02-30", "20.11.2026", 20261120])
def test_invoice_date_other_than_an_iso_calendar_date_is_refused(kds: dict[str, Any], given: Any) -> None:
    kds["invoice"]["date"] = given
    assert set(problems(kds)) == {"invoice.date"}


def test_trader_id_value_is_put_in_normal_form(kds: dict[str, Any]) -> None:
    kds["seller"]["trader_id"] = {"scheme": " eori", "value": "de 1234 5678 9012 345"}
    assert dumped(kds)["seller"]["trader_id"] == {"scheme": "EORI", "value": "DE123456789012345"}


def test_trader_id_scheme_defaults_to_eori(kds: dict[str, Any]) -> None:
    kds["buyer"]["trader_id"] = {"value": "GB123456789000"}
    assert dumped(kds)["buyer"]["trader_id"] == {"scheme": "EORI", "value": "GB123456789000"}


def test_trader_id_scheme_other_than_eori_is_refused(kds: dict[str, Any]) -> None:
    kds["buyer"]["trader_id"]["scheme"] = "VAT"
    assert problems(kds) == {
        "buyer.trader_id.scheme": "expected a trader ID scheme schema version 1 accepts (EORI), got 'VAT'"
    }


@pytest.mark.parametrize("value", ["123456789012345", "DE", "DE1234567890123456", "ZZ12345", "DE-1234"])
def test_trader_id_not_shaped_like_an_eori_is_refused(kds: dict[str, Any], value: str) -> None:
    kds["seller"]["trader_id"]["value"] = value
    message = problems(kds)["seller.trader_id.value"]
    assert message.startswith("expected an EORI number: an ISO 3166-1 country prefix such as DE followed by 1 to 15")


def test_unknown_fields_are_refused_with_the_accepted_ones(kds: dict[str, Any]) -> None:
    kds["seller"]["address"]["region"] = "NRW"
    kds["goods"][0]["colour"] = "blue"
    assert problems(kds) == {
        "seller.address.region": "unknown field 'region'; accepted here: street, postcode, city, country",
        "goods[0].colour": "unknown field 'colour'; accepted here: sequence, description, hs_code, "
        "binding_tariff_reference, value, currency, packages, net_mass_kg, preferential_origin, country_of_origin",
    }


def test_missing_fields_are_reported_each(kds: dict[str, Any]) -> None:
    del kds["buyer"]["address"]
    del kds["goods"][0]["currency"]
    assert problems(kds) == {"buyer.address": "this field is required", "goods[0].currency": "this field is required"}


@pytest.mark.parametrize("version", ["2", 1, None])
def test_schema_version_other_than_text_1_is_refused(kds: dict[str, Any], version: Any) -> None:
    kds["schema_version"] = version
    assert set(problems(kds)) == {"schema_version"}


def test_goods_must_not_be_empty(kds: dict[str, Any]) -> None:
    kds["goods"] = []
    assert problems(kds) == {"goods": "at least 1 goods line is required"}


def test_more_than_999_goods_lines_are_refused(kds: dict[str, Any]) -> None:
    line = kds["goods"][0]
    kds["goods"] = [dict(line, sequence=n) for n in range(1, 1001)]
    assert problems(kds) == {"goods": "at most 999 goods lines per key data set, got 1000"}


def test_999_goods_lines_are_accepted(kds: dict[str, Any]) -> None:
    line = kds["goods"][0]
    kds["goods"] = [dict(line, sequence=n) for n in range(1, 1000)]
    assert len(parse_key_data_set(kds, today=TODAY).goods) == 999


def test_sequence_gap_is_refused_at_the_line_where_it_occurs(kds: dict[str, Any]) -> None:
    line = kds["goods"][0]
    kds["goods"] = [dict(line, sequence=1), dict(line, sequence=3), dict(line, sequence=4)]
    assert problems(kds) == {
        "goods[1].sequence": "goods lines are numbered 1 to n in order without gaps: expected 2 here, got 3",
        "goods[2].sequence": "goods lines are numbered 1 to n in order without gaps: expected 3 here, got 4",
    }


def test_sequence_out_of_order_is_refused(kds: dict[str, Any]) -> None:
    line = kds["goods"][0]
    kds["goods"] = [dict(line, sequence=2), dict(line, sequence=1)]
    assert set(problems(kds)) == {"goods[0].sequence", "goods[1].sequence"}


def test_every_problem_is_reported_at_once_including_cross_field_ones(kds: dict[str, Any]) -> None:
    line = copy.deepcopy(kds["goods"][0])
    kds["seller"]["address"]["country"] = "Germany"
    kds["invoice"]["date"] = "2027-01-01"
    kds["goods"] = [
        dict(line, sequence=1, hs_code="999999", value="18450.123"),  # value check despite the bad HS code
        dict(line, sequence=3, packages=0),  # sequence check despite a bad line
    ]
    with pytest.raises(ValidationFailed) as caught:
        parse_key_data_set(kds, today=TODAY)
    assert [p.path for p in caught.value.problems] == [
        "seller.address.country",
        "invoice.date",
        "goods[0].hs_code",
        "goods[0].value",
        "goods[1].sequence",
        "goods[1].packages",
    ]
    assert caught.value.problems[3].message == "EUR has 2 decimals; 18450.123 has 3"


@pytest.mark.parametrize("data", [None, [], "{}", 42])
def test_data_that_is_not_an_object_is_refused_at_the_root(data: Any) -> None:
    assert list(problems(data)) == [""]
    assert problems(data)[""].startswith("expected an object with the fields schema_version, seller, buyer")


def test_normal_form_of_identifiers() -> None:
    assert normalise_identifier(" rm-2026 000123\t") == "RM-2026000123"
    assert normalise_identifier("straße ü") == "STRAßEü"  # only ASCII letters change case
    assert normalise_identifier("u\u0308") == "\u00fc"


def test_trader_id_text_is_scheme_and_value_in_normal_form() -> None:
    assert trader_id_text(TraderId(scheme="EORI", value="de123456789012345")) == "EORI:DE123456789012345"
