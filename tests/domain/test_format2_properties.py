"""Properties of format 2: no single changed byte passes, nothing opens for the wrong party or place."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpid_node.domain import merkle, payload_crypto as pc
from gpid_node.domain.canonical import PayloadError
from gpid_node.domain.disclosure_proof import DisclosureProof, InvalidDisclosure, prove, select_paths, verify
from gpid_node.domain.encryption_keys import EncryptionKeyPair
from gpid_node.domain.gpid import GPID
from support.builders import amended, key_data_set

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
BINDING = pc.Binding(31337, REGISTRY, GPID(bytes(range(16))))
A, B = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
KEYS = {A: EncryptionKeyPair.generate(), B: EncryptionKeyPair.generate()}
SEED, CONTENT_KEY = bytes(range(32)), bytes(range(32, 64))
DATA = key_data_set(lines=4)
ISSUER = KEYS[A]  # A registers; its own recipient key is wrapped to it too


def _secret(account: str) -> bytes:
    secret = ISSUER.shared_secret(KEYS[account].public_bytes)
    assert secret is not None
    return secret


RECIPIENT_KEYS = {a: pc.wrap_for_recipient(CONTENT_KEY, _secret(a), p.public_bytes, a, BINDING) for a, p in KEYS.items()}
GRANTED = {account: pc.wrap_content_key(CONTENT_KEY, pair.public_bytes, account, BINDING) for account, pair in KEYS.items()}
PAYLOAD = pc.build_payload(DATA, SEED, CONTENT_KEY, BINDING, 1, RECIPIENT_KEYS.values())
DIGEST = merkle.commitments_v2(DATA, SEED).digest
DISCLOSURES = [
    prove(DATA, SEED, select_paths(DATA, patterns))
    for patterns in (["goods[*].packages", "goods[*].net_mass_kg"], ["invoice.number", "goods[2].hs_code"], ["buyer"])
]


def opened_by(payload: bytes, account: str) -> pc.Plaintext:
    """What ``account``'s node reads from a payload of version 1 (PayloadError when it cannot)."""
    parts = pc.decode_payload(payload)
    mine = KEYS[account]
    found = pc.find_content_key(parts.recipient_keys, [pc.HintKey(_secret(account), account, mine, ISSUER.public_bytes)], BINDING)
    if found is None:
        raise PayloadError("no wrapped key for this node")
    return pc.read_payload(payload, found[0], BINDING, 1)


def flipped(raw: bytes, at: int, mask: int) -> bytes:
    at %= len(raw)
    return raw[:at] + bytes([raw[at] ^ mask]) + raw[at + 1 :]


def refused(action: Any) -> bool:
    try:
        action()
    except PayloadError:
        return True
    return False


@FAST
@given(at=st.integers(min_value=0), mask=st.integers(min_value=1, max_value=255))
def test_any_single_changed_byte_of_a_payload_is_refused_by_a_recipient(at: int, mask: int) -> None:
    changed = flipped(PAYLOAD, at, mask)
    assert opened_by(PAYLOAD, A).data == DATA == opened_by(PAYLOAD, B).data
    # The wrapped key of one recipient is outside the AEAD: its change is refused by that recipient.
    assert refused(lambda: opened_by(changed, A)) or refused(lambda: opened_by(changed, B))
    if at % len(PAYLOAD) < 2 or at % len(PAYLOAD) >= 2 + 2 * pc.RECIPIENT_KEY_BYTES:
        assert refused(lambda: opened_by(changed, A)) and refused(lambda: opened_by(changed, B))


@FAST
@given(at=st.integers(min_value=0, max_value=pc.GRANTED_KEY_BYTES - 1), mask=st.integers(min_value=1, max_value=255))
def test_any_single_changed_byte_of_a_granted_key_is_refused(at: int, mask: int) -> None:
    changed = pc.GrantedKey.from_bytes(flipped(GRANTED[A].to_bytes(), at, mask))
    assert refused(lambda: pc.unwrap_content_key(changed, KEYS[A], A, BINDING))


@FAST
@given(at=st.integers(min_value=0, max_value=pc.RECIPIENT_KEY_BYTES - 1), mask=st.integers(min_value=1, max_value=255))
def test_any_single_changed_byte_of_a_recipient_key_hides_it_or_is_refused(at: int, mask: int) -> None:
    changed = pc.RecipientKey.from_bytes(flipped(RECIPIENT_KEYS[B].to_bytes(), at, mask))
    candidate = [pc.HintKey(_secret(B), B, KEYS[B], ISSUER.public_bytes)]
    if at < pc.HINT_BYTES:  # a changed hint is no longer B's: not found, so nothing opens
        assert pc.find_content_key([changed], candidate, BINDING) is None
    else:
        assert refused(lambda: pc.find_content_key([changed], candidate, BINDING))


