"""GET /v1/key-data-sets/{gpid} of a GPID whose data this node erased: the public facts only, marked
``erasure`` (when, why), the integrity saying why it is unchecked, to those who see the GPID from its
public facts (its seller by the trader bound on chain, the operator); the buyer and the Customs of
its country were known only from the erased data, so this node answers them as a node without the
GPID's key does (404)."""

from __future__ import annotations

from api.harness import BUYER, CUSTOMS_GB, OPERATOR, SELLER, Api, fresh_key_data_set

from gpid_node.services.erasures import erase


def test_an_erased_gpid_answers_public_facts_marked_erased(api: Api) -> None:
    gpid = api.register(fresh_key_data_set())["gpid"]
    other = api.register(fresh_key_data_set())["gpid"]
    before = api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(SELLER)).json()
    assert before["data"] is not None and before["erasure"] is None

    erased = erase(api.node.store, gpid, reason="retention period ended", erased_by="operator")

    for reader in (SELLER, OPERATOR):
        answer = api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(reader))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert (body["data"], body["readable"], body["source"]) == (None, False, None), reader
        assert body["erasure"] == {"erased_at": erased["erased_at"], "reason": "retention period ended"}
        assert body["integrity"]["verified"] is False and "erased" in body["integrity"]["problem"]
        assert body["integrity"]["digest"] == before["integrity"]["digest"]
    for reader in (BUYER, CUSTOMS_GB):
        assert api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(reader)).status_code == 404, reader
    untouched = api.client.get(f"/v1/key-data-sets/{other}", headers=api.auth(SELLER)).json()
    assert untouched["data"] is not None and untouched["erasure"] is None
