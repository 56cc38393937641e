"""Format-2 payloads: layout, encryption bound to chain/registry/GPID/version, wrapped content keys."""

from __future__ import annotations

import zlib
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gpid_node.domain import canonical, payload_crypto as pc
from gpid_node.domain.canonical import PayloadError, keccak
from gpid_node.domain.encryption_keys import EncryptionKeyPair, key_id
from gpid_node.domain.gpid import GPID
from support.builders import key_data_set

REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
BINDING = pc.Binding(31337, REGISTRY, GPID(bytes(range(16))))
SELLER, BUYER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
SEED, CONTENT_KEY = b"\x11" * 32, b"\x22" * 32


def counter() -> Any:
    """Deterministic ``random(n)``: 0x01.., 0x02.., ..."""
    calls = iter(range(1, 256))
    return lambda n: bytes([next(calls)]) * n


@pytest.fixture(scope="module")
def keys() -> dict[str, EncryptionKeyPair]:
    return {SELLER: EncryptionKeyPair.generate(), BUYER: EncryptionKeyPair.generate()}


def wrapped_for(keys: dict[str, EncryptionKeyPair], binding: pc.Binding = BINDING) -> list[pc.WrappedKey]:
    return [pc.wrap_content_key(CONTENT_KEY, pair.public_bytes, account, binding) for account, pair in keys.items()]


def test_a_payload_is_tag_count_wrapped_keys_nonce_and_ciphertext(keys: dict[str, EncryptionKeyPair]) -> None:
    data = key_data_set(lines=10)
    wrapped = wrapped_for(keys)
    payload = pc.build_payload(data, SEED, CONTENT_KEY, BINDING, 1, wrapped, random=counter())
    plaintext = pc.plaintext_bytes(data, SEED)
    assert payload[:2] == b"\x02\x02"
    assert payload[2:226] == b"".join(w.to_bytes() for w in wrapped)
    assert payload[226:238] == b"\x01" * 12
    assert len(payload) == 2 + 112 * 2 + 12 + len(plaintext) + 16 == pc.minimum_length(2) + len(plaintext)
    assert AESGCM(CONTENT_KEY).decrypt(payload[226:238], payload[238:], BINDING.associated_data(1)) == plaintext


def test_the_plaintext_is_raw_deflated_canonical_json_with_the_seed_inside() -> None:
    data = key_data_set()
    raw = zlib.decompress(pc.plaintext_bytes(data, SEED, {"source": {"syntax": "UBL"}}), wbits=-15)
    assert raw == canonical.canonical_json({"data": data, "seed": "0x" + SEED.hex(), "source": {"syntax": "UBL"}})


def test_every_recipient_opens_the_payload_and_reads_data_seed_and_extra(keys: dict[str, EncryptionKeyPair]) -> None:
    data = key_data_set(lines=3)
    payload = pc.build_payload(data, SEED, CONTENT_KEY, BINDING, 1, wrapped_for(keys), extra={"source": "x"})
    parts = pc.decode_payload(payload)
    for account, pair in keys.items():
        content_key = pc.find_content_key(parts.wrapped_keys, {pair.key_id: (account, pair)}, BINDING)
        assert content_key == CONTENT_KEY
        assert pc.read_payload(payload, content_key, BINDING, 1) == pc.Plaintext(data, SEED, {"source": "x"})


def test_an_amendment_carries_no_wrapped_key_and_opens_with_the_gpids_content_key() -> None:
    payload = pc.build_payload(key_data_set(lines=2), SEED, CONTENT_KEY, BINDING, 2)
    assert payload[1] == 0 and pc.decode_payload(payload).wrapped_keys == ()
    assert pc.read_payload(payload, CONTENT_KEY, BINDING, 2).data == key_data_set(lines=2)


def test_associated_data_and_hpke_info_are_the_documented_bytes() -> None:
    prefix = (31337).to_bytes(32, "big") + bytes.fromhex(REGISTRY[2:]) + bytes(range(16))
    assert BINDING.associated_data(7) == b"GPID/payload/v2" + prefix + (7).to_bytes(4, "big")
    assert BINDING.wrap_info(BUYER, b"\x09" * 32) == b"GPID/content-key/v2" + prefix + bytes.fromhex(BUYER[2:]) + b"\x09" * 32
    with pytest.raises(ValueError):
        BINDING.associated_data(0)


@pytest.mark.parametrize(
    "other",
    [
        {"version": 2},
        {"binding": pc.Binding(1, REGISTRY, BINDING.gpid)},
        {"binding": pc.Binding(31337, "0x" + "00" * 20, BINDING.gpid)},
        {"binding": pc.Binding(31337, REGISTRY, GPID(bytes(16)))},
        {"content_key": b"\x23" * 32},
    ],
)
def test_a_payload_moved_to_another_version_gpid_registry_or_chain_does_not_open(other: dict[str, Any]) -> None:
    payload = pc.build_payload(key_data_set(), SEED, CONTENT_KEY, BINDING, 1)
    with pytest.raises(PayloadError, match="does not decrypt"):
        pc.read_payload(payload, other.get("content_key", CONTENT_KEY), other.get("binding", BINDING), other.get("version", 1))


