"""The format-2 golden vectors of contracts/test/vectors.json, checked from their formulas.

Each check recomputes a value from the bytes docs/protocol.md names, with Keccak, AES-GCM and HPKE
called directly, so a drift of the node's code from the written protocol fails here.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

import pytest
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from gpid_node.domain import merkle, payload_crypto
from gpid_node.domain.canonical import canonical_json, keccak
from gpid_node.domain.disclosure_proof import DisclosureProof, verify
from gpid_node.domain.gpid import GPID
from support.vectors import CHAIN_ID, REGISTRY, VECTORS_FILE
from support.vectors_format2 import compute_format2

VECTORS = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))
FORMAT2 = VECTORS["format2"]


def b(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x"))


def test_the_stored_vectors_are_what_the_node_computes() -> None:
    assert compute_format2(CHAIN_ID, REGISTRY, FORMAT2) == FORMAT2


@pytest.mark.parametrize("name", ["design_example", "three_lines"])
def test_leaves_salts_and_roots_follow_the_written_formulas(name: str) -> None:
    vector: dict[str, Any] = FORMAT2[name]
    seed = b(vector["seed"])
    lines = len(vector["data"]["goods"])
    for column, column_seed in vector["column_seeds"].items():
        assert b(column_seed) == keccak(b"GPID/column-seed/v2" + seed + column.encode() + lines.to_bytes(4, "big"))
    for section, leaves in vector["leaves"].items():
        for leaf in leaves:
            path = leaf["path"].encode()
            column = merkle.column_of(leaf["path"])
            key = b(vector["column_seeds"][column]) if column in vector["column_seeds"] else seed
            assert b(leaf["salt"]) == keccak(b"GPID/leaf-salt/v2" + key + path)
            assert b(leaf["leaf"]) == keccak(b"\x00" + b(leaf["salt"]) + keccak(path) + keccak(leaf["value"].encode()))
        level = [b(leaf["leaf"]) for leaf in leaves]
        while len(level) > 1:
            pairs = [keccak(b"\x01" + level[i] + level[i + 1]) for i in range(0, len(level) - 1, 2)]
            level = pairs + ([level[-1]] if len(level) % 2 else [])
        assert level[0] == b(vector["tree_roots"][section])
        assert b(vector["roots"][section]) == keccak(b"\x02" + len(leaves).to_bytes(4, "big") + level[0])
    assert b(vector["buyer_salt"]) == keccak(b"GPID/buyer-salt/v2" + seed)
    assert b(vector["buyer_trader_key"]) == keccak(b"EORI:GB123456789000")
    assert b(vector["buyer_commitment"]) == keccak(b(vector["buyer_salt"]) + b(vector["buyer_trader_key"]))
    roots = vector["roots"]
    five = b(roots["identity"]) + b(roots["seller"]) + b(roots["buyer"]) + b(roots["goods"]) + b(vector["buyer_commitment"])
    assert b(vector["digest"]) == keccak(five)


def test_the_hpke_vector_decapsulates_to_the_content_key() -> None:
    vector = FORMAT2["hpke"]
    private = X25519PrivateKey.from_private_bytes(b(vector["recipient_private_key"]))
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert public == b(vector["recipient_public_key"]) and keccak(public) == b(vector["key_id"])
    info = (
        b"GPID/content-key/v2" + CHAIN_ID.to_bytes(32, "big") + b(REGISTRY) + b(vector["gpid"])
        + b(vector["recipient"]) + b(vector["key_id"])
    )
    assert info == b(vector["info"])
    suite = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
    assert suite.decrypt(b(vector["enc"]) + b(vector["ct"]), private, info) == b(vector["content_key"])
    assert b(vector["granted_key"]) == b(vector["key_id"]) + b(vector["enc"]) + b(vector["ct"])
    assert b(vector["recipient_key"]) == b(FORMAT2["hint"]["hint"]) + b(vector["enc"]) + b(vector["ct"])


# RFC 7748's X25519 in plain integers, so the hint vector is checked without the library the node uses.
_P = 2**255 - 19


def _x25519(scalar: bytes, u_bytes: bytes) -> bytes:
    k = int.from_bytes(scalar, "little")
    k = (k & ~7 & ~(1 << 255)) | (1 << 254)
    u = int.from_bytes(u_bytes, "little") & ((1 << 255) - 1)
    x2, z2, x3, z3, swap = 1, 0, u, 1, 0
    for t in reversed(range(255)):
        bit = (k >> t) & 1
        swap ^= bit
        if swap:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = bit
        a, aa = x2 + z2, (x2 + z2) ** 2
        b_, bb = x2 - z2, (x2 - z2) ** 2
        e = aa - bb
        c, d = x3 + z3, x3 - z3
        da, cb = d * a, c * b_
        x3, z3 = (da + cb) ** 2 % _P, u * (da - cb) ** 2 % _P
        x2, z2 = aa * bb % _P, e * (aa + 121665 * e) % _P
    if swap:
        x2, z2 = x3, z3
    return (x2 * pow(z2, _P - 2, _P) % _P).to_bytes(32, "little")


def test_the_hint_vector_follows_the_written_formula() -> None:
    vector = FORMAT2["hint"]
    issuer, recipient = b(vector["issuer_private_key"]), b(vector["recipient_private_key"])
    assert _x25519(issuer, (9).to_bytes(32, "little")) == b(vector["issuer_public_key"])
    assert _x25519(recipient, (9).to_bytes(32, "little")) == b(vector["recipient_public_key"]) == b(FORMAT2["hpke"]["recipient_public_key"])
    secret = _x25519(issuer, b(vector["recipient_public_key"]))
    assert secret == _x25519(recipient, b(vector["issuer_public_key"])) == b(vector["shared_secret"])
    hashed = b"GPID/recipient-hint/v2" + secret + CHAIN_ID.to_bytes(32, "big") + b(REGISTRY) + b(FORMAT2["hpke"]["gpid"])
    assert hashed == b(vector["hashed"]) and keccak(hashed)[:8] == b(vector["hint"])
    assert b(vector["hint"]) not in b(FORMAT2["hpke"]["key_id"])  # the payload does not carry the key id


def test_the_aead_vector_reproduces_its_ciphertext() -> None:
    vector = FORMAT2["aead"]
    gpid = b(FORMAT2["hpke"]["gpid"])
    ad = b"GPID/payload/v2" + CHAIN_ID.to_bytes(32, "big") + b(REGISTRY) + gpid + (1).to_bytes(4, "big")
    assert ad == b(vector["ad"])
    assert AESGCM(b(vector["key"])).encrypt(b(vector["nonce"]), b(vector["plaintext"]), ad) == b(vector["ciphertext"])
    assert zlib.decompress(b(vector["plaintext"]), wbits=-15) == vector["plaintext_json"].encode()
    assert vector["plaintext_json"].encode() == canonical_json(json.loads(vector["plaintext_json"]))


def test_the_payload_vectors_read_back_their_data_and_match_their_digests() -> None:
    binding = payload_crypto.Binding(CHAIN_ID, REGISTRY, GPID(b(FORMAT2["hpke"]["gpid"])))
    first, second = FORMAT2["payloads"]
    payload = b(first["payload"])
    assert payload[:2] == b"\x02\x01" and payload[2:90] == b(FORMAT2["hpke"]["recipient_key"])
    assert payload[90:102] == b(FORMAT2["aead"]["nonce"]) and payload[102:] == b(FORMAT2["aead"]["ciphertext"])
    assert b(FORMAT2["hpke"]["key_id"]) not in payload
    content_key = b(FORMAT2["hpke"]["content_key"])
    read = payload_crypto.read_payload(payload, content_key, binding, 1)
    assert read.data == first["data"] and read.seed == b(FORMAT2["seed"]) and read.extra == {}
    assert merkle.commitments_v2(read.data, read.seed).digest == b(first["digest"])
    amendment = payload_crypto.read_payload(b(second["payload"]), content_key, binding, 2)
    assert b(second["payload"])[1] == 0 and amendment.data == second["data"] and amendment.seed == read.seed
    assert merkle.commitments_v2(amendment.data, amendment.seed).digest == b(second["digest"])
    assert second["changed_sections"] == 8


def test_the_disclosure_vector_verifies_against_its_digest() -> None:
    vector = FORMAT2["disclosure"]
    proof = DisclosureProof.from_json(vector["proof"])
    assert verify(proof, b(vector["digest"])).digest == b(FORMAT2[vector["data"]]["digest"])
    assert proof.fields["goods.length"] == 3
