"""Reference data: ISO countries and currencies, HS subheadings, EORI shape, origin groups."""

from __future__ import annotations

import pytest

from gpid_node.domain import reference


@pytest.mark.parametrize("code", ["DE", "GB", "JP", "US", "CH"])
def test_iso_country_codes_are_countries(code: str) -> None:
    assert reference.is_country(code)


@pytest.mark.parametrize("code", ["de", "XI", "XK", "EU", "UK", "DEU", "", "D"])
def test_lower_case_user_assigned_and_non_alpha_2_codes_are_not_countries(code: str) -> None:
    assert not reference.is_country(code)


@pytest.mark.parametrize(
    ("code", "decimals"),
    [("EUR", 2), ("USD", 2), ("GBP", 2), ("JPY", 0), ("KRW", 0), ("ISK", 0), ("XOF", 0),
     ("BHD", 3), ("KWD", 3), ("TND", 3), ("CLF", 4), ("UYW", 4)],
)
def test_currency_minor_units_follow_iso_4217(code: str, decimals: int) -> None:
    assert reference.is_currency(code)
    assert reference.currency_minor_unit(code) == decimals


def test_every_exception_in_the_minor_unit_table_is_a_known_currency() -> None:
    assert all(reference.is_currency(code) for code in reference.MINOR_UNITS_NOT_TWO)


@pytest.mark.parametrize("code", ["XAU", "XAG", "XDR", "XTS", "XXX", "eur", "EURO", "ABC"])
def test_metals_units_of_account_and_unknown_codes_are_not_currencies(code: str) -> None:
    assert not reference.is_currency(code)
    with pytest.raises(KeyError):
        reference.currency_minor_unit(code)


@pytest.mark.parametrize("code", ["846693", "010121", "852411", "731815"])
def test_existing_hs_subheadings_are_found(code: str) -> None:
    assert reference.is_hs_subheading(code)
    assert reference.hs_subheading_description(code)


@pytest.mark.parametrize("code", ["999999", "846699", "0101", "84669340", "TOTAL"])
def test_statistical_unknown_and_non_six_digit_codes_are_not_subheadings(code: str) -> None:
    assert not reference.is_hs_subheading(code)
    assert reference.hs_subheading_description(code) is None


@pytest.mark.parametrize(("code", "valid"), [("846693", True), ("84669340", True), ("8466934000", True),
                                              ("8466934", False), ("846693400", False), ("99999900", False)])
def test_commodity_codes_are_six_eight_or_ten_digits_of_an_existing_subheading(code: str, valid: bool) -> None:
    assert reference.is_commodity_code(code) is valid


def test_hs_separators_are_dots_and_whitespace() -> None:
    assert reference.strip_hs_separators(" 8466.93 40\t") == "84669340"


@pytest.mark.parametrize("value", ["DE123456789012345", "GB123456789000", "NL812345670", "IE3456789AH", "DE1"])
def test_eori_shaped_values_are_accepted(value: str) -> None:
    assert reference.is_eori_shape(value)


@pytest.mark.parametrize("value", ["DE", "de123", "DE1234567890123456", "ZZ123", "XI123456789000", "DE 123", "123"])
def test_values_not_shaped_like_an_eori_are_refused(value: str) -> None:
    assert not reference.is_eori_shape(value)


def test_eu_is_an_origin_group_and_countries_are_not() -> None:
    assert reference.is_origin_group("EU")
    assert not reference.is_origin_group("DE")