def test_a_wrapped_key_opens_only_for_its_key_account_and_gpid(keys: dict[str, EncryptionKeyPair]) -> None:
    for_seller = pc.wrap_content_key(CONTENT_KEY, keys[SELLER].public_bytes, SELLER, BINDING)
    assert len(for_seller.to_bytes()) == 112 and for_seller.key_id == keccak(keys[SELLER].public_bytes)
    with pytest.raises(PayloadError, match="is for key id"):
        pc.unwrap_content_key(for_seller, keys[BUYER], BUYER, BINDING)
    relabelled = pc.WrappedKey(keys[BUYER].key_id, for_seller.enc, for_seller.ciphertext)
    with pytest.raises(PayloadError, match="does not open"):
        pc.unwrap_content_key(relabelled, keys[BUYER], BUYER, BINDING)
    with pytest.raises(PayloadError, match="does not open"):
        pc.unwrap_content_key(for_seller, keys[SELLER], BUYER, BINDING)
    with pytest.raises(PayloadError, match="does not open"):
        pc.unwrap_content_key(for_seller, keys[SELLER], SELLER, pc.Binding(31337, REGISTRY, GPID(bytes(16))))


def test_a_node_without_a_recipient_key_finds_no_content_key_and_keeps_rotated_keys(keys: dict[str, EncryptionKeyPair]) -> None:
    old, new = keys[SELLER], EncryptionKeyPair.generate()
    wrapped = wrapped_for({SELLER: old})
    assert pc.find_content_key(wrapped, {new.key_id: (SELLER, new)}, BINDING) is None
    holders = {new.key_id: (SELLER, new), old.key_id: (SELLER, old)}
    assert pc.find_content_key(wrapped, holders, BINDING) == CONTENT_KEY


def test_key_pairs_round_trip_through_their_private_bytes() -> None:
    pair = EncryptionKeyPair.generate()
    again = EncryptionKeyPair.from_private_bytes(pair.private_bytes)
    assert again.public_bytes == pair.public_bytes and again.key_id == key_id(pair.public_bytes)
    with pytest.raises(ValueError):
        EncryptionKeyPair.from_private_bytes(b"\x01" * 31)
    with pytest.raises(ValueError):
        key_id(b"\x01" * 33)


def test_every_truncation_of_a_payload_is_one_named_payload_error(keys: dict[str, EncryptionKeyPair]) -> None:
    payload = pc.build_payload(key_data_set(), SEED, CONTENT_KEY, BINDING, 1, wrapped_for(keys))
    for end in range(len(payload)):
        with pytest.raises(PayloadError):
            pc.read_payload(payload[:end], CONTENT_KEY, BINDING, 1)
    with pytest.raises(PayloadError, match="shorter than its 2 wrapped key"):
        pc.decode_payload(payload[: pc.minimum_length(2) - 1])


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (b"", "empty payload"),
        (b"\x01" + b"\x00" * 60, "payload format 1 is not format 2"),
        (b"\x02", "before its wrapped-key count"),
        (b"\x02\xff" + b"\x00" * 200, "shorter than its 255 wrapped key"),
    ],
)
def test_malformed_payloads_are_refused_saying_what_is_wrong(payload: bytes, problem: str) -> None:
    with pytest.raises(PayloadError, match=problem):
        pc.decode_payload(payload)


def test_a_key_id_wrapped_twice_is_refused(keys: dict[str, EncryptionKeyPair]) -> None:
    wrapped = wrapped_for({SELLER: keys[SELLER]}) * 2
    with pytest.raises(PayloadError, match="twice"):
        pc.decode_payload(pc.build_payload(key_data_set(), SEED, CONTENT_KEY, BINDING, 1, wrapped))


def _sealed(plaintext: bytes) -> bytes:
    nonce = b"\x05" * 12
    return b"\x02\x00" + nonce + AESGCM(CONTENT_KEY).encrypt(nonce, plaintext, BINDING.associated_data(1))


def _deflated(raw: bytes) -> bytes:
    deflate = zlib.compressobj(wbits=-15)
    return deflate.compress(raw) + deflate.flush()


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b'{"data":{},"seed":"0x1234"}', "seed is not 0x and 64"),
        (b'{"seed":"0x' + b"ab" * 32 + b'"}', "member data is missing"),
        (b"[1]", "not an object"),
        (b"[" * 100 + b"]" * 100, "nests deeper than 32"),
        (b'{"data":"' + b"a" * 5000 + b'"}', "beyond the size limit"),
    ],
)
def test_a_decrypted_plaintext_is_read_with_the_format1_bounds(raw: bytes, problem: str) -> None:
    with pytest.raises(PayloadError, match=problem):
        pc.read_payload(_sealed(_deflated(raw)), CONTENT_KEY, BINDING, 1, max_json_bytes=4096)


def test_a_plaintext_that_is_not_deflate_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="not deflated JSON"):
        pc.read_payload(_sealed(b"\xff\xff\xff\xff"), CONTENT_KEY, BINDING, 1)


def test_format1_reader_refuses_format2_as_before() -> None:
    with pytest.raises(PayloadError, match="payload format 2 is not supported"):
        canonical.read_payload(pc.build_payload(key_data_set(), SEED, CONTENT_KEY, BINDING, 1))


def test_the_content_key_seed_and_nonce_come_from_the_injected_randomness() -> None:
    random = counter()
    assert pc.new_content_key(random) == b"\x01" * 32 and pc.new_seed(random) == b"\x02" * 32
    assert pc.new_content_key() != pc.new_content_key()
