"""The payload reader (chain/payloads.py) walks the ABI encoding of a call instead of decoding it.
eth_abi's strict decoding is the reference: for well-formed calls, for mutated ones and for random
bytes, the walk returns exactly the payloads that decoding the whole call with eth_abi returns ([]
when eth_abi refuses the calldata), and never raises."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_hash.auto import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpid_node.chain.abi import abi_type, signature
from gpid_node.chain.artifacts import registry_abi
from gpid_node.chain.payloads import _before_invoice_keys, _payload_function, _payload_functions, by_hash, payloads_in_calldata

PROPERTIES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

REGISTRY_FUNCTIONS = {f["name"]: f for f in registry_abi() if f["type"] == "function"}
LEGACY_FUNCTIONS = {
    name: {**f, "inputs": [_before_invoice_keys(i) for i in f["inputs"]]}
    for name, f in REGISTRY_FUNCTIONS.items() if name in ("register", "registerBatch")
}


def _payloads_of_values(spec: Mapping[str, Any], value: Any) -> Iterator[bytes]:
    array = re.fullmatch(r"(.+)\[\d*\]", spec["type"])
    if array is not None:
        for item in value:
            yield from _payloads_of_values({**spec, "type": array[1]}, item)
    elif spec["type"] == "tuple":
        for component, item in zip(spec["components"], value, strict=True):
            yield from _payloads_of_values(component, item)
    elif spec["type"] == "bytes" and spec["name"] == "payload":
        yield bytes(value)


def decoded_by_eth_abi(function: Mapping[str, Any], arguments: bytes) -> list[bytes]:
    """The reference: eth_abi decodes the whole call, then the payloads are picked from the values."""
    try:
        values = abi_decode([abi_type(i) for i in function["inputs"]], arguments)
    except Exception:  # eth_abi raises several kinds for malformed data
        return []
    return [p for spec, value in zip(function["inputs"], values, strict=True) for p in _payloads_of_values(spec, value)]


def selector(name: str) -> bytes:
    """The selector of the registry's ``name`` now (its ABI)."""
    found = keccak(signature(REGISTRY_FUNCTIONS[name]).encode())[:4]
    assert found in _payload_functions()
    return found


def legacy_selector(name: str) -> bytes:
    """The selector of ``name`` on a registry before invoice keys (``string invoiceNumber``)."""
    found = keccak(signature(LEGACY_FUNCTIONS[name]).encode())[:4]
    assert found in _payload_functions() and found != selector(name)
    return found


