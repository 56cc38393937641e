"""Clearance feedback and the searches of brokers and auditors (issue 22): the declarations of a GPID
with the outcomes Customs recorded, the list filters, the CSV and JSON export of a list, and the
audit report's downloads in the console. On the session's SQLite node, and once on PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from api.harness import (
    BUYER,
    CUSTOMS_DE,
    CUSTOMS_GB,
    EXPORT_BROKER,
    IMPORT_BROKER,
    OPERATOR,
    SELLER,
    Api,
    fresh_key_data_set,
    unique_reference,
)
from starlette.testclient import TestClient
from support.builders import SELLER_TRADER_ID
from support.waiting import wait_until

from gpid_node.services import reads

COMPETITOR = "Ateliers de la Loire SAS"
CUSTOMS_FR = "Customs FR"
PROBLEM = "application/problem+json"


def declared_items(gpid: str, value: str = "18450.00") -> list[dict[str, Any]]:
    return [{"gpid": gpid, "goods_sequence": 1, "hs_code": "84669340", "value": value, "currency": "EUR",
             "packages": 2, "net_mass_kg": "310.500", "country_of_origin": "DE", "preferential_origin": "EU"}]  # fmt: skip


def verify(api: Api, customs: str, reference: str, country: str, direction: str, gpid: str, value: str) -> str:
    filed_at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    body = {"declaration": {"reference": reference, "country": country, "direction": direction, "filed_at": filed_at,
                            "items": declared_items(gpid, value)}}  # fmt: skip
    response = api.client.post("/v1/verifications", json=body, headers=api.auth(customs))
    assert response.status_code == 200, response.text
    return str(response.json()["result"])


def wait_for_outcomes(api: Api, gpid: str, count: int) -> None:
    """Customs' outcomes go on chain after the verdict is answered: waits until ``count`` are indexed."""
    def indexed() -> int:
        body = api.client.get(f"/v1/key-data-sets/{gpid}/declarations", headers=api.auth(SELLER)).json()
        return sum(len(d["verifications"]) for d in body["items"])
    wait_until(lambda: indexed() >= count, 30, f"{count} Customs outcomes of {gpid} are indexed")


def other_buyer() -> str:
    return "GB" + "".join(random.choice("0123456789") for _ in range(12))


def items_of(api: Api, name: str, **params: Any) -> list[dict[str, Any]]:
    response = api.client.get("/v1/key-data-sets", params={"limit": 200, **params}, headers=api.auth(name))
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def gpids_of(api: Api, name: str, **params: Any) -> set[str]:
    return {item["gpid"] for item in items_of(api, name, **params)}


@pytest.fixture(scope="module")
def cleared(api: Api) -> dict[str, Any]:
    """A GPID declared for export (DE, checked: match) and for import (GB, checked: discrepancies)."""
    data = fresh_key_data_set()
    gpid = api.register(data)["gpid"]
    export_ref, import_ref = unique_reference("26DE"), unique_reference("26GB")
    api.link(EXPORT_BROKER, export_ref, "DE", "export", [gpid])
    assert verify(api, CUSTOMS_DE, export_ref, "DE", "export", gpid, "18450.00") == "match"
    api.link(IMPORT_BROKER, import_ref, "GB", "import", [gpid])
    assert verify(api, CUSTOMS_GB, import_ref, "GB", "import", gpid, "99999.00") == "discrepancies"
    wait_for_outcomes(api, gpid, 2)
    return {"gpid": gpid, "data": data, "export": export_ref, "import": import_ref}


# ---------------------------------------------------------------------- declarations of a GPID


