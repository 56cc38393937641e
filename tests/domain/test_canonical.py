"""Canonical form, commitments and keys reproduce the golden vectors the contract also checks."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gpid_node.domain import canonical
from support.builders import amended, key_data_set
from support.vectors import VECTORS_FILE, compute


def test_python_reproduces_the_golden_vectors() -> None:
    assert json.loads(VECTORS_FILE.read_text(encoding="utf-8")) == compute()


def test_commitments_do_not_depend_on_key_order_or_transport_bytes() -> None:
    data = key_data_set(lines=3)
    shuffled = json.loads(json.dumps(data, sort_keys=True))
    reordered = {k: shuffled[k] for k in reversed(list(shuffled))}
    salt = b"\x05" * 32
    assert canonical.commitments(reordered, salt) == canonical.commitments(data, salt)


def test_each_section_commits_only_to_its_own_fields() -> None:
    data, salt = key_data_set(), b"\x07" * 32
    base = canonical.commitments(data, salt)
    for path, bit in [
        ("seller.name", canonical.SECTION_SELLER),
        ("buyer.address.city", canonical.SECTION_BUYER),
        ("goods.0.packages", canonical.SECTION_GOODS),
        ("invoice.date", canonical.SECTION_IDENTITY),
    ]:
        changed = canonical.commitments(amended(data, **{path: "2026-01-01" if "date" in path else 9}), salt)
        assert base.changed_sections(changed) == bit, path


def test_salt_hides_the_sections() -> None:
    data = key_data_set()
    assert canonical.commitments(data, b"\x01" * 32).goods != canonical.commitments(data, b"\x02" * 32).goods


@given(st.integers(min_value=1, max_value=12))
def test_payload_round_trips(lines: int) -> None:
    data, salt = key_data_set(lines=lines), bytes(range(32))
    payload = canonical.encode_payload(data, salt)
    assert payload[0] == canonical.PAYLOAD_FORMAT_DEFLATE_JSON
    assert canonical.decode_payload(payload) == (data, salt)


@pytest.mark.parametrize("payload", [b"", b"\x02" + b"\0" * 40, b"\x01" + b"\0" * 10, b"\x01" + b"\0" * 32 + b"not deflate"])
def test_unreadable_payload_is_refused(payload: bytes) -> None:
    with pytest.raises(canonical.PayloadError):
        canonical.decode_payload(payload)


def test_payload_bomb_is_refused() -> None:
    import zlib

    deflate = zlib.compressobj(level=9, wbits=-15)
    bomb = deflate.compress(b"[" + b"0," * 5_000_000 + b"0]") + deflate.flush()
    with pytest.raises(canonical.PayloadError, match="size limit"):
        canonical.decode_payload(b"\x01" + b"\0" * 32 + bomb)


@given(st.text(max_size=40))
def test_normal_identifier_is_idempotent_and_accepted_by_the_contract_rule(text: str) -> None:
    normal = canonical.normal_identifier(text)
    assert canonical.normal_identifier(normal) == normal
    if normal and len(normal.encode()) <= canonical.MAX_IDENTIFIER_BYTES and all(ord(c) > 0x20 and ord(c) != 0x7F for c in normal):
        assert canonical.is_normal_identifier(normal)


_json = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.text(alphabet=st.characters(blacklist_categories=("Cs",))),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(alphabet=st.characters(max_codepoint=127)), inner, max_size=4),
    max_leaves=20,
)


@given(_json)
def test_fast_canonical_form_equals_rfc8785(value: object) -> None:
    import rfc8785

    assert canonical.canonical_json(value) == rfc8785.dumps(value)


def test_floats_go_through_rfc8785() -> None:
    assert canonical.canonical_json({"a": 1.5e-7, "b": 10.0}) == b'{"a":1.5e-7,"b":10}'


def _deflated(text: bytes, salt: bytes) -> bytes:
    import zlib

    deflate = zlib.compressobj(level=9, wbits=-15)
    return bytes([canonical.PAYLOAD_FORMAT_DEFLATE_JSON]) + salt + deflate.compress(text) + deflate.flush()


@given(st.integers(min_value=1, max_value=12), _json)
def test_commitments_as_written_equal_the_commitments_for_canonical_text(lines: int, extra: object) -> None:
    data, salt = {**key_data_set(lines=lines), "x-extra": extra}, bytes(range(32))
    read = canonical.read_payload(canonical.encode_payload(data, salt))
    assert read.data == data and read.spans is not None
    assert read.commitments_as_written() == canonical.commitments(data, salt)


def test_text_that_is_not_canonical_is_read_but_not_taken_as_written() -> None:
    data, salt = key_data_set(lines=2), b"\x03" * 32
    committed = canonical.commitments(data, salt)
    spaced = canonical.read_payload(_deflated(json.dumps(data, indent=1).encode(), salt))
    assert spaced.data == data and spaced.spans is None and spaced.commitments_as_written() is None
    unsorted = {k: data[k] for k in reversed(list(data))}
    unsorted["buyer"] = {k: data["buyer"][k] for k in reversed(list(data["buyer"]))}
    reordered = canonical.read_payload(_deflated(json.dumps(unsorted, separators=(",", ":")).encode(), salt))
    assert reordered.data == data and reordered.spans is not None
    assert reordered.commitments_as_written() != committed  # its buyer text is not canonical...
    assert canonical.commitments(reordered.data, salt) == committed  # ...but its data is the committed data


@pytest.mark.parametrize("text", [b'{"a":1}x', b'{"a":1,}', b'{"a" :1}', b'{"a":1', b'{"a":[1,]}', b"{}"])
def test_compact_reading_agrees_with_json_loads(text: bytes) -> None:
    try:
        expected = json.loads(text)
    except ValueError:
        with pytest.raises(canonical.PayloadError):
            canonical.read_payload(_deflated(text, b"\0" * 32))
        return
    assert canonical.read_payload(_deflated(text, b"\0" * 32)).data == expected


def test_invoice_key_vectors_are_reproducible_from_their_spelled_out_bytes() -> None:
    # docs/protocol.md, "Invoice key": HMAC-SHA256(k_trader, "GPID/invoice-key/v1" || UTF-8 of the
    # normal form), then keccak256(abi.encode(traderKey, invoiceKey)) and the GPID from it, computed
    # here with the standard library and keccak alone, as a third party would.
    vectors = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))
    registry = bytes.fromhex(vectors["registry"][2:]).rjust(32, b"\0")
    chain_id = vectors["chain_id"].to_bytes(32, "big")
    for case in vectors["identifiers"]:
        secret, trader = bytes.fromhex(case["trader_secret"][2:]), bytes.fromhex(case["trader_key"][2:])
        message = b"GPID/invoice-key/v1" + canonical.normal_identifier(case["invoice_number"]).encode("utf-8")
        invoice = hmac.new(secret, message, hashlib.sha256).digest()
        assert "0x" + invoice.hex() == case["invoice_key"], case
        registry_key = canonical.keccak(trader + invoice)
        assert "0x" + registry_key.hex() == case["registry_key"], case
        assert "0x" + canonical.keccak(chain_id + registry + registry_key)[:16].hex() == case["gpid"], case


def test_invoice_key_hides_the_number_without_the_trader_secret() -> None:
    one, two = bytes(range(32)), bytes(range(1, 33))
    assert canonical.invoice_key(one, "RM-1") != canonical.invoice_key(two, "RM-1")  # another trader's secret, another key
    assert canonical.invoice_key(one, "RM-1") != canonical.invoice_key(one, "RM-2")
    # what a dictionary attack on the old derivation would test: nothing of it matches the key
    trader = canonical.trader_key("EORI:DE123456789012345")
    key = canonical.invoice_key(one, "RM-1")
    assert canonical.registry_key(trader, key) != canonical.legacy_registry_key(trader, "RM-1")
    assert canonical.keccak(b"RM-1") != key


@pytest.mark.parametrize(("secret", "number"), [(bytes(32), "rm-1"), (bytes(32), ""), (bytes(32), "RM 1"), (bytes(31), "RM-1")])
def test_invoice_key_refuses_a_number_not_in_normal_form_or_a_short_secret(secret: bytes, number: str) -> None:
    with pytest.raises(ValueError):
        canonical.invoice_key(secret, number)
