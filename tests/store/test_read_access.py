"""Read access is one rule: the Python check (``domain.access.may_read``) and the SQL filter
(``store.queries.visible_filter``) give the same answer for every caller and every key data set.

The grid: every role, with accounts, trader IDs and countries that match a key data set's parties,
issuer, declarations, grants or mandates and ones that match nothing; key data sets of format 1 and
2, with and without known parties (an unreadable payload indexes none), with no, one or two
declarations linked, with grants active, revoked or none, and with mandates of their seller given,
withdrawn and given again (for another direction, or later), before, at or after the key data set's
registration (a mandate reads from its block on).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from eth_utils import to_checksum_address

from gpid_node.domain.access import Principal, Role, Visibility, may_read
from gpid_node.store import queries
from gpid_node.store.database import Store
from gpid_node.store.tables import DeclarationLinkRow, GrantRow, KeyDataSetRow, MandateRow

ISSUER, OTHER, BROKER, OTHER_BROKER = (to_checksum_address(f"0x{n:040x}") for n in (0xA1, 0xA2, 0xB1, 0xB2))
SELLER_ID, BUYER_ID, STRANGER_ID = "EORI:DE123456789012345", "EORI:GB123456789000", "EORI:FR12345678901"
NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)

LINK_SETS = ((), ((BROKER, "NL"),), ((BROKER, "NL"), (OTHER_BROKER, "FR")))
# (grantee, granted (True) or revoked (False)) in chain order
GRANT_SETS: tuple[tuple[tuple[str, bool], ...], ...] = ((), ((BROKER, True), (BROKER, False)), ((OTHER_BROKER, True),))
# (agent, direction, active, block relative to the key data set's registration) in chain order, of
# the key data set's seller: a mandate reads from its block on, so one given before or at the
# registration opens it, one given after does not, and one withdrawn and given again after does not
# either (the mandate active now counts)
MANDATE_SETS: tuple[tuple[tuple[str, str, bool, int], ...], ...] = (
    (),
    ((BROKER, "export", True, -2), (BROKER, "export", False, -1)),
    ((BROKER, "export", True, -3), (BROKER, "export", False, -2), (BROKER, "import", True, 1), (OTHER_BROKER, "export", True, 0)),
    ((BROKER, "export", True, -5), (BROKER, "export", False, -4), (BROKER, "export", True, 2)),
    ((BROKER, "export", True, -1), (BROKER, "import", True, 3), (OTHER_BROKER, "import", True, 1)),
    ((BROKER, "import", True, 0),),
)


def _mandated(mandates: tuple[tuple[str, str, bool, int], ...], registered_block: int) -> dict[str, int]:
    """Each agent's block of its mandate active now (the earliest of its directions)."""
    newest = {(agent, direction): (active, registered_block + offset) for agent, direction, active, offset in mandates}
    since: dict[str, int] = {}
    for (agent, _), (active, block) in newest.items():
        if active:
            since[agent] = min(block, since.get(agent, block))
    return since


def _key_data_sets() -> list[tuple[KeyDataSetRow, tuple[tuple[str, str], ...], tuple[tuple[str, bool], ...], tuple[tuple[str, str, bool, int], ...]]]:
    rows = []
    grid = itertools.product((SELLER_ID, None), (BUYER_ID, None), (("DE", "GB"), (None, None)), LINK_SETS, (1, 2))
    for n, (seller_id, buyer_id, (seller_country, buyer_country), links, payload_format) in enumerate(grid):
        gpid = f"0x{n:032x}"
        row = KeyDataSetRow(
            gpid=gpid, gpid_text=f"GP{n:028d}", issuer=ISSUER if n % 2 == 0 else OTHER,
            seller_trader_key=f"0x{n:064x}", invoice_key=f"0x{n + 1000:064x}", seller_trader_id=seller_id,
            buyer_trader_id=buyer_id, seller_country=seller_country, buyer_country=buyer_country,
            invoice_number=f"INV-{n}", current_version=1, integrity_ok=True, registered_at=NOW, updated_at=NOW,
            registered_block=n + 10, format=payload_format, readable=True,
        )  # fmt: skip
        rows.append((row, links, GRANT_SETS[n % 3], MANDATE_SETS[(n // 4) % len(MANDATE_SETS)]))
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
        for row, links, grants, mandates in sets:
            session.add(row)
            session.flush()
            for i, (linker, country) in enumerate(links):
                session.add(DeclarationLinkRow(
                    gpid=row.gpid, country=country, reference=f"26{country}{i:07d}", reference_key=f"0x{i:064x}",
                    direction="export", linker=linker, time=NOW, block_number=row.registered_block, transaction_hash=f"0x{i:064x}",
                    log_index=i,
                ))  # fmt: skip
            for i, (grantee, granted) in enumerate(grants):
                session.add(GrantRow(
                    gpid=row.gpid, grantee=grantee, granter=ISSUER, active=granted, wrapped_key="0x" + "ab" * 112 if granted else None,
                    time=NOW, block_number=row.registered_block + i, transaction_hash=f"0x{i:064x}", log_index=0,
                ))  # fmt: skip
            for i, (agent, direction, active, offset) in enumerate(mandates):
                session.add(MandateRow(
                    trader_key=row.seller_trader_key, agent=agent, direction=direction, active=active, time=NOW,
                    block_number=row.registered_block + offset, transaction_hash=f"0x{i:064x}", log_index=i,
                ))  # fmt: skip
    facts = {
        row.gpid: Visibility(
            issuer=row.issuer, seller_trader_id=row.seller_trader_id, buyer_trader_id=row.buyer_trader_id,
            seller_country=row.seller_country, buyer_country=row.buyer_country,
            linkers=frozenset(linker for linker, _ in links), declaration_countries=frozenset(c for _, c in links),
            format=row.format, grantees=frozenset(grantee for grantee, granted in grants if granted),
            mandated=_mandated(mandates, row.registered_block), registered_block=row.registered_block,
        )  # fmt: skip
        for row, links, grants, mandates in sets
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
    broker = Principal(role=Role.BROKER, account=BROKER)
    linked_only = [f for f in facts.values() if BROKER in f.linkers and BROKER not in f.grantees | set(f.mandated)]
    assert {f.format for f in linked_only} == {1, 2}
    assert all(may_read(broker, f) == (f.format == 1) for f in linked_only), "linking opens format 1 only"
    assert any(may_read(broker, f) for f in facts.values() if f.format == 2 and BROKER in f.grantees)
    mandated_only = [f for f in facts.values() if f.format == 2 and BROKER in f.mandated and BROKER not in f.grantees]
    assert any(f.mandated[BROKER] < f.registered_block for f in mandated_only)
    assert any(f.mandated[BROKER] == f.registered_block for f in mandated_only)
    assert any(f.mandated[BROKER] > f.registered_block for f in mandated_only)
    assert all(may_read(broker, f) == (f.mandated[BROKER] <= f.registered_block) for f in mandated_only), "from the mandate on"
