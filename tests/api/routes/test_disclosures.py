"""/v1/key-data-sets/{gpid}/disclosures and /v1/disclosures/verify over a development node (real
anvil, contracts, indexer): who may disclose, what a disclosure proves, its QR code, and every kind
of forgery refused with its reason."""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest
from api.harness import BUYER, CUSTOMS_DE, OPERATOR, SELLER, Api, fresh_key_data_set
from support.builders import goods_line

from gpid_node.domain import disclosure, merkle
from gpid_node.services.registration import Registration

GATE = ["goods[*].packages", "goods[*].net_mass_kg"]
COMPETITOR = "Ateliers de la Loire SAS"


def disclose(api: Api, gpid: str, fields: list[str], name: str = SELLER, **extra: Any) -> Any:
    return api.client.post(f"/v1/key-data-sets/{gpid}/disclosures", json={"fields": fields, **extra}, headers=api.auth(name))


def verify(api: Api, document: Any) -> dict[str, Any]:
    if isinstance(document, str):
        answer = api.client.post("/v1/disclosures/verify", content=document, headers={"Content-Type": "text/plain"})
    else:
        answer = api.client.post("/v1/disclosures/verify", json=document)
    assert answer.status_code == 200, answer.text
    return answer.json()


def ten_lines() -> dict[str, Any]:
    return fresh_key_data_set(lines=10)


def test_the_gate_disclosure_of_ten_lines_is_proven_and_small(api: Api) -> None:
    data = ten_lines()
    gpid = api.register(data)["gpid"]
    answer = disclose(api, gpid, GATE)
    assert answer.status_code == 201, answer.text
    document = answer.json()
    assert (document["format"], document["gpid"], document["version"]) == ("gpid-disclosure/1", gpid, 1)
    assert (document["chain_id"], document["registry"]) == (api.node.client.chain_id, api.node.client.address)
    assert document["fields"]["goods[*].packages"] == [line["packages"] for line in data["goods"]]
    assert len(answer.content) <= 2000
    verdict = verify(api, document)
    assert verdict["valid"] is True and verdict["problems"] == []
    assert (verdict["gpid"], verdict["version"], verdict["current_version"], verdict["superseded"]) == (gpid, 1, 1, False)
    assert verdict["checked_against"] == "chain" and verdict["block"] >= 1
    assert verdict["fields"]["goods[9].net_mass_kg"] == data["goods"][9]["net_mass_kg"]
    assert set(verdict["fields"]) == {"goods.length"} | {f"goods[{i}].{m}" for i in range(10) for m in ("packages", "net_mass_kg")}


def test_every_field_of_one_line_and_the_qr_forms(api: Api) -> None:
    data = fresh_key_data_set()
    data["goods"][0]["binding_tariff_reference"] = None
    gpid = api.register(data)["gpid"]
    answer = disclose(api, gpid, ["schema_version", "seller", "buyer", "invoice", "goods"], name=BUYER)
    assert answer.status_code == 201, answer.text
    verdict = verify(api, answer.json())
    assert verdict["valid"] is True and verdict["fields"] == merkle.leaf_values(data)

    svg = api.client.post(f"/v1/key-data-sets/{gpid}/disclosures", json={"fields": ["invoice.number"]},
                          headers={**api.auth(SELLER), "Accept": "image/svg+xml"})  # fmt: skip
    assert (svg.status_code, svg.headers["content-type"]) == (201, "image/svg+xml")
    assert svg.content.startswith(b"<?xml") and b"<svg" in svg.content
    png = api.client.post(f"/v1/key-data-sets/{gpid}/disclosures", json={"fields": ["invoice.number"]},
                          headers={**api.auth(SELLER), "Accept": "image/png"})  # fmt: skip
    assert (png.status_code, png.headers["content-type"]) == (201, "image/png")
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    qr_text = disclosure.read(disclose(api, gpid, ["invoice.number"]).json()).qr_text()
    by_text = verify(api, qr_text)
    assert by_text["valid"] is True and by_text["fields"] == {"invoice.number": data["invoice"]["number"]}


def test_an_amendment_supersedes_and_each_version_proves_its_own_fields(api: Api) -> None:
    data = fresh_key_data_set(lines=2)
    gpid = api.register(data)["gpid"]
    first = disclose(api, gpid, GATE).json()
    more = [*copy.deepcopy(data["goods"]), goods_line(3)]
    amended = api.client.post(f"/v1/key-data-sets/{gpid}/amendments", headers=api.auth(SELLER),
                              json={"changes": {"goods": more}, "reason": "a third line was missing"})  # fmt: skip
    assert amended.status_code == 201, amended.text
    old = verify(api, first)
    assert (old["valid"], old["version"], old["current_version"], old["superseded"]) == (True, 1, 2, True)
    current = disclose(api, gpid, GATE).json()
    assert current["version"] == 2 and len(current["fields"]["goods[*].packages"]) == 3
    assert verify(api, current)["superseded"] is False
    again = disclose(api, gpid, GATE, version=1).json()
    assert again["fields"] == first["fields"] and verify(api, again)["superseded"] is True
    relabelled = {**first, "version": 2}
    verdict = verify(api, relabelled)
    assert verdict["valid"] is False and "not the version's digest" in verdict["problems"][0]["message"]
    assert verdict["fields"] is None


