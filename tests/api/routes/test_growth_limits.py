"""The caps on versions and declaration links per GPID through the REST API: the 100th is accepted,
the next answers 409 naming the limit with nothing recorded, and a GPID at both caps still reads
and verifies.

The GPIDs are brought near their caps with real transactions sent straight to the registry by an
account of their own (bound to the demo seller's trader ID, as a second account of one trader may
be): the node indexes them like any other participant's writes, and its outbox stays untouched.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from sqlalchemy import func, select

from gpid_node.api.problems import PROBLEM_BASE
from gpid_node.services.devmode import operator_account
from gpid_node.domain import canonical
from gpid_node.domain import errors as e
from gpid_node.domain.gpid import GPID
from gpid_node.domain.limits import MAX_LINKS, MAX_VERSIONS
from gpid_node.chain.writes import Link
from gpid_node.services.outbox import FAILED, Outbox
from gpid_node.store.tables import OutboxEntry
from support.builders import SELLER_TRADER_ID, amended, dev_account

from api.harness import BUYER, CUSTOMS_DE, EXPORT_BROKER, SELLER, Api, fresh_key_data_set, start_api, stop_api


@dataclass
class Grown:
    """A key data set registered and grown on chain by its own issuer account."""

    gpid: str
    data: dict[str, Any]  # the current version's data
    references: list[str]  # the declarations (of DE, export) that reference it


@pytest.fixture(scope="module")
def capped_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A node of its own: the GPIDs here carry hundreds of events that other tests need not index."""
    running = start_api(Path(tmp_path_factory.mktemp("gpid-caps")))
    yield running
    stop_api(running)


@pytest.fixture(scope="module")
def issuer(capped_api: Api) -> LocalAccount:
    account = dev_account(9)
    capped_api.node.client.transact(operator_account(), "bindTrader", account.address, SELLER_TRADER_ID)
    return account


def grow(api: Api, issuer: LocalAccount, versions: int, links: int) -> Grown:
    """Registers a key data set as ``issuer``, lets the demo seller amend it too (a delegate), then
    amends it up to ``versions`` and links ``links`` declarations to it; waits until it is indexed."""
    client = api.node.client
    data, salt = fresh_key_data_set(), os.urandom(canonical.SALT_BYTES)
    seller_key = canonical.trader_key(SELLER_TRADER_ID)
    invoice_key = api.node.registration.invoice_key(seller_key, data["invoice"]["number"])
    client.transact(issuer, "register", invoice_key, canonical.commitments(data, salt).as_tuple(),
                    canonical.encode_payload(data, salt))  # fmt: skip
    gpid = client.gpid_for(seller_key, invoice_key)
    client.transact(issuer, "setAmendmentDelegate", gpid.raw, api.participants[SELLER]["account"], True)
    for n in range(2, versions + 1):
        after = amended(data, **{"buyer.name": f"Thames Tools {n}"})
        client.transact(issuer, "amend", gpid.raw, canonical.commitments(data, salt).as_tuple(),
                        canonical.commitments(after, salt).as_tuple(), 1, "correction",
                        canonical.encode_payload(after, salt))  # fmt: skip
        data = after
    references = [f"26DE{gpid.hex[2:10].upper()}{n:06d}" for n in range(1, links + 1)]
    receipt = None
    for reference in references:
        receipt = client.transact(issuer, "linkDeclaration", gpid.raw, reference, b"DE", 1)
    api.node.submissions.wait_indexed(receipt.block_number if receipt else client.block_number(), timeout_s=60)
    return Grown(str(gpid), data, references)


@pytest.fixture(scope="module")
def near_the_caps(capped_api: Api, issuer: LocalAccount) -> Grown:
    return grow(capped_api, issuer, versions=MAX_VERSIONS - 1, links=MAX_LINKS - 1)


@pytest.fixture(scope="module")
def at_the_caps(capped_api: Api, issuer: LocalAccount) -> Grown:
    return grow(capped_api, issuer, versions=MAX_VERSIONS, links=MAX_LINKS)


def outbox_size(api: Api) -> int:
    with api.node.store.session() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxEntry)) or 0)


def amend(api: Api, gpid: str, name: str) -> Any:
    return api.client.post(
        f"/v1/key-data-sets/{gpid}/amendments",
        json={"changes": {"buyer": {"name": name}}, "reason": "legal name corrected"},
        headers=api.auth(SELLER),
    )


def link(api: Api, who: str, reference: str, country: str, direction: str, gpids: list[str]) -> Any:
    body = {"reference": reference, "country": country, "direction": direction, "gpids": gpids}
    return api.client.post("/v1/declarations", json=body, headers=api.auth(who))


