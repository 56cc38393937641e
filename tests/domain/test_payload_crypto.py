"""Format-2 payloads: layout, encryption bound to chain/registry/GPID/version, wrapped content keys
found by recipient hints (registrations) or key ids (grants)."""

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


ISSUER = EncryptionKeyPair.generate()  # the registering seller's key (SELLER's own entry is wrapped to it too)


@pytest.fixture(scope="module")
def keys() -> dict[str, EncryptionKeyPair]:
    return {SELLER: ISSUER, BUYER: EncryptionKeyPair.generate()}


def wrapped_for(keys: dict[str, EncryptionKeyPair], binding: pc.Binding = BINDING, issuer: EncryptionKeyPair = ISSUER) -> list[pc.RecipientKey]:
    """The recipient keys a registration by ``issuer`` carries for ``keys``."""
    wrapped = []
    for account, pair in keys.items():
        secret = issuer.shared_secret(pair.public_bytes)
        assert secret is not None
        wrapped.append(pc.wrap_for_recipient(CONTENT_KEY, secret, pair.public_bytes, account, binding))
    return wrapped


def candidates(holders: dict[str, list[EncryptionKeyPair]], issuer_keys: list[bytes]) -> list[pc.HintKey]:
    """Each held key against each published issuer key, as the indexer tries them."""
    found = []
    for account, pairs in holders.items():
        for pair in pairs:
            for public in issuer_keys:
                secret = pair.shared_secret(public)
                if secret is not None:
                    found.append(pc.HintKey(secret, account, pair, public))
    return found


def test_a_payload_is_tag_count_recipient_keys_nonce_and_ciphertext(keys: dict[str, EncryptionKeyPair]) -> None:
    data = key_data_set(lines=10)
    wrapped = wrapped_for(keys)
    payload = pc.build_payload(data, SEED, CONTENT_KEY, BINDING, 1, wrapped, random=counter())
    plaintext = pc.plaintext_bytes(data, SEED)
    assert payload[:2] == b"\x02\x02"
    assert payload[2:178] == b"".join(w.to_bytes() for w in wrapped) and all(len(w.to_bytes()) == 88 for w in wrapped)
    assert payload[178:190] == b"\x01" * 12
    assert len(payload) == 2 + 88 * 2 + 12 + len(plaintext) + 16 == pc.minimum_length(2) + len(plaintext)
    assert AESGCM(CONTENT_KEY).decrypt(payload[178:190], payload[190:], BINDING.associated_data(1)) == plaintext


def test_a_hint_is_the_documented_hash_of_the_shared_secret_and_both_sides_compute_it(keys: dict[str, EncryptionKeyPair]) -> None:
    buyer = keys[BUYER]
    secret = ISSUER.shared_secret(buyer.public_bytes)
    assert secret is not None and secret == buyer.shared_secret(ISSUER.public_bytes)
    prefix = (31337).to_bytes(32, "big") + bytes.fromhex(REGISTRY[2:]) + bytes(range(16))
    hint = pc.recipient_hint(secret, BINDING)
    assert hint == keccak(b"GPID/recipient-hint/v2" + secret + prefix)[:8]
    other_gpid = pc.Binding(31337, REGISTRY, GPID(bytes(16)))
    assert pc.recipient_hint(secret, other_gpid) != hint  # unlinkable from one registration to the next
    stranger = EncryptionKeyPair.generate()  # holds neither private key: another secret, another hint
    assert pc.recipient_hint(stranger.shared_secret(buyer.public_bytes) or b"", BINDING) != hint
    entry = wrapped_for({BUYER: buyer})[0]
    assert entry.hint == hint and buyer.key_id not in entry.to_bytes() and ISSUER.key_id not in entry.to_bytes()


@pytest.mark.parametrize("public", [bytes(32), (1).to_bytes(32, "little"), b"\xff" * 31, b"\x01" * 33])
def test_a_low_order_or_malformed_key_has_no_shared_secret_and_matches_nothing(keys: dict[str, EncryptionKeyPair], public: bytes) -> None:
    assert ISSUER.shared_secret(public) is None
    assert candidates({BUYER: [keys[BUYER]]}, [public]) == []
    assert pc.find_content_key(wrapped_for(keys), candidates({BUYER: [keys[BUYER]]}, [public]), BINDING) is None


def test_the_plaintext_is_raw_deflated_canonical_json_with_the_seed_inside() -> None:
    data = key_data_set()
    raw = zlib.decompress(pc.plaintext_bytes(data, SEED, {"source": {"syntax": "UBL"}}), wbits=-15)
    assert raw == canonical.canonical_json({"data": data, "seed": "0x" + SEED.hex(), "source": {"syntax": "UBL"}})


def test_every_recipient_opens_the_payload_and_reads_data_seed_and_extra(keys: dict[str, EncryptionKeyPair]) -> None:
    data = key_data_set(lines=3)
    payload = pc.build_payload(data, SEED, CONTENT_KEY, BINDING, 1, wrapped_for(keys), extra={"source": "x"})
    parts = pc.decode_payload(payload)
    for account, pair in keys.items():
        found = pc.find_content_key(parts.recipient_keys, candidates({account: [pair]}, [ISSUER.public_bytes]), BINDING)
        assert found is not None and found[0] == CONTENT_KEY and found[1].issuer_public_key == ISSUER.public_bytes
        content_key = found[0]
        assert pc.read_payload(payload, content_key, BINDING, 1) == pc.Plaintext(data, SEED, {"source": "x"})