@FAST
@given(account=st.sampled_from([A, B]))
def test_a_key_wrapped_for_one_recipient_cannot_be_opened_by_another(account: str) -> None:
    other = B if account == A else A
    wrapped = GRANTED[account]
    assert pc.unwrap_content_key(wrapped, KEYS[account], account, BINDING) == CONTENT_KEY
    assert refused(lambda: pc.unwrap_content_key(wrapped, KEYS[other], other, BINDING))
    forged = pc.GrantedKey(KEYS[other].key_id, wrapped.enc, wrapped.ciphertext)
    assert refused(lambda: pc.unwrap_content_key(forged, KEYS[other], other, BINDING))
    assert refused(lambda: pc.unwrap_content_key(wrapped, KEYS[account], other, BINDING))


@FAST
@given(
    chain_id=st.integers(min_value=0, max_value=2**256 - 1),
    registry=st.binary(min_size=20, max_size=20),
    gpid=st.binary(min_size=16, max_size=16),
    version=st.integers(min_value=1, max_value=2**32 - 1),
)
def test_the_associated_data_binds_chain_registry_gpid_and_version(chain_id: int, registry: bytes, gpid: bytes, version: int) -> None:
    elsewhere = pc.Binding(chain_id, "0x" + registry.hex(), GPID(gpid))
    same = (chain_id, registry, gpid, version) == (BINDING.chain_id, bytes.fromhex(REGISTRY[2:]), BINDING.gpid.raw, 1)
    assert refused(lambda: pc.read_payload(PAYLOAD, CONTENT_KEY, elsewhere, version)) != same
    assert refused(lambda: pc.read_payload(PAYLOAD, CONTENT_KEY, BINDING, version)) == (version != 1)


def refused_disclosure(text: bytes, digest: bytes) -> bool:
    try:
        verify(DisclosureProof.from_json(json.loads(text.decode("utf-8"))), digest)
    except (UnicodeDecodeError, ValueError, InvalidDisclosure):  # JSONDecodeError is a ValueError
        return True
    return False


@FAST
@given(which=st.integers(min_value=0, max_value=len(DISCLOSURES) - 1), at=st.integers(min_value=0), mask=st.integers(min_value=1, max_value=255))
def test_any_single_changed_byte_of_a_disclosure_is_refused(which: int, at: int, mask: int) -> None:
    text = json.dumps(DISCLOSURES[which].as_json(), separators=(",", ":")).encode("utf-8")
    assert not refused_disclosure(text, DIGEST)
    assert refused_disclosure(flipped(text, at, mask), DIGEST)


@FAST
@given(which=st.integers(min_value=0, max_value=len(DISCLOSURES) - 1), pick=st.integers(min_value=0), value=st.none() | st.integers() | st.text(max_size=12))
def test_a_changed_revealed_value_is_refused(which: int, pick: int, value: Any) -> None:
    proof = DISCLOSURES[which]
    path = sorted(proof.fields)[pick % len(proof.fields)]
    if value == proof.fields[path] and type(value) is type(proof.fields[path]):
        return
    changed = DisclosureProof({**proof.fields, path: value}, proof.salts, proof.column_seeds, proof.proofs, proof.roots, proof.buyer_commitment)
    assert refused_disclosure(json.dumps(changed.as_json()).encode(), DIGEST)


@FAST
@given(which=st.integers(min_value=0, max_value=len(DISCLOSURES) - 1), pick=st.integers(min_value=0), at=st.integers(min_value=0, max_value=31), mask=st.integers(min_value=1, max_value=255))
def test_a_changed_salt_or_column_seed_is_refused(which: int, pick: int, at: int, mask: int) -> None:
    proof = DISCLOSURES[which]
    openings = [("salts", k) for k in proof.salts] + [("column_seeds", k) for k in proof.column_seeds]
    member, key = openings[pick % len(openings)]
    values = {**getattr(proof, member)}
    values[key] = flipped(values[key], at, mask)
    changed = DisclosureProof(
        proof.fields, values if member == "salts" else proof.salts, values if member == "column_seeds" else proof.column_seeds,
        proof.proofs, proof.roots, proof.buyer_commitment,
    )
    assert refused_disclosure(json.dumps(changed.as_json()).encode(), DIGEST)


@FAST
@given(seed=st.binary(min_size=32, max_size=32), packages=st.integers(min_value=1, max_value=9999))
def test_a_disclosure_for_another_gpid_or_version_is_refused(seed: bytes, packages: int) -> None:
    text = json.dumps(DISCLOSURES[0].as_json()).encode()
    other_gpid = merkle.commitments_v2(DATA, seed).digest
    assert refused_disclosure(text, other_gpid) == (seed != SEED)
    later = amended(DATA, goods=[{**DATA["goods"][0], "packages": packages}, *DATA["goods"][1:]])
    assert refused_disclosure(text, merkle.commitments_v2(later, SEED).digest) == (later != DATA)
