"""Computes the ``format2`` member of contracts/test/vectors.json (written by support.vectors).

Everything is fixed (seed, content key, nonces, issuer and recipient keys) except HPKE's ephemeral
key, which pyca ``cryptography`` draws itself: the stored ``enc || ct`` is kept while it still
decapsulates to the content key, so a third party reproduces the decapsulation, and the rest (the
recipient hint from the two fixed X25519 keys included) byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gpid_node.domain import canonical, merkle, payload_crypto
from gpid_node.domain.canonical import PayloadError, canonical_json
from gpid_node.domain.disclosure_proof import prove, select_paths
from gpid_node.domain.encryption_keys import EncryptionKeyPair
from support.builders import amended, key_data_set

EXAMPLE_FILE = Path(__file__).resolve().parents[2] / "schemas" / "examples" / "design-example.json"
SEED = bytes(range(0x00, 0x20))
CONTENT_KEY = bytes(range(0x40, 0x60))
NONCES = {1: bytes(range(0x60, 0x6C)), 2: bytes(range(0x70, 0x7C))}
RECIPIENT_PRIVATE_KEY = bytes(range(0x80, 0xA0))
RECIPIENT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # anvil's account 1
ISSUER_PRIVATE_KEY = bytes(range(0xA0, 0xC0))  # the registering seller's X25519 key
DISCLOSED = ["goods[*].packages", "goods[*].net_mass_kg"]


def h(raw: bytes) -> str:
    return "0x" + raw.hex()


def example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE_FILE.read_text(encoding="utf-8"))
    return data


def commitments_vector(data: dict[str, Any]) -> dict[str, Any]:
    """Leaves (salt, canonical value, hash) in tree order, column seeds, roots, buyer commitment, digest."""
    leaves = merkle.section_leaves(data, SEED)
    values = merkle.leaf_values(data)
    lengths = {p[: -len(".length")]: v for p, v in values.items() if p.endswith(".length")}
    columns = sorted({merkle.column_of(p) for p in values if merkle.list_of(p) is not None})
    c = merkle.commitments_v2(data, SEED)
    buyer_key = canonical.trader_key(canonical.trader_id_text(data["buyer"]["trader_id"]))
    return {
        "data": data,
        "seed": h(SEED),
        "column_seeds": {col: h(merkle.column_seed(SEED, col, lengths[col.split("[*]")[0]])) for col in columns},
        "leaves": {
            name: [
                {"path": leaf.path, "value": canonical_json(leaf.value).decode("utf-8"), "salt": h(leaf.salt), "leaf": h(leaf.hash)}
                for leaf in section
            ]
            for name, section in leaves.items()
        },
        "tree_roots": {name: h(merkle.tree_levels([x.hash for x in s])[-1][0]) for name, s in leaves.items()},
        "roots": {"identity": h(c.identity), "seller": h(c.seller), "buyer": h(c.buyer), "goods": h(c.goods)},
        "buyer_salt": h(merkle.buyer_salt(SEED)),
        "buyer_trader_key": h(buyer_key),
        "buyer_commitment": h(c.buyer_trader_key),
        "digest": h(c.digest),
    }


def _wrapped(binding: payload_crypto.Binding, stored: dict[str, Any] | None) -> payload_crypto.GrantedKey:
    """The content key HPKE-sealed to the recipient: the stored ``enc || ct`` while it opens."""
    pair = EncryptionKeyPair.from_private_bytes(RECIPIENT_PRIVATE_KEY)
    if stored is not None:
        try:
            hpke = stored["hpke"]
            kept = payload_crypto.GrantedKey(pair.key_id, bytes.fromhex(hpke["enc"][2:]), bytes.fromhex(hpke["ct"][2:]))
            if payload_crypto.unwrap_content_key(kept, pair, RECIPIENT, binding) == CONTENT_KEY:
                return kept
        except (KeyError, ValueError, PayloadError):
            pass
    return payload_crypto.wrap_content_key(CONTENT_KEY, pair.public_bytes, RECIPIENT, binding)


def hint_vector(binding: payload_crypto.Binding) -> dict[str, Any]:
    """The recipient hint from two fixed X25519 keys: what a third party recomputes."""
    issuer = EncryptionKeyPair.from_private_bytes(ISSUER_PRIVATE_KEY)
    recipient = EncryptionKeyPair.from_private_bytes(RECIPIENT_PRIVATE_KEY)
    secret = issuer.shared_secret(recipient.public_bytes)
    assert secret is not None and secret == recipient.shared_secret(issuer.public_bytes)
    hashed = payload_crypto.RECIPIENT_HINT_TAG + secret + binding.chain_id.to_bytes(32, "big") + bytes.fromhex(binding.registry[2:]) + binding.gpid.raw
    return {
        "issuer_private_key": h(ISSUER_PRIVATE_KEY),
        "issuer_public_key": h(issuer.public_bytes),
        "recipient_private_key": h(RECIPIENT_PRIVATE_KEY),
        "recipient_public_key": h(recipient.public_bytes),
        "shared_secret": h(secret),
        "hashed": h(hashed),
        "hint": h(payload_crypto.recipient_hint(secret, binding)),
    }


def compute_format2(chain_id: int, registry: str, stored: dict[str, Any] | None) -> dict[str, Any]:
    data = example()
    seller = canonical.trader_key(canonical.trader_id_text(data["seller"]["trader_id"]))
    invoice = canonical.invoice_key(bytes(range(32)), canonical.normal_identifier(data["invoice"]["number"]))  # case 0's k_trader
    gpid = canonical.gpid_of_invoice(chain_id, registry, seller, invoice)
    binding = payload_crypto.Binding(chain_id, registry, gpid)
    pair = EncryptionKeyPair.from_private_bytes(RECIPIENT_PRIVATE_KEY)
    wrapped = _wrapped(binding, stored)
    hint = hint_vector(binding)
    recipient_key = payload_crypto.RecipientKey(bytes.fromhex(hint["hint"][2:]), wrapped.enc, wrapped.ciphertext)
    plaintext = payload_crypto.plaintext_bytes(data, SEED)
    later = amended(data, goods=[{**data["goods"][0], "packages": 3}])
    nonces = iter(NONCES.values())
    payloads = {
        1: payload_crypto.build_payload(data, SEED, CONTENT_KEY, binding, 1, [recipient_key], random=lambda n: next(nonces)),
        2: payload_crypto.build_payload(later, SEED, CONTENT_KEY, binding, 2, random=lambda n: next(nonces)),
    }
    three = key_data_set(lines=3)
    return {
        "seed": h(SEED),
        "design_example": commitments_vector(data),
        "three_lines": commitments_vector(three),
        "hpke": {
            "suite": "RFC 9180 base mode: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM",
            "recipient_private_key": h(RECIPIENT_PRIVATE_KEY),
            "recipient_public_key": h(pair.public_bytes),
            "key_id": h(pair.key_id),
            "recipient": RECIPIENT,
            "gpid": gpid.hex,
            "info": h(binding.wrap_info(RECIPIENT, pair.key_id)),
            "aad": "0x",
            "enc": h(wrapped.enc),
            "ct": h(wrapped.ciphertext),
            "recipient_key": h(recipient_key.to_bytes()),
            "granted_key": h(wrapped.to_bytes()),
            "content_key": h(CONTENT_KEY),
        },
        "hint": hint,
        "aead": {
            "algorithm": "AES-256-GCM",
            "key": h(CONTENT_KEY),
            "nonce": h(NONCES[1]),
            "ad": h(binding.associated_data(1)),
            "plaintext": h(plaintext),
            "plaintext_json": canonical_json({"data": data, "seed": h(SEED)}).decode("utf-8"),
            "ciphertext": h(payloads[1][2 + payload_crypto.RECIPIENT_KEY_BYTES + payload_crypto.NONCE_BYTES :]),
        },
        "payloads": [
            {"version": 1, "payload": h(payloads[1]), "data": data, "digest": commitments_vector(data)["digest"]},
            {
                "version": 2,
                "payload": h(payloads[2]),
                "data": later,
                "digest": h(merkle.commitments_v2(later, SEED).digest),
                "changed_sections": merkle.commitments_v2(data, SEED).changed_sections(merkle.commitments_v2(later, SEED)),
            },
        ],
        "disclosure": {
            "data": "three_lines",
            "fields": DISCLOSED,
            "proof": prove(three, SEED, select_paths(three, DISCLOSED)).as_json(),
            "digest": h(merkle.commitments_v2(three, SEED).digest),
        },
    }
