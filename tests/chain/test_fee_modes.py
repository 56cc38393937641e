"""Network portability: the node registers, reads and links under each fee mode, on a real anvil
configured as the networks it stands for.

* EIP-1559 (anvil's default, as public chains and most Geth/Besu networks run): type-2 transactions,
  whether the mode is ``eip1559`` or detected by ``auto``.
* legacy: type-0 transactions with a gas price (``GPID_FEE_MODE=legacy``), accepted by every chain.
  A chain without a base fee (``--hardfork berlin``) is detected as legacy by ``auto``; the registry
  itself needs the Cancun EVM it is compiled for, so there the test sends a plain transaction.
* zero gas price (``--base-fee 0 --gas-price 0 --disable-min-priority-fee``), as a permissioned
  Besu network with free gas runs: every account, the deployer included, holds no ether at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from gpid_node.chain.client import FeeMode, RegistryClient, connect
from gpid_node.chain.deploy import deploy
from gpid_node.chain.devchain import DevChain
from gpid_node.chain.keystore import Keyring
from gpid_node.domain.access import Principal, Role
from gpid_node.services.node import Node, open_node
from gpid_node.settings import Settings
from support.builders import SELLER_TRADER_ID, dev_account, key_data_set

ZERO_GAS = ("--base-fee", "0", "--gas-price", "0", "--disable-min-priority-fee")


@dataclass
class Network:
    chain: DevChain
    node: Node
    seller: LocalAccount
    broker: LocalAccount

    @property
    def w3(self) -> Any:
        return self.node.client.w3


def _network(tmp_path: Path, anvil_args: tuple[str, ...], fee_mode: str, funded: bool) -> Iterator[Network]:
    chain = DevChain(extra_args=anvil_args, log_file=tmp_path / "anvil.log").start()
    node = None
    try:
        if funded:
            operator, seller, broker = dev_account(0), dev_account(1), dev_account(2)
        else:
            operator, seller, broker = Account.create(), Account.create(), Account.create()
        record, _ = deploy(chain.url, operator, record_path=tmp_path / "deployment.json")
        admin = RegistryClient(connect(chain.url), record.registry, fee_mode)
        admin.transact(operator, "bindTrader", seller.address, SELLER_TRADER_ID)
        admin.transact(operator, "grantRole", admin.view("BROKER_ROLE"), broker.address)
        settings = Settings(data_dir=tmp_path, rpc_url=chain.url, fee_mode=fee_mode, poll_interval_s=0.02)
        # Plain key data sets (format 1): any broker links them, as this test of fee modes needs no grants.
        node = open_node(settings, Keyring({"seller": seller, "broker": broker}), payload_format=1).start()
        yield Network(chain, node, seller, broker)
    finally:
        if node is not None:
            node.stop()
        chain.stop()


def _register_read_link(net: Network) -> tuple[dict[str, Any], dict[str, Any]]:
    seller = Principal(role=Role.SELLER, account=net.seller.address, trader_id=SELLER_TRADER_ID)
    broker = Principal(role=Role.BROKER, account=net.broker.address)
    registered = net.node.registration.register(key_data_set(invoice_number=f"FEE-{uuid.uuid4().hex[:10]}"), seller)
    assert registered["status"] == "registered", registered
    net.node.submissions.wait_indexed(registered["block"])
    read = net.node.reads.key_data_set(registered["gpid"], seller)
    assert read["integrity"]["verified"] is True
    linked = net.node.declarations.link("26GB0000000000FEE1", "GB", "import", [registered["gpid"]], broker)
    assert [link["status"] for link in linked["links"]] == ["mined"], linked
    return net.w3.eth.get_transaction(registered["transaction"]), net.w3.eth.get_transaction(linked["links"][0]["transaction"])


@pytest.mark.parametrize(
    ("anvil_args", "fee_mode", "tx_type"),
    [((), "eip1559", 2), ((), "auto", 2), ((), "legacy", 0)],
    ids=["eip1559", "auto-detects-eip1559", "legacy"],
)
def test_node_works_on_a_chain_with_a_base_fee(tmp_path: Path, anvil_args: tuple[str, ...], fee_mode: str, tx_type: int) -> None:
    for net in _network(tmp_path, anvil_args, fee_mode, funded=True):
        for tx in _register_read_link(net):
            assert tx["type"] == tx_type
            if tx_type == 2:
                assert tx["maxFeePerGas"] >= net.w3.eth.get_block(tx["blockNumber"])["baseFeePerGas"] > 0
            else:
                assert tx["gasPrice"] > 0


@pytest.mark.parametrize("fee_mode", ["zero", "auto"], ids=["zero", "auto-detects-zero"])
def test_node_works_on_a_zero_gas_network_with_accounts_that_hold_no_ether(tmp_path: Path, fee_mode: str) -> None:
    for net in _network(tmp_path, ZERO_GAS, fee_mode, funded=False):
        for account in (net.seller, net.broker):
            assert net.w3.eth.get_balance(account.address) == 0
        for tx in _register_read_link(net):
            assert tx["type"] == (0 if fee_mode == "zero" else 2)
            receipt = net.w3.eth.get_transaction_receipt(tx["hash"])
            assert receipt["status"] == 1 and receipt["effectiveGasPrice"] == 0


def test_auto_sends_legacy_transactions_to_a_chain_without_a_base_fee(tmp_path: Path) -> None:
    with DevChain(extra_args=("--hardfork", "berlin"), log_file=tmp_path / "anvil.log") as chain:
        target = Account.create().address  # no code: a plain transaction, the registry needs Cancun
        client = RegistryClient(connect(chain.url), target, FeeMode.AUTO)
        assert "baseFeePerGas" not in client.block("latest")
        fees = client.fee_fields()
        assert set(fees) == {"gasPrice"} and fees["gasPrice"] > 0
        sender = dev_account(3)
        signed = client.sign(sender, b"", client.next_nonce(sender.address), 30_000)
        client.broadcast(signed.raw)
        receipt = client.wait(signed.hash)
        assert receipt.succeeded
        assert client.w3.eth.get_transaction(signed.hash)["type"] == 0