def test_the_hundredth_version_is_accepted_and_the_next_answers_409_recording_nothing(
    capped_api: Api, near_the_caps: Grown
) -> None:
    api, gpid = capped_api, near_the_caps.gpid
    accepted = amend(api, gpid, "Thames Tools plc")
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["version"] == MAX_VERSIONS

    size = outbox_size(api)
    refused = amend(api, gpid, "Thames Tools Group")
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["type"] == PROBLEM_BASE + "too-many-versions"
    assert (problem["gpid"], problem["max_versions"]) == (gpid, 100)
    assert f"{gpid} has 100 versions" in problem["detail"] and "register its key data set" in problem["detail"]
    assert outbox_size(api) == size, "a refused amendment recorded an outbox entry"
    history = api.client.get(f"/v1/key-data-sets/{gpid}/history", headers=api.auth(SELLER)).json()
    assert [v["version"] for v in history["versions"]] == list(range(1, MAX_VERSIONS + 1))


def test_the_hundredth_link_is_accepted_and_the_next_answers_409_recording_nothing(
    capped_api: Api, near_the_caps: Grown
) -> None:
    api, gpid = capped_api, near_the_caps.gpid
    accepted = link(api, EXPORT_BROKER, "26DE0000000000CAP100", "DE", "export", [gpid])
    assert accepted.status_code == 201, accepted.text
    assert [entry["status"] for entry in accepted.json()["links"]] == ["mined"]

    other = api.register()["gpid"]
    api.grant(other, EXPORT_BROKER)  # encrypted: the broker links it with a right only
    size = outbox_size(api)
    for who, country, direction in ((EXPORT_BROKER, "DE", "export"), (BUYER, "GB", "import")):
        # One GPID at its cap refuses the whole declaration: the other GPID is not linked either.
        refused = link(api, who, "26XX0000000000CAP101", country, direction, [other, gpid])
        assert refused.status_code == 409, refused.text
        problem = refused.json()
        assert problem["type"] == PROBLEM_BASE + "too-many-links"
        assert (problem["gpid"], problem["max_links"]) == (gpid, 100)
        assert f"100 declarations reference {gpid}" in problem["detail"]
        assert api.client.get(f"/v1/declarations/{country}/26XX0000000000CAP101", headers=api.auth(who)).status_code == 404
    assert outbox_size(api) == size, "a refused link recorded an outbox entry"


def test_a_gpid_at_both_caps_still_reads_and_verifies(capped_api: Api, at_the_caps: Grown) -> None:
    api, gpid = capped_api, at_the_caps.gpid
    current = api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(CUSTOMS_DE))
    assert current.status_code == 200, current.text
    body = current.json()
    assert (body["version"], body["current_version"]) == (MAX_VERSIONS, MAX_VERSIONS)
    assert body["data"] == at_the_caps.data and body["integrity"]["verified"] is True
    first = api.client.get(f"/v1/key-data-sets/{gpid}?version=1", headers=api.auth(CUSTOMS_DE)).json()
    assert first["version"] == 1 and first["integrity"]["verified"] is True
    history = api.client.get(f"/v1/key-data-sets/{gpid}/history", headers=api.auth(CUSTOMS_DE)).json()
    assert len(history["versions"]) == MAX_VERSIONS

    reference = at_the_caps.references[-1]
    declaration = api.client.get(f"/v1/declarations/DE/{reference}", headers=api.auth(CUSTOMS_DE))
    assert declaration.status_code == 200 and [g["gpid"] for g in declaration.json()["gpids"]] == [gpid]

    line = at_the_caps.data["goods"][0]
    item = {"gpid": gpid, "goods_sequence": 1, **{k: line[k] for k in (
        "hs_code", "value", "currency", "packages", "net_mass_kg", "country_of_origin", "preferential_origin")}}  # fmt: skip
    filed_at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    check = api.client.post(
        "/v1/verifications",
        json={"declaration": {"reference": reference, "country": "DE", "direction": "export", "filed_at": filed_at,
                              "items": [item]}},
        headers=api.auth(CUSTOMS_DE),
    )  # fmt: skip
    assert check.status_code == 200, check.text
    answer = check.json()
    assert answer["result"] == "match"
    [entry] = answer["gpids"]
    assert entry["integrity"]["verified"] is True
    assert (entry["version_at_filing"], entry["amended_after_filing"]) == (MAX_VERSIONS, False)
    assert len(entry["other_declarations"]) == MAX_LINKS - 1


def test_a_write_past_the_cap_that_reaches_the_registry_fails_with_the_same_refusal(
    capped_api: Api, at_the_caps: Grown
) -> None:
    """Two requests may pass the node's check together; the registry reverts the one too many, and
    the outbox keeps the decoded error, which the waiting request answers as the same 409."""
    api, gpid = capped_api, GPID.parse(at_the_caps.gpid)
    write = Link(gpid, "26DE0000000000RACE01", "DE", 1)
    with api.node.store.session() as session:
        entry = Outbox.record(session, api.participants[EXPORT_BROKER]["account"], write, gpid.hex)
    (row,) = api.node.outbox.wait([entry], timeout_s=30)
    assert row.status == FAILED
    refusal = e.error_from_record(row.error or {})
    assert isinstance(refusal, e.TooManyLinks)
    assert refusal.details == {"gpid": str(gpid), "max_links": MAX_LINKS}
