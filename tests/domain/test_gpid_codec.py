"""The GPID text form: short, case-insensitive, every single mistyped character detected."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gpid_node.domain.errors import InvalidGPID
from gpid_node.domain.gpid import ALPHABET, GPID, TEXT_LENGTH


@given(st.binary(min_size=16, max_size=16))
def test_text_round_trips_in_any_case(raw: bytes) -> None:
    gpid = GPID(raw)
    text = str(gpid)
    assert len(text) == TEXT_LENGTH <= 35
    assert GPID.parse(text) == GPID.parse(text.lower()) == gpid
    assert GPID.parse(f" {text[:10]}-{text[10:20]} {text[20:]} ") == gpid


def test_every_single_substitution_is_detected_on_samples() -> None:
    # O, I and L are read as 0 and 1 (Crockford), so only the 32 alphabet characters are typos.
    rng = random.Random(20261123)
    for _ in range(60):
        text = str(GPID(rng.randbytes(16)))
        for position in range(2, len(text)):
            for ch in ALPHABET:
                if ch == text[position]:
                    continue
                with pytest.raises(InvalidGPID):
                    GPID.parse(text[:position] + ch + text[position + 1 :])


def test_wrong_check_character_is_explained() -> None:
    text = str(GPID(bytes(range(16))))
    typo = text[:-1] + ("0" if text[-1] != "0" else "1")
    with pytest.raises(InvalidGPID, match="check character"):
        GPID.parse(typo)


@pytest.mark.parametrize(
    ("text", "reason"),
    [("XX0123", "starts with GP"), ("GP123", "29 characters"), ("GP" + "U" * 27, "cannot appear")],
)
def test_malformed_gpid_says_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(InvalidGPID, match=reason):
        GPID.parse(text)


def test_hex_form_is_the_bytes16_the_chain_keeps() -> None:
    gpid = GPID(bytes(range(16)))
    assert gpid.hex == "0x000102030405060708090a0b0c0d0e0f"
    assert GPID.from_hex(gpid.hex) == GPID.from_hex(bytes(range(16)) + b"\0" * 16) == gpid
