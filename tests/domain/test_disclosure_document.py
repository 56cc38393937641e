"""The ``gpid-disclosure/1`` document: its JSON and QR forms read back alike, it reveals nothing but
the chosen fields, and any single changed byte of it is refused or proves nothing."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st
from support.builders import key_data_set

from gpid_node.domain import disclosure, disclosure_proof, merkle
from gpid_node.domain.disclosure import Disclosure
from gpid_node.domain.errors import InvalidDisclosure
from gpid_node.domain.gpid import GPID

SEED = bytes(range(32))
GPID_ = GPID.from_hex("0x" + "5a" * 16)
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
CHAIN = 31337


def made(data: dict[str, Any], patterns: list[str], version: int = 1) -> Disclosure:
    proof = disclosure_proof.prove(data, SEED, disclosure_proof.select_paths(data, patterns))
    return Disclosure(GPID_, version, CHAIN, REGISTRY, proof)


def digest(data: dict[str, Any]) -> bytes:
    return merkle.commitments_v2(data, SEED).digest


GATE = ["goods[*].packages", "goods[*].net_mass_kg"]


def test_the_json_and_qr_forms_read_back_and_prove_the_fields() -> None:
    data = key_data_set(lines=10)
    document = made(data, GATE)
    for form in (document.as_json(), document.compact_json().decode(), document.qr_text()):
        back = disclosure.read(form)
        assert back == document
        assert disclosure.problems(back, CHAIN, REGISTRY, digest(data)) == []
    assert disclosure.expanded(document)["goods[9].packages"] == data["goods"][9]["packages"]
    assert len(document.compact_json()) <= 2000
    code = segno.make(document.qr_text(), error="m", boost_error=False)
    assert (code.mode, code.version) == ("alphanumeric", 26)


def test_base45_is_rfc_9285() -> None:
    assert disclosure.base45_encode(b"AB") == "BB8"
    assert disclosure.base45_encode(b"Hello!!") == "%69 VD92EX0"
    assert disclosure.base45_decode("%69 VD92EX0") == b"Hello!!"
    for bad in ("GGW", "A", "a00", "ZZZ"):
        with pytest.raises(ValueError):
            disclosure.base45_decode(bad)


@pytest.mark.parametrize("lines", [1, 3, 10])
def test_every_field_type_is_disclosed_and_proven(lines: int) -> None:
    data = key_data_set(lines=lines)
    data["goods"][0]["binding_tariff_reference"] = None
    document = made(data, ["schema_version", "seller", "buyer", "invoice", "goods"])
    assert document.revealed == merkle.leaf_values(data)
    back = disclosure.read(document.compact_json().decode())
    assert disclosure.problems(back, CHAIN, REGISTRY, digest(data)) == []


def test_a_disclosure_refuses_another_chain_registry_version_or_digest() -> None:
    data = key_data_set(lines=2)
    document = made(data, ["invoice.number"])
    assert [p.path for p in disclosure.problems(document, 1, REGISTRY, digest(data))] == ["chain_id"]
    other = "0x" + "11" * 20
    assert [p.path for p in disclosure.problems(document, CHAIN, other, digest(data))] == ["registry"]
    assert [p.path for p in disclosure.problems(document, CHAIN, REGISTRY, None)] == ["version"]
    amended = key_data_set(lines=2)
    amended["buyer"]["name"] = "Thames Tools Holdings Ltd"
    (problem,) = disclosure.problems(document, CHAIN, REGISTRY, digest(amended))
    assert "not the version's digest" in problem.message


def _hashes(document: dict[str, Any]) -> set[bytes]:
    found = set(document["salts"].values()) | set(document["column_seeds"].values()) | set(document["roots"].values())
    found |= {h for p in document["proofs"].values() for h in p["siblings"]} | {document["buyer_commitment"]}
    return {base64.urlsafe_b64decode(h + "=" * (-len(h) % 4)) for h in found}


@pytest.mark.parametrize("patterns", [GATE, ["invoice.number"], ["goods[1].hs_code", "seller.address.city"]])
def test_it_reveals_nothing_but_the_chosen_fields(patterns: list[str]) -> None:
    data = key_data_set(lines=10)
    data["buyer"]["name"] = "Zebra Quartz Importers"
    document = made(data, patterns)
    text = document.compact_json()
    sections = merkle.section_leaves(data, SEED)
    leaves = {leaf.path: leaf for section in sections.values() for leaf in section}
    revealed = set(document.revealed)
    # every hash is a revealed leaf's salt, a revealed column's seed, a node of a section tree, a root
    # or the buyer commitment; never the seed, the buyer salt, nor another leaf's salt or column seed
    lengths = {"goods": len(data["goods"])}
    columns = {merkle.column_of(p) for p in leaves if merkle.list_of(p)}
    column_seeds = {c: merkle.column_seed(SEED, c, lengths["goods"]) for c in columns}
    nodes: set[bytes] = set()
    for section in sections.values():
        for level in merkle.tree_levels([leaf.hash for leaf in section]):
            nodes |= set(level)
    commitments = merkle.commitments_v2(data, SEED)
    roots = {commitments.identity, commitments.seller, commitments.buyer, commitments.goods}
    allowed = {leaves[p].salt for p in revealed} | {column_seeds[c] for c in document.proof.column_seeds} | nodes | roots
    allowed.add(commitments.buyer_trader_key)
    assert _hashes(document.as_json()) <= allowed
    secrets = {SEED, merkle.buyer_salt(SEED)} | {leaves[p].salt for p in leaves if p not in revealed}
    secrets |= {seed for c, seed in column_seeds.items() if c not in document.proof.column_seeds}
    for secret in secrets:
        assert disclosure_proof.b64(secret).encode() not in text and secret.hex().encode() not in text
        assert secret not in _hashes(document.as_json())
    shown = {json.dumps(v) for v in document.revealed.values()}
    for path, leaf in leaves.items():
        value = json.dumps(leaf.value, ensure_ascii=False)
        if path not in revealed and isinstance(leaf.value, str) and len(leaf.value) >= 5 and value not in shown:
            assert leaf.value.encode() not in text, f"{path} leaks"


def _refused_or_invalid(raw: bytes, data_digest: bytes) -> bool:
    """As a verifier answers: the chain holds ``data_digest`` for version 1 of GPID_ and a later
    version 2 with another digest, nothing else."""
    try:
        parsed = disclosure.read(raw.decode("utf-8"))
    except (InvalidDisclosure, UnicodeDecodeError):
        return True
    on_chain = {(GPID_, 1): data_digest, (GPID_, 2): b"\x22" * 32}.get((parsed.gpid, parsed.version))
    return bool(disclosure.problems(parsed, CHAIN, REGISTRY, on_chain))


GATE_DATA = key_data_set(lines=10)
GATE_DOCUMENT = made(GATE_DATA, GATE).compact_json()


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(st.integers(0, len(GATE_DOCUMENT) - 1), st.integers(0, 255))
def test_any_single_changed_byte_is_refused_or_proves_nothing(position: int, byte: int) -> None:
    if GATE_DOCUMENT[position] == byte:
        return
    changed = GATE_DOCUMENT[:position] + bytes([byte]) + GATE_DOCUMENT[position + 1 :]
    assert _refused_or_invalid(changed, digest(GATE_DATA)), changed.decode("utf-8", "replace")


def test_every_position_with_a_neighbouring_character_is_refused() -> None:
    """Exhaustively over positions (the property test samples bytes): each byte one up and one down."""
    for position in range(len(GATE_DOCUMENT)):
        for delta in (-1, 1):
            byte = (GATE_DOCUMENT[position] + delta) % 256
            changed = GATE_DOCUMENT[:position] + bytes([byte]) + GATE_DOCUMENT[position + 1 :]
            assert _refused_or_invalid(changed, digest(GATE_DATA)), (position, changed.decode("utf-8", "replace"))


def test_a_qr_text_that_is_not_base45_of_deflate_is_refused_with_its_reason() -> None:
    for text, words in (("GPD1:A", "base45"), ("GPD1:" + disclosure.base45_encode(b"\xff\xff"), "deflate"),
                        ("GPD1:" + "0" * 9000, "more than any QR code")):  # fmt: skip
        with pytest.raises(InvalidDisclosure) as refused:
            disclosure.read(text)
        assert words in refused.value.problems[0].message
    text = made(key_data_set(), ["invoice.number"]).qr_text()
    packed = disclosure.base45_decode(text[5:])
    for wrong, words in ((packed[:-1], "bytes of hashes"), (packed + b"\x00" * 32, "bytes of hashes")):
        with pytest.raises(InvalidDisclosure) as refused:
            disclosure.read("GPD1:" + disclosure.base45_encode(wrong))
        assert words in refused.value.problems[0].message
    with pytest.raises(InvalidDisclosure) as twice:
        disclosure.read('{"format":"gpid-disclosure/1","format":"gpid-disclosure/1"}')
    assert "neither" in twice.value.problems[0].message
