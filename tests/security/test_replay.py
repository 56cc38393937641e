"""Replayed transactions: a signed transaction the node sent (its raw bytes are in the outbox) sent
again to the same chain is refused by its nonce and changes nothing; sent to another chain it is
refused by the chain id in its signature (EIP-155/1559); a registration sent again is refused by the
registry (one GPID per invoice) and the outbox adopts its own earlier one instead of failing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_account import Account
from sqlalchemy import select
from web3 import Web3
from web3.exceptions import Web3RPCError

from api.harness import SELLER, Api, fresh_key_data_set
from gpid_node.chain.devchain import DevChain
from gpid_node.domain.gpid import GPID
from gpid_node.store.tables import OutboxEntry
from security.helpers import written

from faults.chaos import registered_on_chain


def _raw_of(api: Api, gpid: str) -> tuple[bytes, int]:
    with api.node.store.session() as session:
        entry = session.scalar(select(OutboxEntry).where(OutboxEntry.gpid == GPID.parse(gpid).hex))
        assert entry is not None and entry.status == "mined"
        lead = session.get(OutboxEntry, entry.batch_id)  # a batch keeps its signed transaction once
        assert lead is not None and lead.raw_transaction and lead.transaction_hash == entry.transaction_hash
        return bytes.fromhex(lead.raw_transaction), int(lead.nonce)


@pytest.fixture(scope="module")
def other_chain() -> Iterator[DevChain]:
    chain = DevChain(chain_id=4242)
    chain.start()
    yield chain
    chain.stop()


def test_a_mined_transaction_sent_again_is_refused_by_its_nonce_and_changes_nothing(api: Api) -> None:
    gpid = api.register()["gpid"]
    raw, nonce = _raw_of(api, gpid)
    head, rows = api.node.client.block_number(), written(api)
    with pytest.raises(Web3RPCError, match="(?i)nonce"):
        api.node.client.w3.eth.send_raw_transaction(raw)
    assert api.node.client.block_number() == head and written(api) == rows
    assert registered_on_chain(api.node.client)[gpid] == 1
    assert api.node.client.w3.eth.get_transaction_count(Account.recover_transaction(raw)) > nonce


def test_a_transaction_signed_for_this_chain_is_refused_by_another_chain(api: Api, other_chain: DevChain) -> None:
    gpid = api.register()["gpid"]
    raw, _ = _raw_of(api, gpid)
    sender = Account.recover_transaction(raw)
    other = Web3(Web3.HTTPProvider(other_chain.url))
    other.provider.make_request("anvil_setBalance", [sender, hex(10**21)])  # so only the chain id can refuse it
    with pytest.raises(Web3RPCError, match="(?i)chain"):
        other.eth.send_raw_transaction(raw)
    assert other.eth.block_number == 0


def test_a_registration_sent_again_is_refused_by_the_registry_naming_the_gpid(api: Api) -> None:
    """The same invoice registered a second time, through the API: 409 naming the existing GPID."""
    data = fresh_key_data_set()
    first = api.register(data)["gpid"]
    rows = written(api)
    again = api.client.post("/v1/key-data-sets", json=data, headers=api.auth(SELLER))
    assert again.status_code == 409 and again.json()["gpid"] == first
    assert written(api)["key_data_sets"] == rows["key_data_sets"]
    assert registered_on_chain(api.node.client)[first] == 1
