"""The indexer on a real anvil, into real SQLite and PostgreSQL: what it stores, how it resumes,
rewinds after reorgs and restarts, and how it treats payloads that fail their check."""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from support.builders import BUYER_TRADER_ID, SELLER_TRADER_ID, amended, dev_account, key_data_set
from support.contract_checks import deploy_relay, relay_call
from support.invoice_keys import gpid_of as gpid_of_invoice
from support.invoice_keys import invoice_key

from gpid_node.chain.client import RegistryClient
from gpid_node.chain.deploy import deploy
from gpid_node.chain.devchain import DevChain, free_port
from gpid_node.chain.errors import RpcRefused
from gpid_node.domain import canonical
from gpid_node.domain.gpid import GPID
from gpid_node.services.index_rows import check_payload
from gpid_node.services.indexer import ZERO_HASH, Indexer
from gpid_node.store import queries
from gpid_node.store.database import Store
from gpid_node.store.tables import ChainCursor

SALT = b"\x11" * 32
OTHER_SELLER_TRADER_ID = "EORI:FR12345678901"


# ------------------------------------------------------------------ helpers


def rpc(client: RegistryClient, method: str, *params: Any) -> Any:
    return client.w3.provider.make_request(method, list(params))["result"]


def mine(client: RegistryClient, blocks: int = 1) -> None:
    for _ in range(blocks):
        rpc(client, "evm_mine")


def gpid_of(client: RegistryClient, data: dict[str, Any], trader_id: str = SELLER_TRADER_ID) -> GPID:
    return gpid_of_invoice(client, canonical.trader_key(trader_id), data["invoice"]["number"])


def register(client: RegistryClient, sender: Any, data: dict[str, Any], payload: bytes | None = None) -> Any:
    """Registers through the contract; ``payload`` replaces the one the data would give (tampering)."""
    key = invoice_key(client.trader_key_of(sender.address), data["invoice"]["number"])
    commitments = canonical.commitments(data, SALT).as_tuple()
    return client.transact(sender, "register", key, commitments, payload or canonical.encode_payload(data, SALT))


def amend(registry: Any, before: dict[str, Any], after: dict[str, Any], reason: str = "price corrected", code: int = 2) -> Any:
    return registry.client.transact(
        registry.people.seller,
        "amend",
        gpid_of(registry.client, before).raw,
        canonical.commitments(before, SALT).as_tuple(),
        canonical.commitments(after, SALT).as_tuple(),
        code,
        reason,
        canonical.encode_payload(after, SALT),
    )


def block_time(client: RegistryClient, number: int) -> datetime:
    return datetime.fromtimestamp(int(client.block(number)["timestamp"]), UTC)


def block_hash(client: RegistryClient, number: int) -> str:
    return "0x" + bytes(client.block(number)["hash"]).hex()


# ------------------------------------------------------------------ what is stored