def test_tampering_and_forgeries_are_refused_with_their_reason(api: Api) -> None:
    gpid = api.register(ten_lines())["gpid"]
    document = disclose(api, gpid, GATE).json()

    tampered = copy.deepcopy(document)
    tampered["fields"]["goods[*].packages"][3] += 1
    assert "not the version's digest" in verify(api, tampered)["problems"][0]["message"]

    other_gpid = api.register(ten_lines())["gpid"]
    moved = {**document, "gpid": other_gpid}
    verdict = verify(api, moved)
    assert verdict["valid"] is False and verdict["gpid"] == other_gpid

    forged = copy.deepcopy(document)
    forged["proofs"]["goods"]["siblings"][0] = base64.urlsafe_b64encode(b"\x07" * 32).rstrip(b"=").decode()
    assert verify(api, forged)["valid"] is False

    short = copy.deepcopy(document)
    short["proofs"]["goods"]["siblings"].pop()
    assert verify(api, short)["problems"] == [{"path": "proofs.goods.siblings", "message": "too few sibling hashes for these positions"}]

    elsewhere = {**document, "chain_id": 1}
    assert [p["path"] for p in verify(api, elsewhere)["problems"]] == ["chain_id"]
    unknown_version = {**document, "version": 9}
    assert [p["path"] for p in verify(api, unknown_version)["problems"]] == ["version"]

    nonsense = verify(api, {"format": "something else"})
    assert nonsense["valid"] is False and {p["path"] for p in nonsense["problems"]} >= {"format", "gpid", "fields"}
    assert verify(api, "GPD1:%%%")["valid"] is False
    assert api.client.post("/v1/disclosures/verify", content=b"{", headers={"Content-Type": "application/json"}).status_code == 400
    assert api.client.post("/v1/disclosures/verify", content=b"x", headers={"Content-Type": "image/gif"}).status_code == 415


def test_who_may_disclose_and_what_is_refused(api: Api) -> None:
    gpid = api.register(fresh_key_data_set(lines=2))["gpid"]
    assert disclose(api, gpid, ["invoice.number"], name=CUSTOMS_DE).status_code == 201
    assert disclose(api, gpid, ["invoice.number"], name=COMPETITOR).status_code == 404
    assert disclose(api, gpid, ["invoice.number"], name=OPERATOR).status_code == 403
    assert api.client.post(f"/v1/key-data-sets/{gpid}/disclosures", json={"fields": ["invoice.number"]}).status_code == 401

    unknown = disclose(api, gpid, ["invoice.number", "goods[*].weight"])
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["path"] == "fields[1]" and "goods[*].weight" in unknown.json()["errors"][0]["message"]
    wrong_version = disclose(api, gpid, ["invoice.number"], version=5)
    assert wrong_version.status_code == 422 and wrong_version.json()["errors"][0]["path"] == "version"
    assert disclose(api, gpid, []).status_code == 422

    plain = Registration(api.node.context, api.node.submissions, payload_format=1)
    seller = next(p for p in _principals(api) if p.account.lower() == api.account(SELLER).lower())
    format1 = plain.register(fresh_key_data_set(), seller)["gpid"]
    refused = disclose(api, format1, ["invoice.number"])
    assert refused.status_code == 422 and "format 1" in refused.json()["errors"][0]["message"]


def _principals(api: Api) -> list[Any]:
    from gpid_node.services.credentials import authenticate

    with api.node.store.session() as session:
        return [p for p in (authenticate(session, key) for key in api.keys.values()) if p is not None]


@pytest.mark.postgres
def test_disclosures_on_a_postgresql_node(postgres_api: Api) -> None:
    api = postgres_api
    assert api.node.store.engine.dialect.name == "postgresql"
    data = fresh_key_data_set(lines=4)
    gpid = api.register(data)["gpid"]
    document = disclose(api, gpid, [*GATE, "seller.address", "invoice.date"], name=BUYER).json()
    verdict = verify(api, document)
    assert verdict["valid"] is True and verdict["fields"]["seller.address.city"] == data["seller"]["address"]["city"]
    amended = api.client.post(f"/v1/key-data-sets/{gpid}/amendments", headers=api.auth(SELLER),
                              json={"changes": {"buyer": {"name": "Thames Tools Limited"}}, "reason": "legal name"})  # fmt: skip
    assert amended.status_code == 201, amended.text
    later = verify(api, disclosure.read(document).qr_text())
    assert (later["valid"], later["superseded"], later["current_version"]) == (True, True, 2)
    assert disclose(api, gpid, ["buyer.name"]).json()["fields"] == {"buyer.name": "Thames Tools Limited"}
