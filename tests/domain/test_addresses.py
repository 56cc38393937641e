"""Addresses: the pure rules agree with eth-utils, which the node used before (and web3 still uses)."""

from __future__ import annotations

import random

import pytest
from eth_utils import is_address as eth_is_address
from eth_utils import to_checksum_address

from gpid_node.domain.addresses import checksum, is_address

# the same samples in every worker of a parallel run (pytest-xdist compares the collected ids)
SAMPLES = [random.Random(i).randbytes(20).hex() for i in range(200)] + ["00" * 20, "ff" * 20]
TEXTS = [*SAMPLES, *("0x" + s for s in SAMPLES), *("0x" + s.upper() for s in SAMPLES), *("0X" + s for s in SAMPLES[:5])]
NOT_ADDRESSES = ["", "0x", "0x" + "00" * 19, "0x" + "00" * 21, "0x" + "g" * 40, " 0x" + "00" * 20, "00" * 20 + "\n", "DE123"]


@pytest.mark.parametrize("text", TEXTS + NOT_ADDRESSES)
def test_is_address_agrees_with_eth_utils(text: str) -> None:
    assert is_address(text) == eth_is_address(text)


def test_checksum_agrees_with_eth_utils() -> None:
    for text in TEXTS:
        assert checksum(text) == to_checksum_address(text)


@pytest.mark.parametrize("text", NOT_ADDRESSES)
def test_checksum_of_something_else_is_refused_naming_the_form(text: str) -> None:
    with pytest.raises(ValueError, match="not an account address"):
        checksum(text)
