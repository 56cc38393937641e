"""The index fingerprint: the same chain content gives the same hash on any database and whatever
encryption keys the node holds; any public difference, the rights concept's histories included,
changes it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from eth_utils import to_checksum_address

from gpid_node.store.database import Store
from gpid_node.store.fingerprint import FINGERPRINTED, fingerprint
from gpid_node.store.tables import (
    AmendmentDelegateRow,
    CustomsAccountRow,
    EncryptionKeyRow,
    GrantRow,
    KeyDataSetRow,
    MandateRow,
    VersionRow,
)

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
SELLER, BROKER, CUSTOMS = (to_checksum_address(f"0x{n:040x}") for n in (0xA1, 0xB1, 0xC1))
GPID2, GPID1 = "0x" + "02" * 16, "0x" + "01" * 16
DATA = {"invoice": {"number": "INV-2"}, "buyer": {"name": "Thames Tools Ltd"}}


def _fill(store: Store, *, readable: bool) -> None:
    """One format-2 key data set (with its data when ``readable``: this node's keys open it), one format-1
    one, and a row of each rights table."""
    hidden = {} if readable else {"buyer_trader_id": None, "seller_country": None, "buyer_country": None,
                                  "invoice_number": None, "content_key": None, "seed": None}  # fmt: skip
    with store.session() as session:
        for gpid, fmt in ((GPID2, 2), (GPID1, 1)):
            values: dict[str, Any] = {
                "gpid": gpid, "gpid_text": f"GP{fmt:028d}", "issuer": SELLER, "seller_trader_key": "0x" + "aa" * 32,
                "invoice_key": f"0x{fmt:064x}", "seller_trader_id": "EORI:DE123456789012345",
                "buyer_trader_id": "EORI:GB123456789000", "seller_country": "DE", "buyer_country": "GB",
                "invoice_number": f"INV-{fmt}", "current_version": 1, "integrity_ok": True, "registered_at": NOW,
                "updated_at": NOW, "registered_block": 5, "format": fmt, "readable": True,
                "content_key": "0x" + "cc" * 32 if fmt == 2 else None, "seed": "0x" + "dd" * 32 if fmt == 2 else None,
            }  # fmt: skip
            if fmt == 2:
                values.update(hidden, readable=readable)
            session.add(KeyDataSetRow(**values))
            session.flush()
            session.add(VersionRow(
                gpid=gpid, version=1, author=SELLER, time=NOW, reason_code=0, reason=None, changed_sections=15,
                changed_fields=[], data=DATA if readable or fmt == 1 else None,
                salt="0x" + "dd" * 32 if readable or fmt == 1 else None, commitments=["0x" + "11" * 32] * 5,
                digest="0x" + "22" * 32, integrity_ok=True, integrity_problem=None, block_number=5,
                block_hash="0x" + "33" * 32, transaction_hash="0x" + "44" * 32, log_index=0,
                payload=b"\\x02sealed" if fmt == 2 else None,
            ))  # fmt: skip
        at = {"time": NOW, "block_number": 6}
        tx = {"transaction_hash": "0x" + "55" * 32}
        session.add(EncryptionKeyRow(account=BROKER, key_id="0x" + "66" * 32, public_key="0x" + "77" * 32, log_index=0, **at))
        session.add(CustomsAccountRow(account=CUSTOMS, country="GB", log_index=1, **at))
        session.add(MandateRow(trader_key="0x" + "aa" * 32, agent=BROKER, direction="export", active=True, log_index=2, **at, **tx))
        session.add(GrantRow(gpid=GPID2, grantee=BROKER, granter=SELLER, active=True, wrapped_key="0x" + "88" * 112,
                             log_index=3, **at, **tx))  # fmt: skip
        session.add(AmendmentDelegateRow(gpid=GPID2, delegate=BROKER, allowed=True, log_index=4, **at, **tx))


def _print(store: Store) -> dict[str, Any]:
    with store.session() as session:
        return fingerprint(session)


def test_the_rights_tables_are_fingerprinted(make_store: Callable[[], Store]) -> None:
    store = make_store()
    _fill(store, readable=True)
    tables = _print(store)["tables"]
    assert set(tables) == {model.__tablename__ for model in FINGERPRINTED}
    for name in ("encryption_keys", "customs_accounts", "mandates", "grants", "amendment_delegates"):
        assert tables[name]["rows"] == 1, name


def test_nodes_with_different_keys_agree_and_a_public_difference_shows(make_store: Callable[[], Store]) -> None:
    holder, stranger, other = make_store(), make_store(), make_store()
    _fill(holder, readable=True)  # its keys open the format-2 key data set
    _fill(stranger, readable=False)  # public facts only
    assert _print(holder) == _print(stranger)

    _fill(other, readable=False)
    with other.session() as session:  # a grant revoked on one node's chain only: a public difference
        session.add(GrantRow(gpid=GPID2, grantee=BROKER, granter=SELLER, active=False, wrapped_key=None, time=NOW,
                             block_number=7, transaction_hash="0x" + "99" * 32, log_index=0))  # fmt: skip
    assert _print(other)["tables"]["grants"] != _print(stranger)["tables"]["grants"]
    with stranger.session() as session:  # format 1 data is public: a difference there shows
        row = session.get(VersionRow, (GPID1, 1))
        assert row is not None
        row.data = {**DATA, "buyer": {"name": "Other Ltd"}}
    assert _print(stranger)["tables"]["versions"] != _print(holder)["tables"]["versions"]