def test_an_amendment_carries_no_wrapped_key_and_opens_with_the_gpids_content_key() -> None:
    payload = pc.build_payload(key_data_set(lines=2), SEED, CONTENT_KEY, BINDING, 2)
    assert payload[1] == 0 and pc.decode_payload(payload).recipient_keys == ()
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


def test_a_granted_key_opens_only_for_its_key_account_and_gpid(keys: dict[str, EncryptionKeyPair]) -> None:
    for_seller = pc.wrap_content_key(CONTENT_KEY, keys[SELLER].public_bytes, SELLER, BINDING)
    assert len(for_seller.to_bytes()) == 112 and for_seller.key_id == keccak(keys[SELLER].public_bytes)
    assert pc.GrantedKey.from_bytes(for_seller.to_bytes()) == for_seller
    with pytest.raises(PayloadError, match="a granted key is 112 bytes, not 88"):
        pc.GrantedKey.from_bytes(for_seller.to_bytes()[24:])
    with pytest.raises(PayloadError, match="is for key id"):
        pc.unwrap_content_key(for_seller, keys[BUYER], BUYER, BINDING)
    relabelled = pc.GrantedKey(keys[BUYER].key_id, for_seller.enc, for_seller.ciphertext)
    with pytest.raises(PayloadError, match="does not open"):
        pc.unwrap_content_key(relabelled, keys[BUYER], BUYER, BINDING)
    with pytest.raises(PayloadError, match="does not open"):
        pc.unwrap_content_key(for_seller, keys[SELLER], BUYER, BINDING)
    with pytest.raises(PayloadError, match="does not open"):
        pc.unwrap_content_key(for_seller, keys[SELLER], SELLER, pc.Binding(31337, REGISTRY, GPID(bytes(16))))


def test_a_node_without_a_recipient_key_finds_no_content_key_and_keeps_rotated_keys(keys: dict[str, EncryptionKeyPair]) -> None:
    old, new = keys[BUYER], EncryptionKeyPair.generate()
    wrapped = wrapped_for({SELLER: keys[SELLER], BUYER: old})
    assert pc.find_content_key(wrapped, candidates({BUYER: [new]}, [ISSUER.public_bytes]), BINDING) is None
    found = pc.find_content_key(wrapped, candidates({BUYER: [new, old]}, [ISSUER.public_bytes]), BINDING)
    assert found is not None and found[0] == CONTENT_KEY and found[1].key_pair is old


def test_the_recipient_tries_every_key_the_issuer_published(keys: dict[str, EncryptionKeyPair]) -> None:
    rotated = EncryptionKeyPair.generate()  # the seller's newer key, which wrapped this payload
    wrapped = wrapped_for({BUYER: keys[BUYER]}, issuer=rotated)
    assert pc.find_content_key(wrapped, candidates({BUYER: [keys[BUYER]]}, [ISSUER.public_bytes]), BINDING) is None
    published = [ISSUER.public_bytes, rotated.public_bytes]
    found = pc.find_content_key(wrapped, candidates({BUYER: [keys[BUYER]]}, published), BINDING)
    assert found is not None and found[1].issuer_public_key == rotated.public_bytes


def test_a_matching_hint_that_does_not_open_is_passed_over_for_the_next_candidate(keys: dict[str, EncryptionKeyPair]) -> None:
    buyer = keys[BUYER]
    [real] = wrapped_for({BUYER: buyer})
    other = EncryptionKeyPair.generate()
    # a false match: an entry carrying the buyer's hint that another key sealed, before the real one
    decoy = pc.RecipientKey(real.hint, *_sealed_to(other, BUYER))
    shifted = pc.RecipientKey(b"\x00" * 8, real.enc, real.ciphertext)
    found = pc.find_content_key([decoy, real], candidates({BUYER: [buyer]}, [ISSUER.public_bytes]), BINDING)
    assert found is not None and found[0] == CONTENT_KEY
    with pytest.raises(PayloadError, match="does not open"):  # ours by its hint, and nothing of ours opens
        pc.find_content_key([decoy, shifted], candidates({BUYER: [buyer]}, [ISSUER.public_bytes]), BINDING)


def _sealed_to(pair: EncryptionKeyPair, account: str) -> tuple[bytes, bytes]:
    granted = pc.wrap_content_key(b"\x33" * 32, pair.public_bytes, account, BINDING)
    return granted.enc, granted.ciphertext


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
    with pytest.raises(PayloadError, match="shorter than its 2 recipient key"):
        pc.decode_payload(payload[: pc.minimum_length(2) - 1])


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (b"", "empty payload"),
        (b"\x01" + b"\x00" * 60, "payload format 1 is not format 2"),
        (b"\x02", "before its wrapped-key count"),
        (b"\x02\xff" + b"\x00" * 200, "shorter than its 255 recipient key"),
    ],
)
def test_malformed_payloads_are_refused_saying_what_is_wrong(payload: bytes, problem: str) -> None:
    with pytest.raises(PayloadError, match=problem):
        pc.decode_payload(payload)


def test_two_recipient_keys_with_one_hint_are_refused(keys: dict[str, EncryptionKeyPair]) -> None:
    wrapped = wrapped_for({SELLER: keys[SELLER]}) * 2
    with pytest.raises(ValueError, match="one hint"):
        pc.build_payload(key_data_set(), SEED, CONTENT_KEY, BINDING, 1, wrapped)
    good = pc.build_payload(key_data_set(), SEED, CONTENT_KEY, BINDING, 1, wrapped[:1])
    doubled = good[:1] + b"\x02" + good[2:90] * 2 + good[90:]
    with pytest.raises(PayloadError, match="two recipient keys with one hint"):
        pc.decode_payload(doubled)


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