def test_registration_amendment_link_and_verification_are_indexed(
    registry: Any, store: Store, indexer_for: Callable[..., Indexer]
) -> None:
    client, people = registry.client, registry.people
    v1 = key_data_set(lines=2)
    gpid = gpid_of(client, v1)
    registered = registry.register(v1, SALT)
    v2 = amended(v1, **{"goods.1.value": "2300.00", "buyer.address.city": "Tilbury"})
    amendment = amend(registry, v1, v2, reason="price corrected", code=2)
    linked = client.transact(people.broker, "linkDeclaration", gpid.raw, "26GB00000000000123", b"GB", 2)
    checked = client.transact(people.customs, "recordVerification", gpid.raw, "26GB00000000000123", 2, 1)

    indexer = indexer_for(store)
    # three TraderBound and one CustomsCountrySet of the onboarding, then the four events of this test
    assert indexer.sync() == 8

    with store.session() as session:
        row = queries.key_data_set(session, gpid.hex)
        assert row is not None
        assert (row.gpid, row.gpid_text, row.issuer) == (gpid.hex, str(gpid), people.seller.address)
        assert row.seller_trader_key == "0x" + canonical.trader_key(SELLER_TRADER_ID).hex()
        seller_key = canonical.trader_key(SELLER_TRADER_ID)
        assert row.invoice_key == "0x" + canonical.registry_key(seller_key, invoice_key(seller_key, "RM-2026-000123")).hex()
        assert (row.seller_trader_id, row.buyer_trader_id) == (SELLER_TRADER_ID, BUYER_TRADER_ID)
        assert (row.seller_country, row.buyer_country, row.invoice_number) == ("DE", "GB", "RM-2026-000123")
        assert (row.current_version, row.integrity_ok, row.registered_block) == (2, True, registered.block_number)
        assert row.registered_at == block_time(client, registered.block_number)
        assert row.updated_at == block_time(client, amendment.block_number)
        assert row.registered_at.tzinfo is UTC

        first, second = queries.versions(session, gpid.hex)
        assert (first.version, first.author, first.changed_sections, first.changed_fields) == (1, people.seller.address, 15, [])
        assert (first.data, first.salt, first.reason, first.reason_code) == (v1, "0x" + SALT.hex(), None, 0)
        assert first.commitments == ["0x" + c.hex() for c in canonical.commitments(v1, SALT).as_tuple()]
        assert first.digest == "0x" + canonical.commitments(v1, SALT).digest.hex()
        assert (first.integrity_ok, first.integrity_problem) == (True, None)
        assert (first.transaction_hash, first.block_number) == (registered.transaction_hash, registered.block_number)
        assert first.block_hash == block_hash(client, registered.block_number)

        assert (second.version, second.author, second.data) == (2, people.seller.address, v2)
        assert second.changed_fields == ["buyer.address.city", "goods[1].value"]
        assert second.changed_sections == canonical.SECTION_BUYER | canonical.SECTION_GOODS
        assert (second.reason, second.reason_code, second.integrity_ok) == ("price corrected", 2, True)
        assert second.time == block_time(client, amendment.block_number)
        assert second.transaction_hash == amendment.transaction_hash

        (link,) = queries.links_for(session, gpid.hex)
        assert (link.country, link.reference, link.direction, link.linker) == ("GB", "26GB00000000000123", "import", people.broker.address)
        assert link.reference_key == "0x" + canonical.reference_key("26GB00000000000123").hex()
        assert (link.block_number, link.transaction_hash) == (linked.block_number, linked.transaction_hash)
        assert [l.gpid for l in queries.declaration(session, "gb", "26gb 00000000000123")] == [gpid.hex]

        (check,) = queries.verifications_for(session, gpid.hex)
        assert (check.customs, check.country, check.version, check.outcome) == (people.customs.address, "GB", 2, "match")
        assert check.block_number == checked.block_number

        bindings = queries.trader_bindings(session)
        assert [(b.trader_id, b.account, b.bound) for b in bindings] == [
            (SELLER_TRADER_ID, people.seller.address, True),
            (BUYER_TRADER_ID, people.buyer.address, True),
            (OTHER_SELLER_TRADER_ID, people.other_seller.address, True),
        ]
        assert [b.account for b in queries.trader_bindings(session, account=people.buyer.address.lower())] == [people.buyer.address]

        cursor = queries.cursor(session)
        assert cursor is not None
        head = client.block_number()
        assert (cursor.registry_address, cursor.block_number, cursor.block_hash) == (client.address, head, block_hash(client, head))
    status = indexer.status()
    assert (status["cursor"], status["head"], status["lag"], status["last_error"]) == (head, head, 0, None)
    assert indexer.lag() == 0


def test_sync_resumes_from_the_cursor(registry: Any, store: Store, indexer_for: Callable[..., Indexer]) -> None:
    client = registry.client
    registry.register(key_data_set("INV-1"), SALT)
    assert indexer_for(store).sync() == 5  # three bindings, the Customs country and the registration
    with store.session() as session:
        before = queries.index_counts(session)

    assert indexer_for(store).sync() == 0, "a restarted indexer starts at its cursor"
    mine(client, 3)
    restarted = indexer_for(store)
    assert restarted.sync() == 0
    with store.session() as session:
        assert queries.index_counts(session)["versions"] == before["versions"]
        assert queries.cursor(session).block_number == client.block_number()

    registry.register(key_data_set("INV-2"), SALT)
    assert restarted.sync() == 1
    with store.session() as session:
        counts = queries.index_counts(session)
        assert (counts["key_data_sets"], counts["versions"], counts["trader_bindings"]) == (2, 2, 3)
        assert queries.key_data_set(session, gpid_of(client, key_data_set("INV-2")).hex) is not None


