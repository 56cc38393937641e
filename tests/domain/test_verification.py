"""The Customs check: a declaration against the key data sets it references (pure rules)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from gpid_node.domain.errors import ValidationFailed
from gpid_node.domain.declaration import Declaration, DeclaredItem, VerificationRequest, parse_request
from gpid_node.domain.verification import (
    KeyDataSetFacts,
    VersionRecord,
    outcome_code,
    verify,
)

GPID_A = "GP0123456789ABCDEFGHJKMNPQRS7"
GPID_B = "GP3ZZZZZZZZZZZZZZZZZZZZZZZZZ1"

REGISTERED_AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
FILED_AT = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


def key_data_set(**goods_changes: Any) -> dict[str, Any]:
    data = {
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
            {"sequence": 1, "description": "CNC milling spindle, 24 kW", "hs_code": "84669340",
             "binding_tariff_reference": None, "value": "18450.00", "currency": "EUR", "packages": 2,
             "net_mass_kg": "310.500", "preferential_origin": "EU", "country_of_origin": "DE"},
            {"sequence": 2, "description": "Tool holder set", "hs_code": "84661038",
             "binding_tariff_reference": None, "value": "1200.00", "currency": "EUR", "packages": 1,
             "net_mass_kg": "12.000", "preferential_origin": None, "country_of_origin": "CN"},
        ],
    }
    data["goods"][0].update(goods_changes)
    return data


def version(number: int, time: datetime, data: dict[str, Any] | None = None, *, reason: str | None = None,
            changed: list[str] | None = None, author: str = "0xSeller") -> VersionRecord:
    return VersionRecord(version=number, time=time, author=author, reason=reason,
                         changed_fields=changed or [], data=data if data is not None else key_data_set())


def facts(gpid: str = GPID_A, *, versions: list[VersionRecord] | None = None, integrity: bool = True,
          others: list[dict[str, Any]] | None = None) -> KeyDataSetFacts:
    return KeyDataSetFacts(gpid=gpid, integrity_verified=integrity,
                           versions=versions or [version(1, REGISTERED_AT)], other_declarations=others or [])


def line(**changes: Any) -> dict[str, Any]:
    item = {"gpid": GPID_A, "goods_sequence": 1, "hs_code": "84669340", "value": "18450.00", "currency": "EUR",
            "packages": 2, "net_mass_kg": "310.500", "country_of_origin": "DE", "preferential_origin": "EU"}
    item.update(changes)
    return item


def declaration(*items: dict[str, Any], filed_at: Any = FILED_AT, **fields: Any) -> Declaration:
    body = {"reference": "26GB00000000000123", "country": "GB", "direction": "import", "filed_at": filed_at,
            "items": list(items) or [line()]}
    body.update(fields)
    return Declaration.model_validate(body)


def only_gpid(answer: dict[str, Any]) -> dict[str, Any]:
    assert len(answer["gpids"]) == 1
    return answer["gpids"][0]


# ---------------------------------------------------------------------------------------------
# The clean match and the answer shape
# ---------------------------------------------------------------------------------------------


def test_declaration_matching_the_key_data_set_is_a_match() -> None:
    answer = verify(declaration(), {GPID_A: facts()})

    assert answer == {
        "result": "match",
        "gpids": [{
            "gpid": GPID_A,
            "integrity": {"verified": True},
            "version_at_filing": 1,
            "amended_after_filing": False,
            "amendments": [],
            "other_declarations": [],
            "discrepancies": [],
        }],
    }
    json.dumps(answer)  # JSON-ready as it is


def test_the_design_example_request_is_accepted_and_matches() -> None:
    body = {"declaration": {"reference": "26GB00000000000123", "country": "GB", "direction": "import",
                            "filed_at": "2026-11-21T09:30:00Z", "items": [line()]}}
    request = parse_request(json.dumps(body))

    assert request.declaration.filed_at == FILED_AT
    assert verify(request.declaration, {GPID_A: facts()})["result"] == "match"


def test_fields_left_out_or_null_are_not_checked() -> None:
    registered = key_data_set(hs_code="99999999", value="1.00", currency="USD", packages=9, net_mass_kg="1.000",
                              country_of_origin="FR", preferential_origin=None)
    sparse = declaration({"gpid": GPID_A, "goods_sequence": 1, "hs_code": None})

    answer = verify(sparse, {GPID_A: facts(versions=[version(1, REGISTERED_AT, registered)])})

    assert answer["result"] == "match"


# ---------------------------------------------------------------------------------------------
# Each discrepancy field on its own
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared_change", "field", "declared", "registered"),
    [
        ({"hs_code": "84669390"}, "hs_code", "84669390", "84669340"),
        ({"value": "18400.00"}, "value", "18400.00", "18450.00"),
        ({"currency": "GBP"}, "currency", "GBP", "EUR"),
        ({"packages": 3}, "packages", 3, 2),
        ({"net_mass_kg": "310.400"}, "net_mass_kg", "310.400", "310.500"),
        ({"country_of_origin": "CN"}, "country_of_origin", "CN", "DE"),
        ({"preferential_origin": "GB"}, "preferential_origin", "GB", "EU"),
    ],
)
def test_a_differing_field_is_reported_as_its_own_discrepancy(
    declared_change: dict[str, Any], field: str, declared: Any, registered: Any
) -> None:
    answer = verify(declaration(line(**declared_change)), {GPID_A: facts()})

    assert answer["result"] == "discrepancies"
    assert only_gpid(answer)["discrepancies"] == [
        {"goods_sequence": 1, "field": field, "declared": declared, "registered": registered}
    ]


def test_claiming_preference_for_goods_registered_without_one_is_a_discrepancy() -> None:
    answer = verify(declaration(line(goods_sequence=2, hs_code="84661038", value="1200", packages=1,
                                     net_mass_kg="12", country_of_origin="CN", preferential_origin="EU")),
                    {GPID_A: facts()})

    assert only_gpid(answer)["discrepancies"] == [
        {"goods_sequence": 2, "field": "preferential_origin", "declared": "EU", "registered": None}
    ]


def test_a_goods_line_missing_from_the_key_data_set_is_a_discrepancy_with_nothing_registered() -> None:
    answer = verify(declaration(line(), line(goods_sequence=7, hs_code="00000000")), {GPID_A: facts()})

    assert answer["result"] == "discrepancies"
    assert only_gpid(answer)["discrepancies"] == [
        {"goods_sequence": 7, "field": "goods_sequence", "declared": 7, "registered": None}
    ]


def test_value_in_another_currency_reports_currency_and_value_separately() -> None:
    answer = verify(declaration(line(value="15900.00", currency="GBP")), {GPID_A: facts()})

    assert [d["field"] for d in only_gpid(answer)["discrepancies"]] == ["value", "currency"]


def test_discrepancies_are_ordered_by_goods_sequence_then_field() -> None:
    decl = declaration(
        line(goods_sequence=2, preferential_origin="EU", hs_code="11111111", value=None, packages=None,
             net_mass_kg=None, country_of_origin=None),
        line(country_of_origin="FR", packages=5, hs_code="84660000"),
    )

    found = only_gpid(verify(decl, {GPID_A: facts()}))["discrepancies"]

    assert [(d["goods_sequence"], d["field"]) for d in found] == [
        (1, "hs_code"), (1, "packages"), (1, "country_of_origin"),
        (2, "hs_code"), (2, "preferential_origin"),
    ]


# ---------------------------------------------------------------------------------------------
# Decimals and HS codes
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("declared_value", ["18450", "18450.00", "18450.000", 18450, "1.845E+4"])
def test_values_equal_as_decimals_match_whatever_their_written_form(declared_value: Any) -> None:
    assert verify(declaration(line(value=declared_value)), {GPID_A: facts()})["result"] == "match"


def test_json_numbers_are_read_as_written_not_through_float_arithmetic() -> None:
    registered = key_data_set(net_mass_kg="0.100", value="0.30")
    body = '{"declaration": {"reference": "R1", "country": "GB", "direction": "import", ' \
           '"filed_at": "2026-11-21T09:30:00Z", "items": [{"gpid": "%s", "goods_sequence": 1, ' \
           '"net_mass_kg": 0.1, "value": 0.30}]}}' % GPID_A

    request = parse_request(body)

    assert request.declaration.items[0].net_mass_kg == Decimal("0.1")
    assert verify(request.declaration, {GPID_A: facts(versions=[version(1, REGISTERED_AT, registered)])})["result"] == "match"


def test_declared_decimals_are_reported_as_plain_strings() -> None:
    found = only_gpid(verify(declaration(line(value="1.9E+4")), {GPID_A: facts()}))["discrepancies"]

    assert found == [{"goods_sequence": 1, "field": "value", "declared": "19000", "registered": "18450.00"}]


def test_net_mass_within_the_configured_tolerance_matches() -> None:
    decl = declaration(line(net_mass_kg="310.9"))

    assert verify(decl, {GPID_A: facts()})["result"] == "discrepancies"
    assert verify(decl, {GPID_A: facts()}, mass_tolerance=Decimal("0.5"))["result"] == "match"
    assert verify(decl, {GPID_A: facts()}, mass_tolerance=Decimal("0.3"))["result"] == "discrepancies"


def test_negative_mass_tolerance_is_refused() -> None:
    with pytest.raises(ValueError, match="mass_tolerance"):
        verify(declaration(), {GPID_A: facts()}, mass_tolerance=Decimal("-1"))


@pytest.mark.parametrize("declared_code", ["846693", "84669340", "8466934000", "8466.93.40"])
def test_hs_code_matches_when_the_codes_agree_on_their_common_digits(declared_code: str) -> None:
    assert verify(declaration(line(hs_code=declared_code)), {GPID_A: facts()})["result"] == "match"


@pytest.mark.parametrize("declared_code", ["846692", "84669390", "8466931000"])
def test_hs_code_differing_within_the_common_digits_is_a_discrepancy(declared_code: str) -> None:
    found = only_gpid(verify(declaration(line(hs_code=declared_code)), {GPID_A: facts()}))["discrepancies"]

    assert [d["field"] for d in found] == ["hs_code"]


def test_a_registered_six_digit_subheading_is_compared_on_six_digits() -> None:
    registered = key_data_set(hs_code="846693")

    answer = verify(declaration(line(hs_code="8466934000")), {GPID_A: facts(versions=[version(1, REGISTERED_AT, registered)])})

    assert answer["result"] == "match"


# ---------------------------------------------------------------------------------------------
# Versions: at filing, amended after filing, registered after filing
# ---------------------------------------------------------------------------------------------


def test_version_at_filing_is_the_latest_version_not_after_filing() -> None:
    v1 = version(1, REGISTERED_AT)
    v2 = version(2, FILED_AT + timedelta(hours=2), key_data_set(packages=3), reason="carrier repacked",
                 changed=["goods[0].packages"], author="0xDelegate")
    v3 = version(3, FILED_AT + timedelta(days=1), key_data_set(packages=4), reason="second repack",
                 changed=["goods[0].packages"])

    entry = only_gpid(verify(declaration(line(packages=2)), {GPID_A: facts(versions=[v1, v2, v3])}))

    assert entry["version_at_filing"] == 1
    assert entry["discrepancies"] == []


def test_a_version_made_exactly_at_filing_time_counts_as_at_filing() -> None:
    v2 = version(2, FILED_AT, key_data_set(packages=3), changed=["goods[0].packages"])

    entry = only_gpid(verify(declaration(line(packages=3)), {GPID_A: facts(versions=[version(1, REGISTERED_AT), v2])}))

    assert entry["version_at_filing"] == 2
    assert entry["amended_after_filing"] is False
    assert entry["discrepancies"] == []


def test_amendments_after_filing_are_listed_but_are_not_discrepancies() -> None:
    v1 = version(1, REGISTERED_AT)
    v2 = version(2, FILED_AT - timedelta(hours=1), key_data_set(value="18500.00"), reason="price corrected",
                 changed=["goods[0].value"])
    v3 = version(3, FILED_AT + timedelta(hours=2), key_data_set(value="18500.00", packages=3),
                 reason="carrier repacked", changed=["goods[0].packages"], author="0xDelegate")

    answer = verify(declaration(line(value="18500")), {GPID_A: facts(versions=[v1, v2, v3])})

    entry = only_gpid(answer)
    assert answer["result"] == "match"
    assert entry["version_at_filing"] == 2
    assert entry["amended_after_filing"] is True
    assert entry["amendments"] == [{
        "version": 3, "time": "2026-11-21T11:30:00Z", "author": "0xDelegate", "reason": "carrier repacked",
        "changed_fields": ["goods[0].packages"],
    }]


def test_filed_at_with_an_offset_is_compared_in_utc() -> None:
    v2 = version(2, datetime(2026, 11, 21, 9, 0, tzinfo=UTC), key_data_set(packages=3))
    # 10:15 in UTC+01:00 is 09:15Z, after version 2.
    decl = declaration(line(packages=3), filed_at="2026-11-21T10:15:00+01:00")

    entry = only_gpid(verify(decl, {GPID_A: facts(versions=[version(1, REGISTERED_AT), v2])}))

    assert decl.filed_at.tzinfo == UTC
    assert entry["version_at_filing"] == 2


def test_a_key_data_set_registered_after_filing_has_no_version_at_filing_and_is_a_discrepancy() -> None:
    late = FILED_AT + timedelta(minutes=5)
    v2 = version(2, late + timedelta(days=1), key_data_set(packages=3), reason="repacked", changed=["goods[0].packages"])

    answer = verify(declaration(), {GPID_A: facts(versions=[version(1, late), v2])})

    entry = only_gpid(answer)
    assert answer["result"] == "discrepancies"
    assert entry["version_at_filing"] is None
    assert entry["discrepancies"] == [{
        "goods_sequence": None, "field": "registered_at",
        "declared": "2026-11-21T09:30:00Z", "registered": "2026-11-21T09:35:00Z",
    }]
    assert [a["version"] for a in entry["amendments"]] == [2]  # compared with version 1; v2 is reported


# ---------------------------------------------------------------------------------------------
# Overall result precedence
# ---------------------------------------------------------------------------------------------


def test_an_unknown_gpid_outranks_integrity_failures_and_discrepancies() -> None:
    decl = declaration(line(packages=9), line(gpid=GPID_B))

    answer = verify(decl, {GPID_A: facts(integrity=False), GPID_B: None})

    assert answer["result"] == "unknown_gpid"
    assert [g["gpid"] for g in answer["gpids"]] == [GPID_A, GPID_B]
    assert answer["gpids"][1] == {
        "gpid": GPID_B, "integrity": {"verified": False}, "version_at_filing": None,
        "amended_after_filing": False, "amendments": [], "other_declarations": [],
        "discrepancies": [{"goods_sequence": None, "field": "gpid", "declared": GPID_B, "registered": None}],
    }


def test_a_gpid_absent_from_the_facts_counts_as_unknown() -> None:
    assert verify(declaration(line(gpid=GPID_B)), {GPID_A: facts()})["result"] == "unknown_gpid"


def test_an_integrity_failure_outranks_discrepancies() -> None:
    answer = verify(declaration(line(packages=9)), {GPID_A: facts(integrity=False)})

    entry = only_gpid(answer)
    assert answer["result"] == "integrity_failure"
    assert entry["integrity"] == {"verified": False}
    assert [d["field"] for d in entry["discrepancies"]] == ["packages"]  # still shown to the officer


def test_one_failing_key_data_set_among_several_decides_the_result() -> None:
    decl = declaration(line(), line(gpid=GPID_B))

    answer = verify(decl, {GPID_A: facts(), GPID_B: facts(GPID_B, integrity=False)})

    assert answer["result"] == "integrity_failure"


def test_items_of_one_gpid_are_grouped_in_order_of_first_appearance() -> None:
    decl = declaration(line(gpid=GPID_B), line(), line(gpid=GPID_B, goods_sequence=2, hs_code=None, value=None,
                                                         packages=None, net_mass_kg=None, country_of_origin="CN",
                                                         preferential_origin=None))

    answer = verify(decl, {GPID_A: facts(), GPID_B: facts(GPID_B)})

    assert answer["result"] == "match"
    assert [g["gpid"] for g in answer["gpids"]] == [GPID_B, GPID_A]


def test_gpid_written_in_lower_case_with_hyphens_finds_its_key_data_set() -> None:
    typed = " gp0123-456789-abcdefgh-jkmnpqrs7"

    answer = verify(declaration(line(gpid=typed), line()), {GPID_A: facts()})

    assert answer["result"] == "match"
    assert [g["gpid"] for g in answer["gpids"]] == [GPID_A]


# ---------------------------------------------------------------------------------------------
# Reuse of the GPID in other declarations
# ---------------------------------------------------------------------------------------------


def test_other_declarations_using_the_gpid_are_passed_through_in_link_order() -> None:
    export = {"reference": "26DE00000000000042", "country": "DE", "direction": "export",
              "linked_at": datetime(2026, 11, 20, 15, 0, tzinfo=UTC)}
    earlier_import = {"reference": "26NL00000000000007", "country": "NL", "direction": "import",
                      "linked_at": "2026-11-20T12:00:00Z"}

    entry = only_gpid(verify(declaration(), {GPID_A: facts(others=[export, earlier_import])}))

    assert entry["other_declarations"] == [
        earlier_import,
        {"reference": "26DE00000000000042", "country": "DE", "direction": "export", "linked_at": "2026-11-20T15:00:00Z"},
    ]


def test_the_declaration_being_verified_is_not_listed_as_a_reuse() -> None:
    itself = {"reference": "26GB00000000000123", "country": "GB", "direction": "import", "linked_at": "2026-11-21T09:31:00Z"}

    entry = only_gpid(verify(declaration(), {GPID_A: facts(others=[itself])}))

    assert entry["other_declarations"] == []


def test_verify_does_not_modify_the_facts_it_is_given() -> None:
    given = facts(others=[{"reference": "X", "country": "DE", "direction": "export",
                           "linked_at": datetime(2026, 11, 20, tzinfo=UTC)}])
    snapshot = copy.deepcopy(given)

    verify(declaration(line(packages=9)), {GPID_A: given})

    assert given == snapshot


# ---------------------------------------------------------------------------------------------
# Request validation
# ---------------------------------------------------------------------------------------------


def test_naive_filed_at_is_refused_with_its_path_and_what_to_send() -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_request({"declaration": {"reference": "R1", "country": "GB", "direction": "import",
                                       "filed_at": "2026-11-21T09:30:00", "items": [line()]}})

    [problem] = refused.value.problems
    assert problem.path == "declaration.filed_at"
    assert "time zone" in problem.message and "2026-11-21T09:30:00Z" in problem.message


def test_naive_datetime_object_is_refused_by_the_model() -> None:
    with pytest.raises(ValidationError) as refused:
        declaration(filed_at=datetime(2026, 11, 21, 9, 30))

    assert refused.value.errors()[0]["loc"] == ("filed_at",)
    assert refused.value.errors()[0]["type"] == "timezone_required"


def test_every_problem_of_a_request_is_reported_with_its_path() -> None:
    bad = {"declaration": {"reference": "", "country": "gb", "direction": "transit",
                           "filed_at": "2026-11-21T09:30:00Z",
                           "items": [line(goods_sequence=0, hs_code="8466", value=1.5e400, currency="eur",
                                          packages=True, net_mass_kg="heavy", country_of_origin="Germany",
                                          colour="red")]},
           "extra": 1}

    with pytest.raises(ValidationFailed) as refused:
        parse_request(bad)

    paths = {p.path for p in refused.value.problems}
    assert paths == {
        "extra",
        "declaration.reference",
        "declaration.country",
        "declaration.direction",
        "declaration.items[0].goods_sequence",
        "declaration.items[0].hs_code",
        "declaration.items[0].value",
        "declaration.items[0].currency",
        "declaration.items[0].packages",
        "declaration.items[0].net_mass_kg",
        "declaration.items[0].country_of_origin",
        "declaration.items[0].colour",
    }


@pytest.mark.parametrize("count", [0, 1000])
def test_a_declaration_has_between_1_and_999_items(count: int) -> None:
    with pytest.raises(ValidationError) as refused:
        Declaration.model_validate({"reference": "R1", "country": "GB", "direction": "export",
                                    "filed_at": FILED_AT, "items": [line()] * count})

    assert refused.value.errors()[0]["loc"] == ("items",)


def test_negative_decimals_are_refused() -> None:
    with pytest.raises(ValidationError):
        DeclaredItem.model_validate(line(value="-1.00"))


def test_request_model_wraps_the_declaration() -> None:
    request = VerificationRequest.model_validate({"declaration": declaration().model_dump()})

    assert request.declaration == declaration()


# ---------------------------------------------------------------------------------------------
# Facts handed in by the caller, and outcome codes
# ---------------------------------------------------------------------------------------------


def test_version_records_need_timezone_aware_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        version(1, datetime(2026, 11, 20, 8, 0))


def test_facts_need_versions_in_order() -> None:
    with pytest.raises(ValueError, match="ordered by version"):
        facts(versions=[version(2, FILED_AT), version(1, REGISTERED_AT)])


def test_version_times_in_another_zone_are_reported_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    v2 = version(2, datetime(2026, 11, 22, 10, 0, tzinfo=paris), key_data_set(packages=3))

    entry = only_gpid(verify(declaration(), {GPID_A: facts(versions=[version(1, REGISTERED_AT), v2])}))

    assert entry["amendments"][0]["time"] == "2026-11-22T09:00:00Z"


@pytest.mark.parametrize(("result", "code"), [("match", 1), ("discrepancies", 2), ("integrity_failure", 3)])
def test_outcome_codes_of_recordable_results(result: str, code: int) -> None:
    assert outcome_code(result) == code


@pytest.mark.parametrize("result", ["unknown_gpid", "maybe"])
def test_results_without_an_outcome_code_are_refused(result: str) -> None:
    with pytest.raises(ValueError, match=result):
        outcome_code(result)
