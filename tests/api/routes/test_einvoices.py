"""E-invoices over the REST facade: derive (draft, missing paths, sources, source), register from a
UBL invoice (the source kept inside the encrypted payload and answered by GET), every missing path
at once (422, nothing written), hostile XML refused with nothing written, a credit note and a
corrective invoice amend the invoice they correct."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pytest
from api.harness import BUYER, CUSTOMS_GB, OPERATOR, SELLER, Api
from sqlalchemy import func, select
from support.einvoices import BUYER_VAT, CUSTOMIZATION, PARTNERS, catalogue, invoice_set, item_id_of, ubl

from gpid_node.domain.model import parse_key_data_set
from gpid_node.store.tables import OutboxEntry

XML = {"Content-Type": "application/xml"}


@pytest.fixture(scope="module", autouse=True)
def master_data(api: Api) -> None:
    """The seller's full catalogue of the sample goods and its buyer in the partner directory."""
    for item_id, entry in catalogue().items():
        assert api.client.put(f"/v1/items/{item_id}", json=entry, headers=api.auth(SELLER)).status_code in (200, 201)
    for partner_id, entry in PARTNERS.items():
        assert api.client.put(f"/v1/partners/{partner_id}", json=entry, headers=api.auth(SELLER)).status_code in (200, 201)


def number() -> str:
    return f"UBL-{uuid.uuid4().hex[:10].upper()}"


def normal(data: dict[str, Any]) -> dict[str, Any]:
    return parse_key_data_set(data).model_dump(mode="json")


def outbox_size(api: Api) -> int:
    with api.node.store.session() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxEntry)) or 0)


def test_derive_answers_the_draft_where_each_field_came_from_and_the_source(api: Api) -> None:
    invoice = invoice_set(number(), 10)
    answer = api.client.post("/v1/key-data-sets/derive", content=invoice.xml, headers={**api.auth(SELLER), **XML})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["missing"] == []
    assert normal(body["key_data_set"]) == normal(invoice.key_data_set)
    assert body["source"] == {"syntax": "UBL", "customization": CUSTOMIZATION, "sha256": hashlib.sha256(invoice.xml).hexdigest()}
    sources = body["sources"]
    assert (sources["invoice.number"], sources["goods[0].value"], sources["goods[0].hs_code"], sources["goods[0].net_mass_kg"],
            sources["buyer.trader_id"], sources["seller.trader_id"]) == ("invoice", "invoice", "catalogue", "catalogue", "partners", "account")  # fmt: skip
    assert body["kind"] == "invoice" and outbox_size(api) == outbox_size(api)


def test_the_invoices_own_hs_code_wins_over_the_catalogue(api: Api) -> None:
    invoice = invoice_set(number(), 2, with_hs=True)
    body = api.client.post("/v1/key-data-sets/derive", content=invoice.xml, headers={**api.auth(SELLER), "Content-Type": "text/xml"}).json()
    assert body["sources"]["goods[0].hs_code"] == "invoice" and body["sources"]["goods[0].packages"] == "catalogue"


def test_an_incomplete_invoice_gets_every_missing_path_at_once_and_nothing_is_written(api: Api) -> None:
    invoice = invoice_set(number(), 3)
    data = invoice.key_data_set
    xml = ubl(data, ["NO-SUCH-1", item_id_of(0), "NO-SUCH-2"]).replace(BUYER_VAT.encode(), b"GB000000000")
    derived = api.client.post("/v1/key-data-sets/derive", content=xml, headers={**api.auth(SELLER), **XML}).json()
    paths = [m["path"] for m in derived["missing"]]
    for line in (0, 2):
        assert {f"goods[{line}].hs_code", f"goods[{line}].packages", f"goods[{line}].net_mass_kg", f"goods[{line}].country_of_origin"} <= set(paths)
    assert "buyer.trader_id" in paths and not any(p.startswith("goods[1]") for p in paths)
    message = next(m["message"] for m in derived["missing"] if m["path"] == "goods[0].hs_code")
    assert "NO-SUCH-1" in message and data["goods"][0]["description"] in message and "catalogue" in message

    before = outbox_size(api)
    refused = api.client.post("/v1/key-data-sets", content=xml, headers={**api.auth(SELLER), **XML})
    assert refused.status_code == 422
    assert [p["path"] for p in refused.json()["errors"]] == paths
    assert outbox_size(api) == before


