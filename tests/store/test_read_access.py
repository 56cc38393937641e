"""Read access is one rule: the Python check (``domain.access.may_read``) and the SQL filter
(``store.queries.visible_filter``) give the same answer for every caller and every key data set.

The grid: every role, with accounts, trader IDs and countries that match a key data set's parties,
issuer or declarations and ones that match nothing; key data sets with and without known parties
(an unreadable payload indexes none) and with no, one or two declarations linked.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from eth_utils import to_checksum_address

from gpid_node.domain.access import Principal, Role, Visibility, may_read
from gpid_node.store import queries
from gpid_node.store.database import Store
from gpid_node.store.tables import DeclarationLinkRow, KeyDataSetRow

ISSUER, OTHER, BROKER, OTHER_BROKER = (to_checksum_address(f"0x{n:040x}") for n in (0xA1, 0xA2, 0xB1, 0xB2))
SELLER_ID, BUYER_ID, STRANGER_ID = "EORI:DE123456789012345", "EORI:GB123456789000", "EORI:FR12345678901"
NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)

LINK_SETS = ((), ((BROKER, "NL"),), ((BROKER, "NL"), (OTHER_BROKER, "FR")))


def _key_data_sets() -> list[tuple[KeyDataSetRow, tuple[tuple[str, str], ...]]]:
    rows = []
    grid = itertools.product((SELLER_ID, None), (BUYER_ID, None), (("DE", "GB"), (None, None)), LINK_SETS)
    for n, (seller_id, buyer_id, (seller_country, buyer_country), links) in enumerate(grid):
        gpid = f"0x{n:032x}"
        row = KeyDataSetRow(
            gpid=gpid, gpid_text=f"GP{n:028d}", issuer=ISSUER if n % 2 == 0 else OTHER,
            seller_trader_key=f"0x{n:064x}", invoice_key=f"0x{n + 1000:064x}", seller_trader_id=seller_id,
            buyer_trader_id=buyer_id, seller_country=seller_country, buyer_country=buyer_country,
            invoice_number=f"INV-{n}", current_version=1, integrity_ok=True, registered_at=NOW, updated_at=NOW,
            registered_block=n + 1,
        )  # fmt: skip
        rows.append((row, links))
    return rows


def _principals() -> list[Principal]:
    return [
        Principal(role=role, account=account, trader_id=trader_id, country=country)
        for role in Role
        for account in (ISSUER, OTHER, BROKER, OTHER_BROKER)
        for trader_id in (None, SELLER_ID, BUYER_ID, STRANGER_ID)
        for country in (None, "DE", "GB", "NL", "FR", "US")
    ]


def test_the_python_rule_and_the_sql_filter_agree(store: Store) -> None:
    sets = _key_data_sets()
    with store.session() as session:
        for row, links in sets:
            session.add(row)
            session.flush()
            for i, (linker, country) in enumerate(links):
                session.add(DeclarationLinkRow(
                    gpid=row.gpid, country=country, reference=f"26{country}{i:07d}", reference_key=f"0x{i:064x}",
                    direction="export", linker=linker, time=NOW, block_number=row.registered_block, transaction_hash=f"0x{i:064x}",
                    log_index=i,
                ))  # fmt: skip
    facts = {
        row.gpid: Visibility(
            issuer=row.issuer, seller_trader_id=row.seller_trader_id, buyer_trader_id=row.buyer_trader_id,
            seller_country=row.seller_country, buyer_country=row.buyer_country,
            linkers=frozenset(linker for linker, _ in links), declaration_countries=frozenset(c for _, c in links),
        )  # fmt: skip
        for row, links in sets
    }
    seen_some, seen_none = 0, 0
    with store.session() as session:
        for principal in _principals():
            expected = {gpid for gpid, fact in facts.items() if may_read(principal, fact)}
            rows, total = queries.list_visible(
                session, principal.role.value, principal.account, principal.trader_id, principal.country, 100, 0
            )
            assert {r.gpid for r in rows} == expected and total == len(expected), principal
            seen_some += 0 < len(expected) < len(facts)
            seen_none += not expected
    assert seen_some and seen_none  # the grid holds callers who see some, and callers who see nothing
