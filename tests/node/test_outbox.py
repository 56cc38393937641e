"""The durable outbox on a real anvil and a real SQLite file: nothing lost, nothing duplicated."""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from gpid_node.chain.abi import event_topic
from gpid_node.chain.client import RegistryClient
from gpid_node.chain.keystore import Keyring
from gpid_node.domain import canonical, errors
from gpid_node.domain.gpid import GPID
from gpid_node.chain.writes import Link, Register
from gpid_node.services.outbox import FAILED, MINED, OUTBOX_LEASE, PENDING, SENT, Outbox, gas_limit
from gpid_node.store.database import Store
from gpid_node.store.lease import Lease
from gpid_node.store.tables import OutboxEntry
from support.builders import SELLER_TRADER_ID, key_data_set
from support.invoice_keys import invoice_key
from support.waiting import wait_until

SELLER_KEY = canonical.trader_key(SELLER_TRADER_ID)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(f"sqlite:///{tmp_path / 'index.sqlite3'}")
    s.migrate()
    return s


@pytest.fixture
def outbox(store: Store, registry: Any) -> Outbox:
    client = RegistryClient(registry.client.w3, registry.client.address)  # its own, tests patch it
    keyring = Keyring({"seller": registry.people.seller, "broker": registry.people.broker})
    return Outbox(store, client, keyring, batch_size=10, poll_s=0.01)


def request_for(number: str, salt: bytes | None = None) -> Register:
    data = key_data_set(number, lines=2)
    salt = salt or os.urandom(32)
    return Register(invoice_key(SELLER_KEY, number), canonical.commitments(data, salt).as_tuple(), canonical.encode_payload(data, salt))


def record(store: Store, sender: str, numbers: list[str]) -> list[int]:
    with store.session() as session:
        return [Outbox.record(session, sender, request_for(n)) for n in numbers]


def entries(store: Store) -> list[OutboxEntry]:
    with store.session() as session:
        return list(session.scalars(select(OutboxEntry).order_by(OutboxEntry.id)))


def on_chain(registry: Any, number: str) -> bool:
    gpid = registry.client.gpid_for(SELLER_KEY, invoice_key(SELLER_KEY, number))
    return registry.client.record_of(gpid).issuer != "0x" + "0" * 40


def test_concurrent_registrations_go_out_in_batches(outbox: Outbox, store: Store, registry: Any) -> None:
    record(store, registry.people.seller.address, [f"B-{i}" for i in range(25)])
    outbox.drain(timeout_s=60)
    rows = entries(store)
    assert {r.status for r in rows} == {MINED}
    assert len({r.transaction_hash for r in rows}) == 3  # 10 + 10 + 5
    for i, row in enumerate(rows):
        gpid = registry.client.gpid_for(SELLER_KEY, invoice_key(SELLER_KEY, f"B-{i}"))
        assert row.result["gpid"] == str(gpid) and row.result["block"] == row.block_number


def test_duplicate_invoice_fails_with_the_existing_gpid_and_the_rest_go_on(outbox: Outbox, store: Store, registry: Any) -> None:
    registry.register(key_data_set("DUP-1", lines=2))
    record(store, registry.people.seller.address, ["OK-1", "DUP-1", "OK-2"])
    outbox.drain(timeout_s=60)
    ok1, dup, ok2 = entries(store)
    assert (ok1.status, dup.status, ok2.status) == (MINED, FAILED, MINED)
    assert dup.error["type"] == "InvoiceAlreadyRegistered"
    assert dup.error["details"]["gpid"] == str(registry.client.gpid_for(SELLER_KEY, invoice_key(SELLER_KEY, "DUP-1")))


