"""The GPID and its text form.

A GPID is 128 bits (``bytes16`` on chain). Its text form is ``GP`` + 26 characters of Crockford
base32 + one Luhn mod 32 check character: 29 characters, case-insensitive, easy to key into a
declaration, and any single mistyped character is detected (see docs/protocol.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from gpid_node.domain.errors import InvalidGPID

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "GP"
DATA_CHARS = 26
TEXT_LENGTH = len(PREFIX) + DATA_CHARS + 1
_BITS = 128
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
# Crockford's readings of look-alike letters; U is not in the alphabet either.
_ALIASES = {"O": "0", "I": "1", "L": "1"}
_IGNORED = str.maketrans("", "", "- \t")


def _luhn_sum(digits: list[int], start_factor: int) -> int:
    total, factor, n = 0, start_factor, len(ALPHABET)
    for value in reversed(digits):
        addend = factor * value
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return total


def check_character(data: str) -> str:
    """The Luhn mod 32 check character of the data characters."""
    total = _luhn_sum([_VALUE[c] for c in data], start_factor=2)
    return ALPHABET[(-total) % len(ALPHABET)]


@dataclass(frozen=True, order=True)
class GPID:
    """A Goods Passport ID: 16 bytes, shown as text with a check character."""

    raw: bytes

    def __post_init__(self) -> None:
        if len(self.raw) != _BITS // 8:
            raise ValueError(f"a GPID is 16 bytes, got {len(self.raw)}")

    @classmethod
    def from_hex(cls, value: str | bytes) -> GPID:
        """From the chain's ``bytes16`` (hex text or bytes; a 32-byte word is cut to its first 16)."""
        raw = bytes.fromhex(value.removeprefix("0x")) if isinstance(value, str) else bytes(value)
        return cls(raw[:16])

    @classmethod
    def parse(cls, text: str) -> GPID:
        """Reads a GPID as a person typed it; raises InvalidGPID saying what is wrong."""
        if not isinstance(text, str):
            raise InvalidGPID(repr(text), "a GPID is text such as GP0123456789ABCDEFGHJKMNPQRS7")
        cleaned = text.strip().upper().translate(_IGNORED)
        if not cleaned.startswith(PREFIX):
            raise InvalidGPID(text, f"a GPID starts with {PREFIX}")
        body = "".join(_ALIASES.get(c, c) for c in cleaned[len(PREFIX) :])
        if len(body) != DATA_CHARS + 1:
            raise InvalidGPID(
                text, f"a GPID has {TEXT_LENGTH} characters ({PREFIX} + {DATA_CHARS + 1}); this one has "
                f"{len(PREFIX) + len(body)}"
            )
        bad = sorted({c for c in body if c not in _VALUE})
        if bad:
            raise InvalidGPID(text, f"character(s) {', '.join(bad)} cannot appear in a GPID")
        if _luhn_sum([_VALUE[c] for c in body], start_factor=1) % len(ALPHABET) != 0:
            raise InvalidGPID(
                text, "the check character does not match: a character was mistyped; compare it with the invoice"
            )
        value = 0
        for c in body[:DATA_CHARS]:
            value = value * 32 + _VALUE[c]
        if value >> _BITS:
            raise InvalidGPID(text, "the first character after GP is 0 to 7 in every GPID")
        return cls(value.to_bytes(_BITS // 8, "big"))

    @property
    def hex(self) -> str:
        """The ``bytes16`` value as 0x-prefixed hex, as the chain and the index keep it."""
        return "0x" + self.raw.hex()

    def __str__(self) -> str:
        value = int.from_bytes(self.raw, "big")
        data = "".join(ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(DATA_CHARS)))
        return PREFIX + data + check_character(data)
