"""/v1/key-data-sets/{gpid}/grants and /v1/mandates: the shapes of DESIGN.md, the refusals as problems
with field paths, idempotent POSTs. The writes wait until the node's own indexer has applied their
block, so what they change is in the index when they answer."""

from __future__ import annotations

from typing import Any

import pytest
from api.harness import (
    BUYER,
    CUSTOMS_GB,
    EXPORT_BROKER,
    IMPORT_BROKER,
    OPERATOR,
    SELLER,
    Api,
    fresh_key_data_set,
    unique_reference,
)
from sqlalchemy import func, select

from gpid_node.store.tables import OutboxEntry


def outbox_size(api: Api) -> int:
    with api.node.store.session() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxEntry)) or 0)


def registered(api: Api) -> str:
    return str(api.register(fresh_key_data_set())["gpid"])


def grant_body(api: Api, name: str, reason: Any = "exports it for us") -> dict[str, Any]:
    return {"grantee": api.account(name), "reason": reason}


def test_the_seller_grants_lists_and_revokes(api: Api) -> None:
    gpid = registered(api)
    response = api.client.post(f"/v1/key-data-sets/{gpid}/grants", json=grant_body(api, EXPORT_BROKER), headers=api.auth(SELLER))
    assert response.status_code == 201, response.text
    body = response.json()
    assert {k: body[k] for k in ("gpid", "grantee")} == {"gpid": gpid, "grantee": api.account(EXPORT_BROKER)}
    assert body["transaction"].startswith("0x") and body["block"] > 0
    assert response.headers["Location"] == f"/v1/key-data-sets/{gpid}/grants"

    listed = api.client.get(f"/v1/key-data-sets/{gpid}/grants", headers=api.auth(SELLER))
    assert listed.status_code == 200
    (item,) = listed.json()["items"]
    assert (item["grantee"], item["granter"], item["active"], item["revoked_at"]) == (
        api.account(EXPORT_BROKER), api.account(SELLER), True, None)  # fmt: skip
    assert set(item) >= {"grantee", "granter", "active", "granted_at", "revoked_at", "transaction"}

    again = api.client.post(f"/v1/key-data-sets/{gpid}/grants", json=grant_body(api, EXPORT_BROKER), headers=api.auth(SELLER))
    assert again.status_code == 409 and again.json()["type"].endswith("/already-granted")

    linked = api.link(EXPORT_BROKER, unique_reference("26DE"), "DE", "export", [gpid])
    assert [link["status"] for link in linked["links"]] == ["mined"]

    revoked = api.client.delete(f"/v1/key-data-sets/{gpid}/grants/{api.account(EXPORT_BROKER)}", headers=api.auth(SELLER))
    assert revoked.status_code == 200, revoked.text
    answer = revoked.json()
    assert answer["revoked"] is True and answer["grantee"] == api.account(EXPORT_BROKER) and "stays shared" in answer["note"]
    (item,) = api.client.get(f"/v1/key-data-sets/{gpid}/grants", headers=api.auth(SELLER)).json()["items"]
    assert item["active"] is False and item["revoked_at"] is not None

    before = outbox_size(api)
    gone = api.client.delete(f"/v1/key-data-sets/{gpid}/grants/{api.account(EXPORT_BROKER)}", headers=api.auth(SELLER))
    assert gone.status_code == 404 and gone.json()["type"].endswith("/not-granted")
    assert outbox_size(api) == before


def test_a_broker_without_a_right_is_refused_403_naming_the_gpid(api: Api) -> None:
    gpid = registered(api)
    before = outbox_size(api)
    body = {"reference": unique_reference("26GB"), "country": "GB", "direction": "import", "gpids": [gpid]}
    response = api.client.post("/v1/declarations", json=body, headers=api.auth(IMPORT_BROKER))
    assert response.status_code == 403, response.text
    problem = response.json()
    assert problem["type"].endswith("/not-authorised-linker") and problem["path"] == "gpids[0]"
    assert "grant" in problem["detail"]
    assert outbox_size(api) == before


def test_grant_refusals_are_problems_and_write_nothing(api: Api) -> None:
    gpid = registered(api)
    url = f"/v1/key-data-sets/{gpid}/grants"
    before = outbox_size(api)
    no_key = api.client.post(url, json={"grantee": "0x" + "cd" * 20, "reason": "broker"}, headers=api.auth(SELLER))
    assert no_key.status_code == 422 and no_key.json()["type"].endswith("/no-encryption-key")
    assert [err["path"] for err in no_key.json()["errors"]] == ["grantee"]

    bad = api.client.post(url, json={"grantee": "0x12"}, headers=api.auth(SELLER))
    assert bad.status_code == 422
    assert sorted(err["path"] for err in bad.json()["errors"]) == ["grantee", "reason"]
    too_long = api.client.post(url, json=grant_body(api, IMPORT_BROKER, "x" * 501), headers=api.auth(SELLER))
    assert too_long.status_code == 422 and [err["path"] for err in too_long.json()["errors"]] == ["reason"]

    by_broker = api.client.post(url, json=grant_body(api, IMPORT_BROKER), headers=api.auth(EXPORT_BROKER))
    assert by_broker.status_code == 403
    by_customs = api.client.post(url, json=grant_body(api, IMPORT_BROKER), headers=api.auth(CUSTOMS_GB))
    assert by_customs.status_code == 403
    unknown = api.client.post("/v1/key-data-sets/" + gpid[:-1] + ("A" if gpid[-1] != "A" else "B") + "/grants",
                              json=grant_body(api, IMPORT_BROKER), headers=api.auth(SELLER))  # fmt: skip
    assert unknown.status_code in (400, 404)
    revoke_none = api.client.delete(f"{url}/{api.account(IMPORT_BROKER)}", headers=api.auth(SELLER))
    assert revoke_none.status_code == 404
    bad_account = api.client.delete(f"{url}/not-an-account", headers=api.auth(SELLER))
    assert bad_account.status_code == 422 and [err["path"] for err in bad_account.json()["errors"]] == ["account"]
    assert outbox_size(api) == before