def test_seller_buyer_brokers_and_customs_read_each_declaration_with_its_customs_outcomes(api: Api, cleared: dict[str, Any]) -> None:
    gpid = cleared["gpid"]
    for name in (SELLER, BUYER, EXPORT_BROKER, IMPORT_BROKER, CUSTOMS_DE, CUSTOMS_GB):
        response = api.client.get(f"/v1/key-data-sets/{gpid}/declarations", headers=api.auth(name))
        assert response.status_code == 200, (name, response.text)
        body = response.json()
        assert body["gpid"] == gpid
        summary = [(d["reference"], d["country"], d["direction"], d["linked_by"],
                    [(v["outcome"], v["version"], v["country"]) for v in d["verifications"]]) for d in body["items"]]  # fmt: skip
        assert summary == [
            (cleared["export"], "DE", "export", api.account(EXPORT_BROKER), [("match", 1, "DE")]),
            (cleared["import"], "GB", "import", api.account(IMPORT_BROKER), [("discrepancies", 1, "GB")]),
        ], name
        for declaration in body["items"]:
            assert datetime.fromisoformat(declaration["linked_at"]) <= datetime.fromisoformat(declaration["verifications"][0]["time"])


def test_declarations_of_a_gpid_are_unknown_to_whoever_may_not_read_it(api: Api, cleared: dict[str, Any]) -> None:
    for name in (COMPETITOR, CUSTOMS_FR):
        response = api.client.get(f"/v1/key-data-sets/{cleared['gpid']}/declarations", headers=api.auth(name))
        assert response.status_code == 404, name
        assert response.json()["type"] == "https://gpid.dev/problems/unknown-gpid"
    never_declared = api.register()["gpid"]
    empty = api.client.get(f"/v1/key-data-sets/{never_declared}/declarations", headers=api.auth(SELLER)).json()
    assert empty == {"gpid": never_declared, "current_version": 1, "items": []}
    wrong = api.client.get(f"/v1/key-data-sets/{never_declared[:-1]}Z/declarations", headers=api.auth(SELLER))
    assert wrong.status_code in (400, 404) and wrong.headers["content-type"].startswith(PROBLEM)


# ---------------------------------------------------------------------- list filters


def test_filters_find_a_key_data_set_by_invoice_seller_buyer_declaration_and_date(api: Api, cleared: dict[str, Any]) -> None:
    gpid, number = cleared["gpid"], cleared["data"]["invoice"]["number"]
    buyer_eori = other_buyer()
    elsewhere = api.register(fresh_key_data_set(buyer_eori=buyer_eori))["gpid"]
    assert gpids_of(api, SELLER, invoice_number=number) == {gpid}
    assert gpids_of(api, SELLER, invoice_number=f" {number.lower()} ") == {gpid}  # as typed: normal form
    assert gpids_of(api, SELLER, buyer=f"eori:{buyer_eori}") == {elsewhere}
    assert {gpid, elsewhere} <= gpids_of(api, SELLER, seller=SELLER_TRADER_ID)
    assert gpids_of(api, SELLER, seller="EORI:FR44123456700018") == set()
    assert gpids_of(api, EXPORT_BROKER, declaration=cleared["export"]) == {gpid}
    assert gpids_of(api, CUSTOMS_GB, declaration=cleared["import"].lower(), declaration_country="gb") == {gpid}
    assert gpids_of(api, CUSTOMS_GB, declaration=cleared["import"], declaration_country="DE") == set()
    assert gpids_of(api, SELLER, declaration=cleared["export"], invoice_number=number, seller=SELLER_TRADER_ID) == {gpid}

    registered = datetime.fromisoformat(api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(SELLER)).json()["registered_at"])
    stamp = registered.isoformat().replace("+00:00", "Z")
    assert gpid in gpids_of(api, SELLER, registered_from=stamp, registered_to=stamp)  # both bounds included
    assert gpid in gpids_of(api, SELLER, registered_from=registered.date().isoformat(), registered_to=registered.date().isoformat())
    assert gpid not in gpids_of(api, SELLER, registered_from=(registered + timedelta(seconds=1)).isoformat())
    assert gpid not in gpids_of(api, SELLER, registered_to=(registered - timedelta(seconds=1)).replace(tzinfo=None).isoformat())
    counted = api.client.get("/v1/key-data-sets", params={"invoice_number": number, "limit": 1}, headers=api.auth(SELLER)).json()
    assert counted["total"] == 1


