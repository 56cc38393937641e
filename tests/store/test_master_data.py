"""The sellers' master data tables, on SQLite and PostgreSQL: puts insert or replace, reads and
deletes stay within one seller, pages are ordered, and the migration gives the tables' schema."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from gpid_node.store import master_data
from gpid_node.store.database import Store
from gpid_node.store.tables import Base

SELLER = "0x" + "aa" * 32
OTHER = "0x" + "bb" * 32
NOW = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)
ITEM = {"hs_code": "84669340", "country_of_origin": "DE", "preferential_origin": "EU",
        "net_mass_kg_per_unit": "1.25", "packages_per_unit": "0.5"}  # fmt: skip


def test_a_put_inserts_then_replaces_and_says_which_ids_were_new(store: Store) -> None:
    with store.session() as session:
        assert master_data.put_items(session, SELLER, {"438146": ITEM, "A-1": {"hs_code": "090121"}}, NOW) == ["438146", "A-1"]
    later = NOW + timedelta(hours=1)
    with store.session() as session:
        assert master_data.put_items(session, SELLER, {"438146": {"hs_code": "090111"}, "B-2": {}}, later) == ["B-2"]
    with store.session() as session:
        rows = master_data.items_of(session, SELLER)
        assert sorted(rows) == ["438146", "A-1", "B-2"]
        replaced = rows["438146"]
        # a put replaces the whole entry: members it leaves out are no value any more
        assert (replaced.hs_code, replaced.country_of_origin, replaced.net_mass_kg_per_unit) == ("090111", None, None)
        assert replaced.updated_at.replace(tzinfo=UTC) == later


def test_each_seller_sees_and_deletes_only_its_own_entries(store: Store) -> None:
    with store.session() as session:
        master_data.put_items(session, SELLER, {"X": ITEM}, NOW)
        master_data.put_items(session, OTHER, {"X": {"hs_code": "090121"}, "Y": {}}, NOW)
        master_data.put_partners(session, SELLER, {"DE123": {"trader_id_scheme": "EORI", "trader_id_value": "GB123456789000"}}, NOW)
    with store.session() as session:
        assert master_data.items_of(session, SELLER, ["X", "Y"])["X"].hs_code == "84669340"
        assert set(master_data.items_of(session, SELLER, ["X", "Y"])) == {"X"}
        assert master_data.partners_of(session, OTHER) == {}
        assert master_data.delete_item(session, SELLER, "Y") is False
        assert master_data.delete_item(session, SELLER, "X") is True
    with store.session() as session:
        assert master_data.items_of(session, SELLER) == {}
        assert set(master_data.items_of(session, OTHER)) == {"X", "Y"}
        assert master_data.delete_partner(session, OTHER, "DE123") is False
        assert master_data.partners_of(session, SELLER)["DE123"].trader_id_value == "GB123456789000"


def test_pages_are_ordered_by_id_with_the_total(store: Store) -> None:
    with store.session() as session:
        master_data.put_items(session, SELLER, {f"item-{i:04d}": {} for i in range(1200, 0, -1)}, NOW)  # more ids than one IN list
        master_data.put_items(session, OTHER, {"elsewhere": {}}, NOW)
    with store.session() as session:
        rows, total = master_data.item_page(session, SELLER, limit=3, offset=10)
        assert total == 1200
        assert [r.item_id for r in rows] == ["item-0011", "item-0012", "item-0013"]
        assert len(master_data.items_of(session, SELLER, [f"item-{i:04d}" for i in range(1, 1201)])) == 1200
        assert master_data.partner_page(session, SELLER, 10, 0) == ([], 0)


def test_the_migrations_give_the_master_data_tables_their_schema(store: Store) -> None:
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