def test_reapplying_indexed_blocks_duplicates_nothing(
    registry: Any, store: Store, indexer_for: Callable[..., Indexer], content: Callable[[Store], Any]
) -> None:
    client, people = registry.client, registry.people
    v1 = key_data_set("DUP-1")
    registry.register(v1, SALT)
    amend(registry, v1, amended(v1, **{"buyer.name": "Thames Tools plc"}))
    gpid = gpid_of(client, v1)
    client.transact(people.broker, "linkDeclaration", gpid.raw, "26GB0000001", b"GB", 2)
    client.transact(people.customs, "recordVerification", gpid.raw, "26GB0000001", 2, 1)
    indexer_for(store).sync()
    before = content(store)
    with store.session() as session:  # as if the cursor had been lost: every block is applied again
        session.execute(update(ChainCursor).values(block_number=registry.deployment.block - 1, block_hash=ZERO_HASH))
    assert indexer_for(store).sync() == 8
    assert content(store) == before


def test_reindexing_from_the_deployment_block_gives_the_same_index(
    registry: Any, make_store: Callable[[], Store], indexer_for: Callable[..., Indexer], same_index: Callable[..., None]
) -> None:
    client, people = registry.client, registry.people
    live = make_store()
    indexer = indexer_for(live)
    batch = [key_data_set(f"BATCH-{i}", lines=i + 1) for i in range(4)]
    items = [
        (invoice_key(canonical.trader_key(SELLER_TRADER_ID), d["invoice"]["number"]), canonical.commitments(d, SALT).as_tuple(),
         canonical.encode_payload(d, SALT))
        for d in batch
    ]
    client.transact(people.seller, "registerBatch", items)
    indexer.sync()
    amend(registry, batch[1], amended(batch[1], **{"goods.0.packages": 3}), reason="one more package", code=3)
    client.transact(people.broker, "linkDeclaration", gpid_of(client, batch[0]).raw, "26DE0000001", b"DE", 1)
    indexer.sync()
    client.transact(people.customs, "recordVerification", gpid_of(client, batch[0]).raw, "26DE0000001", 1, 2)
    client.transact(people.operator, "unbindTrader", people.other_seller.address)
    mine(client, 2)
    indexer.sync()

    fresh = make_store()
    indexer_for(fresh, max_range=2).sync()
    same_index(live, fresh)
    with fresh.session() as session:
        counts = queries.index_counts(session)
    assert (counts["key_data_sets"], counts["versions"], counts["declaration_links"], counts["verifications"]) == (4, 5, 1, 1)
    assert counts["trader_bindings"] == 4