def test_filters_never_reveal_a_gpid_the_caller_may_not_read(api: Api, cleared: dict[str, Any]) -> None:
    number = cleared["data"]["invoice"]["number"]
    for name in (COMPETITOR, CUSTOMS_FR):
        assert gpids_of(api, name, invoice_number=number) == set()
        assert gpids_of(api, name, seller=SELLER_TRADER_ID) == set()
        assert gpids_of(api, name, declaration=cleared["export"]) == set()
    # The operator sees public facts only: it may search them, not the confidential fields.
    assert cleared["gpid"] in gpids_of(api, OPERATOR, declaration=cleared["export"])
    refused = api.client.get("/v1/key-data-sets", params={"invoice_number": number, "buyer": "EORI:GB123456789000"},
                             headers=api.auth(OPERATOR))  # fmt: skip
    assert refused.status_code == 422
    assert [e["path"] for e in refused.json()["errors"]] == ["invoice_number", "buyer"]
    # The list of a caller who may see the data shows what it matched; the operator's shows no invoice.
    [item] = items_of(api, OPERATOR, declaration=cleared["export"])
    assert item["invoice_number"] is None and item["buyer_trader_id"] is None


@pytest.mark.parametrize(("params", "path"), [
    ({"registered_from": "yesterday"}, "registered_from"),
    ({"registered_to": "2026-13-01"}, "registered_to"),
    ({"registered_from": "2026-12-05", "registered_to": "2026-12-04"}, "registered_to"),
    ({"seller": "DE123456789012345"}, "seller"),
    ({"buyer": ":GB1"}, "buyer"),
    ({"declaration": ""}, "declaration"),
    ({"declaration": "26DE1", "declaration_country": "XX"}, "declaration_country"),
    ({"declaration_country": "DE"}, "declaration_country"),
    ({"invoice_number": "  "}, "invoice_number"),
    ({"invoice_number": "x" * 201}, "invoice_number"),
    ({"invoice_number": "INV\x00-1"}, "invoice_number"),
    ({"seller": "EORI:DE1\x1b"}, "seller"),
])  # fmt: skip
def test_a_bad_filter_answers_422_naming_the_parameter(api: Api, params: dict[str, str], path: str) -> None:
    for route in ("/v1/key-data-sets", "/v1/key-data-sets/export"):
        response = api.client.get(route, params=params, headers=api.auth(SELLER))
        assert response.status_code == 422, (route, response.text)
        assert response.headers["content-type"].startswith(PROBLEM)
        assert [e["path"] for e in response.json()["errors"]] == [path], route


# ---------------------------------------------------------------------- export


def test_the_export_is_the_whole_filtered_list_as_json_and_csv(api: Api, cleared: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reads, "EXPORT_PAGE", 2)  # several pages of the keyset walk even on a small index
    for _ in range(3):
        api.register()
    listed = items_of(api, SELLER, seller=SELLER_TRADER_ID)
    assert len(listed) >= 5

    as_json = api.client.get("/v1/key-data-sets/export", params={"seller": SELLER_TRADER_ID}, headers=api.auth(SELLER))
    assert as_json.status_code == 200, as_json.text
    assert as_json.headers["content-type"].startswith("application/json")
    assert re.match(r'attachment; filename="key-data-sets-\d{8}T\d{6}Z\.json"', as_json.headers["content-disposition"])
    document = as_json.json()
    fresh = {i["gpid"] for i in document["items"]} - {i["gpid"] for i in listed}  # registered meanwhile by other tests
    assert [i for i in document["items"] if i["gpid"] not in fresh][: len(listed)] == listed
    assert document["total"] == len(document["items"])

    as_csv = api.client.get("/v1/key-data-sets/export", params={"format": "csv", "seller": SELLER_TRADER_ID},
                            headers=api.auth(SELLER))  # fmt: skip
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    by_gpid = {row["gpid"]: row for row in rows}
    for item in listed:
        row = by_gpid[item["gpid"]]
        assert (row["invoice_number"], row["version"], row["readable"]) == (item["invoice_number"], str(item["version"]), "true")

    only = api.client.get("/v1/key-data-sets/export", params={"format": "csv", "invoice_number": cleared["data"]["invoice"]["number"]},
                          headers=api.auth(SELLER))  # fmt: skip
    assert [row["gpid"] for row in csv.DictReader(io.StringIO(only.text))] == [cleared["gpid"]]
    outsider = api.client.get("/v1/key-data-sets/export", params={"seller": SELLER_TRADER_ID}, headers=api.auth(COMPETITOR))
    assert outsider.json()["items"] == [] and outsider.json()["total"] == 0