def test_a_grant_with_an_idempotency_key_is_written_once(api: Api) -> None:
    gpid = registered(api)
    headers = {**api.auth(BUYER), "Idempotency-Key": f"grant-{gpid}"}
    first = api.client.post(f"/v1/key-data-sets/{gpid}/grants", json=grant_body(api, IMPORT_BROKER), headers=headers)
    assert first.status_code == 201, first.text
    again = api.client.post(f"/v1/key-data-sets/{gpid}/grants", json=grant_body(api, IMPORT_BROKER), headers=headers)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"


def test_mandates_are_given_listed_and_withdrawn(api: Api) -> None:
    agent = api.account(EXPORT_BROKER)
    given = api.mandate(EXPORT_BROKER, "export")
    assert (given["agent"], given["direction"], given["active"]) == (agent, "export", True)
    assert given["transaction"].startswith("0x") and given["block"] > 0
    try:
        listed = api.client.get("/v1/mandates", headers=api.auth(SELLER)).json()["items"]
        assert [(m["agent"], m["direction"]) for m in listed] == [(agent, "export")] and listed[0]["since"]
        assert api.client.get("/v1/mandates", headers=api.auth(BUYER)).json()["items"] == []
        gpid = registered(api)
        assert not any(r["grantee"] == agent for r in api.client.get(f"/v1/key-data-sets/{gpid}/grants",
                                                                      headers=api.auth(SELLER)).json()["items"])  # fmt: skip
        body = {"reference": unique_reference("26DE"), "country": "DE", "direction": "export", "gpids": [gpid]}
        linked = api.client.post("/v1/declarations", json=body, headers=api.auth(EXPORT_BROKER))
        assert linked.status_code == 201, linked.text
    finally:
        ended = api.client.delete(f"/v1/mandates/{agent}/export", headers=api.auth(SELLER))
    assert ended.status_code == 200, ended.text
    assert (ended.json()["active"], ended.json()["direction"]) == (False, "export")
    assert api.client.get("/v1/mandates", headers=api.auth(SELLER)).json()["items"] == []


def test_mandate_refusals_name_their_fields(api: Api) -> None:
    before = outbox_size(api)
    bad = api.client.post("/v1/mandates", json={"agent": "0x12", "direction": "sideways"}, headers=api.auth(SELLER))
    assert bad.status_code == 422
    assert sorted(err["path"] for err in bad.json()["errors"]) == ["agent", "direction"]
    wrong_direction = api.client.delete(f"/v1/mandates/{api.account(EXPORT_BROKER)}/sideways", headers=api.auth(SELLER))
    assert wrong_direction.status_code == 422 and [e["path"] for e in wrong_direction.json()["errors"]] == ["direction"]
    none = api.client.delete(f"/v1/mandates/{api.account(IMPORT_BROKER)}/import", headers=api.auth(SELLER))
    assert none.status_code == 404
    by_broker = api.client.post("/v1/mandates", json={"agent": api.account(IMPORT_BROKER), "direction": "import"},
                                headers=api.auth(EXPORT_BROKER))  # fmt: skip
    assert by_broker.status_code == 403
    assert api.client.get("/v1/mandates", headers=api.auth(CUSTOMS_GB)).status_code == 403
    assert outbox_size(api) == before


def test_the_harness_link_of_a_broker_without_a_right_grants_it_first(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    granting = Api.grant

    granted: list[str] = []

    def counted(self: Api, gpid: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        granted.append(gpid)
        return granting(self, gpid, *args, **kwargs)

    monkeypatch.setattr(Api, "grant", counted)
    gpid = registered(api)
    assert not api.has_right(IMPORT_BROKER, gpid, "import")
    linked = api.link(IMPORT_BROKER, unique_reference("26GB"), "GB", "import", [gpid])
    assert [link["status"] for link in linked["links"]] == ["mined"] and granted == [gpid]
    items = api.client.get(f"/v1/key-data-sets/{gpid}/grants", headers=api.auth(SELLER)).json()["items"]
    assert [(g["grantee"], g["active"]) for g in items] == [(api.account(IMPORT_BROKER), True)]


def test_grants_are_listed_to_the_seller_and_the_buyer_only(api: Api) -> None:
    gpid = registered(api)
    api.grant(gpid, EXPORT_BROKER)
    url = f"/v1/key-data-sets/{gpid}/grants"
    for party in (SELLER, BUYER):
        listed = api.client.get(url, headers=api.auth(party))
        assert listed.status_code == 200, (party, listed.text)
        assert [g["grantee"] for g in listed.json()["items"]] == [api.account(EXPORT_BROKER)]
    for reader in (CUSTOMS_GB, EXPORT_BROKER, OPERATOR):  # they may read the GPID, not its grants
        assert api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(reader)).status_code == 200
        refused = api.client.get(url, headers=api.auth(reader))
        assert refused.status_code == 403, (reader, refused.text)
        assert refused.json()["type"].endswith("/not-party") and "seller" in refused.json()["detail"]
    unseen = api.client.get(url, headers=api.auth(IMPORT_BROKER))  # may not even read it
    assert unseen.status_code == 404 and unseen.json()["type"].endswith("/unknown-gpid")
