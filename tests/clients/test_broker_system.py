"""Issue 22's "done when", as a broker's system lives it, through the generated client only (clients/python)
against a real ``gpid-node dev`` and a real webhook receiver process on loopback:

the seller gives the export broker (DE) a standing export mandate; the broker's system subscribes a
webhook; the seller registers a key data set and the broker links its export declaration; the seller
amends the key data set after filing and the broker's receiver is sent a ``key_data_set.amended`` for
that GPID, signed (Standard Webhooks) with the secret the client was given; Customs DE verifies the
declaration and records its outcome; the broker reads that outcome from the GPID's declarations and
finds the amendment and the verification in its event feed. A competing seller's registration in the
same run is never queued for, nor delivered to, the broker's webhook.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from faults.chaos import DevNode
from support.processes import credentials
from support.webhooks import Receiver

from gpid_node_client import AuthenticatedClient, unwrap  # isort: skip
from gpid_node_client import errors  # isort: skip
from gpid_node_client.api.access import set_mandate  # isort: skip
from gpid_node_client.api.declarations import link_declaration  # isort: skip
from gpid_node_client.api.events import list_events  # isort: skip
from gpid_node_client.api.key_data_sets import amend_key_data_set, get_key_data_set, list_key_data_set_declarations, register_key_data_set  # isort: skip
from gpid_node_client.api.verifications import verify_declaration  # isort: skip
from gpid_node_client.api.webhooks import create_webhook, list_webhook_deliveries  # isort: skip
from gpid_node_client.models import AmendmentRequest, Event, KeyDataSet, LinkRequest, MandateRequest, VerificationRequest, WebhookRequest  # isort: skip

REPOSITORY = Path(__file__).resolve().parents[2]
EXAMPLE = json.loads((REPOSITORY / "schemas" / "examples" / "design-example.json").read_text())
SUBSCRIBED = ["key_data_set.registered", "key_data_set.amended", "declaration.linked", "verification.recorded"]
HOOK = "/broker"
T = TypeVar("T")


def client_of(node: DevNode, role: str, country: str) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=node.url, token=node.key(role, country), raise_on_unexpected_status=True, timeout=60)


def participant(node: DevNode, role: str, country: str) -> dict[str, Any]:
    return next(p for p in credentials(node.data_dir)["participants"] if p["role"] == role and p["country"] == country)


def invoice(seller: dict[str, Any] | None = None) -> dict[str, Any]:
    """The design example under a fresh invoice number, sold by ``seller`` (a dev participant) when given."""
    data = json.loads(json.dumps(EXAMPLE))
    data["invoice"]["number"] = f"BROKER-{uuid.uuid4().hex[:10].upper()}"
    if seller is not None:
        scheme, _, value = seller["trader_id"].partition(":")
        data["seller"] = {"name": seller["name"], "trader_id": {"scheme": scheme, "value": value},
                          "address": {"street": "14 quai de la Fosse", "postcode": "44000", "city": "Nantes", "country": seller["country"]}}  # fmt: skip
    return data


def poll(probe: Callable[[], T | None], what: str, timeout_s: float = 30.0) -> T:
    """``probe()``'s first answer that is not None, asked again every 50 ms until the deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = probe()
        if found is not None:
            return found
        assert time.monotonic() < deadline, f"no {what} within {timeout_s} s"
        time.sleep(0.05)


def feed(client: AuthenticatedClient, types: list[str]) -> list[Event]:
    """Every event of ``types`` the caller may read, page by page along the feed's ``next`` cursor."""
    events: list[Event] = []
    after: str | None = None
    while True:
        page = unwrap(list_events.sync_detailed(client=client, after=after, limit=200, types=types))
        events += page.items
        if not page.items:
            return events
        after = page.next_


def linked_at(client: AuthenticatedClient, gpid: str, reference: str) -> datetime | None:
    declarations = unwrap(list_key_data_set_declarations.sync_detailed(gpid, client=client)).items
    return next((d.linked_at for d in declarations if d.reference == reference), None)