def test_an_invalid_value_is_named_with_where_it_came_from(api: Api) -> None:
    invoice = invoice_set(number(), 1)
    xml = invoice.xml.replace(b"<cbc:IdentificationCode>GB</cbc:IdentificationCode>", b"<cbc:IdentificationCode>QQ</cbc:IdentificationCode>")
    derived = api.client.post("/v1/key-data-sets/derive", content=xml, headers={**api.auth(SELLER), **XML}).json()
    assert [m["path"] for m in derived["missing"]] == ["buyer.address.country"]
    assert "from the invoice" in derived["missing"][0]["message"]


def test_a_ubl_invoice_registers_and_its_source_is_read_back(api: Api) -> None:
    invoice = invoice_set(number(), 10)
    written = api.client.post("/v1/key-data-sets", content=invoice.xml, headers={**api.auth(SELLER), **XML})
    assert written.status_code == 201, written.text
    gpid = written.json()["gpid"]
    source = {"syntax": "UBL", "customization": CUSTOMIZATION, "sha256": hashlib.sha256(invoice.xml).hexdigest()}
    for reader in (SELLER, BUYER, CUSTOMS_GB):
        read = api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(reader)).json()
        assert read["source"] == source and normal(read["data"]) == normal(invoice.key_data_set)
    assert api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(OPERATOR)).json()["source"] is None  # public facts only

    again = api.client.post("/v1/key-data-sets", content=invoice.xml, headers={**api.auth(SELLER), **XML})
    assert again.status_code == 409 and again.json()["gpid"] == gpid

    typed = api.register(invoice_set(number(), 1).key_data_set)  # a JSON registration names no source
    assert api.client.get(f"/v1/key-data-sets/{typed['gpid']}", headers=api.auth(SELLER)).json()["source"] is None


HOSTILE = {
    "external entity": b'<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                       b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&x;</Invoice>',
    "billion laughs": b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
                      b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><Invoice>&lol3;</Invoice>',
    "malformed": b"<Invoice><cbc:ID>1</Invoice>",
    "not an invoice": b'<?xml version="1.0"?><Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"><ID>1</ID></Order>',
    "deep": b"<a>" * 5000 + b"</a>" * 5000,
    "not a pdf invoice": b"%PDF-1.4\n%nothing here\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_and_non_invoice_documents_are_refused_and_nothing_is_written(api: Api, name: str) -> None:
    before = outbox_size(api)
    media = "application/pdf" if HOSTILE[name].startswith(b"%PDF") else "application/xml"
    for path in ("/v1/key-data-sets/derive", "/v1/key-data-sets"):
        refused = api.client.post(path, content=HOSTILE[name], headers={**api.auth(SELLER), "Content-Type": media})
        assert 400 <= refused.status_code < 500, refused.text
        problem = refused.json()
        assert problem["errors"] and all(p["message"] for p in problem["errors"])
        assert "root:" not in refused.text  # no file content echoed
    assert outbox_size(api) == before


def test_other_media_types_get_415_naming_what_is_accepted(api: Api) -> None:
    refused = api.client.post("/v1/key-data-sets", content=b"a,b", headers={**api.auth(SELLER), "Content-Type": "text/csv"})
    assert refused.status_code == 415 and "application/xml" in refused.json()["detail"] and "application/json" in refused.json()["detail"]
    refused = api.client.post("/v1/key-data-sets/derive", content=b"{}", headers={**api.auth(SELLER), "Content-Type": "application/json"})
    assert refused.status_code == 415 and "application/pdf" in refused.json()["detail"]


def test_a_credit_note_amends_the_invoice_it_corrects(api: Api) -> None:
    invoice = invoice_set(number(), 3)
    gpid = api.client.post("/v1/key-data-sets", content=invoice.xml, headers={**api.auth(SELLER), **XML}).json()["gpid"]
    goods = invoice.key_data_set["goods"]
    credited = {**invoice.key_data_set, "goods": [dict(goods[0]), {**goods[2], "value": "100.00", "sequence": 2}]}
    item_ids = [next(i for i in catalogue() if catalogue()[i]["hs_code"] == g["hs_code"]) for g in credited["goods"]]
    credit_number = "CN-" + invoice.key_data_set["invoice"]["number"]
    note = ubl(credited, item_ids, root="CreditNote", number=credit_number, corrects=invoice.key_data_set["invoice"]["number"],
               issue_date="2026-11-25")  # fmt: skip

    derived = api.client.post("/v1/key-data-sets/derive", content=note, headers={**api.auth(SELLER), **XML}).json()
    assert (derived["kind"], derived["corrects"]) == ("credit_note", [invoice.key_data_set["invoice"]["number"]])

    amended = api.client.post("/v1/key-data-sets", content=note, headers={**api.auth(SELLER), **XML})
    assert amended.status_code == 201, amended.text
    assert (amended.json()["gpid"], amended.json()["version"]) == (gpid, 2)
    read = api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(SELLER)).json()
    left = read["data"]["goods"]
    assert [g["description"] for g in left] == [goods[1]["description"], goods[2]["description"]]  # line 1 credited in full
    assert [g["sequence"] for g in left] == [1, 2]
    assert left[1]["value"] == f"{float(goods[2]['value']) - 100:.2f}" and left[1]["packages"] == goods[2]["packages"]
    assert read["source"]["sha256"] == hashlib.sha256(note).hexdigest()
    history = api.client.get(f"/v1/key-data-sets/{gpid}/history", headers=api.auth(SELLER)).json()["versions"]
    assert history[-1]["reason"] == f"credit note {credit_number} of 2026-11-25" and history[-1]["reason_code"] == 2