def test_crash_between_commit_and_broadcast_sends_the_same_transaction_once(outbox: Outbox, store: Store, registry: Any) -> None:
    (entry_id,) = record(store, registry.people.seller.address, ["CRASH-1"])
    outbox.client.broadcast = lambda raw: (_ for _ in ()).throw(SystemExit("killed"))  # type: ignore[method-assign]
    with pytest.raises(SystemExit):
        outbox.step()
    (row,) = entries(store)
    assert row.status == SENT and row.raw_transaction and not on_chain(registry, "CRASH-1")
    restarted = Outbox(store, RegistryClient(registry.client.w3, registry.client.address),
                       Keyring({"s": registry.people.seller}), poll_s=0.01)  # fmt: skip
    restarted.drain(timeout_s=30)
    (row,) = entries(store)
    assert row.status == MINED and on_chain(registry, "CRASH-1")
    assert row.transaction_hash == row.result["transaction"]


def test_entry_whose_block_was_lost_is_sent_again(outbox: Outbox, store: Store, registry: Any) -> None:
    w3 = registry.client.w3
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
    record(store, registry.people.seller.address, ["LOST-1"])
    outbox.drain(timeout_s=30)
    (mined,) = entries(store)
    assert mined.status == MINED
    w3.provider.make_request("evm_revert", [snapshot])  # the chain forgets the block
    w3.provider.make_request("evm_mine", [])
    assert not on_chain(registry, "LOST-1")
    counts = outbox.reconcile()
    assert counts["lost"] == 1
    assert entries(store)[0].status in (PENDING, SENT)
    outbox.drain(timeout_s=30)
    (again,) = entries(store)
    assert again.status == MINED and on_chain(registry, "LOST-1")
    assert again.block_hash != mined.block_hash


def test_registration_already_on_chain_with_the_same_commitments_is_adopted(outbox: Outbox, store: Store, registry: Any) -> None:
    salt = b"\x09" * 32
    request = request_for("ADOPT-1", salt)
    registry.register(key_data_set("ADOPT-1", lines=2), salt=salt)  # e.g. sent before a crash lost our record of it
    with store.session() as session:
        Outbox.record(session, registry.people.seller.address, request)
    outbox.drain(timeout_s=30)
    (row,) = entries(store)
    assert row.status == MINED and row.result["gpid"] == str(registry.client.gpid_for(SELLER_KEY, invoice_key(SELLER_KEY, "ADOPT-1")))


def test_rows_written_by_the_previous_code_in_its_json_form_are_sent(outbox: Outbox, store: Store, registry: Any) -> None:
    """An existing database keeps working: entries recorded before writes were typed (their requests
    hex dicts, inserted here as that code inserted them) are sent, mined and give their results. A
    registration recorded before invoice keys (it names the invoice number, which the registry no
    longer takes) fails with its reason instead of blocking the outbox."""
    number, reference = "OLD-JSON-1", "26DEOLDJSON00001"
    registry.register(key_data_set(number, lines=2))
    gpid = registry.client.gpid_for(SELLER_KEY, invoice_key(SELLER_KEY, number))
    data, salt = key_data_set("OLD-JSON-2", lines=2), os.urandom(32)
    register = {"invoice_number": "OLD-JSON-2", "commitments": ["0x" + c.hex() for c in canonical.commitments(data, salt).as_tuple()],
                "payload": "0x" + canonical.encode_payload(data, salt).hex()}  # fmt: skip
    link = {"gpid": gpid.hex, "reference": reference, "country": "0x" + b"DE".hex(), "direction": 1}
    now = datetime.now(UTC)
    with store.session() as session:
        for kind, sender, request in (("register", registry.people.seller.address, register),
                                      ("link", registry.people.broker.address, link)):  # fmt: skip
            session.add(OutboxEntry(kind=kind, status=PENDING, sender=sender, request=request, gpid=gpid.hex,
                                    attempts=0, created_at=now, updated_at=now))  # fmt: skip
    outbox.drain(timeout_s=30)
    registered, linked = entries(store)
    assert (registered.status, linked.status) == (FAILED, MINED), (registered.error, linked.error)
    assert "no invoice key" in str(registered.error) and registered.request == register
    assert linked.request == link
    assert registry.client.view("isLinked", gpid.raw, b"DE", reference) and links_of(registry, gpid) == 1