@dataclass(frozen=True)
class Story:
    node: DevNode
    receiver: Receiver
    broker: AuthenticatedClient
    broker_account: str
    webhook_id: str
    gpid: str
    reference: str
    amendment_version: int
    verdict: str
    competitor: AuthenticatedClient
    competitor_gpid: str


@pytest.fixture(scope="module")
def story(dev_node: DevNode, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    seller, broker = client_of(dev_node, "seller", "DE"), client_of(dev_node, "broker", "DE")
    customs, competitor = client_of(dev_node, "customs", "DE"), client_of(dev_node, "seller", "FR")
    broker_account = participant(dev_node, "broker", "DE")["account"]
    receiver = Receiver(tmp_path_factory.mktemp("broker-receiver")).start()
    try:
        # The seller mandates its export broker once; from then on the broker reads what the seller registers.
        mandate = unwrap(set_mandate.sync_detailed(client=seller, body=MandateRequest.from_dict({"agent": broker_account, "direction": "export"})))
        assert mandate.active and mandate.block

        # The broker's system subscribes, and keeps the secret it is shown once.
        webhook = unwrap(create_webhook.sync_detailed(client=broker, body=WebhookRequest(url=receiver.url(HOOK), events=SUBSCRIBED)))
        assert webhook.secret.startswith("whsec_") and webhook.events == SUBSCRIBED
        receiver.secret(HOOK, webhook.secret)

        # A competing seller registers first: nothing of it may reach the broker.
        competitor_gpid = unwrap(register_key_data_set.sync_detailed(
            client=competitor, body=KeyDataSet.from_dict(invoice(participant(dev_node, "seller", "FR"))))).gpid  # fmt: skip

        data = invoice()
        gpid = unwrap(register_key_data_set.sync_detailed(client=seller, body=KeyDataSet.from_dict(data))).gpid
        reference = f"26DE{uuid.uuid4().hex[:14].upper()}"
        link = LinkRequest.from_dict({"reference": reference, "country": "DE", "direction": "export", "gpids": [gpid]})
        unwrap(link_declaration.sync_detailed(client=broker, body=link))
        filed_at = poll(lambda: linked_at(broker, gpid, reference), "the link on the GPID's declarations")  # the chain's clock

        # Block times are whole seconds (anvil gives blocks of the same second the same time): an amendment
        # in the second of the filing would count as known at filing. Let the chain's clock pass it.
        poll(lambda: True if datetime.now(UTC) >= filed_at + timedelta(seconds=1) else None, "the second after filing", 3)

        # After filing, the seller corrects the packages: the broker must be told.
        goods = {**data["goods"][0], "packages": data["goods"][0]["packages"] + 1}
        amendment = AmendmentRequest.from_dict({"changes": {"goods": [goods]}, "reason": "one more crate shipped", "reason_code": "quantity"})
        amended = unwrap(amend_key_data_set.sync_detailed(gpid, client=seller, body=amendment))
        assert amended.version == 2 and amended.changed_fields

        # Customs DE checks the declaration as filed (the packages before the amendment) and records its outcome.
        request = VerificationRequest.from_dict({"declaration": {
            "reference": reference, "country": "DE", "direction": "export", "filed_at": filed_at.isoformat(),
            "items": [{"gpid": gpid, "goods_sequence": 1, "hs_code": goods["hs_code"], "packages": data["goods"][0]["packages"]}]}})  # fmt: skip
        verification = unwrap(verify_declaration.sync_detailed(client=customs, body=request))
        (checked,) = verification.gpids
        assert checked.gpid == gpid and checked.amended_after_filing and checked.version_at_filing == 1, verification.to_dict()
        assert checked.outcome_recorded is True and verification.result == "match", verification.to_dict()  # as filed

        yield Story(dev_node, receiver, broker, broker_account, webhook.id, gpid, reference, amended.version,
                    verification.result, competitor, competitor_gpid)  # fmt: skip
    finally:
        receiver.stop()


def _delivered(story: Story, type_: str) -> dict[str, Any] | None:
    return next((r for r in story.receiver.received(HOOK) if r["type"] == type_ and r["gpid"] == story.gpid), None)


def test_the_broker_is_sent_a_signed_amendment_of_the_gpid_it_declared(story: Story) -> None:
    amended = poll(lambda: _delivered(story, "key_data_set.amended"), "key_data_set.amended delivery")
    # The receiver verified the Standard Webhooks signature with the secret create_webhook returned.
    assert amended["verified"] is True, amended
    assert amended["webhook_id"] == amended["event"]  # the event id: a receiver drops repeats by it

    def logged() -> Any:  # the delivery log says so once the receiver's 2xx is recorded
        items = unwrap(list_webhook_deliveries.sync_detailed(story.webhook_id, client=story.broker, limit=200)).items
        return next((d for d in items if d.event == amended["event"] and d.status == "delivered"), None)

    delivery = poll(logged, "the delivery in the webhook's log")
    assert delivery.type_ == "key_data_set.amended" and delivery.attempts >= 1 and delivery.delivered_at and delivery.created_at


def test_the_broker_reads_the_outcome_customs_recorded(story: Story) -> None:
    def recorded() -> Any:
        declarations = unwrap(list_key_data_set_declarations.sync_detailed(story.gpid, client=story.broker))
        ours = [d for d in declarations.items if d.reference == story.reference]
        return ours[0] if ours and ours[0].verifications else None

    declaration = poll(recorded, "Customs outcome on the GPID's declarations")
    assert (declaration.country, declaration.direction) == ("DE", "export")
    assert declaration.linked_by.lower() == story.broker_account.lower()
    (outcome,) = declaration.verifications
    # Customs checked the declaration against the version at filing (the amendment came after it).
    assert (outcome.outcome, outcome.country, outcome.version) == (story.verdict, "DE", 1)
    assert outcome.time is not None


def test_the_broker_finds_the_amendment_and_the_verification_in_its_event_feed(story: Story) -> None:
    def both() -> dict[str, Event] | None:
        found = {e.type_: e for e in feed(story.broker, ["key_data_set.amended", "verification.recorded"]) if e.gpid == story.gpid}
        return found if len(found) == 2 else None

    events = poll(both, "amendment and verification in the broker's feed")
    amended, verified = events["key_data_set.amended"], events["verification.recorded"]
    assert amended.version == story.amendment_version and amended.data["changed_fields"]
    assert verified.data["outcome"] == story.verdict and verified.data["country"] == "DE"
    assert amended.block < verified.block  # the outcome came after the amendment
    # The verification is delivered too, signed.
    delivered = poll(lambda: _delivered(story, "verification.recorded"), "verification.recorded delivery")
    assert delivered["verified"] and delivered["event"] == verified.id


def test_nothing_of_a_gpid_the_broker_may_not_read_is_queued_or_delivered(story: Story) -> None:
    with pytest.raises(errors.UnknownGPID):
        unwrap(get_key_data_set.sync_detailed(story.competitor_gpid, client=story.broker))
    (registered,) = [e for e in feed(story.competitor, ["key_data_set.registered"]) if e.gpid == story.competitor_gpid]
    # The competitor registered before the seller: once the seller's later events are delivered, the
    # dispatcher's cursor for the broker's webhook has passed the competitor's event.
    poll(lambda: _delivered(story, "verification.recorded"), "verification.recorded delivery")
    deliveries = unwrap(list_webhook_deliveries.sync_detailed(story.webhook_id, client=story.broker, limit=200)).items
    assert deliveries and registered.id not in {d.event for d in deliveries}
    received = story.receiver.received(HOOK)
    assert received and story.competitor_gpid not in {r["gpid"] for r in received}
    assert {r["gpid"] for r in received} == {story.gpid} and all(r["verified"] for r in received)
