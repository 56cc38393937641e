"""The rights lookups over the history tables of migration 0003: the newest row per key is the state
(an unbound account, a Customs account moved to another country, a mandate withdrawn, a rotated
key, a revoked grant), filled here directly, in chain order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from gpid_node.domain.addresses import checksum
from gpid_node.store import access_queries as aq
from gpid_node.store.database import Store
from gpid_node.store.tables import (
    CustomsAccountRow,
    EncryptionKeyRow,
    GrantRow,
    KeyDataSetRow,
    MandateRow,
    TraderBindingRow,
)

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SELLER_KEY, BUYER_KEY = "0x" + "aa" * 32, "0x" + "bb" * 32
GPID_HEX = "0x" + "01" * 16
A, B, C, D = (checksum(f"0x{n:040x}") for n in (0xA1C0FFEE, 0xB2C0FFEE, 0xC3C0FFEE, 0xD4C0FFEE))


class Chain:
    """Rows in chain order: each one a log later than the one before."""

    def __init__(self) -> None:
        self.n = 0

    def at(self) -> dict[str, Any]:
        self.n += 1
        return {"time": T0 + timedelta(minutes=self.n), "block_number": self.n, "log_index": 0}

    def tx(self) -> dict[str, Any]:
        return {**self.at(), "transaction_hash": "0x" + f"{self.n + 1:064x}"}


def add(store: Store, *rows: Any) -> None:
    with store.session() as session:
        session.add_all(rows)


def test_recipients_follow_the_newest_binding_customs_country_and_key(store: Store) -> None:
    c = Chain()
    add(store,
        TraderBindingRow(trader_key=BUYER_KEY, trader_id="EORI:GB1", account=A, bound=True, **c.at()),
        TraderBindingRow(trader_key=BUYER_KEY, trader_id="EORI:GB1", account=B, bound=True, **c.at()),
        TraderBindingRow(trader_key=BUYER_KEY, trader_id=None, account=A, bound=False, **c.at()),
        CustomsAccountRow(account=C, country="DE", **c.at()),
        CustomsAccountRow(account=D, country="DE", **c.at()),
        CustomsAccountRow(account=D, country="FR", **c.at()),
        EncryptionKeyRow(account=B, key_id="0x" + "01" * 32, public_key="0x" + "11" * 32, **c.at()),
        EncryptionKeyRow(account=B, key_id="0x" + "02" * 32, public_key="0x" + "22" * 32, **c.at()),
        EncryptionKeyRow(account=C, key_id="0x" + "03" * 32, public_key="0x" + "33" * 32, **c.at()),
    )  # fmt: skip
    with store.session() as session:
        assert aq.bound_accounts(session, BUYER_KEY) == [B]
        assert aq.customs_accounts(session, "DE") == [C]
        assert aq.customs_accounts(session, "FR") == [D]
        keys = aq.current_keys(session, [B, C, D, B.lower()])
    assert set(keys) == {B, C}
    assert (keys[B].public_key, keys[B].key_id) == (b"\x22" * 32, b"\x02" * 32)  # the rotated key is current


def test_mandates_are_the_newest_row_per_agent_and_direction(store: Store) -> None:
    c = Chain()
    add(store,
        MandateRow(trader_key=SELLER_KEY, agent=A, direction="export", active=True, **c.tx()),
        MandateRow(trader_key=SELLER_KEY, agent=A, direction="import", active=True, **c.tx()),
        MandateRow(trader_key=SELLER_KEY, agent=A, direction="import", active=False, **c.tx()),
        MandateRow(trader_key=SELLER_KEY, agent=B, direction="export", active=False, **c.tx()),
        MandateRow(trader_key=SELLER_KEY, agent=B, direction="export", active=True, **c.tx()),
        MandateRow(trader_key=BUYER_KEY, agent=C, direction="import", active=True, **c.tx()),
    )  # fmt: skip
    with store.session() as session:
        states = aq.mandates_of(session, SELLER_KEY)
        assert [(m.agent, m.direction) for m in states] == [(A, "export"), (B, "export")]
        assert states[1].since == T0 + timedelta(minutes=5)
        assert aq.mandated_agents(session, SELLER_KEY) == [A, B]
        assert aq.active_mandate(session, SELLER_KEY, A.lower(), "export")
        assert not aq.active_mandate(session, SELLER_KEY, A, "import")
        assert not aq.active_mandate(session, SELLER_KEY, C, "import")


def test_grants_keep_their_history_and_the_content_key_is_read_back(store: Store) -> None:
    c = Chain()
    add(store, KeyDataSetRow(
        gpid=GPID_HEX, gpid_text="GPTEST", issuer=A, seller_trader_key=SELLER_KEY, invoice_key="0x" + "cc" * 32,
        current_version=1, integrity_ok=True, registered_at=T0, updated_at=T0, registered_block=1, format=2,
        readable=True, content_key="0x" + "44" * 32, seed="0x" + "55" * 32))  # fmt: skip
    add(store,
        GrantRow(gpid=GPID_HEX, grantee=B, granter=A, active=True, wrapped_key="0x" + "66" * 112, **c.tx()),
        GrantRow(gpid=GPID_HEX, grantee=C, granter=A, active=True, wrapped_key="0x" + "77" * 112, **c.tx()),
        GrantRow(gpid=GPID_HEX, grantee=B, granter=A, active=False, wrapped_key=None, **c.tx()),
    )  # fmt: skip
    with store.session() as session:
        b = aq.grant_state(session, GPID_HEX, B.lower())
        assert b is not None and not b.active and b.revoked_at == T0 + timedelta(minutes=3) and b.granter == A
        assert b.granted_at == T0 + timedelta(minutes=1)
        assert aq.grant_state(session, GPID_HEX, D) is None
        assert [(g.grantee, g.active) for g in aq.grants_of(session, GPID_HEX)] == [(B, False), (C, True)]
        content = aq.content_key(session, GPID_HEX)
        assert content == aq.ContentKey(2, b"\x44" * 32, b"\x55" * 32)
        assert aq.content_key(session, "0x" + "02" * 16) is None