def test_wait_returns_when_the_entry_is_mined(outbox: Outbox, store: Store, registry: Any) -> None:
    stop = threading.Event()
    worker = threading.Thread(target=outbox.run, args=(stop,), daemon=True)
    worker.start()
    try:
        ids = record(store, registry.people.seller.address, ["WAIT-1"])
        (row,) = outbox.wait(ids, timeout_s=20)
        assert row.status == MINED
        assert outbox.depth() == 0
    finally:
        stop.set()
        worker.join(timeout=5)


def test_an_idle_worker_sends_at_once_when_woken(
    outbox: Outbox, store: Store, registry: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import gpid_node.services.outbox

    # With nothing in flight the worker waits for a wake-up instead of polling; were one lost (sent
    # while the worker was busy with a round), the entry would wait for this whole pause.
    monkeypatch.setattr(gpid_node.services.outbox, "IDLE_WAIT_S", 60.0)
    stop = threading.Event()
    worker = threading.Thread(target=outbox.run, args=(stop,), daemon=True)
    worker.start()
    try:
        for n in range(5):
            ids = record(store, registry.people.seller.address, [f"IDLE-{n}"])
            (row,) = outbox.wait(ids, timeout_s=20)  # wakes the worker
            assert row.status == MINED
    finally:
        stop.set()
        outbox.wake()
        worker.join(timeout=5)
    assert not worker.is_alive()


def test_after_a_refused_broadcast_a_senders_entries_are_still_mined_in_the_order_recorded(
    store: Store, registry: Any
) -> None:
    # the account sends a transaction behind the outbox's back: its next nonce is refused (nonce too
    # low), and the sender's later entry must not overtake the refused one with the nonce re-read
    seller = registry.people.seller
    outbox = Outbox(store, RegistryClient(registry.client.w3, registry.client.address), Keyring({"seller": seller}),
                    batch_size=1, poll_s=0.01)  # fmt: skip
    record(store, seller.address, ["ORDER-0"])
    outbox.drain(timeout_s=30)  # the outbox now knows the seller's next nonce
    registry.register(key_data_set("ORDER-ELSEWHERE", lines=2))
    first, second = record(store, seller.address, ["ORDER-1", "ORDER-2"])
    for _ in range(100):  # rounds without drain's reconcile, which would re-read the nonce first
        if not outbox.depth():
            break
        outbox.step()
    rows = {r.id: r for r in entries(store)}
    assert rows[first].status == rows[second].status == MINED
    assert rows[first].nonce < rows[second].nonce and rows[first].block_number < rows[second].block_number


def test_entry_for_a_key_this_node_does_not_hold_fails_clearly(outbox: Outbox, store: Store, registry: Any) -> None:
    record(store, registry.people.stranger.address, ["NOKEY-1"])
    outbox.step()
    (row,) = entries(store)
    assert row.status == FAILED and "holds no key" in row.error["message"]


# ---------------------------------------------------------------------- entries that need an earlier one
# After the chain lost blocks (a reorg, anvil restarted from an older dump) the node sends again a
# registration and the link that needs it: they are pending together, or the link was sent before and
# is broadcast again. The link must go out, and be judged, only once the registration is mined.


def link_request(gpid: GPID, reference: str) -> Link:
    return Link(gpid, reference, "DE", 1)


def rpc(registry: Any, method: str, *params: Any) -> Any:
    answer = registry.client.w3.provider.make_request(method, list(params))
    assert "error" not in answer, answer
    return answer["result"]


def record_registration_and_link(store: Store, registry: Any, number: str, reference: str) -> GPID:
    gpid = registry.client.gpid_for(SELLER_KEY, invoice_key(SELLER_KEY, number))
    with store.session() as session:
        Outbox.record(session, registry.people.seller.address, request_for(number), gpid.hex)
        Outbox.record(session, registry.people.broker.address, link_request(gpid, reference), gpid.hex)
    return gpid


def sent_before_restart(outbox: Outbox, store: Store, entry_id: int, sender: Any, request: Link) -> None:
    """Makes a pending link entry look as the node leaves one it had sent when the chain went away:
    signed with the sender's next nonce, kept on the entry, never broadcast (reconcile broadcasts it)."""
    call = request.call()
    data = outbox.client.encode(call.function, *call.args)
    nonce = outbox.client.next_nonce(sender.address)
    signed = outbox.client.sign(sender, data, nonce, gas_limit(data, 1))
    with store.session() as session:
        session.execute(update(OutboxEntry).where(OutboxEntry.id == entry_id).values(
            status=SENT, transaction_hash=signed.hash, nonce=nonce, batch_id=entry_id, raw_transaction=signed.raw.hex()))  # fmt: skip


def links_of(registry: Any, gpid: GPID) -> int:
    return len(registry.client.find_logs(event_topic("DeclarationLinked"), gpid.raw))


def test_a_link_pending_with_the_registration_it_needs_goes_out_once_that_is_mined(
    outbox: Outbox, store: Store, registry: Any
) -> None:
    gpid = record_registration_and_link(store, registry, "NEEDS-1", "26DENEEDS0000001")
    rpc(registry, "evm_setAutomine", False)  # the registration stays unmined, as it does for a moment on anvil
    try:
        outbox.step()
        assert [r.status for r in entries(store)] == [SENT, PENDING]
        outbox.step()
        assert [r.status for r in entries(store)] == [SENT, PENDING], "the link went out before its registration was mined"
    finally:
        rpc(registry, "evm_setAutomine", True)
    rpc(registry, "evm_mine")
    outbox.drain(timeout_s=30)
    assert [r.status for r in entries(store)] == [MINED, MINED]
    assert registry.client.view("isLinked", gpid.raw, b"DE", "26DENEEDS0000001") and links_of(registry, gpid) == 1


def test_a_link_broadcast_again_before_the_registration_it_needs_is_sent_again_not_failed(
    outbox: Outbox, store: Store, registry: Any
) -> None:
    gpid = record_registration_and_link(store, registry, "NEEDS-2", "26DENEEDS0000002")
    register_id, link_id = (r.id for r in entries(store))
    # The link as the node had sent it before the chain restarted; the registration it needs is pending
    # again (its block was lost).
    sent_before_restart(outbox, store, link_id, registry.people.broker, link_request(gpid, "26DENEEDS0000002"))
    outbox.reconcile()  # broadcasts the link again: it runs at once, before the registration, and reverts
    outbox.drain(timeout_s=30)
    register, link = entries(store)
    assert (register.id, link.id) == (register_id, link_id)
    assert (register.status, link.status) == (MINED, MINED), link.error
    assert link.block_number > register.block_number
    assert registry.client.view("isLinked", gpid.raw, b"DE", "26DENEEDS0000002") and links_of(registry, gpid) == 1


def link_sent_after_the_same_link_was_made(outbox: Outbox, store: Store, registry: Any, number: str) -> GPID:
    """A registered invoice and a link entry for it, signed and kept as sent, after the broker made the
    very same link by other means: broadcast, the entry's transaction is mined and reverts."""
    registry.register(key_data_set(number, lines=2))
    gpid = registry.client.gpid_for(SELLER_KEY, invoice_key(SELLER_KEY, number))
    reference = f"26DE{number.replace('-', ''):0>12}"
    request = link_request(gpid, reference)
    with store.session() as session:
        link_id = Outbox.record(session, registry.people.broker.address, request, gpid.hex)
    registry.client.transact(registry.people.broker, "linkDeclaration", gpid.raw, reference, b"DE", 1)
    sent_before_restart(outbox, store, link_id, registry.people.broker, request)
    return gpid


def test_a_mined_revert_whose_refusal_stands_fails_with_the_contracts_reason(
    outbox: Outbox, store: Store, registry: Any
) -> None:
    """The state changed between the pre-flight and the block (here: the same declaration linked by
    the broker's other software): the entry fails with the contract's refusal, and is not sent again."""
    gpid = link_sent_after_the_same_link_was_made(outbox, store, registry, "RACED-1")
    outbox.reconcile()
    outbox.drain(timeout_s=30)
    (link,) = entries(store)
    assert link.status == FAILED and link.error["type"] == "DeclarationAlreadyLinked", link.error
    assert link.attempts == 0 and links_of(registry, gpid) == 1


def test_a_mined_revert_met_by_a_chain_outage_is_explained_once_the_chain_answers(
    outbox: Outbox, store: Store, registry: Any
) -> None:
    """Explaining a revert calls the chain: a chain that stops answering then leaves the entry sent
    (the worker backs off), it does not fail it with ChainUnavailable."""
    link_sent_after_the_same_link_was_made(outbox, store, registry, "RACED-2")
    (sent,) = entries(store)
    outbox.client.broadcast(bytes.fromhex(sent.raw_transaction))
    deadline = time.monotonic() + 10
    while outbox.client.receipt(sent.transaction_hash) is None and time.monotonic() < deadline:
        time.sleep(0.01)  # anvil mines a moment after accepting
    assert not outbox.client.receipt(sent.transaction_hash).succeeded
    simulate = outbox.client.simulate

    def unreachable(*args: Any, **kwargs: Any) -> bytes:
        raise errors.ChainUnavailable("the chain does not answer")

    outbox.client.simulate = unreachable  # type: ignore[method-assign]
    try:
        with pytest.raises(errors.ChainUnavailable):
            outbox.step()
        assert entries(store)[0].status == SENT
    finally:
        outbox.client.simulate = simulate  # type: ignore[method-assign]
    outbox.drain(timeout_s=30)
    (link,) = entries(store)
    assert link.status == FAILED and link.error["type"] == "DeclarationAlreadyLinked", link.error


# ---------------------------------------------------------------------- one worker per database


def test_a_second_worker_on_the_database_stands_by_and_takes_over_when_the_first_stops(
    outbox: Outbox, store: Store, registry: Any
) -> None:
    """A CLI command run while the node runs has a worker of its own on the node's database. Only one
    may send: two would each send the entries they find pending (a link twice: the second is refused
    and its entry marked failed, though the link is on chain)."""
    keyring = Keyring({"seller": registry.people.seller, "broker": registry.people.broker})
    command = Outbox(store, RegistryClient(registry.client.w3, registry.client.address), keyring, poll_s=0.01)
    gpids = []
    for i in range(6):
        registry.register(key_data_set(f"TWO-WORKERS-{i}", lines=1))
        gpids.append(registry.client.gpid_for(SELLER_KEY, invoice_key(SELLER_KEY, f"TWO-WORKERS-{i}")))
    node_stop, command_stop = threading.Event(), threading.Event()
    node_worker = threading.Thread(target=outbox.run, args=(node_stop,), daemon=True)
    command_worker = threading.Thread(target=command.run, args=(command_stop,), daemon=True)
    try:
        node_worker.start()
        wait_until(lambda: outbox.sent_transactions == 0 and not lease_free(store), 30, "the node's worker holds the lease", every_s=0.02)
        command_worker.start()
        wait_until(lambda: command.standing_by, 30, "the command's worker stands by", every_s=0.02)

        # The command records links and wakes its own worker only, as `gpid-node link` does.
        with store.session() as session:
            for i, gpid in enumerate(gpids[:5]):
                Outbox.record(session, registry.people.broker.address, link_request(gpid, f"26DETWO00000000{i}"), gpid.hex)
        command.wake()
        wait_until(lambda: {r.status for r in entries(store)} == {MINED}, 30, "the node's worker mined them", every_s=0.02)
        assert (outbox.sent_transactions, command.sent_transactions) == (5, 0)

        node_stop.set()  # the node stops: the command's worker takes over
        node_worker.join(timeout=10)
        with store.session() as session:
            Outbox.record(session, registry.people.broker.address, link_request(gpids[5], "26DETWO000000005"), gpids[5].hex)
        command.wake()
        wait_until(lambda: {r.status for r in entries(store)} == {MINED}, 30, "the command's worker mined it", every_s=0.02)
        assert command.sent_transactions == 1 and not command.standing_by
        assert all(links_of(registry, gpid) == 1 for gpid in gpids)
    finally:
        node_stop.set()
        command_stop.set()
        node_worker.join(timeout=10)
        command_worker.join(timeout=10)


def lease_free(store: Store) -> bool:
    probe = Lease(store, OUTBOX_LEASE)
    free = probe.acquire()
    probe.release()
    return free
