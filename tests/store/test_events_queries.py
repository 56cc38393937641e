"""The event feed's query on SQLite and PostgreSQL: every kind of event in chain order after a
position, only about key data sets the caller may read (the read rule's SQL, including the grounds
whose subqueries read the same tables as the events: grants and declaration links)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from store.test_webhook_queue import SELLER, START, index_registration

from gpid_node.store.database import Store
from gpid_node.store.events_queries import AMENDED, GRANTED, LINKED, REGISTERED, VERIFIED, Caller, events_after, last_position
from gpid_node.store.tables import DeclarationLinkRow, GrantRow, KeyDataSetRow, VerificationRow, VersionRow

BROKER = "0x" + "33" * 20
STRANGER = "0x" + "44" * 20
TX = "0x" + "ef" * 32


def history(store: Store) -> str:
    """A key data set registered in block 10, then in block 11 a grant to BROKER (log 0), a declaration
    linked by BROKER (log 1), a verification (log 2), and in block 12 an amendment (log 3); a revocation
    in block 13 (not an event)."""
    gpid_text = index_registration(store, block=10)
    with store.session() as session:
        gpid = _by_text(session, gpid_text).gpid
        session.add(GrantRow(gpid=gpid, grantee=BROKER, granter=SELLER, active=True, wrapped_key="0x00", time=START, block_number=11,
                             transaction_hash=TX, log_index=0))  # fmt: skip
        session.add(DeclarationLinkRow(gpid=gpid, country="DE", reference="26DE1", reference_key=TX, direction="export", linker=BROKER,
                                       time=START, block_number=11, transaction_hash=TX, log_index=1))  # fmt: skip
        session.add(VerificationRow(gpid=gpid, reference_key=TX, customs=STRANGER, country="DE", version=1, outcome="match",
                                    time=START, block_number=11, transaction_hash=TX, log_index=2))  # fmt: skip
        session.add(VersionRow(gpid=gpid, version=2, author=SELLER, time=START, reason_code=1, reason="recount", changed_sections=4,
                               changed_fields=["goods[0].packages"], commitments=[], digest="0x" + "00" * 32, integrity_ok=True,
                               block_number=12, block_hash="0x" + "cd" * 32, transaction_hash=TX, log_index=3))  # fmt: skip
        session.add(GrantRow(gpid=gpid, grantee=BROKER, granter=SELLER, active=False, wrapped_key=None, time=START, block_number=13,
                             transaction_hash=TX, log_index=0))  # fmt: skip
    return gpid_text


def _by_text(session: Session, gpid_text: str) -> KeyDataSetRow:
    return session.scalar(select(KeyDataSetRow).where(KeyDataSetRow.gpid_text == gpid_text))


def test_events_come_in_chain_order_only_to_who_may_read_them(store: Store) -> None:
    gpid = history(store)
    seller, broker = Caller("seller", SELLER, None, None), Caller("broker", BROKER, None, None)
    with store.session() as session:
        events = events_after(session, seller, None, 100)
        assert [(e.block, e.log_index, e.type) for e in events] == [
            (10, 0, REGISTERED), (11, 0, GRANTED), (11, 1, LINKED), (11, 2, VERIFIED), (12, 3, AMENDED)]  # fmt: skip
        assert {e.gpid for e in events} == {gpid} and events[-1].facts["changed_fields"] == ["goods[0].packages"]
        assert [e.type for e in events_after(session, broker, None, 100)] == [e.type for e in events]  # a grantee reads it all
        assert events_after(session, Caller("broker", STRANGER, None, None), None, 100) == []
        assert events_after(session, Caller("customs", STRANGER, None, "FR"), None, 100) == []
        assert len(events_after(session, Caller("customs", STRANGER, None, "DE"), None, 100)) == 5  # declared in DE
        assert [(e.block, e.log_index) for e in events_after(session, seller, (11, 0), 2)] == [(11, 1), (11, 2)]
        assert [e.type for e in events_after(session, seller, None, 100, (AMENDED, LINKED))] == [LINKED, AMENDED]
        assert last_position(session) == (13, 0)
