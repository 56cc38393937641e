"""The header encoding refuses what it cannot place: unknown members, a missing field of the yellow
paper, hex that is not canonical, a hash of the wrong length. (Real headers of every fork:
tests/chain/test_block_headers.py.)"""

from __future__ import annotations

import pytest

from gpid_node.domain.block_header import FIELD_NAMES, HeaderError, encode_header, fork_of, hashed_fields, header_hash

HEADER = {
    "parentHash": "0x" + "11" * 32, "sha3Uncles": "0x" + "22" * 32, "miner": "0x" + "33" * 20,
    "stateRoot": "0x" + "44" * 32, "transactionsRoot": "0x" + "55" * 32, "receiptsRoot": "0x" + "66" * 32,
    "logsBloom": "0x" + "00" * 256, "difficulty": "0x0", "number": "0x2a", "gasLimit": "0x1c9c380",
    "gasUsed": "0x5208", "timestamp": "0x6b119b02", "extraData": "0x", "mixHash": "0x" + "77" * 32,
    "nonce": "0x0000000000000000", "baseFeePerGas": "0x3b9aca00",
}  # fmt: skip


def test_a_header_is_read_by_its_latest_field_and_extra_rpc_members_are_dropped() -> None:
    assert fork_of(HEADER) == "London, EIP-1559"
    assert fork_of({k: v for k, v in HEADER.items() if k != "baseFeePerGas"}) == "before London"
    block = {**HEADER, "hash": "0x" + header_hash(HEADER).hex(), "size": "0x267", "totalDifficulty": "0x0", "uncles": []}
    assert hashed_fields(block) == HEADER
    assert list(hashed_fields(block)) == list(FIELD_NAMES[:16])
    assert len(header_hash(HEADER)) == 32


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"blockAccessListHash": "0x" + "00" * 32}, "does not know (blockAccessListHash)"),
        ({"stateRoot": None}, "lacks stateRoot"),
        ({"gasUsed": "0x05208"}, "gasUsed is not a quantity"),
        ({"gasUsed": "0x520A"}, "gasUsed is not a quantity"),
        ({"mixHash": "0x" + "7A" * 32}, "mixHash is not lower-case"),
        ({"stateRoot": "0x" + "44" * 31}, "stateRoot is 31 bytes, not 32"),
        ({"nonce": 0}, "nonce is not a 0x-hex text"),
    ],
)
def test_what_cannot_be_placed_is_refused_with_the_field_named(change: dict[str, object], message: str) -> None:
    header = {k: v for k, v in {**HEADER, **change}.items() if v is not None}
    with pytest.raises(HeaderError, match=message.replace("(", r"\(").replace(")", r"\)")):
        encode_header(header)


def test_a_block_whose_hash_covers_a_field_not_known_here_is_named() -> None:
    block = {**HEADER, "hash": "0x" + header_hash(HEADER).hex()}
    assert hashed_fields(block) == HEADER, "the hash of the known fields: accepted"
    block = {**HEADER, "futureRoot": "0x" + "99" * 32, "size": "0x267", "hash": "0x" + "ab" * 32}
    with pytest.raises(HeaderError, match=r"left out \(futureRoot, hash, size\) is a header field of a fork"):
        hashed_fields(block)
