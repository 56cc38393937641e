"""X25519 encryption key pairs of participant accounts and their key ids.

Separate from an account's signing key: the chain publishes the 32-byte public key
(``publishEncryptionKey``) and content keys are wrapped to it with HPKE (payload_crypto). The key id
``keccak256(publicKey)`` tags each granted key and binds each wrapped key's HPKE ``info``; a
registration's recipients are found by a hint from the X25519 shared secret of the issuer's and the
recipient's keys (:func:`shared_secret`, payload_crypto), so the chain does not show who they are.
Old keys are kept after a rotation for the data wrapped to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from gpid_node.domain.canonical import keccak

X25519_KEY_BYTES = 32


def key_id(public_key: bytes) -> bytes:
    """``keccak256(x25519 public key)``, 32 bytes: as the contract's ``EncryptionKeyPublished`` gives it."""
    if len(public_key) != X25519_KEY_BYTES:
        raise ValueError(f"an X25519 public key is {X25519_KEY_BYTES} bytes, not {len(public_key)}")
    return keccak(public_key)


def public_key_from_bytes(public_key: bytes) -> X25519PublicKey:
    """The key object of 32 raw bytes (as published on chain); ValueError for any other length."""
    if len(public_key) != X25519_KEY_BYTES:
        raise ValueError(f"an X25519 public key is {X25519_KEY_BYTES} bytes, not {len(public_key)}")
    return X25519PublicKey.from_public_bytes(public_key)


def shared_secret(private_key: X25519PrivateKey, public_key: bytes) -> bytes | None:
    """``X25519(private, public)``, the same from either side of a pair of keys; None when the public
    key is not 32 bytes or is of low order (the all-zero result RFC 7748 tells to refuse), so a bad
    key published on chain means "no shared secret", never an error."""
    if len(public_key) != X25519_KEY_BYTES:
        return None
    try:
        return private_key.exchange(X25519PublicKey.from_public_bytes(public_key))
    except (ValueError, UnsupportedAlgorithm):
        return None


@dataclass(frozen=True)
class EncryptionKeyPair:
    """An account's X25519 key pair; ``private_bytes`` is what the keystore keeps (encrypted)."""

    private_key: X25519PrivateKey

    @classmethod
    def generate(cls) -> EncryptionKeyPair:
        return cls(X25519PrivateKey.generate())

    @classmethod
    def from_private_bytes(cls, raw: bytes) -> EncryptionKeyPair:
        if len(raw) != X25519_KEY_BYTES:
            raise ValueError(f"an X25519 private key is {X25519_KEY_BYTES} bytes, not {len(raw)}")
        return cls(X25519PrivateKey.from_private_bytes(raw))

    @property
    def private_bytes(self) -> bytes:
        return self.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())

    @property
    def public_bytes(self) -> bytes:
        """The 32 bytes an account publishes on chain."""
        return self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def key_id(self) -> bytes:
        return key_id(self.public_bytes)

    def shared_secret(self, public_key: bytes) -> bytes | None:
        """:func:`shared_secret` of this pair's private key with ``public_key``."""
        return shared_secret(self.private_key, public_key)