def values(spec: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Random values of an ABI input, as eth_abi encodes them."""
    kind = spec["type"]
    array = re.fullmatch(r"(.+)\[(\d*)\]", kind)
    if array is not None:
        item = values({**spec, "type": array[1]})
        if array[2]:
            return st.lists(item, min_size=int(array[2]), max_size=int(array[2]))
        return st.lists(item, max_size=60 if spec["name"] == "items" else 4)
    if kind == "tuple":
        return st.tuples(*(values(c) for c in spec["components"]))
    if kind == "bytes":
        return st.binary(max_size=3000 if spec["name"] == "payload" else 40)
    if kind == "string":
        return st.text(max_size=40)
    if kind == "bool":
        return st.booleans()
    if kind == "address":
        return st.binary(min_size=20, max_size=20)
    if kind == "fixed8x1":
        return st.integers(-128, 127).map(lambda i: Decimal(i) / 10)
    if kind == "ufixed16x2":
        return st.integers(0, 2**16 - 1).map(lambda i: Decimal(i) / 100)
    size = re.fullmatch(r"(u?int|bytes)(\d+)", kind)
    assert size is not None, kind
    bits = int(size[2])
    if size[1] == "bytes":
        return st.binary(min_size=bits, max_size=bits)
    if size[1] == "uint":
        return st.integers(0, 2**bits - 1)
    return st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)


def arguments(function: Mapping[str, Any]) -> st.SearchStrategy[bytes]:
    """The ABI encoding of random arguments of ``function`` (the calldata after the selector)."""
    types = [abi_type(i) for i in function["inputs"]]
    return st.tuples(*(values(i) for i in function["inputs"])).map(lambda args: abi_encode(types, list(args)))


INTERESTING_WORDS = [0, 1, 31, 32, 33, 64, 96, 2**31, 2**64, 2**255, 2**256 - 1]


@st.composite
def mutated(draw: st.DrawFn, encoded: bytes) -> bytes:
    """``encoded`` with a few words or bytes overwritten (offsets and lengths pointing anywhere),
    cut short or extended."""
    data = bytearray(encoded)
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(["word", "byte", "cut", "extend"]))
        if how == "word" and len(data) >= 32:
            at = draw(st.integers(0, len(data) // 32 - 1)) * 32
            word = draw(st.one_of(st.sampled_from([*INTERESTING_WORDS, len(data), len(data) - 32]), st.integers(0, 2**256 - 1)))
            data[at : at + 32] = (word % 2**256).to_bytes(32, "big")
        elif how == "byte" and data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        elif how == "cut" and data:
            del data[draw(st.integers(0, len(data) - 1)) :]
        elif how == "extend":
            data += draw(st.binary(min_size=1, max_size=64))
    return bytes(data)


# ------------------------------------------------------------------ the registry's functions


@PROPERTIES
@given(st.data(), st.sampled_from(["register", "registerBatch", "amend"]))
def test_the_walk_returns_what_eth_abi_decodes_from_well_formed_calls(data: st.DataObject, name: str) -> None:
    function = REGISTRY_FUNCTIONS[name]
    encoded = data.draw(arguments(function))
    expected = decoded_by_eth_abi(function, encoded)
    assert len(expected) >= 1 or name == "registerBatch"
    assert payloads_in_calldata(selector(name) + encoded) == expected


@PROPERTIES
@given(st.data(), st.sampled_from(["register", "registerBatch", "amend"]))
def test_the_walk_returns_what_eth_abi_decodes_from_mutated_calls(data: st.DataObject, name: str) -> None:
    function = REGISTRY_FUNCTIONS[name]
    encoded = data.draw(mutated(data.draw(arguments(function))))
    assert payloads_in_calldata(selector(name) + encoded) == decoded_by_eth_abi(function, encoded)


@PROPERTIES
@given(st.sampled_from(["register", "registerBatch", "amend"]), st.binary(max_size=600))
def test_random_bytes_after_a_registry_selector_never_raise(name: str, noise: bytes) -> None:
    assert payloads_in_calldata(selector(name) + noise) == decoded_by_eth_abi(REGISTRY_FUNCTIONS[name], noise)


def test_the_padding_and_text_eth_abi_checks_are_checked() -> None:
    function = REGISTRY_FUNCTIONS["amend"]
    commitments = tuple(bytes([i]) * 32 for i in range(5))
    good = abi_encode([abi_type(i) for i in function["inputs"]], [b"\x01" * 16, commitments, commitments, 7, "why", b"\xaa" * 33])
    assert payloads_in_calldata(selector("amend") + good) == [b"\xaa" * 33]
    gpid_padding, reason_code_padding = 31, 5 * 32 * 2 + 32 + 1
    reason_text, payload_padding = len(good) - 4 * 32 + 1, len(good) - 1
    for at, byte in [(gpid_padding, 1), (reason_code_padding, 1), (reason_text, 0xFF), (payload_padding, 1)]:
        bad = bytearray(good)
        bad[at] = byte
        assert decoded_by_eth_abi(function, bytes(bad)) == [], at
        assert payloads_in_calldata(selector("amend") + bytes(bad)) == [], at


def test_hostile_lengths_and_offsets_are_refused_without_allocating() -> None:
    huge = (2**256 - 1).to_bytes(32, "big")
    batch = abi_encode(["(string,(bytes32,bytes32,bytes32,bytes32,bytes32),bytes)[]"], [[("A-1", (b"\0" * 32,) * 5, b"p")]])
    as_many_items_as_can_be = batch[:32] + huge + batch[64:]
    assert payloads_in_calldata(legacy_selector("registerBatch") + as_many_items_as_can_be) == []
    register = abi_encode(["string", "(bytes32,bytes32,bytes32,bytes32,bytes32)", "bytes"], ["A-1", (b"\0" * 32,) * 5, b"p" * 40])
    payload_length_at = int.from_bytes(register[6 * 32 : 7 * 32], "big")
    longest_payload = register[:payload_length_at] + (2**255).to_bytes(32, "big") + register[payload_length_at + 32 :]
    assert payloads_in_calldata(legacy_selector("register") + longest_payload) == []
    offset_past_the_end = register[:6 * 32] + huge + register[7 * 32 :]
    assert payloads_in_calldata(legacy_selector("register") + offset_past_the_end) == []
    assert payloads_in_calldata(legacy_selector("register") + register) == [b"p" * 40]
    current = abi_encode(["bytes32", "(bytes32,bytes32,bytes32,bytes32,bytes32)", "bytes"], [b"\1" * 32, (b"\0" * 32,) * 5, b"p" * 40])
    payload_offset_at = 6 * 32
    assert payloads_in_calldata(selector("register") + current[:payload_offset_at] + huge + current[payload_offset_at + 32 :]) == []
    assert payloads_in_calldata(selector("register") + current) == [b"p" * 40]


@PROPERTIES
@given(st.data(), st.sampled_from(["register", "registerBatch"]))
def test_registrations_of_a_registry_before_invoice_keys_stay_readable(data: st.DataObject, name: str) -> None:
    # An old chain's register(string invoiceNumber, ...) calls: the walk still finds their payloads.
    function = LEGACY_FUNCTIONS[name]
    encoded = data.draw(arguments(function))
    assert payloads_in_calldata(legacy_selector(name) + encoded) == decoded_by_eth_abi(function, encoded)


def test_calls_of_other_functions_and_short_calldata_carry_no_payload() -> None:
    assert payloads_in_calldata(b"") == payloads_in_calldata(b"\xd2\x29") == []
    assert payloads_in_calldata(selector("register")) == []
    assert payloads_in_calldata(b"\0\0\0\0" + b"\0" * 320) == []


@given(st.lists(st.binary(max_size=300), max_size=8))
def test_payloads_are_keyed_by_their_keccak256(payloads: list[bytes]) -> None:
    assert by_hash(payloads) == {keccak(p): p for p in payloads}


# ------------------------------------------------------------------ any function: the walk is worked out from the ABI

A_FUTURE_FUNCTION = {
    "type": "function",
    "name": "registerEverything",
    "inputs": [
        {"name": "small", "type": "uint8"},
        {"name": "signed", "type": "int16"},
        {"name": "payload", "type": "bytes"},
        {"name": "flag", "type": "bool"},
        {"name": "who", "type": "address"},
        {"name": "tag", "type": "bytes4"},
        {"name": "pair", "type": "bytes32[2]"},
        {"name": "grid", "type": "int8[2][3]"},
        {"name": "rate", "type": "fixed8x1"},
        {"name": "share", "type": "ufixed16x2"},
        {"name": "fixedItems", "type": "tuple[2]", "components": [
            {"name": "note", "type": "string"}, {"name": "payload", "type": "bytes"}]},
        {"name": "payload", "type": "bytes[]"},
        {"name": "notPayload", "type": "bytes"},
        {"name": "nested", "type": "tuple[]", "components": [
            {"name": "n", "type": "uint256"},
            {"name": "inner", "type": "tuple[]", "components": [
                {"name": "payload", "type": "bytes"}, {"name": "labels", "type": "string[]"},
                {"name": "point", "type": "tuple", "components": [{"name": "x", "type": "int256"}, {"name": "y", "type": "uint64"}]}]},
            {"name": "statics", "type": "uint16[2][]"}]},
    ],
}  # fmt: skip


def walked(function: Mapping[str, Any], arguments: bytes) -> list[bytes]:
    return _payload_function(function).payloads(arguments)


@PROPERTIES
@given(st.data())
def test_a_function_with_every_kind_of_member_is_walked_as_eth_abi_decodes_it(data: st.DataObject) -> None:
    encoded = data.draw(arguments(A_FUTURE_FUNCTION))
    expected = decoded_by_eth_abi(A_FUTURE_FUNCTION, encoded)
    assert len(expected) >= 3
    assert walked(A_FUTURE_FUNCTION, encoded) == expected


@PROPERTIES
@given(st.data())
def test_a_function_with_every_kind_of_member_mutated_is_walked_as_eth_abi_decodes_it(data: st.DataObject) -> None:
    encoded = data.draw(mutated(data.draw(arguments(A_FUTURE_FUNCTION))))
    assert walked(A_FUTURE_FUNCTION, encoded) == decoded_by_eth_abi(A_FUTURE_FUNCTION, encoded)


def test_every_word_of_a_call_overwritten_with_each_interesting_value_is_walked_as_eth_abi_decodes_it() -> None:
    encoded = abi_encode([abi_type(i) for i in A_FUTURE_FUNCTION["inputs"]], [
        200, -3, b"first", True, b"\x11" * 20, b"tag4", [b"\x01" * 32, b"\x02" * 32], [[-1, 2], [3, -4], [5, 6]],
        Decimal("-1.5"), Decimal("2.25"), [("n1", b"second"), ("n2", b"")], [b"third", b"x" * 33], b"not this",
        [(7, [(b"fourth", ["a", "b"], (-9, 9))], [[1, 2]])],
    ])  # fmt: skip
    assert walked(A_FUTURE_FUNCTION, encoded) == [b"first", b"second", b"", b"third", b"x" * 33, b"fourth"]
    for at in range(0, len(encoded), 32):
        for word in [*INTERESTING_WORDS, 2, 0xFF, 0x80 << 248, len(encoded)]:
            changed = encoded[:at] + word.to_bytes(32, "big") + encoded[at + 32 :]
            assert walked(A_FUTURE_FUNCTION, changed) == decoded_by_eth_abi(A_FUTURE_FUNCTION, changed), (at, word)
