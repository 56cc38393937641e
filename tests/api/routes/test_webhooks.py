"""/v1/events and /v1/webhooks on a development node (real anvil, outbox, indexer and dispatcher),
with a real receiver process verifying the Standard Webhooks signatures: the feed is paged by chain
position and filtered by the read rule; a broker who declared a GPID is told at once when it is
amended; a subscriber is sent only what it may read; the delivery log and replay; the allow-list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from api.harness import (
    BUYER,
    EXPORT_BROKER,
    IMPORT_BROKER,
    OPERATOR,
    SELLER,
    Api,
    fresh_key_data_set,
    start_api,
    stop_api,
    unique_reference,
)
from support.webhooks import Receiver

COMPETITOR = "Ateliers de la Loire SAS"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    running = start_api(tmp_path_factory.mktemp("gpid-webhooks"), webhook_allow_loopback=True, webhook_retry_base_s=0.2)
    yield running
    stop_api(running)


@pytest.fixture(scope="module")
def receiver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Receiver]:
    running = Receiver(tmp_path_factory.mktemp("receiver")).start()
    yield running
    running.stop()


def subscribe(node: Api, receiver: Receiver, name: str, path: str, events: list[str]) -> dict[str, Any]:
    response = node.client.post("/v1/webhooks", json={"url": receiver.url(path), "events": events}, headers=node.auth(name))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"].startswith("wh_") and body["secret"].startswith("whsec_")
    receiver.secret(path, body["secret"])
    return body


def feed(node: Api, name: str, **params: Any) -> dict[str, Any]:
    response = node.client.get("/v1/events", params=params, headers=node.auth(name))
    assert response.status_code == 200, response.text
    return response.json()


def all_events(node: Api, name: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after = None
    while True:
        page = feed(node, name, limit=1000, **({"after": after} if after else {}))
        items += page["items"]
        if not page["items"]:
            return items
        after = page["next"]


def test_the_feed_is_paged_by_chain_position_and_filtered_by_the_read_rule(node: Api) -> None:
    earlier = node.register(fresh_key_data_set())["gpid"]
    gpid = node.register(fresh_key_data_set())["gpid"]
    mine = [e for e in all_events(node, SELLER) if e["gpid"] == gpid]
    assert [e["type"] for e in mine] == ["key_data_set.registered"]
    (event,) = mine
    block, _ = (int(part) for part in event["id"].split("-"))
    assert (event["block"], event["version"]) == (block, 1) and set(event) == {"id", "type", "gpid", "version", "block", "time", "data"}
    assert event["data"]["transaction"].startswith("0x")
    assert gpid in {e["gpid"] for e in all_events(node, BUYER)}
    assert gpid not in {e["gpid"] for e in all_events(node, COMPETITOR)}
    assert gpid not in {e["gpid"] for e in all_events(node, IMPORT_BROKER)}
    public = [e for e in all_events(node, OPERATOR) if e["gpid"] == gpid]  # the operator: public facts only
    assert public and public[0]["data"]["changed_fields"] is None

    (before,) = [e for e in all_events(node, SELLER) if e["gpid"] == earlier]
    first = feed(node, SELLER, limit=1, after=f"{before['block'] - 1}-999999")
    second = feed(node, SELLER, limit=1, after=first["next"])
    assert first["items"][0]["gpid"] == earlier and first["next"] == before["id"]
    assert second["items"][0]["gpid"] == gpid
    last = all_events(node, SELLER)[-1]["id"]
    assert feed(node, SELLER, after=last) == {"items": [], "next": last}

    bad = node.client.get("/v1/events", params={"after": "yesterday"}, headers=node.auth(SELLER))
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "after"


def test_a_broker_is_told_at_once_when_a_key_data_set_it_declared_is_amended(node: Api, receiver: Receiver) -> None:
    broker = subscribe(node, receiver, EXPORT_BROKER, "/broker", ["key_data_set.amended"])
    outsider = subscribe(node, receiver, IMPORT_BROKER, "/outsider", ["key_data_set.amended", "key_data_set.registered"])
    data = fresh_key_data_set()
    gpid = node.register(data)["gpid"]
    node.link(EXPORT_BROKER, unique_reference("26DE"), "DE", "export", [gpid])
    changes = {"goods": [{**data["goods"][0], "packages": data["goods"][0]["packages"] + 1}]}
    amended = node.client.post(f"/v1/key-data-sets/{gpid}/amendments", json={"changes": changes, "reason": "recount"},
                               headers=node.auth(SELLER))  # fmt: skip
    assert amended.status_code == 201, amended.text

    (record,) = [r for r in receiver.wait_for(1, "/broker") if r["gpid"] == gpid]
    assert record["verified"] and record["type"] == "key_data_set.amended"
    assert record["at"] - node_block_time(node, record["event"]) < 5.0
    assert gpid not in {r["gpid"] for r in receiver.received("/outsider")}  # it may not read it

    log = node.client.get(f"/v1/webhooks/{broker['id']}/deliveries", headers=node.auth(EXPORT_BROKER)).json()
    (delivery,) = [d for d in log["items"] if d["event"] == record["event"]]
    assert (delivery["status"], delivery["attempts"], delivery["last_status"]) == ("delivered", 1, 200)

    replayed = node.client.post(f"/v1/webhooks/{broker['id']}/replay", json={"event": record["event"]}, headers=node.auth(EXPORT_BROKER))
    assert replayed.status_code == 202 and replayed.json()["replay"] == 1
    again = [r for r in receiver.wait_for(2, "/broker") if r["event"] == record["event"]]
    assert len(again) == 2 and all(r["verified"] for r in again)
    assert again[1]["webhook_id"] == f"{record['event']}.r1"

    refused = node.client.post(f"/v1/webhooks/{outsider['id']}/replay", json={"event": record["event"]}, headers=node.auth(IMPORT_BROKER))
    assert refused.status_code == 404  # an event it may not read is not replayed to it
    not_theirs = node.client.get(f"/v1/webhooks/{broker['id']}/deliveries", headers=node.auth(IMPORT_BROKER))
    assert not_theirs.status_code == 404


def node_block_time(node: Api, event_id: str) -> float:
    block = int(event_id.split("-")[0])
    return float(node.node.client.w3.eth.get_block(block)["timestamp"])


def test_webhooks_are_listed_and_deleted_by_their_owner(node: Api, receiver: Receiver) -> None:
    made = subscribe(node, receiver, BUYER, "/buyer", ["access.granted"])
    listed = node.client.get("/v1/webhooks", headers=node.auth(BUYER)).json()["items"]
    assert made["id"] in {w["id"] for w in listed} and "secret" not in listed[0]
    assert node.client.delete(f"/v1/webhooks/{made['id']}", headers=node.auth(SELLER)).status_code == 404
    assert node.client.delete(f"/v1/webhooks/{made['id']}", headers=node.auth(BUYER)).status_code == 204
    assert made["id"] not in {w["id"] for w in node.client.get("/v1/webhooks", headers=node.auth(BUYER)).json()["items"]}


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",  # the cloud metadata service (link-local)
        "http://10.1.2.3/hook",  # private
        "http://[fe80::1]/hook",  # link-local IPv6
        "https://erp.example.com/hook",  # not on the operator's allow-list
        "ftp://127.0.0.1/hook",
        "http://user:password@127.0.0.1/hook",
        "not a url",
    ],
)
def test_urls_the_operator_does_not_allow_are_refused_naming_url(node: Api, url: str) -> None:
    response = node.client.post("/v1/webhooks", json={"url": url, "events": ["key_data_set.amended"]}, headers=node.auth(SELLER))
    assert response.status_code == 422, response.text
    assert [p["path"] for p in response.json()["errors"]] == ["url"]


def test_unknown_event_types_are_refused(node: Api, receiver: Receiver) -> None:
    response = node.client.post("/v1/webhooks", json={"url": receiver.url(), "events": ["key_data_set.deleted"]},
                                headers=node.auth(SELLER))  # fmt: skip
    assert response.status_code == 422 and response.json()["errors"][0]["path"] == "events[0]"


def test_the_metrics_show_the_webhook_queue(node: Api) -> None:
    text = node.client.get("/metrics").text
    assert "gpid_webhook_deliveries_pending " in text
    assert 'gpid_webhook_deliveries_total{outcome="delivered"}' in text