def test_an_invoice_number_that_looks_like_a_formula_is_exported_as_text(api: Api) -> None:
    number = f"=HYPERLINK({uuid.uuid4().hex[:8]})"
    gpid = api.register(fresh_key_data_set() | {"invoice": {"number": number, "date": "2026-11-20"}})["gpid"]
    exported = api.client.get("/v1/key-data-sets/export", params={"format": "csv", "invoice_number": number}, headers=api.auth(SELLER))
    [row] = list(csv.DictReader(io.StringIO(exported.text)))
    assert row["gpid"] == gpid and row["invoice_number"] == "'" + number


def test_the_openapi_document_describes_the_filters_and_both_export_formats(api: Api) -> None:
    document = api.client.get("/openapi.json").json()
    listed = {p["name"] for p in document["paths"]["/v1/key-data-sets"]["get"]["parameters"]}
    assert {"invoice_number", "seller", "buyer", "declaration", "declaration_country", "registered_from", "registered_to"} <= listed
    export = document["paths"]["/v1/key-data-sets/export"]["get"]
    assert set(export["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert "/v1/key-data-sets/{gpid}/declarations" in document["paths"]


# ---------------------------------------------------------------------- the console


def console_client(api: Api, name: str) -> TestClient:
    """A client of the node's app (cookies of its own) signed in to the console as ``name``."""
    client = TestClient(api.client.app, base_url=str(api.client.base_url))
    form = client.get("/ui/sign-in").text
    token = re.search(r'name="csrf" value="([^"]+)"', form)
    assert token is not None
    signed = client.post("/ui/sign-in", data={"api_key": api.keys[name], "csrf": token.group(1), "next": "/ui/"},
                         follow_redirects=False)  # fmt: skip
    assert signed.status_code == 303, signed.text
    return client


def test_the_gpid_page_shows_the_declarations_with_their_customs_outcomes(api: Api, cleared: dict[str, Any]) -> None:
    for name in (SELLER, BUYER, EXPORT_BROKER):
        with console_client(api, name) as client:
            page = client.get(f"/ui/gpid/{cleared['gpid']}").text
            section = page[page.index('id="declarations"'):]
            assert cleared["export"] in section and cleared["import"] in section, name
            assert "✓ match" in section and "⚠ discrepancies" in section, name
            assert "Customs GB, version 1" in section


def test_the_audit_report_downloads_as_json_and_csv(api: Api, cleared: dict[str, Any]) -> None:
    gpid = cleared["gpid"]
    with console_client(api, CUSTOMS_GB) as client:
        report = client.get(f"/ui/gpid/{gpid}/report").text
        assert f"/ui/gpid/{gpid}/report.json" in report and f"/ui/gpid/{gpid}/report.csv" in report
        as_json = client.get(f"/ui/gpid/{gpid}/report.json")
        assert as_json.status_code == 200
        assert as_json.headers["content-disposition"] == f'attachment; filename="{gpid}-audit-report.json"'
        document = json.loads(as_json.text)
        assert document["format"] == "gpid-audit-report/1" and document["gpid"] == gpid
        assert document["produced_for"]["role"] == "customs" and document["produced_for"]["country"] == "GB"
        assert document["key_data_set"]["integrity"]["verified"] is True
        assert document["key_data_set"]["data"]["invoice"]["number"] == cleared["data"]["invoice"]["number"]
        assert [v["version"] for v in document["history"]] == [1] and document["history"][0]["integrity"]["verified"]
        assert [(d["reference"], [v["outcome"] for v in d["verifications"]]) for d in document["declarations"]] == [
            (cleared["export"], ["match"]), (cleared["import"], ["discrepancies"])]

        as_csv = client.get(f"/ui/gpid/{gpid}/report.csv")
        assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
        trail = [(r["record"], r["reference"], r["outcome"]) for r in csv.DictReader(io.StringIO(as_csv.text))]
        assert trail == [("version", "", ""), ("declaration", cleared["export"], ""), ("verification", cleared["export"], "match"),
                         ("declaration", cleared["import"], ""), ("verification", cleared["import"], "discrepancies")]  # fmt: skip
    with console_client(api, COMPETITOR) as client:
        assert client.get(f"/ui/gpid/{gpid}/report.json").status_code == 404
        assert client.get(f"/ui/gpid/{gpid}/report.csv").status_code == 404


def test_the_consoles_search_finds_by_invoice_and_declaration_and_downloads_what_it_found(api: Api, cleared: dict[str, Any]) -> None:
    gpid, number = cleared["gpid"], cleared["data"]["invoice"]["number"]
    with console_client(api, IMPORT_BROKER) as client:
        page = client.get("/ui/", params={"declaration": cleared["import"], "declaration_country": "GB", "seller": ""})
        assert page.status_code == 200
        assert re.findall(r'href="/ui/gpid/(GP[0-9A-Z]+)"', page.text) == [gpid]
        assert "Found (1)" in page.text
        download = re.search(r'href="(/ui/export\.csv\?[^"]+)"', page.text)
        assert download is not None
        exported = client.get(download.group(1).replace("&amp;", "&"))
        assert exported.status_code == 200 and exported.headers["content-disposition"].startswith("attachment")
        assert [row["gpid"] for row in csv.DictReader(io.StringIO(exported.text))] == [gpid]
        as_json = client.get("/ui/export.json", params={"invoice_number": number})
        assert [item["gpid"] for item in as_json.json()["items"]] == [gpid]

        refused = client.get("/ui/", params={"registered_from": "last week"})
        assert refused.status_code == 422
        assert 'href="#search-registered_from"' in refused.text and 'value="last week"' in refused.text
        assert client.get("/ui/export.csv", params={"registered_from": "last week"}).status_code == 422
        assert client.get("/ui/export.xml").status_code == 404
    with console_client(api, COMPETITOR) as client:
        nothing = client.get("/ui/", params={"invoice_number": number})
        assert 'id="nothing-found"' in nothing.text and gpid not in nothing.text
        assert client.get("/ui/export.json", params={"invoice_number": number}).json()["items"] == []


# ---------------------------------------------------------------------- PostgreSQL


@pytest.mark.postgres
def test_declarations_filters_and_export_on_a_postgresql_node(postgres_api: Api) -> None:
    api = postgres_api
    assert api.node.store.engine.dialect.name == "postgresql"
    data = fresh_key_data_set()
    gpid = api.register(data)["gpid"]
    other = api.register()["gpid"]
    reference = unique_reference("26DE")
    api.link(EXPORT_BROKER, reference, "DE", "export", [gpid])
    assert verify(api, CUSTOMS_DE, reference, "DE", "export", gpid, "18450.00") == "match"
    verify(api, CUSTOMS_DE, reference, "DE", "export", gpid, "1.00")  # checked again: both outcomes, in order
    wait_for_outcomes(api, gpid, 2)

    body = api.client.get(f"/v1/key-data-sets/{gpid}/declarations", headers=api.auth(BUYER)).json()
    assert [[v["outcome"] for v in d["verifications"]] for d in body["items"]] == [["match", "discrepancies"]]
    assert api.client.get(f"/v1/key-data-sets/{gpid}/declarations", headers=api.auth(CUSTOMS_FR)).status_code == 404

    assert gpids_of(api, SELLER, invoice_number=data["invoice"]["number"].lower()) == {gpid}
    assert gpids_of(api, SELLER, declaration=reference, declaration_country="DE") == {gpid}
    assert gpids_of(api, SELLER, buyer="EORI:GB123456789000", registered_from="2000-01-01") == {gpid, other}
    assert gpids_of(api, COMPETITOR, invoice_number=data["invoice"]["number"]) == set()
    bad = api.client.get("/v1/key-data-sets", params={"registered_to": "soon"}, headers=api.auth(SELLER))
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "registered_to"

    exported = api.client.get("/v1/key-data-sets/export", params={"format": "csv"}, headers=api.auth(SELLER))
    assert [row["gpid"] for row in csv.DictReader(io.StringIO(exported.text))] == [other, gpid]
