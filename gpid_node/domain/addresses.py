"""Ethereum account addresses as text: recognised, and written in their EIP-55 checksum form.

Pure (a keccak and a regular expression), so the store, the credentials and the CLI check and
normalise the accounts they are given without importing web3; the same rules as eth-utils
(``is_address``, ``to_checksum_address``), which a test compares over many addresses.
"""

from __future__ import annotations

import re
from functools import lru_cache

from eth_hash.auto import keccak

__all__ = ["checksum", "is_address"]

_HEX_ADDRESS = re.compile("(0x)?[0-9a-f]{40}", re.IGNORECASE | re.ASCII)


def is_address(value: object) -> bool:
    """Whether ``value`` is 20 bytes of hex text (``0x`` optional, any case: the checksum is not checked)."""
    return isinstance(value, str) and _HEX_ADDRESS.fullmatch(value) is not None


@lru_cache(maxsize=4096)
def checksum(address: str) -> str:
    """The EIP-55 form of an address (``0x`` + 40 hex digits, the case carrying the checksum);
    ValueError when it is not an address."""
    if not is_address(address):
        raise ValueError(f"{address!r} is not an account address: 0x and 40 hexadecimal digits")
    plain = address[-40:].lower()
    digest = keccak(plain.encode("ascii")).hex()
    return "0x" + "".join(c.upper() if int(h, 16) > 7 else c for c, h in zip(plain, digest, strict=False))
