"""The list filters of store/queries.py over index rows, and migration 0005 that indexes them, on
SQLite and PostgreSQL: a confidential filter matches only rows whose data this node holds, never a
row the caller may not read; the export's keyset walk gives the list's rows in the list's order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from gpid_node.store import queries
from gpid_node.store.database import Store, alembic_config
from gpid_node.store.tables import Base, DeclarationLinkRow, KeyDataSetRow

SELLER = "EORI:DE123456789012345"
BUYER = "EORI:GB123456789000"
OTHER_SELLER = "EORI:FR44123456700018"
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
INDEXES = {
    "key_data_sets": {"ix_key_data_sets_invoice_number", "ix_key_data_sets_registered_at"},
    "declaration_links": {"ix_declaration_links_reference"},
}


def _row(n: int, seller: str = SELLER, *, readable: bool = True, invoice: str | None = None) -> KeyDataSetRow:
    return KeyDataSetRow(
        gpid=f"0x{n:032x}", gpid_text=f"GP{n:027d}", issuer="0x" + "11" * 20, seller_trader_key="0x" + f"{n:064x}",
        invoice_key="0x" + f"{n + 1000:064x}", seller_trader_id=seller, buyer_trader_id=BUYER if readable else None,
        seller_country=seller[5:7], buyer_country="GB", invoice_number=invoice or f"INV-{n}", current_version=1,
        integrity_ok=True, registered_at=START + timedelta(hours=n), updated_at=START + timedelta(hours=n),
        registered_block=n // 2, format=2, readable=readable,
    )  # fmt: skip


def _gpids(store: Store, role: str, trader_id: str | None, filters: queries.ListFilter, country: str | None = None) -> list[str]:
    with store.session() as session:
        rows, total = queries.list_visible(session, role, None, trader_id, country, 100, 0, filters)
    assert total == len(rows)
    return [row.gpid_text for row in rows]


def test_filters_match_only_readable_rows_the_caller_may_read(store: Store) -> None:
    with store.session() as session:
        session.add_all([_row(1), _row(2, invoice="INV-SHARED"), _row(3, readable=False, invoice="INV-SHARED"),
                         _row(4, OTHER_SELLER, invoice="INV-SHARED")])  # fmt: skip
        session.flush()
        session.add(DeclarationLinkRow(gpid=f"0x{2:032x}", country="DE", reference="26DE1", reference_key="0x" + "22" * 32,
                                       direction="export", linker="0x" + "33" * 20, time=START, block_number=9,
                                       transaction_hash="0x" + "44" * 32, log_index=0))  # fmt: skip
    shared = queries.ListFilter(invoice_numbers=("INV-SHARED",))
    # The seller reads rows 1 to 3; row 3's data is not on this node, so the invoice matches row 2 only.
    assert _gpids(store, "seller", SELLER, shared) == [f"GP{2:027d}"]
    assert _gpids(store, "seller", OTHER_SELLER, shared) == [f"GP{4:027d}"]
    assert _gpids(store, "buyer", BUYER, queries.ListFilter(buyer_trader_id=BUYER, seller_trader_id=SELLER)) == \
        [f"GP{2:027d}", f"GP{1:027d}"]  # fmt: skip
    assert _gpids(store, "seller", SELLER, queries.ListFilter(seller_trader_id=SELLER)) == [f"GP{n:027d}" for n in (2, 3, 1)]  # same block: by GPID
    assert _gpids(store, "customs", None, queries.ListFilter(declaration_reference="26DE1"), "FR") == []
    assert _gpids(store, "customs", None, queries.ListFilter(declaration_reference="26DE1", declaration_country="DE"), "DE") == [f"GP{2:027d}"]
    assert _gpids(store, "customs", None, queries.ListFilter(declaration_reference="26DE1", declaration_country="GB"), "DE") == []
    window = queries.ListFilter(registered_from=START + timedelta(hours=2), registered_before=START + timedelta(hours=3))
    assert _gpids(store, "seller", SELLER, window) == [f"GP{2:027d}"]
    naive = queries.ListFilter(registered_from=(START + timedelta(hours=3)).replace(tzinfo=None))
    assert _gpids(store, "seller", SELLER, naive) == [f"GP{3:027d}"]


def test_the_keyset_walk_gives_the_lists_rows_in_its_order(store: Store) -> None:
    with store.session() as session:
        session.add_all([_row(n) for n in range(1, 12)])  # two rows a block: ties broken by GPID
    with store.session() as session:
        listed, _ = queries.list_visible(session, "seller", None, SELLER, None, 100, 0)
    for page in (1, 2, 5, 100):
        walked: list[str] = []
        after = None
        while True:
            with store.session() as session:
                rows = queries.visible_after(session, "seller", None, SELLER, None, None, after, page)
            walked += [row.gpid for row in rows]
            if len(rows) < page:
                break
            after = (rows[-1].registered_block, rows[-1].gpid)
        assert walked == [row.gpid for row in listed], page


def _indexes(store: Store) -> dict[str, set[str]]:
    inspector = inspect(store.engine)
    return {table: {ix["name"] for ix in inspector.get_indexes(table)} & names for table, names in INDEXES.items()}


def test_migration_0005_adds_and_removes_the_filter_indexes(store: Store) -> None:
    assert _indexes(store) == INDEXES
    config = alembic_config(store.engine.url.render_as_string(hide_password=False))
    command.downgrade(config, "0005-1")
    store.engine.dispose()
    assert _indexes(store) == {table: set() for table in INDEXES}
    command.upgrade(config, "head")
    store.engine.dispose()
    assert _indexes(store) == INDEXES
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
