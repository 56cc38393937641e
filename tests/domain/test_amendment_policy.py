"""changed_fields: the field paths that differ between two versions of a key data set."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from gpid_node.domain.amendment_policy import changed_fields


def key_data_set(goods_count: int = 3) -> dict[str, Any]:
    return {
        "schema_version": "1",
        "seller": {
            "name": "Rhein Maschinenbau GmbH",
            "address": {"street": "Hafenstrasse 12", "postcode": "47119", "city": "Duisburg", "country": "DE"},
            "trader_id": {"scheme": "EORI", "value": "DE123456789012345"},
        },
        "buyer": {
            "name": "Thames Tools Ltd",
            "address": {"street": "1 Dock Road", "postcode": "E16 1AA", "city": "London", "country": "GB"},
            "trader_id": {"scheme": "EORI", "value": "GB123456789000"},
        },
        "invoice": {"number": "RM-2026-000123", "date": "2026-11-20"},
        "goods": [
            {"sequence": n, "description": f"Part {n}", "hs_code": "84669340", "binding_tariff_reference": None,
             "value": "100.00", "currency": "EUR", "packages": 1, "net_mass_kg": "1.000",
             "preferential_origin": "EU", "country_of_origin": "DE"}
            for n in range(1, goods_count + 1)
        ],
    }


def test_first_version_has_no_changed_fields() -> None:
    assert changed_fields(None, key_data_set()) == []


def test_identical_versions_have_no_changed_fields() -> None:
    assert changed_fields(key_data_set(), key_data_set()) == []


def test_a_nested_address_field_is_named_by_its_full_path() -> None:
    after = key_data_set()
    after["buyer"]["address"]["city"] = "Tilbury"

    assert changed_fields(key_data_set(), after) == ["buyer.address.city"]


def test_a_goods_field_is_named_by_its_zero_based_line_position() -> None:
    after = key_data_set()
    after["goods"][2]["value"] = "120.00"
    after["goods"][0]["packages"] = 2

    assert changed_fields(key_data_set(), after) == ["goods[0].packages", "goods[2].value"]


def test_an_added_goods_line_is_named_as_a_whole() -> None:
    assert changed_fields(key_data_set(3), key_data_set(4)) == ["goods[3]"]


def test_a_removed_goods_line_is_named_as_a_whole() -> None:
    assert changed_fields(key_data_set(4), key_data_set(2)) == ["goods[2]", "goods[3]"]


def test_a_field_set_from_null_or_added_is_reported() -> None:
    after = key_data_set()
    after["goods"][1]["binding_tariff_reference"] = "DEBTI-2026-0001"
    after["seller"]["address"]["region"] = "NRW"

    assert changed_fields(key_data_set(), after) == ["goods[1].binding_tariff_reference", "seller.address.region"]


def test_paths_are_sorted_with_positions_compared_as_numbers() -> None:
    before, after = key_data_set(12), key_data_set(12)
    after["goods"][10]["value"] = "1.00"
    after["goods"][2]["value"] = "1.00"
    after["buyer"]["name"] = "Thames Tools plc"
    after["seller"]["name"] = "Rhein Maschinenbau AG"

    assert changed_fields(before, after) == [
        "buyer.name", "goods[2].value", "goods[10].value", "seller.name",
    ]


def test_a_value_changing_type_is_reported() -> None:
    after = key_data_set()
    after["goods"][0]["packages"] = "1"

    assert changed_fields(key_data_set(), after) == ["goods[0].packages"]


_leaves = st.sampled_from(["Duisburg", "London", "100.00", "EUR", None, 1, 2])


@given(city=_leaves, value=_leaves, packages=_leaves, extra_lines=st.integers(min_value=0, max_value=2))
def test_changed_fields_names_exactly_the_edited_paths(city: Any, value: Any, packages: Any, extra_lines: int) -> None:
    before = key_data_set(2)
    after = copy.deepcopy(before)
    after["seller"]["address"]["city"] = city
    after["goods"][1]["value"] = value
    after["goods"][0]["packages"] = packages
    after["goods"].extend(copy.deepcopy(after["goods"][:extra_lines]))

    expected = []
    if packages != 1 or type(packages) is not int:
        expected.append("goods[0].packages")
    if value != "100.00":
        expected.append("goods[1].value")
    expected += [f"goods[{2 + i}]" for i in range(extra_lines)]
    if city != "Duisburg":
        expected.append("seller.address.city")

    assert changed_fields(before, after) == expected
    assert changed_fields(after, after) == []
