"""/v1/key-data-sets: registration, reads at a version or a time, amendments, history, QR code."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

from gpid_node.services.credentials import create_key
from gpid_node.domain.gpid import ALPHABET, GPID

from api.harness import (
    CUSTOMS_DE,
    EXPORT_BROKER,
    IMPORT_BROKER,
    SELLER,
    Api,
    fresh_key_data_set,
    next_second,
)

PROBLEM = "application/problem+json"


def problem_type(slug: str) -> str:
    return f"https://gpid.dev/problems/{slug}"


def amend(api: Api, gpid: str, changes: dict, reason: str = "correction of a typing error") -> dict:
    response = api.client.post(
        f"/v1/key-data-sets/{gpid}/amendments", json={"changes": changes, "reason": reason}, headers=api.auth(SELLER)
    )
    assert response.status_code == 201, response.text
    return response.json()


# ---------------------------------------------------------------------- registration


def test_register_answers_201_with_gpid_version_transaction_block_and_location(api: Api) -> None:
    data = fresh_key_data_set()
    response = api.client.post("/v1/key-data-sets", json=data, headers=api.auth(SELLER))
    assert response.status_code == 201
    body = response.json()
    assert body["gpid"].startswith("GP") and len(body["gpid"]) == 29
    assert body["version"] == 1
    assert body["transaction"].startswith("0x") and len(body["transaction"]) == 66
    assert isinstance(body["block"], int) and body["block"] > 0
    assert response.headers["location"] == f"/v1/key-data-sets/{body['gpid']}"
    read = api.client.get(response.headers["location"], headers=api.auth(SELLER))
    assert read.status_code == 200
    assert read.json()["data"]["invoice"]["number"] == data["invoice"]["number"]


def test_duplicate_invoice_answers_409_naming_the_existing_gpid(api: Api) -> None:
    data = fresh_key_data_set()
    first = api.register(data)
    again = api.client.post("/v1/key-data-sets", json=data, headers=api.auth(SELLER))
    assert again.status_code == 409
    assert again.headers["content-type"] == PROBLEM
    problem = again.json()
    assert problem["type"] == problem_type("invoice-already-registered")
    assert problem["status"] == 409
    assert problem["gpid"] == first["gpid"]
    assert first["gpid"] in problem["detail"]


def test_invalid_key_data_set_answers_422_with_every_problem_and_its_path(api: Api) -> None:
    data = fresh_key_data_set()
    data["buyer"]["address"]["country"] = "ZZ"
    data["invoice"]["date"] = "2999-01-01"
    data["goods"][0]["hs_code"] = "12"
    data["goods"][0]["currency"] = "EURO"
    data["goods"][0]["unexpected"] = 1
    response = api.client.post("/v1/key-data-sets", json=data, headers=api.auth(SELLER))
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == problem_type("validation-failed")
    paths = [error["path"] for error in problem["errors"]]
    assert set(paths) == {"buyer.address.country", "invoice.date", "goods[0].hs_code", "goods[0].currency",
                          "goods[0].unexpected"}  # fmt: skip
    assert all(error["message"] for error in problem["errors"])
    listed = api.client.get("/v1/key-data-sets?limit=200", headers=api.auth(SELLER)).json()["items"]
    assert data["invoice"]["number"] not in {item["invoice_number"] for item in listed}


def test_body_that_is_not_an_object_answers_422(api: Api) -> None:
    response = api.client.post("/v1/key-data-sets", json=["not", "a", "key data set"], headers=api.auth(SELLER))
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == ""


def test_broker_may_not_register_403(api: Api) -> None:
    response = api.client.post("/v1/key-data-sets", json=fresh_key_data_set(), headers=api.auth(EXPORT_BROKER))
    assert response.status_code == 403
    problem = response.json()
    assert problem["type"] == problem_type("permission-denied")
    assert "seller" in problem["detail"]


# ---------------------------------------------------------------------- reads


def test_gpid_with_a_wrong_check_character_answers_400_saying_so(api: Api) -> None:
    gpid = api.register()["gpid"]
    wrong = gpid[:-1] + next(c for c in ALPHABET if c != gpid[-1])
    response = api.client.get(f"/v1/key-data-sets/{wrong}", headers=api.auth(SELLER))
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == problem_type("invalid-gpid")
    assert "check character" in problem["detail"]


def test_unknown_gpid_answers_404(api: Api) -> None:
    unknown = GPID(bytes(range(16)))
    response = api.client.get(f"/v1/key-data-sets/{unknown}", headers=api.auth(SELLER))
    assert response.status_code == 404
    assert response.json()["type"] == problem_type("unknown-gpid")


def test_gpid_invisible_to_the_caller_answers_404_like_an_unknown_one(api: Api) -> None:
    gpid = api.register()["gpid"]
    broker = api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(IMPORT_BROKER))
    with api.node.store.session() as session:
        customs_fr = create_key(session, "customs", api.participants[CUSTOMS_DE]["account"], country="FR")
    third_country = api.client.get(f"/v1/key-data-sets/{gpid}", headers={"Authorization": f"Bearer {customs_fr}"})
    for response in (broker, third_country):
        assert response.status_code == 404
        assert response.json()["type"] == problem_type("unknown-gpid")
        assert response.json()["detail"] == f"no key data set with GPID {gpid} is visible to you"
    for name in (SELLER, CUSTOMS_DE):  # the seller, and Customs of the seller's country (audits)
        assert api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(name)).status_code == 200


def test_read_has_data_integrity_proof_and_times(api: Api) -> None:
    data = fresh_key_data_set()
    gpid = api.register(data)["gpid"]
    body = api.client.get(f"/v1/key-data-sets/{gpid.lower()}", headers=api.auth(SELLER)).json()
    assert body["gpid"] == gpid and body["version"] == 1
    assert body["data"] == data
    assert body["integrity"]["verified"] is True
    assert body["integrity"]["checked_against"] == "chain"
    assert body["integrity"]["chain_digest"] == body["integrity"]["digest"]
    assert body["registered_at"].endswith("Z") and body["updated_at"] == body["registered_at"]
    assert body["freshness"]["chain_reachable"] is True


def test_the_chain_digest_of_a_version_is_asked_once_and_again_after_a_rewind_or_an_outage(api: Api, monkeypatch) -> None:  # noqa: ANN001
    gpid = api.register()["gpid"]
    asked: list[tuple] = []
    view = api.node.client.view
    monkeypatch.setattr(api.node.client, "view", lambda name, *args: (asked.append((name, *args)), view(name, *args))[1])

    def read() -> dict:
        response = api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(SELLER))
        assert response.status_code == 200, response.text
        return response.json()["integrity"]

    first, second = read(), read()
    assert first == second and first["verified"] is True and first["checked_against"] == "chain"
    assert [a[0] for a in asked] == ["versionOf"]  # a version's digest never changes on chain: asked once
    monkeypatch.setattr(type(api.node.indexer), "rewinds", property(lambda self: 10**6))  # rows were taken back
    assert read()["verified"] is True and [a[0] for a in asked] == ["versionOf"] * 2
    monkeypatch.setattr(type(api.node.indexer), "following", property(lambda self: False))  # the chain stopped answering
    assert read()["verified"] is True and [a[0] for a in asked] == ["versionOf"] * 3


def test_read_at_a_version_or_at_a_time(api: Api) -> None:
    gpid = api.register()["gpid"]
    registered_at = api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(SELLER)).json()["registered_at"]
    next_second()
    amend(api, gpid, {"buyer": {"name": "Thames Tools Limited"}})
    def get(**params: object):  # noqa: ANN202
        return api.client.get(f"/v1/key-data-sets/{gpid}", params=params, headers=api.auth(SELLER))

    current = get().json()
    assert (current["version"], current["data"]["buyer"]["name"]) == (2, "Thames Tools Limited")
    first = get(version=1).json()
    assert (first["version"], first["current_version"], first["data"]["buyer"]["name"]) == (1, 2, "Thames Tools Ltd")
    assert get(as_of=registered_at).json()["version"] == 1
    assert get(as_of=datetime.now().astimezone().isoformat()).json()["version"] == 2

    too_early = get(as_of=(datetime.fromisoformat(registered_at) - timedelta(days=1)).isoformat())
    assert too_early.status_code == 404
    assert too_early.json()["type"] == problem_type("not-found")
    missing = get(version=9)
    assert missing.status_code == 422
    assert missing.json()["errors"] == [{"path": "version", "message": f"{gpid} has versions 1 to 2"}]
    both = get(version=1, as_of=registered_at)
    assert both.status_code == 422
    assert both.json()["errors"][0]["path"] == "as_of"
    nonsense = get(version="zero")
    assert nonsense.status_code == 422
    assert nonsense.json()["errors"][0]["path"] == "version"


def test_etag_and_if_none_match_answer_304_until_the_key_data_set_changes(api: Api) -> None:
    gpid = api.register()["gpid"]
    url = f"/v1/key-data-sets/{gpid}"
    first = api.client.get(url, headers=api.auth(SELLER))
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    unchanged = api.client.get(url, headers={**api.auth(SELLER), "If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == etag
    amend(api, gpid, {"buyer": {"name": "Thames Tools Limited"}})
    changed = api.client.get(url, headers={**api.auth(SELLER), "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert changed.json()["version"] == 2


def test_list_pages_through_the_visible_key_data_sets(api: Api) -> None:
    for _ in range(2):
        api.register()
    page = api.client.get("/v1/key-data-sets?limit=1&offset=1", headers=api.auth(SELLER))
    assert page.status_code == 200
    body = page.json()
    assert (body["limit"], body["offset"]) == (1, 1)
    assert body["total"] >= 2 and len(body["items"]) == 1
    assert set(body["items"][0]) >= {"gpid", "version", "invoice_number", "registered_at"}
    too_big = api.client.get("/v1/key-data-sets?limit=201", headers=api.auth(SELLER))
    assert too_big.status_code == 422
    assert too_big.json()["errors"][0]["path"] == "limit"


# ---------------------------------------------------------------------- amendments and history


def test_amendment_answers_201_with_the_new_version_and_changed_fields(api: Api) -> None:
    gpid = api.register()["gpid"]
    response = api.client.post(
        f"/v1/key-data-sets/{gpid}/amendments",
        json={"changes": {"goods": [{**fresh_key_data_set()["goods"][0], "packages": 3}]}, "reason": "recount",
              "reason_code": "quantity"},
        headers=api.auth(SELLER),
    )  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    assert (body["gpid"], body["version"], body["status"]) == (gpid, 2, "amended")
    assert body["changed_fields"] == ["goods[0].packages"]
    assert body["transaction"].startswith("0x") and body["block"] > 0


def test_amending_the_invoice_date_answers_422_naming_the_field(api: Api) -> None:
    gpid = api.register()["gpid"]
    response = api.client.post(
        f"/v1/key-data-sets/{gpid}/amendments",
        json={"changes": {"invoice": {"date": "2026-11-19"}}, "reason": "wrong date"},
        headers=api.auth(SELLER),
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == problem_type("section-immutable")
    assert [error["path"] for error in problem["errors"]] == ["changes.invoice.date"]
    assert "invoice.date" in problem["detail"]
    assert api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(SELLER)).json()["version"] == 1


def test_amendment_that_changes_nothing_answers_409(api: Api) -> None:
    data = fresh_key_data_set()
    gpid = api.register(data)["gpid"]
    response = api.client.post(
        f"/v1/key-data-sets/{gpid}/amendments",
        json={"changes": {"buyer": copy.deepcopy(data["buyer"])}, "reason": "no change"},
        headers=api.auth(SELLER),
    )
    assert response.status_code == 409
    assert response.json()["type"] == problem_type("nothing-changed")


def test_amendment_with_invalid_changes_names_the_paths_under_changes(api: Api) -> None:
    gpid = api.register()["gpid"]
    response = api.client.post(
        f"/v1/key-data-sets/{gpid}/amendments",
        json={"changes": {"goods": [{**fresh_key_data_set()["goods"][0], "hs_code": "1"}]}, "reason": "x"},
        headers=api.auth(SELLER),
    )
    assert response.status_code == 422
    assert [error["path"] for error in response.json()["errors"]] == ["changes.goods[0].hs_code"]
    missing_reason = api.client.post(
        f"/v1/key-data-sets/{gpid}/amendments", json={"changes": {"buyer": {"name": "X"}}}, headers=api.auth(SELLER)
    )
    assert missing_reason.status_code == 422
    assert [error["path"] for error in missing_reason.json()["errors"]] == ["reason"]


def test_history_lists_every_version_with_author_time_reason_and_changed_fields(api: Api) -> None:
    gpid = api.register()["gpid"]
    amend(api, gpid, {"buyer": {"name": "Thames Tools Limited"}}, reason="legal name")
    response = api.client.get(f"/v1/key-data-sets/{gpid}/history", headers=api.auth(SELLER))
    assert response.status_code == 200
    body = response.json()
    assert body["gpid"] == gpid
    seller_account = api.participants[SELLER]["account"]
    first, second = body["versions"]
    assert (first["version"], first["author"], first["reason"]) == (1, seller_account, None)
    assert (second["version"], second["author"], second["reason"]) == (2, seller_account, "legal name")
    assert second["changed_fields"] == ["buyer.name"]
    assert first["time"] <= second["time"]
    hidden = api.client.get(f"/v1/key-data-sets/{gpid}/history", headers=api.auth(IMPORT_BROKER))
    assert hidden.status_code == 404


# ---------------------------------------------------------------------- QR code


def test_qr_svg_is_an_svg_carrying_the_gpid_and_its_url(api: Api) -> None:
    gpid = api.register()["gpid"]
    response = api.client.get(f"/v1/key-data-sets/{gpid}/qr.svg", headers=api.auth(SELLER))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)
    assert root.tag.endswith("svg")
    assert gpid in response.text
    assert f"http://testserver/v1/key-data-sets/{gpid}" in response.text
    hidden = api.client.get(f"/v1/key-data-sets/{gpid}/qr.svg", headers=api.auth(IMPORT_BROKER))
    assert hidden.status_code == 404


def test_prefer_respond_async_answers_202_with_the_final_gpid_at_once(api: Api) -> None:
    import time

    data = fresh_key_data_set()
    response = api.client.post("/v1/key-data-sets", json=data, headers={**api.auth(SELLER), "Prefer": "respond-async"})
    assert response.status_code == 202, response.text
    assert response.headers["preference-applied"] == "respond-async"
    body = response.json()
    assert response.headers["location"] == f"/v1/submissions/{body['submission']}"
    duplicate = api.client.post("/v1/key-data-sets", json=data, headers=api.auth(SELLER))
    assert duplicate.status_code == 409 and duplicate.json()["gpid"] == body["gpid"]
    deadline = time.monotonic() + 30
    while True:
        submission = api.client.get(response.headers["location"], headers=api.auth(SELLER)).json()
        if submission["status"] == "mined" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert submission["status"] == "mined" and submission["gpid"] == body["gpid"]
    api.node.submissions.wait_indexed(submission["block"])
    assert api.client.get(f"/v1/key-data-sets/{body['gpid']}", headers=api.auth(SELLER)).status_code == 200
