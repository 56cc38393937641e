"""The one check against registering an invoice twice, and the outbox reads of the services, on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from gpid_node.chain.writes import Amend, Register
from gpid_node.domain.gpid import GPID
from gpid_node.services.outbox import Outbox
from gpid_node.store import submissions
from gpid_node.store.database import Store
from gpid_node.store.tables import FAILED, MINED, KeyDataSetRow, OutboxEntry

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
SENDER = "0x" + "11" * 20


REGISTER = Register(b"\x01" * 32, (b"\x00" * 32,) * 5, b"\x01")  # what it registers does not matter here


def gpid(n: int) -> str:
    return f"0x{n:032x}"


def indexed(session: Session, n: int, seller: int | None = None, number: str | None = None) -> None:
    session.add(KeyDataSetRow(
        gpid=gpid(n), gpid_text=f"GP{n:028d}", issuer=SENDER, seller_trader_key=f"0x{seller or n:064x}",
        invoice_key=f"0x{n + 1000:064x}", invoice_number=number, current_version=1, integrity_ok=True, registered_at=NOW,
        updated_at=NOW, registered_block=n,
    ))  # fmt: skip


def test_registered_invoices_finds_the_sellers_own_rows_by_invoice_number(store: Store) -> None:
    # The node's own check behind a lost trader secret: the same invoice number of the same seller
    # under another invoice key (another GPID) is found; another seller's, or an unread one, is not.
    with store.session() as session:
        indexed(session, 1, seller=7, number="RM-2026-1")
        indexed(session, 2, seller=8, number="RM-2026-1")
        indexed(session, 3, seller=7, number=None)
        indexed(session, 4, seller=7, number="rm-2026-2")
    with store.session() as session:
        assert submissions.registered_invoices(session, f"0x{7:064x}", ["RM-2026-1", "RM-2026-9"]) == [(gpid(1), f"GP{1:028d}", "RM-2026-1")]
        assert submissions.registered_invoices(session, f"0x{7:064x}", ["rm-2026-2", "RM-2026-2"]) == [(gpid(4), f"GP{4:028d}", "rm-2026-2")]
        assert submissions.registered_invoices(session, f"0x{7:064x}", []) == []


def test_known_registrations_names_indexed_and_queued_gpids_and_forgets_refused_ones(store: Store) -> None:
    with store.session() as session:
        indexed(session, 1)  # in the index only
        indexed(session, 2)  # in the index, and its registration entry still in the outbox
        queued = {n: Outbox.record(session, SENDER, REGISTER, gpid(n)) for n in (2, 3, 4, 5)}
        Outbox.record(session, SENDER, Amend(GPID(bytes(15) + b"\x06"), (), (), 1, "x", b"\x01"), gpid(6))  # not a registration
    with store.session() as session:
        session.get(OutboxEntry, queued[4]).status = FAILED  # refused: may be registered again
        session.get(OutboxEntry, queued[5]).status = MINED  # mined, not yet indexed: still known
    with store.transaction() as connection:
        known = submissions.known_registrations(connection, [gpid(n) for n in range(1, 8)])
    assert known == {gpid(1): None, gpid(2): queued[2], gpid(3): queued[3], gpid(5): queued[5]}
    with store.session() as session:
        assert submissions.known_registrations(session, [gpid(7)]) == {}
        assert submissions.known_registrations(session, []) == {}


def test_finished_lists_only_mined_and_refused_entries(store: Store) -> None:
    with store.session() as session:
        ids = [Outbox.record(session, SENDER, REGISTER, gpid(n)) for n in range(3)]
    with store.session() as session:
        session.get(OutboxEntry, ids[0]).status = MINED
        row = session.get(OutboxEntry, ids[1])
        row.status, row.error = FAILED, {"type": "InvoiceAlreadyRegistered"}
    with store.session() as session:
        finished = {r.id: (r.status, r.error) for r in submissions.finished(session, ids)}
        assert finished == {ids[0]: (MINED, None), ids[1]: (FAILED, {"type": "InvoiceAlreadyRegistered"})}
        assert submissions.entry(session, ids[2]).status == "pending"
        assert submissions.entry(session, 10**6) is None
