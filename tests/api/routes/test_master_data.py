"""/v1/items and /v1/partners: a seller's master data, put one by one or as CSV, listed, deleted;
every bad value named with its path and nothing written; another seller never sees it."""

from __future__ import annotations

from api.harness import BUYER, SELLER, Api

OTHER_SELLER = "Ateliers de la Loire SAS"
ENTRY = {"hs_code": "8466.93.40", "country_of_origin": "de", "preferential_origin": "EU",
         "net_mass_kg_per_unit": 12.5, "packages_per_unit": "0.25"}  # fmt: skip


def test_a_seller_puts_lists_replaces_and_deletes_a_catalogue_entry(api: Api) -> None:
    created = api.client.put("/v1/items/ITEM-API-1", json=ENTRY, headers=api.auth(SELLER))
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == "/v1/items/ITEM-API-1"
    body = created.json()
    assert {k: body[k] for k in ENTRY} == {"hs_code": "84669340", "country_of_origin": "DE", "preferential_origin": "EU",
                                           "net_mass_kg_per_unit": "12.5", "packages_per_unit": "0.25"}  # fmt: skip

    replaced = api.client.put("/v1/items/ITEM-API-1", json={"hs_code": "090121"}, headers=api.auth(SELLER))
    assert replaced.status_code == 200 and replaced.json()["hs_code"] == "090121"
    assert replaced.json()["country_of_origin"] is None  # a put replaces the whole entry

    listed = api.client.get("/v1/items", params={"limit": 1000}, headers=api.auth(SELLER)).json()
    assert "ITEM-API-1" in [i["item_id"] for i in listed["items"]] and listed["total"] >= 1
    other = api.client.get("/v1/items", headers=api.auth(OTHER_SELLER)).json()
    assert "ITEM-API-1" not in [i["item_id"] for i in other["items"]]

    assert api.client.delete("/v1/items/ITEM-API-1", headers=api.auth(OTHER_SELLER)).status_code == 404
    assert api.client.delete("/v1/items/ITEM-API-1", headers=api.auth(SELLER)).status_code == 204
    assert api.client.delete("/v1/items/ITEM-API-1", headers=api.auth(SELLER)).status_code == 404


def test_every_bad_value_of_an_entry_is_named_and_nothing_is_written(api: Api) -> None:
    bad = {"hs_code": "999999", "country_of_origin": "XX", "net_mass_kg_per_unit": "-1", "packages_per_unit": "0.0000001",
           "colour": "red"}  # fmt: skip
    refused = api.client.put("/v1/items/ITEM-BAD", json=bad, headers=api.auth(SELLER))
    assert refused.status_code == 422
    paths = {p["path"]: p["message"] for p in refused.json()["errors"]}
    assert set(paths) == {"hs_code", "country_of_origin", "net_mass_kg_per_unit", "packages_per_unit", "colour"}
    assert "999999" in paths["hs_code"] and "does not exist" in paths["hs_code"]
    listed = api.client.get("/v1/items", params={"limit": 1000}, headers=api.auth(SELLER)).json()
    assert "ITEM-BAD" not in [i["item_id"] for i in listed["items"]]


def test_only_a_seller_keeps_master_data(api: Api) -> None:
    refused = api.client.put("/v1/items/X", json=ENTRY, headers=api.auth(BUYER))
    assert refused.status_code == 403
    assert api.client.get("/v1/partners", headers=api.auth(BUYER)).status_code == 403


def test_a_csv_catalogue_is_written_whole_or_not_at_all(api: Api) -> None:
    good = ("item_id,hs_code,country_of_origin,preferential_origin,net_mass_kg_per_unit,packages_per_unit\n"
            "CSV-1,84669340,DE,EU,1.5,1\nCSV-2,090121,BR,,0.25,\n")  # fmt: skip
    written = api.client.put("/v1/items", content=good.encode(), headers={**api.auth(SELLER), "Content-Type": "text/csv"})
    assert written.status_code == 200, written.text
    assert written.json() == {"read": 2, "created": 2, "replaced": 0}

    bad = "item_id,hs_code,net_mass_kg_per_unit\nCSV-3,84669340,1\nCSV-4,12,abc\nCSV-3,84669340,1\n"
    refused = api.client.put("/v1/items", content=bad.encode(), headers={**api.auth(SELLER), "Content-Type": "text/csv"})
    assert refused.status_code == 422
    assert [p["path"] for p in refused.json()["errors"]] == ["line 3.hs_code", "line 3.net_mass_kg_per_unit", "line 4.item_id"]
    ids = [i["item_id"] for i in api.client.get("/v1/items", params={"limit": 1000}, headers=api.auth(SELLER)).json()["items"]]
    assert "CSV-1" in ids and "CSV-3" not in ids

    wrong_type = api.client.put("/v1/items", content=good.encode(), headers={**api.auth(SELLER), "Content-Type": "text/plain"})
    assert wrong_type.status_code == 415 and "text/csv" in wrong_type.json()["detail"]


def test_a_seller_keeps_its_customers_trader_ids(api: Api) -> None:
    created = api.client.put("/v1/partners/GB987654321", json={"trader_id": {"value": "gb 987654321000"}}, headers=api.auth(SELLER))
    assert created.status_code == 201, created.text
    assert created.json()["trader_id"] == {"scheme": "EORI", "value": "GB987654321000"}
    bad = api.client.put("/v1/partners/GB1", json={"trader_id": {"scheme": "DUNS", "value": "1"}}, headers=api.auth(SELLER))
    assert bad.status_code == 422 and {p["path"] for p in bad.json()["errors"]} == {"trader_id.scheme"}

    csv_body = "partner_id,scheme,value\nFR111,,FR44123456700018\nFR222,EORI,nonsense!\n"
    refused = api.client.put("/v1/partners", content=csv_body.encode(), headers={**api.auth(SELLER), "Content-Type": "text/csv"})
    assert refused.status_code == 422 and [p["path"] for p in refused.json()["errors"]] == ["line 3.trader_id.value"]

    listed = api.client.get("/v1/partners", headers=api.auth(SELLER)).json()
    assert [p["partner_id"] for p in listed["items"] if p["partner_id"].startswith(("GB98", "FR1"))] == ["GB987654321"]
    assert api.client.delete("/v1/partners/GB987654321", headers=api.auth(SELLER)).status_code == 204
