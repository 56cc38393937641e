"""The embedded development chain keeps its state across restarts and stops only its own process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gpid_node.chain.client import RegistryClient
from gpid_node.chain.deploy import Deployment, deploy, is_live
from gpid_node.chain.devchain import DevChain
from gpid_node.domain import canonical
from gpid_node.domain.gpid import GPID
from support.builders import SELLER_TRADER_ID, dev_account, key_data_set
from support.invoice_keys import invoice_key

SELLER_KEY = canonical.trader_key(SELLER_TRADER_ID)

pytestmark = pytest.mark.slow


def _register(client: RegistryClient, number: str) -> bytes:
    data = key_data_set(number)
    salt = os.urandom(32)
    client.transact(
        dev_account(1), "register", invoice_key(SELLER_KEY, number), canonical.commitments(data, salt).as_tuple(), canonical.encode_payload(data, salt)
    )
    return client.gpid_for(SELLER_KEY, invoice_key(SELLER_KEY, number)).raw


def test_restart_keeps_every_gpid_and_the_deployment_is_reused(tmp_path: Path) -> None:
    state, record = tmp_path / "chain" / "state.json", tmp_path / "deployment.json"
    chain = DevChain(state_file=state).start()
    try:
        deployment, reused = deploy(chain.url, dev_account(0), record_path=record)
        assert not reused
        client = RegistryClient.connect(chain.url, deployment.registry)
        client.transact(dev_account(0), "bindTrader", dev_account(1).address, SELLER_TRADER_ID)
        gpid = _register(client, "INV-PERSIST-1")
    finally:
        chain.stop()
    assert state.exists()
    chain = DevChain(port=chain.port, state_file=state).start()
    try:
        again, reused = deploy(chain.url, dev_account(0), record_path=record)
        assert reused and again == deployment == Deployment.read(record)
        client = RegistryClient.connect(chain.url, deployment.registry)
        assert client.record_of(GPID(gpid)).issuer == dev_account(1).address
    finally:
        chain.stop()


def test_kill_restarts_from_the_last_periodic_dump(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    chain = DevChain(state_file=state, state_interval_s=1).start()
    deployment, _ = deploy(chain.url, dev_account(0))
    import time

    deadline = time.monotonic() + 10
    while not state.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.5)
    chain.kill()
    chain = DevChain(port=chain.port, state_file=state).start()
    try:
        assert is_live(RegistryClient.connect(chain.url, deployment.registry).w3, deployment)
    finally:
        chain.stop()


def test_deploy_replaces_a_record_whose_chain_was_lost(tmp_path: Path) -> None:
    record = tmp_path / "deployment.json"
    with DevChain() as chain:
        first, _ = deploy(chain.url, dev_account(0), record_path=record)
        port = chain.port
    with DevChain(port=port) as chain:  # empty chain: the recorded contract is gone
        second, reused = deploy(chain.url, dev_account(0), record_path=record)
        assert not reused and is_live(RegistryClient.connect(chain.url, second.registry).w3, second)


def test_stop_leaves_other_processes_alone() -> None:
    with DevChain() as one, DevChain() as two:
        one.stop()
        assert two.process is not None and two.process.poll() is None


def test_the_hardfork_comes_from_the_setting_and_a_pinned_one_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GPID_ANVIL_HARDFORK", "paris")
    command = DevChain().command()
    assert command[command.index("--hardfork") + 1] == "paris"
    pinned = DevChain(extra_args=("--hardfork", "berlin")).command()
    assert pinned.count("--hardfork") == 1 and pinned[pinned.index("--hardfork") + 1] == "berlin"
    monkeypatch.delenv("GPID_ANVIL_HARDFORK")
    assert "--hardfork" not in DevChain().command()
    assert DevChain(hardfork="shanghai").command()[-2:] == ["--hardfork", "shanghai"]