def test_a_chain_that_refuses_wide_log_ranges_is_read_in_halves(
    registry: Any, make_store: Callable[[], Store], indexer_for: Callable[..., Indexer], same_index: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for i in range(3):
        register(registry.client, registry.people.seller, key_data_set(f"HALVES-{i}"))
    mine(registry.client, 5)
    whole = make_store()
    indexer_for(whole).sync()
    client = RegistryClient(registry.client.w3, registry.client.address)  # its own: the test narrows it
    request = client.request
    asked: list[int] = []

    def narrow(method: str, *params: Any) -> Any:  # as public endpoints do: "block range too large"
        if method == "eth_getLogs":
            first, end = int(params[0]["fromBlock"], 16), int(params[0]["toBlock"], 16)
            asked.append(end - first + 1)
            if end - first + 1 > 4:
                raise RpcRefused("query exceeds max block range 4")
        return request(method, *params)

    monkeypatch.setattr(client, "request", narrow)
    halves = make_store()
    indexer = Indexer(halves, client, start_block=registry.deployment.block)
    indexer.sync()
    same_index(whole, halves)
    assert max(asked) > 4 and indexer._range <= 4


def test_confirmations_leave_the_newest_blocks_unindexed(
    registry: Any, store: Store, indexer_for: Callable[..., Indexer]
) -> None:
    client = registry.client
    data = key_data_set("CONF-1")
    receipt = registry.register(data, SALT)
    mine(client, 1)
    indexer = indexer_for(store, confirmations=2)
    indexer.sync()
    with store.session() as session:
        assert queries.cursor(session).block_number == client.block_number() - 2 == receipt.block_number - 1
        assert queries.key_data_set(session, gpid_of(client, data).hex) is None
    assert indexer.lag() == 2
    mine(client, 1)
    assert indexer.sync() == 1
    with store.session() as session:
        assert queries.cursor(session).block_number == receipt.block_number
        assert queries.key_data_set(session, gpid_of(client, data).hex) is not None


# ------------------------------------------------------------------ reorgs and restarts


def test_a_reorg_rewinds_to_the_fork_and_follows_the_new_branch(
    registry: Any, make_store: Callable[[], Store], indexer_for: Callable[..., Indexer], same_index: Callable[..., None]
) -> None:
    client, people = registry.client, registry.people
    base = key_data_set("BASE-1")
    registry.register(base, SALT)
    live = make_store()
    indexer = indexer_for(live)
    indexer.sync()

    snapshot = rpc(client, "evm_snapshot")
    branch_a = key_data_set("BRANCH-A")
    registry.register(branch_a, SALT)
    amend(registry, base, amended(base, **{"buyer.address.country": "IE", "buyer.address.city": "Dublin"}))
    client.transact(people.broker, "linkDeclaration", gpid_of(client, branch_a).raw, "26GB0000009", b"GB", 2)
    indexer.sync()
    with live.session() as session:
        assert queries.key_data_set(session, gpid_of(client, branch_a).hex) is not None
        assert queries.key_data_set(session, gpid_of(client, base).hex).buyer_country == "IE"

    assert rpc(client, "evm_revert", snapshot) is True
    branch_b = key_data_set("BRANCH-B")
    registry.register(branch_b, SALT)
    mine(client, 2)
    assert indexer.sync() == 1

    with live.session() as session:
        assert queries.key_data_set(session, gpid_of(client, branch_a).hex) is None
        assert queries.links_for(session, gpid_of(client, branch_a).hex) == []
        assert queries.key_data_set(session, gpid_of(client, branch_b).hex) is not None
        kept = queries.key_data_set(session, gpid_of(client, base).hex)
        assert (kept.current_version, kept.buyer_country, kept.updated_at) == (1, "GB", kept.registered_at)
        assert [v.version for v in queries.versions(session, gpid_of(client, base).hex)] == [1]
        assert queries.cursor(session).block_hash == block_hash(client, client.block_number())
    assert indexer.status()["reorgs"] == 1

    fresh = make_store()
    indexer_for(fresh).sync()
    same_index(live, fresh)


def _deploy_and_onboard(url: str) -> tuple[int, RegistryClient]:
    operator, seller = dev_account(0), dev_account(1)
    deployment, _ = deploy(url, operator)
    client = RegistryClient.connect(url, deployment.registry)
    client.transact(operator, "bindTrader", seller.address, SELLER_TRADER_ID)
    return deployment.block, client


def test_a_chain_restarted_empty_rewinds_the_index(tmp_path: Path, make_store: Callable[[], Store]) -> None:
    seller = dev_account(1)
    store = make_store()
    first = DevChain(log_file=tmp_path / "first.log").start()
    try:
        start, client = _deploy_and_onboard(first.url)
        register(client, seller, key_data_set("OLD-1"))
        register(client, seller, key_data_set("OLD-2"))
        mine(client, 5)
        Indexer(store, client, start_block=start).sync()
        old_gpid, old_cursor = gpid_of(client, key_data_set("OLD-1")), client.block_number()
    finally:
        first.stop()

    second = DevChain(log_file=tmp_path / "second.log").start()
    try:
        start, client = _deploy_and_onboard(second.url)
        register(client, seller, key_data_set("NEW-1"))
        assert client.block_number() < old_cursor
        indexer = Indexer(store, client, start_block=start)
        # Blocks the two chains share (same transactions, same second) stay; the rest is rewound.
        assert indexer.sync() >= 1
        with store.session() as session:
            assert queries.key_data_set(session, old_gpid.hex) is None
            assert queries.key_data_set(session, gpid_of(client, key_data_set("NEW-1")).hex) is not None
            counts = queries.index_counts(session)
            assert (counts["key_data_sets"], counts["versions"], counts["trader_bindings"]) == (1, 1, 1)
            assert queries.cursor(session).block_number == client.block_number()
        assert indexer.status()["reorgs"] == 1
        fresh = make_store()
        Indexer(fresh, client, start_block=start).sync()
        with store.session() as a, fresh.session() as b:
            assert queries.index_counts(a) == queries.index_counts(b)
    finally:
        second.stop()


def test_a_cursor_of_another_registry_starts_the_index_over(
    registry: Any, store: Store, indexer_for: Callable[..., Indexer]
) -> None:
    registry.register(key_data_set("FIRST-REGISTRY"), SALT)
    indexer_for(store).sync()
    deployment, _ = deploy(registry.client.w3.provider.endpoint_uri, registry.people.operator)
    other = RegistryClient.connect(registry.client.w3.provider.endpoint_uri, deployment.registry)
    assert Indexer(store, other, start_block=deployment.block).sync() == 0
    with store.session() as session:
        assert queries.cursor(session).registry_address == deployment.registry
        counts = queries.index_counts(session)
    assert (counts["key_data_sets"], counts["versions"], counts["trader_bindings"]) == (0, 0, 0)


# ------------------------------------------------------------------ payloads that fail their check


def test_a_payload_that_does_not_match_its_commitments_is_stored_as_failed(
    registry: Any, store: Store, indexer_for: Callable[..., Indexer]
) -> None:
    client, people = registry.client, registry.people
    committed = key_data_set("TAMPER-1")
    carried = amended(committed, **{"goods.0.value": "1.00"})
    register(client, people.seller, committed, payload=canonical.encode_payload(carried, SALT))
    indexer_for(store).sync()
    gpid = gpid_of(client, committed)
    with store.session() as session:
        row = queries.key_data_set(session, gpid.hex)
        (version,) = queries.versions(session, gpid.hex)
    assert row.integrity_ok is False and version.integrity_ok is False
    assert version.data == carried, "the index keeps what the chain carries, marked as failed"
    assert version.integrity_problem == "the payload does not match the commitments on chain (differing: goods)"
    assert "identity" not in version.integrity_problem


def test_an_unreadable_payload_is_stored_without_data(registry: Any, store: Store, indexer_for: Callable[..., Indexer]) -> None:
    client, people = registry.client, registry.people
    data = key_data_set("GARBLED-1")
    register(client, people.seller, data, payload=b"\x01" + SALT + b"this is not deflated json")
    indexer_for(store).sync()
    gpid = gpid_of(client, data)
    with store.session() as session:
        row = queries.key_data_set(session, gpid.hex)
        (version,) = queries.versions(session, gpid.hex)
    assert (version.data, version.salt, version.integrity_ok) == (None, None, False)
    assert version.integrity_problem.startswith("the payload cannot be read")
    assert (row.integrity_ok, row.invoice_number, row.seller_trader_id) == (False, None, SELLER_TRADER_ID)


def test_a_payload_naming_another_seller_is_kept_under_the_bound_trader(
    registry: Any, store: Store, indexer_for: Callable[..., Indexer]
) -> None:
    client, people = registry.client, registry.people
    squatted = key_data_set()  # names our seller's trader ID, sent by the other seller
    register(client, people.other_seller, squatted)
    indexer_for(store).sync()
    gpid = gpid_of(client, squatted, OTHER_SELLER_TRADER_ID)
    with store.session() as session:
        row = queries.key_data_set(session, gpid.hex)
        (version,) = queries.versions(session, gpid.hex)
        seen_by_victim = queries.is_visible(session, gpid.hex, "seller", people.seller.address, SELLER_TRADER_ID, None)
    assert (row.issuer, row.seller_trader_id, row.integrity_ok) == (people.other_seller.address, OTHER_SELLER_TRADER_ID, False)
    assert "seller trader ID 'EORI:DE123456789012345'" in version.integrity_problem
    assert not seen_by_victim


# ------------------------------------------------------------------ payloads named by hash (events carry keccak256)

RELAYED_TRADER_ID = "EORI:NL123456789"


def relayed_registration(registry: Any, number: str, lines: int = 1) -> tuple[dict[str, Any], GPID, Any]:
    """A registration a contract relays (as a multisig or smart wallet would): bound as a trader,
    the ``CallRelay`` registers, so the transaction's input is the relay's and not the registry's."""
    client, operator = registry.client, registry.people.operator
    relay = deploy_relay(client, operator)
    client.transact(operator, "bindTrader", relay, RELAYED_TRADER_ID)
    data = key_data_set(number, lines=lines, seller_eori=RELAYED_TRADER_ID.removeprefix("EORI:"))
    receipt = relay_call(client, operator, relay, "register", invoice_key(canonical.trader_key(RELAYED_TRADER_ID), number), canonical.commitments(data, SALT).as_tuple(),
                         canonical.encode_payload(data, SALT))  # fmt: skip
    return data, gpid_of(client, data, RELAYED_TRADER_ID), receipt


def test_the_payloads_are_read_from_the_transactions_and_a_relayed_one_from_the_call_trace(
    registry: Any, store: Store, indexer_for: Callable[..., Indexer], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, people = registry.client, registry.people
    direct = key_data_set("DIRECT-1")
    register(client, people.seller, direct)
    relayed, gpid, receipt = relayed_registration(registry, "RELAYED-1", lines=2)
    asked: list[tuple[str, ...]] = []
    real = client.request

    def counting(method: str, *params: Any) -> Any:
        asked.append((method, *(str(p) for p in params[:1])))
        return real(method, *params)

    monkeypatch.setattr(client, "request", counting)
    indexer_for(store).sync()
    with store.session() as session:
        row = queries.key_data_set(session, gpid.hex)
        (version,) = queries.versions(session, gpid.hex)
        (first,) = queries.versions(session, gpid_of(client, direct).hex)
    assert (row.readable, row.integrity_ok, row.seller_trader_id, row.issuer) == (True, True, RELAYED_TRADER_ID, relay_of(client, receipt))
    assert version.data == relayed and version.integrity_ok and first.data == direct
    assert [a for a in asked if a[0] == "debug_traceTransaction"] == [("debug_traceTransaction", receipt.transaction_hash)]


def test_without_a_call_trace_a_relayed_registration_is_public_facts_and_the_index_goes_on(
    registry: Any, store: Store, indexer_for: Callable[..., Indexer], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, people = registry.client, registry.people
    _, gpid, receipt = relayed_registration(registry, "RELAYED-2")
    later = key_data_set("AFTER-RELAY-1")
    register(client, people.seller, later)
    real = client.request

    def without_debug(method: str, *params: Any) -> Any:
        if method == "debug_traceTransaction":  # what most public endpoints answer
            raise RpcRefused("the method debug_traceTransaction does not exist/is not available",
                             {"error": {"code": -32601, "message": "the method debug_traceTransaction does not exist/is not available"}})  # fmt: skip
        return real(method, *params)

    monkeypatch.setattr(client, "request", without_debug)
    indexer = indexer_for(store)
    indexer.sync()
    with store.session() as session:
        row = queries.key_data_set(session, gpid.hex)
        (version,) = queries.versions(session, gpid.hex)
        (after,) = queries.versions(session, gpid_of(client, later).hex)
    assert (row.readable, row.format, row.integrity_ok, row.invoice_number) == (False, 1, True, None)
    assert (row.issuer, row.seller_trader_id) == (relay_of(client, receipt), RELAYED_TRADER_ID)
    assert (version.data, version.payload, version.integrity_ok) == (None, None, True)
    assert version.transaction_hash == receipt.transaction_hash
    assert after.data == later, "the registration after it is indexed: the index did not stall"
    assert indexer.status()["cursor"] == client.block_number() and indexer.status()["last_error"] is None


def relay_of(client: RegistryClient, receipt: Any) -> str:
    """The account the registry saw as the caller of a relayed call: the relay (the transaction's ``to``)."""
    return str(client.w3.eth.get_transaction(receipt.transaction_hash)["to"])


def test_check_payload_reports_each_problem_without_a_chain() -> None:
    data = key_data_set()
    commitments = canonical.commitments(data, SALT).as_tuple()
    assert check_payload(canonical.encode_payload(data, SALT), commitments).ok
    wrong_buyer = check_payload(canonical.encode_payload(amended(data, **{"buyer.name": "X"}), SALT), commitments)
    assert wrong_buyer.problems == ("the payload does not match the commitments on chain (differing: buyer)",)
    not_a_data_set = check_payload(canonical.encode_payload({"schema_version": "1"}, SALT), commitments)
    assert not_a_data_set.data == {"schema_version": "1"} and "not a key data set" in not_a_data_set.problem
    unknown_format = check_payload(b"\x02" + SALT, commitments)
    assert unknown_format.data is None and "format 2" in unknown_format.problem
    deflate = zlib.compressobj(wbits=-15)  # the same data written in another key order: still the committed data
    reordered = json.dumps({k: data[k] for k in reversed(list(data))}, separators=(",", ":")).encode()
    assert check_payload(b"\x01" + SALT + deflate.compress(reordered) + deflate.flush(), commitments).ok


# ------------------------------------------------------------------ the loop


def test_run_follows_the_chain_until_stopped(registry: Any, store: Store, indexer_for: Callable[..., Indexer]) -> None:
    indexer = indexer_for(store)
    stop = threading.Event()
    worker = threading.Thread(target=indexer.run, args=(stop, 0.02), daemon=True)
    worker.start()
    try:
        receipt = registry.register(key_data_set("LOOP-1"), SALT)
        deadline = time.monotonic() + 10
        while (indexer.status()["cursor"] or -1) < receipt.block_number and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
        worker.join(timeout=5)
    assert not worker.is_alive()
    with store.session() as session:
        assert queries.key_data_set(session, gpid_of(registry.client, key_data_set("LOOP-1")).hex) is not None


def test_a_sync_reads_no_more_of_the_chain_than_its_new_blocks_need(
    registry: Any, store: Store, indexer_for: Callable[..., Indexer], monkeypatch: pytest.MonkeyPatch
) -> None:
    indexer = indexer_for(store)
    registry.register(key_data_set("IDLE-1"), SALT)
    indexer.sync()
    calls: list[str] = []
    request = registry.client.request
    monkeypatch.setattr(registry.client, "request", lambda method, *params: calls.append(method) or request(method, *params))
    assert indexer.sync() == 0
    assert calls == ["eth_getBlockByNumber"]  # the head block only: no cursor read, no logs

    registry.register(key_data_set("IDLE-2"), SALT)  # one block on top of the indexed one
    calls.clear()
    assert indexer.sync() == 1
    assert calls == ["eth_getBlockByNumber", "eth_getLogs"]  # its parent hash links it to the cursor

    mine(registry.client)
    registry.register(key_data_set("IDLE-3"), SALT)
    calls.clear()
    assert indexer.sync() == 1
    assert calls.count("eth_getBlockByNumber") > 1  # two new blocks: the cursor is checked against the chain
    assert indexer.status()["cursor"] == registry.client.block_number()


def test_a_block_replacing_the_next_one_is_not_taken_for_its_successor(
    registry: Any, store: Store, indexer_for: Callable[..., Indexer]
) -> None:
    client = registry.client
    indexer = indexer_for(store)
    registry.register(key_data_set("NEXT-1"), SALT)
    snapshot = rpc(client, "evm_snapshot")
    registry.register(key_data_set("NEXT-A"), SALT)
    indexer.sync()
    assert rpc(client, "evm_revert", snapshot) is True  # NEXT-A's block is gone...
    registry.register(key_data_set("NEXT-B"), SALT)
    mine(client)  # ... and the head is one above it, on another branch
    assert indexer.sync() == 1
    with store.session() as session:
        assert queries.key_data_set(session, gpid_of(client, key_data_set("NEXT-A")).hex) is None
        assert queries.key_data_set(session, gpid_of(client, key_data_set("NEXT-B")).hex) is not None
    assert indexer.status()["reorgs"] == 1


def test_an_unreachable_chain_is_reported_and_retried(store: Store) -> None:
    client = RegistryClient.connect(f"http://127.0.0.1:{free_port()}", "0x" + "11" * 20)
    indexer = Indexer(store, client)
    stop = threading.Event()
    worker = threading.Thread(target=indexer.run, args=(stop, 0.01), daemon=True)
    worker.start()
    time.sleep(0.3)
    stop.set()
    worker.join(timeout=5)
    assert not worker.is_alive(), "the loop swallows the outage and stops when asked"
    status = indexer.status()
    assert "cannot be reached" in status["last_error"]
    assert (status["cursor"], status["lag"], status["synced"]) == (None, None, False)
