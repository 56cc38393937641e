"""A reorg on anvil under a running node: ``evm_snapshot``, writes through the node (branch A),
``evm_revert`` and at once a longer branch B of other blocks. The node's indexer rewinds and ends
equal to a fresh re-index from block 0 into an empty database; the node's outbox notices that the
blocks of its writes are gone and sends them again, so each is on chain exactly once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from gpid_node.services.devmode import DevEnvironment, operator_account, start_dev_chain
from gpid_node.domain.access import Principal, Role
from gpid_node.services.node import Node, open_node
from gpid_node.domain.samples import sample_key_data_set
from gpid_node.settings import Settings

from faults.chaos import (
    amendments_on_chain,
    index_content,
    links_on_chain,
    lost_and_duplicated,
    outbox_statuses,
    registered_on_chain,
    reindexed,
    wait_until,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[DevEnvironment, Node]]:
    env = start_dev_chain(tmp_path / "node")
    node = open_node(Settings(data_dir=tmp_path / "node", rpc_url=env.chain.url, poll_interval_s=0.02), env.keyring).start()
    try:
        yield env, node
    finally:
        node.stop()
        node.store.dispose()
        env.stop()


def rpc(node: Node, method: str, *params: Any) -> Any:
    answer = node.client.w3.provider.make_request(method, list(params))
    assert "error" not in answer, answer
    return answer["result"]


def settled(node: Node, fresh: Path) -> bool:
    """The outbox is empty, the index is at the head and equals a fresh re-index."""
    if {"pending", "sent"} & set(outbox_statuses(node.store)):
        return False
    status = node.indexer.status()
    if status["cursor"] != node.client.block_number():
        return False
    return index_content(node.store) == reindexed(node.client, node.deployment.block, fresh, encryption=node.keyring.encryption)


def test_a_reorg_under_a_running_node_rewinds_the_index_to_equal_a_fresh_one_and_resends_lost_writes(
    running: tuple[DevEnvironment, Node], tmp_path: Path
) -> None:
    env, node = running
    seller = Principal(Role.SELLER, env.accounts["Rhein Maschinenbau GmbH"].address, "EORI:DE123456789012345", "DE")
    broker = Principal(Role.BROKER, env.accounts["Export broker (DE)"].address, None, "DE")
    node.access.set_mandate(broker.account, "export", seller)  # the broker links the seller's encrypted key data sets
    base = [node.registration.register(sample_key_data_set(f"BASE-{i}", lines=1), seller)["gpid"] for i in range(3)]
    fork_head = node.client.block_number()
    snapshot = rpc(node, "evm_snapshot")

    # Branch A: the node writes registrations, an amendment and a link, and indexes them.
    branch_a = [node.registration.register(sample_key_data_set(f"BRANCH-A-{i}", lines=1), seller)["gpid"] for i in range(4)]
    node.amendments.amend(base[0], {"buyer": {"name": "Thames Tools Limited"}}, "legal name", seller)
    node.declarations.link("26DE0000REORG01", "DE", "export", [branch_a[0], base[1]], broker)
    a_head = node.client.block_number()
    node.submissions.wait_indexed(a_head)
    assert node.indexer.status()["cursor"] == a_head
    assert node.reads.key_data_set(branch_a[0], seller)["gpid"] == branch_a[0]

    # The reorg: back to the fork and at once a longer branch B (other blocks, one with an event).
    assert rpc(node, "evm_revert", snapshot) is True
    rpc(node, "anvil_mine", hex(a_head - fork_head + 3))
    newcomer = Account.create()
    node.client.transact(operator_account(), "bindTrader", newcomer.address, "EORI:FR99999999999")
    assert node.client.block_number() > a_head

    accepted = {
        "register": set(base + branch_a),
        "amend": {(base[0], 2)},
        "link": {(branch_a[0], "26DE0000REORG01"), (base[1], "26DE0000REORG01")},
    }

    def outcome() -> dict[str, tuple[list[Any], list[Any]]]:
        client = node.client
        on_chain = {"register": registered_on_chain(client), "amend": amendments_on_chain(client), "link": links_on_chain(client)}
        return {name: lost_and_duplicated(accepted[name], on_chain[name]) for name in accepted}

    # The outbox checks the chain every second: until then its entries of branch A still look mined.
    try:
        wait_until(lambda: not any(lost for lost, _ in outcome().values()) and settled(node, tmp_path / "fresh.sqlite3"),
                   60, "the node settles on the new branch with every write on chain", every_s=0.5)  # fmt: skip
    except AssertionError:
        pass  # the assertions below say what is wrong
    counts = {}
    for name, (lost, duplicated) in outcome().items():
        counts[name] = {"accepted": len(accepted[name]), "lost": len(lost), "duplicated": len(duplicated)}
        assert lost == [] and duplicated == [], (name, lost, duplicated)
    assert settled(node, tmp_path / "fresh.sqlite3"), "the index differs from a fresh re-index (or the node is behind)"
    assert node.indexer.status()["reorgs"] >= 1
    statuses = outbox_statuses(node.store)
    assert statuses.get("failed", 0) == 0, statuses
    print(json.dumps({"fault": "reorg", "reorgs": node.indexer.status()["reorgs"], **counts}))
    assert any("EORI:FR99999999999" in row for row in index_content(node.store)["trader_bindings"]), "branch B is indexed"
