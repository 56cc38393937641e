"""Fixtures shared by the whole suite: one real anvil per test session, snapshots per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from eth_account.signers.local import LocalAccount

from gpid_node.chain.client import RegistryClient
from gpid_node.chain.deploy import Deployment, deploy
from gpid_node.chain.devchain import HARDFORK_ENV, DevChain
from gpid_node.domain import canonical
from support.builders import BUYER_TRADER_ID, SELLER_TRADER_ID, dev_account
from support.chains import new_chain
from support.cli import dev_data_folder
from support.invoice_keys import invoice_key
from support.requirements import POSTGRES_URL
from support.requirements import pytest_terminal_summary  # noqa: F401 - the hook that lists what a run skipped

# GPID_TEST_HARDFORK=paris runs every anvil of the session with that hardfork: this fixture's, the
# ones tests start themselves (DevChain reads GPID_ANVIL_HARDFORK) and the dev chains of the nodes
# tests start (support.processes.env_for passes the variable on). Tests that pin a hardfork keep it.
if os.environ.get("GPID_TEST_HARDFORK"):
    os.environ[HARDFORK_ENV] = os.environ["GPID_TEST_HARDFORK"]


# No timed assertions (STYLE.md): Hypothesis's default 200 ms deadline per example would be one, and it
# fails when the machine is busy, not when the code is wrong. Tests that set their own settings() keep
# everything else they set.
hypothesis.settings.register_profile("gpid-suite", deadline=None)
hypothesis.settings.load_profile("gpid-suite")


def pytest_report_header() -> str:
    return f"anvil hardfork: {os.environ.get(HARDFORK_ENV) or 'latest (anvil default)'}"


@pytest.fixture(scope="session")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevChain]:
    """A real anvil on a free loopback port, stopped by PID at the end of the session."""
    log = tmp_path_factory.mktemp("anvil") / "anvil.log"
    dev = new_chain(log_file=log)  # anvil, or the chain GPID_TEST_CHAIN names (tests/support/chains.py)
    dev.start()
    yield dev
    dev.stop()


@pytest.fixture(scope="module")
def dev_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A development chain per test module, its data folder and the seller's address (for the command-line tests)."""
    with dev_data_folder(tmp_path_factory.mktemp("cli")) as folder:
        yield folder


@dataclass
class Participants:
    operator: LocalAccount
    seller: LocalAccount
    buyer: LocalAccount
    broker: LocalAccount
    customs: LocalAccount
    stranger: LocalAccount
    delegate: LocalAccount
    other_seller: LocalAccount


@dataclass
class Registry:
    """A deployed registry with onboarded participants, as the contract tests use it."""

    client: RegistryClient
    deployment: Deployment
    people: Participants

    def register(self, data: dict[str, Any], salt: bytes = b"\x11" * 32, sender: LocalAccount | None = None) -> Any:
        commitments = canonical.commitments(data, salt)
        payload = canonical.encode_payload(data, salt)
        sender = sender or self.people.seller
        key = invoice_key(self.client.trader_key_of(sender.address), data["invoice"]["number"])
        return self.client.transact(sender, "register", key, commitments.as_tuple(), payload)


@pytest.fixture(scope="session")
def registry_session(chain: DevChain) -> Registry:
    people = Participants(*(dev_account(i) for i in range(8)))
    deployment, _ = deploy(chain.url, people.operator, contract_name="GPIDRegistryHarness")
    client = RegistryClient.connect(chain.url, deployment.registry, contract_name="GPIDRegistryHarness")
    op = people.operator
    client.transact(op, "bindTrader", people.seller.address, SELLER_TRADER_ID)
    client.transact(op, "bindTrader", people.buyer.address, BUYER_TRADER_ID)
    client.transact(op, "bindTrader", people.other_seller.address, "EORI:FR12345678901")
    client.transact(op, "grantRole", client.view("BROKER_ROLE"), people.broker.address)
    client.transact(op, "grantCustoms", people.customs.address, b"GB")
    return Registry(client, deployment, people)


@pytest.fixture
def registry(registry_session: Registry) -> Iterator[Registry]:
    """The session registry, with every change a test makes rolled back afterwards (evm_snapshot)."""
    w3 = registry_session.client.w3
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
    yield registry_session
    w3.provider.make_request("evm_revert", [snapshot])


def postgres_url() -> str:
    return POSTGRES_URL

