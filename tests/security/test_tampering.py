"""A node operator (or anyone who can write to the index database) alters a key data set in the index:
the node must not serve it as verified. Integrity is proven against the chain: the data served is
hashed again with its salt and the digest compared with the registry's, not taken from the database."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from api.harness import CUSTOMS_GB, IMPORT_BROKER, SELLER, Api, next_second, unique_reference
from gpid_node.domain import canonical
from gpid_node.domain.gpid import GPID
from gpid_node.store.tables import VersionRow


def _tamper(api: Api, gpid: str, version: int, *, with_digest: bool = False) -> None:
    """Sets the first goods line's value to 1.00 in the index (and the digest to match, if asked)."""
    with api.node.store.session() as session:
        row = session.scalar(select(VersionRow).where(VersionRow.gpid == GPID.parse(gpid).hex, VersionRow.version == version))
        data = copy.deepcopy(row.data)
        data["goods"][0]["value"] = "1.00"
        row.data = data
        if with_digest:  # the salt is in the index too: a careful forger recomputes the digest
            row.digest = "0x" + canonical.commitments(data, bytes.fromhex(row.salt[2:])).digest.hex()


def _verify(api: Api, gpid: str, reference: str) -> dict[str, Any]:
    body = {"declaration": {"reference": reference, "country": "GB", "direction": "import",
                            "filed_at": "2030-01-01T00:00:00Z", "items": [{"gpid": gpid, "goods_sequence": 1, "value": "1.00"}]}}  # fmt: skip
    response = api.client.post("/v1/verifications", json=body, headers=api.auth(CUSTOMS_GB))
    assert response.status_code == 200, response.text
    return response.json()


def _registered_and_linked(api: Api) -> tuple[str, str]:
    gpid = api.register()["gpid"]
    reference = unique_reference("26GB")
    api.link(IMPORT_BROKER, reference, "GB", "import", [gpid])
    return gpid, reference


def test_an_untouched_key_data_set_is_verified(api: Api) -> None:
    gpid, reference = _registered_and_linked(api)
    read = api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(SELLER)).json()
    assert read["integrity"]["verified"] is True and read["integrity"]["payload_matches_commitments"] is True
    assert _verify(api, gpid, reference)["gpids"][0]["integrity"]["verified"] is True


def test_data_altered_in_the_index_is_not_served_as_verified(api: Api) -> None:
    gpid, reference = _registered_and_linked(api)
    _tamper(api, gpid, 1)
    read = api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(SELLER)).json()
    assert read["data"]["goods"][0]["value"] == "1.00"  # served as the index holds it, but:
    assert read["integrity"]["verified"] is False and read["integrity"]["payload_matches_commitments"] is False
    assert "does not match" in read["integrity"]["problem"]
    verdict = _verify(api, gpid, reference)
    assert verdict["result"] == "integrity_failure" and verdict["gpids"][0]["integrity"]["verified"] is False


def test_data_and_digest_altered_together_are_caught_by_the_digest_on_chain(api: Api) -> None:
    gpid, reference = _registered_and_linked(api)
    _tamper(api, gpid, 1, with_digest=True)
    read = api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(SELLER)).json()
    assert read["integrity"]["verified"] is False
    assert read["integrity"]["chain_digest"] != read["integrity"]["digest"]
    assert _verify(api, gpid, reference)["result"] == "integrity_failure"


def test_an_older_version_altered_in_the_index_fails_the_verification(api: Api) -> None:
    """Customs compares with the version current at filing time, which may be an older one."""
    gpid, reference = _registered_and_linked(api)
    next_second()
    amended = api.client.post(f"/v1/key-data-sets/{gpid}/amendments", headers=api.auth(SELLER),
                              json={"changes": {"buyer": {"name": "Thames Tools Limited"}}, "reason": "legal name"})  # fmt: skip
    assert amended.status_code == 201, amended.text
    _tamper(api, gpid, 1, with_digest=True)
    assert _verify(api, gpid, reference)["result"] == "integrity_failure"
