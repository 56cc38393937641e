"""Development mode on a real anvil: the demo participants (the competing seller (FR) and Customs FR
among them) onboarded with their encryption keys published, kept in the data folder across restarts,
and dev-credentials.json naming the chain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gpid_node.chain.abi import event_topic
from gpid_node.chain.client import RegistryClient
from gpid_node.domain import canonical
from gpid_node.services.devmode import DEMO_PARTICIPANTS, DevEnvironment, credentials, start_dev_chain
from gpid_node.store.database import Store, sqlite_url

pytestmark = pytest.mark.slow


def _client(env: DevEnvironment) -> RegistryClient:
    return RegistryClient.connect(env.chain.url, env.deployment.registry)


def _published_keys(env: DevEnvironment) -> dict[str, bytes | None]:
    client = _client(env)
    return {name: (found[0] if (found := client.encryption_key_of(account.address)) else None) for name, account in env.accounts.items()}


def test_dev_mode_onboards_the_french_participants_publishes_every_key_and_keeps_them(tmp_path: Path) -> None:
    data_dir = tmp_path / "dev"
    env = start_dev_chain(data_dir)
    try:
        client = _client(env)
        by_name = {p.name: p for p in DEMO_PARTICIPANTS}
        competitor = next(p for p in DEMO_PARTICIPANTS if p.role == "seller" and p.country == "FR")
        assert competitor.trader_id is not None and competitor.trader_id.startswith("EORI:FR")
        assert competitor.party()["address"]["country"] == "FR"
        assert client.trader_key_of(env.accounts[competitor.name].address) == canonical.trader_key(competitor.trader_id)
        assert client.customs_country_of(env.accounts["Customs FR"].address) == "FR"
        assert by_name["Customs FR"].role == "customs"

        published = _published_keys(env)
        for name, account in env.accounts.items():
            current = env.encryption.current(account.address)
            assert current is not None and published[name] == current.public_bytes, name
        keyring = env.keyring
        assert all(keyring.encryption.current(a) is not None for a in keyring.addresses)
        files = sorted(p.name for p in (data_dir / "keys" / "encryption").glob("*.json"))
        assert files == sorted(f"{a.address}.json" for a in env.accounts.values()), "each demo key kept in the data folder"
        assert client.event_logs([event_topic("MandateSet")]) == [] and client.event_logs([event_topic("AccessGranted")]) == [], (
            "dev mode gives no mandate and no grant"
        )

        (data_dir / "db").mkdir()
        store = Store(sqlite_url(data_dir / "db"))
        store.migrate()
        try:
            credentials(store, data_dir, env.accounts, "http://127.0.0.1:8080", env.chain_facts())
        finally:
            store.dispose()
        document = json.loads((data_dir / "dev-credentials.json").read_text())
        assert document["chain"] == {"rpc_url": env.chain.url, "chain_id": client.chain_id, "registry": env.deployment.registry}
        listed = {p["name"]: p for p in document["participants"]}
        assert listed[competitor.name]["role"] == "seller" and listed[competitor.name]["country"] == "FR"
        assert listed["Customs FR"]["role"] == "customs" and listed["Customs FR"]["country"] == "FR"
        keys_before = {a.address: [p.key_id for p in env.encryption.keys_of(a.address)] for a in env.accounts.values()}
        events_before = len(client.event_logs([event_topic("EncryptionKeyPublished")]))
    finally:
        env.stop()

    again = start_dev_chain(data_dir)
    try:
        keys_after = {a.address: [p.key_id for p in again.encryption.keys_of(a.address)] for a in again.accounts.values()}
        assert keys_after == keys_before, "a restart keeps every participant's encryption keys"
        assert len(_client(again).event_logs([event_topic("EncryptionKeyPublished")])) == events_before, "and publishes nothing again"
        assert _published_keys(again) == published
    finally:
        again.stop()