def test_a_credit_note_of_an_invoice_never_registered_is_404_naming_it(api: Api) -> None:
    invoice = invoice_set(number(), 1)
    note = ubl(invoice.key_data_set, [item_id_of(0)], root="CreditNote", number="CN-X", corrects="NEVER-REGISTERED-1")
    refused = api.client.post("/v1/key-data-sets", content=note, headers={**api.auth(SELLER), **XML})
    assert refused.status_code in (404, 422) and "NEVER-REGISTERED-1" in refused.text


def test_a_corrective_invoice_replaces_the_goods_of_the_invoice_it_corrects(api: Api) -> None:
    invoice = invoice_set(number(), 2)
    gpid = api.client.post("/v1/key-data-sets", content=invoice.xml, headers={**api.auth(SELLER), **XML}).json()["gpid"]
    corrected = invoice_set("X", 3, seed="corrected").key_data_set  # other goods, same parties
    item_ids = [next(i for i, entry in catalogue().items() if entry["hs_code"] == g["hs_code"]) for g in corrected["goods"]]
    corrective = ubl(corrected, item_ids, number=f"{invoice.key_data_set['invoice']['number']}-C", type_code="384",
                     corrects=invoice.key_data_set["invoice"]["number"], issue_date="2026-11-26")  # fmt: skip
    amended = api.client.post("/v1/key-data-sets", content=corrective, headers={**api.auth(SELLER), **XML})
    assert amended.status_code == 201, amended.text
    assert amended.headers["Location"] == f"/v1/key-data-sets/{gpid}?version=2"
    read = api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(SELLER)).json()
    assert read["data"]["goods"] == normal(corrected)["goods"]
    assert read["data"]["invoice"] == normal(invoice.key_data_set)["invoice"]  # the identity never changes
    history = api.client.get(f"/v1/key-data-sets/{gpid}/history", headers=api.auth(SELLER)).json()["versions"]
    assert history[-1]["reason"] == f"corrective invoice {invoice.key_data_set['invoice']['number']}-C of 2026-11-26"


def test_an_e_invoice_sent_again_with_its_idempotency_key_gets_the_first_answer(api: Api) -> None:
    invoice = invoice_set(number(), 1)
    headers = {**api.auth(SELLER), **XML, "Idempotency-Key": uuid.uuid4().hex}
    first = api.client.post("/v1/key-data-sets", content=invoice.xml, headers=headers)
    again = api.client.post("/v1/key-data-sets", content=invoice.xml, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
