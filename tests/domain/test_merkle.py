"""Format-2 commitments: leaves per field, section trees and roots, the salted buyer commitment."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from gpid_node.domain import canonical, merkle
from gpid_node.domain.canonical import SECTION_BUYER, SECTION_GOODS, SECTION_SELLER, keccak
from support.builders import BUYER_TRADER_ID, amended, key_data_set

SEED = bytes(range(32))
EXAMPLE = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "examples" / "design-example.json").read_text(encoding="utf-8"))


def test_every_scalar_field_is_one_leaf_of_its_section_and_goods_commit_their_length() -> None:
    leaves = merkle.section_leaves(EXAMPLE, SEED)
    assert [leaf.path for leaf in leaves["identity"]] == [
        "invoice.date", "invoice.number", "schema_version", "seller.trader_id.scheme", "seller.trader_id.value",
    ]
    assert [leaf.path for leaf in leaves["seller"]] == [
        "seller.address.city", "seller.address.country", "seller.address.postcode", "seller.address.street", "seller.name",
    ]
    assert [leaf.path for leaf in leaves["buyer"]] == [
        "buyer.address.city", "buyer.address.country", "buyer.address.postcode", "buyer.address.street", "buyer.name",
        "buyer.trader_id.scheme", "buyer.trader_id.value",
    ]
    goods = {leaf.path: leaf.value for leaf in leaves["goods"]}
    assert goods["goods.length"] == 1
    assert goods["goods[0].binding_tariff_reference"] is None
    assert goods["goods[0].net_mass_kg"] == "310.500"
    assert len(goods) == 1 + len(EXAMPLE["goods"][0])


def test_goods_leaves_are_ordered_by_column_then_line_so_a_column_is_contiguous() -> None:
    paths = [leaf.path for leaf in merkle.section_leaves(key_data_set(lines=12), SEED)["goods"]]
    assert paths[0] == "goods.length"
    packages = [i for i, p in enumerate(paths) if p.endswith(".packages")]
    assert packages == list(range(packages[0], packages[0] + 12))
    assert [paths[i] for i in packages] == [f"goods[{n}].packages" for n in range(12)]  # 2 before 10, unlike byte order


def test_leaf_hash_follows_the_formula_with_its_salt() -> None:
    leaf = next(x for x in merkle.section_leaves(EXAMPLE, SEED)["seller"] if x.path == "seller.name")
    salt = keccak(b"GPID/leaf-salt/v2" + SEED + b"seller.name")
    assert leaf.salt == salt
    assert leaf.hash == keccak(b"\x00" + salt + keccak(b"seller.name") + keccak(b'"Rhein Maschinenbau GmbH"'))


def test_a_goods_line_salt_comes_from_its_column_seed_bound_to_the_line_count() -> None:
    data = key_data_set(lines=3)
    leaf = next(x for x in merkle.section_leaves(data, SEED)["goods"] if x.path == "goods[2].hs_code")
    column = keccak(b"GPID/column-seed/v2" + SEED + b"goods[*].hs_code" + (3).to_bytes(4, "big"))
    assert leaf.salt == keccak(b"GPID/leaf-salt/v2" + column + b"goods[2].hs_code")
    four = next(x for x in merkle.section_leaves(key_data_set(lines=4), SEED)["goods"] if x.path == "goods[2].hs_code")
    assert four.salt != leaf.salt


def test_tree_promotes_an_odd_last_node_and_binds_the_leaf_count() -> None:
    a, b, c = (keccak(bytes([i])) for i in range(3))
    assert merkle.merkle_root([a]) == keccak(b"\x02" + (1).to_bytes(4, "big") + a)
    assert merkle.merkle_root([a, b, c]) == keccak(
        b"\x02" + (3).to_bytes(4, "big") + keccak(b"\x01" + keccak(b"\x01" + a + b) + c)
    )
    with pytest.raises(ValueError):
        merkle.merkle_root([])


@pytest.mark.parametrize("count", range(1, 10))
def test_every_subset_of_leaves_proves_the_tree_root(count: int) -> None:
    hashes = [keccak(bytes([i, count])) for i in range(count)]
    levels = merkle.tree_levels(hashes)
    for size in range(1, count + 1):
        for indices in itertools.combinations(range(count), size):
            siblings = iter(merkle.multiproof(levels, indices))
            root = merkle.climb(count, {i: hashes[i] for i in indices}, lambda level, index: next(siblings))
            assert root == levels[-1][0]
            assert next(siblings, None) is None


def test_commitments_v2_are_roots_and_a_salted_buyer_commitment_with_the_format1_digest() -> None:
    c = merkle.commitments_v2(EXAMPLE, SEED)
    buyer_key = canonical.trader_key(BUYER_TRADER_ID)
    buyer_salt = keccak(b"GPID/buyer-salt/v2" + SEED)
    assert c.buyer_trader_key == keccak(buyer_salt + buyer_key) != buyer_key
    assert c.digest == keccak(c.identity + c.seller + c.buyer + c.goods + c.buyer_trader_key)
    leaves = merkle.section_leaves(EXAMPLE, SEED)
    assert c.goods == merkle.merkle_root([leaf.hash for leaf in leaves["goods"]])


def test_another_seed_hides_the_same_data_under_other_roots() -> None:
    one, other = merkle.commitments_v2(EXAMPLE, SEED), merkle.commitments_v2(EXAMPLE, bytes(32))
    assert all(x != y for x, y in zip(one.as_tuple(), other.as_tuple()))


@pytest.mark.parametrize(
    ("changes", "mask"),
    [
        ({"seller.name": "Rhein GmbH"}, SECTION_SELLER),
        ({"buyer.address.city": "Leeds"}, SECTION_BUYER),
        ({"buyer.trader_id": {"scheme": "EORI", "value": "GB999999999000"}}, SECTION_BUYER),
        ({"goods": [{**key_data_set()["goods"][0], "packages": 9}]}, SECTION_GOODS),
    ],
)
def test_an_amendment_changes_only_its_sections_roots_because_the_seed_is_per_gpid(changes: dict, mask: int) -> None:
    base = key_data_set()
    before, after = merkle.commitments_v2(base, SEED), merkle.commitments_v2(amended(base, **changes), SEED)
    assert before.changed_sections(after) == mask


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"schema_version": "1", "Seller": {}}, "member name 'Seller'"),
        ({"schema_version": "1", "seller": {"a.b": 1}}, "member name 'a.b'"),
        ({"goods": [[1]]}, "a list inside a list"),
        ({"notes": "x"}, "notes: the field belongs to no section"),
    ],
)
def test_data_without_unambiguous_leaf_paths_is_refused(data: dict, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        merkle.leaf_values(data)


def test_a_seed_of_another_length_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        merkle.commitments_v2(EXAMPLE, b"\x01" * 31)


@pytest.mark.parametrize("lines", [0, 1, 2, 3, 7, 12])
def test_section_roots_are_the_roots_of_the_section_leaves(lines: int) -> None:
    for data in (key_data_set(lines=lines), amended(key_data_set(lines=lines), **{"buyer.name": "Thames Tools plc"}), EXAMPLE):
        leaves = merkle.section_leaves(data, SEED)
        expected = tuple(merkle.merkle_root([leaf.hash for leaf in leaves[name]]) for name in merkle.SECTION_NAMES)
        assert merkle.section_roots(data, SEED) == expected
        assert merkle.commitments_v2(data, SEED).as_tuple()[:4] == expected


def test_a_field_outside_every_section_is_refused_by_the_roots_as_by_the_leaves() -> None:
    data = {**EXAMPLE, "extra": "x"}
    for compute in (merkle.section_leaves, merkle.section_roots, merkle.commitments_v2):
        with pytest.raises(ValueError, match="extra: the field belongs to no section"):
            compute(data, SEED)


def test_a_data_set_too_large_for_the_remembered_layouts_commits_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    data = key_data_set(lines=5)
    expected = merkle.commitments_v2(data, SEED)
    monkeypatch.setattr(merkle, "_LAYOUT_REMEMBERED_LEAVES", 3)
    assert merkle.commitments_v2(data, SEED) == expected
    assert merkle.section_roots(data, SEED) == expected.as_tuple()[:4]
