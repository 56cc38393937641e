"""The export/import flow of DESIGN.md through the API, ending in the Customs verifications."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from gpid_node.domain.gpid import GPID

from api.harness import (
    CUSTOMS_DE,
    CUSTOMS_GB,
    EXPORT_BROKER,
    IMPORT_BROKER,
    SELLER,
    Api,
    fresh_key_data_set,
    next_second,
    unique_reference,
)


def declared_items(gpid: str, value: str = "18450.00") -> list[dict[str, Any]]:
    return [{"gpid": gpid, "goods_sequence": 1, "hs_code": "84669340", "value": value, "currency": "EUR",
             "packages": 2, "net_mass_kg": "310.500", "country_of_origin": "DE", "preferential_origin": "EU"}]  # fmt: skip


def verification(reference: str, country: str, direction: str, filed_at: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"declaration": {"reference": reference, "country": country, "direction": direction,
                            "filed_at": filed_at, "items": items}}  # fmt: skip


def now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def test_export_then_import_flow_ends_in_verdicts_with_amendments_and_reuse(api: Api) -> None:
    client = api.client
    # The seller registers the key data set of its invoice.
    registered = api.register(fresh_key_data_set())
    gpid = registered["gpid"]
    assert registered["version"] == 1 and registered["status"] == "registered"
    read = client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(SELLER)).json()
    registered_at = read["registered_at"]

    # The import broker cannot see it before it holds a declaration referencing it.
    hidden = client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(IMPORT_BROKER))
    assert hidden.status_code == 404
    assert hidden.json()["type"] == "https://gpid.dev/problems/unknown-gpid"

    # The export broker links the export declaration, and may then read the key data set.
    export_ref = unique_reference("26DE")
    linked = api.link(EXPORT_BROKER, export_ref, "DE", "export", [gpid])
    assert linked["country"] == "DE" and linked["direction"] == "export"
    assert [(link["gpid"], link["status"]) for link in linked["links"]] == [(gpid, "mined")]
    assert client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(EXPORT_BROKER)).status_code == 200
    declaration = client.get(f"/v1/declarations/DE/{export_ref}", headers=api.auth(EXPORT_BROKER))
    assert declaration.status_code == 200
    assert [g["gpid"] for g in declaration.json()["gpids"]] == [gpid]

    # Customs DE verifies the export declaration: everything matches.
    export_check = client.post(
        "/v1/verifications", json=verification(export_ref, "DE", "export", now(), declared_items(gpid)),
        headers=api.auth(CUSTOMS_DE),
    )  # fmt: skip
    assert export_check.status_code == 200, export_check.text
    body = export_check.json()
    assert body["result"] == "match"
    [entry] = body["gpids"]
    assert entry["gpid"] == gpid
    assert entry["integrity"]["verified"] is True
    assert entry["version_at_filing"] == 1
    assert entry["amended_after_filing"] is False
    assert entry["discrepancies"] == [] and entry["other_declarations"] == []

    # The seller amends the value, giving a reason (a second later: anvil stamps blocks by the second).
    next_second()
    amended = client.post(
        f"/v1/key-data-sets/{gpid}/amendments",
        json={"changes": {"goods": [{**fresh_key_data_set()["goods"][0], "value": "19000.00"}]},
              "reason": "price corrected after inspection", "reason_code": "price"},
        headers=api.auth(SELLER),
    )  # fmt: skip
    assert amended.status_code == 201, amended.text
    assert amended.json()["version"] == 2
    assert amended.json()["changed_fields"] == ["goods[0].value"]
    assert amended.headers["location"] == f"/v1/key-data-sets/{gpid}?version=2"

    # The import broker links the import declaration (filed before the amendment).
    import_ref = unique_reference("26GB")
    api.link(IMPORT_BROKER, import_ref, "GB", "import", [gpid])

    # Customs GB verifies it: the declared value is the one current at filing, amended since.
    import_check = client.post(
        "/v1/verifications", json=verification(import_ref, "GB", "import", registered_at, declared_items(gpid)),
        headers=api.auth(CUSTOMS_GB),
    )  # fmt: skip
    assert import_check.status_code == 200, import_check.text
    body = import_check.json()
    assert body["result"] == "match"
    [entry] = body["gpids"]
    assert entry["version_at_filing"] == 1
    assert entry["amended_after_filing"] is True
    assert [(a["version"], a["reason"], a["changed_fields"]) for a in entry["amendments"]] == [
        (2, "price corrected after inspection", ["goods[0].value"])
    ]
    assert [(d["country"], d["reference"], d["direction"]) for d in entry["other_declarations"]] == [
        ("DE", export_ref, "export")
    ]

    # A second import declaration with the same GPID shows as a reuse.
    second_ref = unique_reference("26GB")
    api.link(IMPORT_BROKER, second_ref, "GB", "import", [gpid])
    again = client.post(
        "/v1/verifications", json=verification(import_ref, "GB", "import", now(), declared_items(gpid, "19000.00")),
        headers=api.auth(CUSTOMS_GB),
    ).json()  # fmt: skip
    [entry] = again["gpids"]
    assert again["result"] == "match"
    assert entry["version_at_filing"] == 2 and entry["amended_after_filing"] is False
    assert {(d["country"], d["reference"]) for d in entry["other_declarations"]} == {("DE", export_ref), ("GB", second_ref)}


def test_declared_value_that_differs_is_a_discrepancy(api: Api) -> None:
    gpid = api.register()["gpid"]
    reference = unique_reference("26DE")
    api.link(EXPORT_BROKER, reference, "DE", "export", [gpid])
    answer = api.client.post(
        "/v1/verifications", json=verification(reference, "DE", "export", now(), declared_items(gpid, "18000.00")),
        headers=api.auth(CUSTOMS_DE),
    )  # fmt: skip
    assert answer.status_code == 200
    assert answer.json()["result"] == "discrepancies"
    assert answer.json()["gpids"][0]["discrepancies"] == [
        {"goods_sequence": 1, "field": "value", "declared": "18000.00", "registered": "18450.00"}
    ]


def test_verification_of_an_unknown_gpid_says_unknown_gpid(api: Api) -> None:
    unknown = str(GPID(b"\x07" * 16))
    answer = api.client.post(
        "/v1/verifications", json=verification(unique_reference(), "GB", "import", now(), declared_items(unknown)),
        headers=api.auth(CUSTOMS_GB),
    )  # fmt: skip
    assert answer.status_code == 200
    assert answer.json()["result"] == "unknown_gpid"


def test_seller_may_not_verify(api: Api) -> None:
    answer = api.client.post(
        "/v1/verifications", json=verification(unique_reference(), "GB", "import", now(), declared_items("GP1")),
        headers=api.auth(SELLER),
    )  # fmt: skip
    assert answer.status_code == 403
    assert answer.json()["type"] == "https://gpid.dev/problems/permission-denied"


def test_verification_request_problems_have_field_paths(api: Api) -> None:
    body = verification("", "gb", "sideways", "2026-11-21T09:30:00", [{"gpid": "GP1", "goods_sequence": 0}])
    answer = api.client.post("/v1/verifications", json=body, headers=api.auth(CUSTOMS_GB))
    assert answer.status_code == 422
    paths = {e["path"] for e in answer.json()["errors"]}
    assert {"declaration.reference", "declaration.country", "declaration.direction", "declaration.filed_at",
            "declaration.items[0].goods_sequence"} <= paths  # fmt: skip
