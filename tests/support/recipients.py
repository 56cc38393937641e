"""Recipient keys of format-2 registrations as tests write and recognise them.

A registration's wrapped keys carry hints from the X25519 secret of the issuer's key and each
recipient's (docs/protocol.md, "Recipient hints"): a test writing a payload straight to the contract
needs the issuer's published key pair, and a test asking who a payload is for recomputes the hints.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gpid_node.domain import payload_crypto
from gpid_node.domain.encryption_keys import EncryptionKeyPair

# Key pairs that tests published on chain, by public key: the issuer of a registration is found here.
_KNOWN: dict[bytes, EncryptionKeyPair] = {}
ISSUER_KEY = EncryptionKeyPair.generate()  # published for a seller account that has published none a test knows


def remember(pair: EncryptionKeyPair) -> EncryptionKeyPair:
    """Notes a key pair a test publishes, so :func:`issuer_key` can use it."""
    _KNOWN[pair.public_bytes] = pair
    return pair


def issuer_key(client: Any, account: Any) -> EncryptionKeyPair:
    """The key pair ``account`` (a signing account) has published on chain now; when the test does
    not know its private half (or it published none), :data:`ISSUER_KEY` is published for it first."""
    public, _ = client.view("encryptionKeyOf", account.address)
    known = _KNOWN.get(bytes(public))
    if known is None:
        client.transact(account, "publishEncryptionKey", remember(ISSUER_KEY).public_bytes)
        known = ISSUER_KEY
    return known


def recipient_keys(
    content_key: bytes, issuer: EncryptionKeyPair, recipients: Iterable[tuple[str, bytes]], binding: payload_crypto.Binding
) -> list[payload_crypto.RecipientKey]:
    """The content key wrapped for each (account, public key), tagged as ``issuer`` registers it."""
    wrapped = []
    for account, public in recipients:
        secret = issuer.shared_secret(public)
        assert secret is not None, "a recipient key of low order"
        wrapped.append(payload_crypto.wrap_for_recipient(content_key, secret, public, account, binding))
    return wrapped


def hint(issuer_public: bytes, recipient: EncryptionKeyPair, binding: payload_crypto.Binding) -> bytes:
    """The hint under which a registration by the holder of ``issuer_public`` carries ``recipient``'s key."""
    secret = recipient.shared_secret(issuer_public)
    assert secret is not None
    return payload_crypto.recipient_hint(secret, binding)


def hints_of(payload: bytes) -> set[bytes]:
    return {w.hint for w in payload_crypto.decode_payload(payload).recipient_keys}


def open_as(
    payload: bytes, issuer_public: bytes, account: str, pair: EncryptionKeyPair, binding: payload_crypto.Binding
) -> bytes | None:
    """The content key ``pair`` (of ``account``) finds in a version 1 payload of the holder of ``issuer_public``."""
    secret = pair.shared_secret(issuer_public)
    if secret is None:
        return None
    candidate = payload_crypto.HintKey(secret, account, pair, issuer_public)
    found = payload_crypto.find_content_key(payload_crypto.decode_payload(payload).recipient_keys, [candidate], binding)
    return None if found is None else found[0]
