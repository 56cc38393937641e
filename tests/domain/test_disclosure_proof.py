"""Disclosure proofs: chosen fields revealed with salts and multi-leaf proofs, checked against a digest."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gpid_node.domain import merkle
from gpid_node.domain.disclosure_proof import DisclosureProof, b64, prove, select_paths, verify
from gpid_node.domain.errors import InvalidDisclosure, ValidationFailed
from support.builders import amended, key_data_set

SEED = bytes(range(32))
TEN = key_data_set(lines=10)
GATE = ["goods[*].packages", "goods[*].net_mass_kg"]


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def disclose(data: dict[str, Any], patterns: list[str], seed: bytes = SEED) -> DisclosureProof:
    """Built, written as compact JSON and read back, as a verifier gets it."""
    proof = prove(data, seed, select_paths(data, patterns))
    return DisclosureProof.from_json(json.loads(compact(proof.as_json())))


def problems_of(proof: DisclosureProof, digest: bytes) -> list[str]:
    with pytest.raises(InvalidDisclosure) as refused:
        verify(proof, digest)
    return [p.path for p in refused.value.problems]


@pytest.mark.parametrize(
    "patterns",
    [
        GATE,
        ["invoice.number"],
        ["goods[3].hs_code"],
        ["goods[3].hs_code", "goods[7].hs_code"],
        ["seller.address", "buyer.trader_id.value", "schema_version"],
        ["goods"],
        ["goods[*]"],
    ],
)
def test_a_disclosure_verifies_against_the_versions_digest(patterns: list[str]) -> None:
    digest = merkle.commitments_v2(TEN, SEED).digest
    assert verify(disclose(TEN, patterns), digest) == merkle.commitments_v2(TEN, SEED)


def test_a_wildcard_selects_every_line_and_the_line_count() -> None:
    paths = select_paths(key_data_set(lines=3), ["goods[*].packages"])
    assert paths == ["goods.length", "goods[0].packages", "goods[1].packages", "goods[2].packages"]


def test_an_object_path_selects_every_field_under_it() -> None:
    assert select_paths(TEN, ["seller.address"]) == [
        "seller.address.city", "seller.address.country", "seller.address.postcode", "seller.address.street",
    ]


def test_unknown_or_malformed_patterns_are_refused_with_their_position() -> None:
    with pytest.raises(ValidationFailed) as refused:
        select_paths(TEN, ["invoice.number", "goods[*].weight", "goods[x]", "goods[10].packages"])
    assert [p.path for p in refused.value.problems] == ["fields[1]", "fields[2]", "fields[3]"]
    assert "names no field" in refused.value.problems[0].message
    assert "goods[*].packages" in refused.value.problems[1].message


def test_gate_disclosure_of_ten_lines_is_well_under_2000_bytes_as_a_document() -> None:
    proof = prove(TEN, SEED, select_paths(TEN, GATE))
    document = {
        "format": "gpid-disclosure/1", "gpid": "GP3NH2PSY8M8VPF2HJNT3PW10XY0B", "version": 12, "chain_id": 31337,
        "registry": "0x5FbDB2315678afecb367f032d93F642f64180aa3", **proof.as_json(),
    }
    size = len(compact(document).encode("utf-8"))
    assert size <= 1500, size
    assert len(proof.column_seeds) == 2 and list(proof.salts) == ["goods.length"]


def test_a_disclosure_reveals_no_other_value_salt_or_seed() -> None:
    proof = prove(TEN, SEED, select_paths(TEN, GATE))
    text = compact(proof.as_json())
    revealed = set(proof.fields)
    hidden = [leaf for section in merkle.section_leaves(TEN, SEED).values() for leaf in section if leaf.path not in revealed]
    for leaf in hidden:
        assert b64(leaf.salt) not in text  # its hash may be a sibling: salted, it hides the value
        if isinstance(leaf.value, str) and len(leaf.value) > 3:
            assert leaf.value not in text, leaf.path
    assert b64(SEED) not in text and SEED.hex() not in text
    other_columns = {merkle.column_seed(SEED, f"goods[*].{name}", 10) for name in TEN["goods"][0]} - set(proof.column_seeds.values())
    assert len(other_columns) == 8 and not any(b64(seed) in text for seed in other_columns)
    assert b64(merkle.buyer_salt(SEED)) not in text


def test_a_partial_column_carries_salts_not_the_column_seed() -> None:
    proof = prove(TEN, SEED, ["goods[3].hs_code"])
    assert proof.column_seeds == {} and list(proof.salts) == ["goods[3].hs_code"]
    assert "goods.length" not in proof.fields


def test_a_disclosure_of_another_gpid_or_version_is_refused() -> None:
    proof = disclose(TEN, GATE)
    other_gpid = merkle.commitments_v2(TEN, bytes(32)).digest
    later = merkle.commitments_v2(amended(TEN, **{"buyer.name": "Thames Tools plc"}), SEED).digest
    assert problems_of(proof, other_gpid) == ["fields"]
    assert problems_of(proof, later) == ["fields"]


def test_a_changed_value_or_a_value_moved_to_another_path_is_refused() -> None:
    digest = merkle.commitments_v2(TEN, SEED).digest
    document = prove(TEN, SEED, ["goods[3].hs_code", "invoice.number"]).as_json()
    changed = json.loads(compact(document))
    changed["fields"]["goods[3].hs_code"] = "84669341"
    assert problems_of(DisclosureProof.from_json(changed), digest) == ["fields"]
    moved = json.loads(compact(document).replace("goods[3].hs_code", "goods[4].hs_code"))
    assert problems_of(DisclosureProof.from_json(moved), digest) == ["fields"]


def test_a_column_seed_must_come_with_the_line_count_and_every_line() -> None:
    digest = merkle.commitments_v2(TEN, SEED).digest
    document = prove(TEN, SEED, select_paths(TEN, ["goods[*].packages"])).as_json()
    without_length = json.loads(compact(document))
    del without_length["fields"]["goods.length"], without_length["salts"]["goods.length"]
    assert "column_seeds.goods[*].packages" in problems_of(DisclosureProof.from_json(without_length), digest)
    proof = DisclosureProof.from_json(document)
    del proof.fields["goods[9].packages"]
    assert "column_seeds.goods[*].packages" in problems_of(proof, digest)


def test_left_over_salts_sections_and_roots_are_refused() -> None:
    digest = merkle.commitments_v2(TEN, SEED).digest
    proof = DisclosureProof.from_json(prove(TEN, SEED, ["invoice.number"]).as_json())
    proof.salts["seller.name"] = bytes(32)
    proof.roots["identity"] = merkle.commitments_v2(TEN, SEED).identity
    proof.proofs["seller"] = proof.proofs["identity"]
    assert set(problems_of(proof, digest)) == {"salts.seller.name", "roots.identity", "proofs.seller"}


def test_too_few_or_too_many_siblings_are_refused() -> None:
    digest = merkle.commitments_v2(TEN, SEED).digest
    document = prove(TEN, SEED, ["goods[3].hs_code"]).as_json()
    fewer = json.loads(compact(document))
    fewer["proofs"]["goods"]["siblings"].pop()
    assert problems_of(DisclosureProof.from_json(fewer), digest) == ["proofs.goods.siblings"]
    more = json.loads(compact(document))
    more["proofs"]["goods"]["siblings"].append(b64(bytes(32)))
    assert problems_of(DisclosureProof.from_json(more), digest) == ["proofs.goods.siblings"]


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d.update(extra=1), "extra"),
        (lambda d: d.pop("roots"), "roots"),
        (lambda d: d["roots"].update(identity="AAAA"), "roots.identity"),
        (lambda d: d["roots"].update(identity=d["roots"]["identity"] + "="), "roots.identity"),
        (lambda d: d["roots"].update(other=d["roots"]["identity"]), "roots.other"),
        (lambda d: d["proofs"]["goods"].update(count=0), "proofs.goods.count"),
        (lambda d: d["proofs"]["goods"].update(indices=[-1]), "proofs.goods.indices"),
        (lambda d: d["fields"].update({"goods[03].hs_code": "1"}), "fields.goods[03].hs_code"),
        (lambda d: d["fields"].update({"goods[*].hs_code": "1"}), "fields.goods[*].hs_code"),
        (lambda d: d.update(buyer_commitment=None), "buyer_commitment"),
    ],
)
def test_malformed_documents_are_refused_naming_the_member(mutate: Any, path: str) -> None:
    document = json.loads(compact(prove(TEN, SEED, ["goods[3].hs_code"]).as_json()))
    mutate(document)
    with pytest.raises(InvalidDisclosure) as refused:
        DisclosureProof.from_json(document)
    assert path in [p.path for p in refused.value.problems]
