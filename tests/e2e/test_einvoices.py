"""Key data sets from e-invoices against a real ``gpid-node dev`` process, over HTTP: a seller with a
catalogue registers from a UBL invoice and another from a Factur-X PDF; the source (SHA-256 of the
document) is inside the encrypted payload on chain, not beside it; an incomplete invoice gets every
missing path at once; hostile XML is refused with nothing written; a credit note amends its invoice."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from faults.chaos import DevNode, start_dev_node
from support.chains import anvil_only
from support.contract_checks import payload_of
from support.einvoices import (
    FACTURX_BUYER,
    FACTURX_ITEMS,
    PARTNERS,
    catalogue,
    facturx_pdf,
    invoice_set,
    item_id_of,
    ubl,
)

from gpid_node.chain.abi import decode_log
from gpid_node.domain import payload_crypto
from gpid_node.domain.gpid import GPID
from gpid_node.domain.model import parse_key_data_set

pytestmark = [pytest.mark.slow, anvil_only("the development mode's embedded anvil (gpid-node dev starts its own chain)")]


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Any:
    running = start_dev_node(tmp_path_factory.mktemp("einvoices") / "data")
    yield running
    running.stop()


def http(dev: DevNode, role: str = "seller", country: str | None = None) -> httpx.Client:
    return httpx.Client(base_url=dev.url, headers={"Authorization": f"Bearer {dev.key(role, country)}"}, timeout=60)


def payload_plaintext(dev: DevNode, gpid_text: str, version: int = 1) -> dict[str, Any]:
    """What the chain carries for the version, decrypted with the node's keys: the payload's members."""
    client = dev.client()
    gpid = GPID.parse(gpid_text)
    logs = client.w3.eth.get_logs({"address": client.address, "fromBlock": 0, "toBlock": "latest"})
    events = [ev for ev in (decode_log(dict(raw)) for raw in logs) if ev is not None and ev.args.get("gpid") == gpid.raw]
    registered = next(ev for ev in events if ev.name == "KeyDataSetRegistered")
    binding = payload_crypto.Binding(client.chain_id, client.address, gpid)
    parts = payload_crypto.decode_payload(payload_of(client, registered))
    held = list(dev.encryption().holders().values())  # the seller's key among them issued the hints
    candidates = [payload_crypto.HintKey(secret, account, pair, issuer.public_bytes)
                  for account, pair in held for _, issuer in held if (secret := pair.shared_secret(issuer.public_bytes))]  # fmt: skip
    found = payload_crypto.find_content_key(parts.recipient_keys, candidates, binding)
    assert found is not None
    content_key = found[0]
    event = registered if version == 1 else next(ev for ev in events if ev.name == "KeyDataSetAmended" and ev.args["version"] == version)
    plain = payload_crypto.read_payload(payload_of(client, event), content_key, binding, version)
    return {"data": plain.data, **plain.extra}


def total(client: httpx.Client) -> int:
    return int(client.get("/v1/key-data-sets", params={"limit": 1}).json()["total"])


def test_sellers_register_from_a_ubl_invoice_and_a_factur_x_pdf(dev: DevNode) -> None:
    with http(dev) as seller:
        for item_id, entry in catalogue().items():
            assert seller.put(f"/v1/items/{item_id}", json=entry).status_code == 201
        for partner_id, entry in PARTNERS.items():
            assert seller.put(f"/v1/partners/{partner_id}", json=entry).status_code == 201
        invoice = invoice_set("E2E-UBL-1", 10)
        written = seller.post("/v1/key-data-sets", content=invoice.xml, headers={"Content-Type": "application/xml"})
        assert written.status_code == 201, written.text
        gpid = written.json()["gpid"]
        read = seller.get(f"/v1/key-data-sets/{gpid}").json()
        assert read["integrity"]["verified"] is True
        assert read["data"] == parse_key_data_set(invoice.key_data_set).model_dump(mode="json")
        source = {"syntax": "UBL", "customization": read["source"]["customization"], "sha256": hashlib.sha256(invoice.xml).hexdigest()}
        assert read["source"] == source
        # the source travels inside the encrypted payload on chain, with the data
        assert payload_plaintext(dev, gpid)["source"] == source

    pdf = facturx_pdf()
    with http(dev, "seller", "FR") as other_seller:  # the French seller: the Factur-X sample is a French invoice
        for item_id, entry in FACTURX_ITEMS.items():
            assert other_seller.put(f"/v1/items/{item_id}", json=entry).status_code == 201
        assert other_seller.put(f"/v1/partners/{FACTURX_BUYER[0]}", json=FACTURX_BUYER[1]).status_code == 201
        derived = other_seller.post("/v1/key-data-sets/derive", content=pdf, headers={"Content-Type": "application/pdf"}).json()
        assert derived["missing"] == [] and derived["source"]["syntax"] == "CII"
        written = other_seller.post("/v1/key-data-sets", content=pdf, headers={"Content-Type": "application/pdf"})
        assert written.status_code == 201, written.text
        data = other_seller.get(f"/v1/key-data-sets/{written.json()['gpid']}").json()
    assert data["source"]["sha256"] == hashlib.sha256(pdf).hexdigest()
    kds = data["data"]
    assert kds["invoice"] == {"number": "F20260023", "date": "2026-01-31"}
    assert kds["seller"]["trader_id"] == {"scheme": "EORI", "value": "FR44123456700018"}  # the account's bound trader ID
    assert kds["buyer"]["trader_id"] == {"scheme": "EORI", "value": "FR98765432100014"}  # from the partner directory
    assert [(g["description"], g["value"], g["hs_code"], g["packages"], g["net_mass_kg"]) for g in kds["goods"]] == [
        ("PRESTATION SUPPORT", "60.00", "847130", 1, "0.001"),
        ("FOURNITURES PAPIER", "28.00", "480256", 2, "7.500"),  # 3 units x 0.5 packages, rounded up; 3 x 2.5 kg
        ("APPEL", "7.00", "851762", 1, "0.200"),
    ]


def test_incomplete_and_hostile_invoices_write_nothing(dev: DevNode) -> None:
    with http(dev) as seller:
        before = total(seller)
        invoice = invoice_set("E2E-UBL-INCOMPLETE", 2)
        xml = ubl(invoice.key_data_set, ["UNKNOWN-ITEM", item_id_of(3)])
        refused = seller.post("/v1/key-data-sets", content=xml, headers={"Content-Type": "application/xml"})
        assert refused.status_code == 422
        assert [p["path"] for p in refused.json()["errors"]] == [
            "goods[0].hs_code", "goods[0].packages", "goods[0].net_mass_kg", "goods[0].country_of_origin"]
        xxe = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
               b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&x;</Invoice>')  # fmt: skip
        hostile = seller.post("/v1/key-data-sets", content=xxe, headers={"Content-Type": "application/xml"})
        assert 400 <= hostile.status_code < 500 and hostile.json()["errors"]
        assert total(seller) == before


def test_a_credit_note_amends_the_invoice_it_corrects(dev: DevNode, tmp_path: Path) -> None:
    with http(dev) as seller:
        for item_id, entry in catalogue().items():
            seller.put(f"/v1/items/{item_id}", json=entry)
        for partner_id, entry in PARTNERS.items():
            seller.put(f"/v1/partners/{partner_id}", json=entry)
        invoice = invoice_set("E2E-UBL-CREDITED", 2)
        gpid = seller.post("/v1/key-data-sets", content=invoice.xml, headers={"Content-Type": "application/xml"}).json()["gpid"]
        good = invoice.key_data_set["goods"][1]
        credited = {**invoice.key_data_set, "goods": [{**good, "sequence": 1, "value": "10.00"}]}
        item = next(i for i, entry in catalogue().items() if entry["hs_code"] == good["hs_code"])
        note = ubl(credited, [item], root="CreditNote", number="E2E-CN-1", corrects="E2E-UBL-CREDITED", issue_date="2026-11-28")
        amended = seller.post("/v1/key-data-sets", content=note, headers={"Content-Type": "application/xml"})
        assert amended.status_code == 201, amended.text
        assert (amended.json()["gpid"], amended.json()["version"]) == (gpid, 2)
        read = seller.get(f"/v1/key-data-sets/{gpid}").json()
        assert read["version"] == 2 and read["integrity"]["verified"] is True
        assert read["data"]["goods"][1]["value"] == f"{float(good['value']) - 10:.2f}"
        assert read["data"]["goods"][0] == parse_key_data_set(invoice.key_data_set).model_dump(mode="json")["goods"][0]
        history = seller.get(f"/v1/key-data-sets/{gpid}/history").json()["versions"]
        assert history[1]["reason"] == "credit note E2E-CN-1 of 2026-11-28"
    assert payload_plaintext(dev, gpid, 2)["source"]["sha256"] == hashlib.sha256(note).hexdigest()
