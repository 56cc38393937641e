"""Payload format 2: the key data set encrypted under the GPID's content key, the content key
wrapped with HPKE for each recipient.

``0x02 || uint8 recipientCount || recipientKey * count || nonce (12) || AES-256-GCM ciphertext+tag``,
a recipient key being ``hint (8) || enc (32) || HPKE ciphertext (48)`` (:class:`RecipientKey`, 88
bytes). The hint is not the recipient's key id, which is public (``EncryptionKeyPublished``) and
would tell every reader of the chain who the buyer and the Customs of a registration are, but the
first 8 bytes of a hash of the X25519 shared secret of the issuer's and the recipient's keys
(:func:`recipient_hint`): only the two of them can compute it. A grant's wrapped key keeps the key id
(:class:`GrantedKey`, 112 bytes): the contract checks it, and the grantee is named in the event.

The plaintext is the raw-deflated canonical JSON ``{"data": <key data set>, "seed": "0x..", ...}``:
the seed of the Merkle salts (domain/merkle.py) travels only inside the ciphertext, and so does an
amendment's reason in words (member ``reason``, :data:`REASON_MEMBER`; the ``reason`` argument on
chain stays empty).
docs/protocol.md ("Format 2") states the layout, hint, associated data and HPKE ``info``;
``contracts/test/vectors.json`` pins them.

Randomness (content keys, seeds, nonces) comes from an injected ``random(n)`` so tests can fix it;
HPKE draws its ephemeral key inside pyca ``cryptography``, which offers no way to fix it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gpid_node.domain.canonical import PayloadError, deflate_json, inflate_json, keccak
from gpid_node.domain.encryption_keys import EncryptionKeyPair, key_id, public_key_from_bytes
from gpid_node.domain.gpid import GPID
from gpid_node.domain.merkle import SEED_BYTES

PAYLOAD_FORMAT_ENCRYPTED = 2
CONTENT_KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_ID_BYTES = 32
HINT_BYTES = 8
ENC_BYTES = 32
WRAPPED_CIPHERTEXT_BYTES = CONTENT_KEY_BYTES + TAG_BYTES
SEALED_BYTES = ENC_BYTES + WRAPPED_CIPHERTEXT_BYTES  # HPKE's single-shot output, 80
RECIPIENT_KEY_BYTES = HINT_BYTES + SEALED_BYTES  # 88, in a registration payload
GRANTED_KEY_BYTES = KEY_ID_BYTES + SEALED_BYTES  # 112, in a grant
MAX_WRAPPED_KEYS = 255
REASON_MEMBER = "reason"  # the plaintext member of an amendment's reason in words
PAYLOAD_AD_TAG = b"GPID/payload/v2"
CONTENT_KEY_INFO_TAG = b"GPID/content-key/v2"
RECIPIENT_HINT_TAG = b"GPID/recipient-hint/v2"
HPKE_SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_SEED_TEXT = re.compile(r"0x[0-9a-f]{64}")

Random = Callable[[int], bytes]


def address_bytes(address: str) -> bytes:
    """The 20 bytes of a ``0x`` address (any letter case)."""
    if not isinstance(address, str) or _ADDRESS.fullmatch(address) is None:
        raise ValueError(f"{address!r} is not an address (0x and 40 hex digits)")
    return bytes.fromhex(address[2:])


@dataclass(frozen=True)
class Binding:
    """What a payload and its wrapped keys are bound to: one GPID of one registry on one chain."""

    chain_id: int
    registry: str
    gpid: GPID

    def __post_init__(self) -> None:
        if not 0 <= self.chain_id < 2**256:
            raise ValueError("a chain id is a uint256")
        address_bytes(self.registry)

    def _prefix(self) -> bytes:
        return self.chain_id.to_bytes(32, "big") + address_bytes(self.registry) + self.gpid.raw

    def associated_data(self, version: int) -> bytes:
        """``"GPID/payload/v2" || uint256 chainId || address registry || bytes16 gpid || uint32 version``."""
        if not 1 <= version < 2**32:
            raise ValueError(f"version {version} is not from 1 to 2^32 - 1")
        return PAYLOAD_AD_TAG + self._prefix() + version.to_bytes(4, "big")

    def wrap_info(self, recipient: str, key_id: bytes) -> bytes:
        """HPKE ``info``: ``"GPID/content-key/v2" || uint256 chainId || address registry ||
        bytes16 gpid || address recipient || bytes32 keyId``."""
        if len(key_id) != KEY_ID_BYTES:
            raise ValueError(f"a key id is {KEY_ID_BYTES} bytes")
        return CONTENT_KEY_INFO_TAG + self._prefix() + address_bytes(recipient) + key_id


def recipient_hint(secret: bytes, binding: Binding) -> bytes:
    """``keccak256("GPID/recipient-hint/v2" || secret || uint256 chainId || address registry ||
    bytes16 gpid)[0:8]``, ``secret`` being ``X25519(issuerPrivate, recipientPublic)`` =
    ``X25519(recipientPrivate, issuerPublic)``: it tags a recipient's wrapped key so that the
    recipient finds it and nobody else learns whose it is. Bound to the GPID, so two registrations
    to the same recipient carry unrelated hints."""
    if len(secret) != 32:
        raise ValueError("an X25519 shared secret is 32 bytes")
    return keccak(RECIPIENT_HINT_TAG + secret + binding._prefix())[:HINT_BYTES]


@dataclass(frozen=True)
class RecipientKey:
    """The content key wrapped for one recipient in a registration payload: ``hint || enc || ct``
    (88 bytes)."""

    hint: bytes
    enc: bytes
    ciphertext: bytes

    def to_bytes(self) -> bytes:
        return self.hint + self.enc + self.ciphertext

    @classmethod
    def from_bytes(cls, raw: bytes) -> RecipientKey:
        """Reads exactly 88 bytes; PayloadError for any other length."""
        if len(raw) != RECIPIENT_KEY_BYTES:
            raise PayloadError(f"a recipient key is {RECIPIENT_KEY_BYTES} bytes, not {len(raw)}")
        return cls(raw[:HINT_BYTES], raw[HINT_BYTES : HINT_BYTES + ENC_BYTES], raw[HINT_BYTES + ENC_BYTES :])


@dataclass(frozen=True)
class GrantedKey:
    """The content key wrapped for one grantee in a grant (``AccessGranted``): ``keyId || enc || ct``
    (112 bytes); the contract checks that the key id is the grantee's current key."""

    key_id: bytes
    enc: bytes
    ciphertext: bytes

    def to_bytes(self) -> bytes:
        return self.key_id + self.enc + self.ciphertext

    @classmethod
    def from_bytes(cls, raw: bytes) -> GrantedKey:
        """Reads exactly 112 bytes (a grant's wrapped key); PayloadError for any other length."""
        if len(raw) != GRANTED_KEY_BYTES:
            raise PayloadError(f"a granted key is {GRANTED_KEY_BYTES} bytes, not {len(raw)}")
        return cls(raw[:KEY_ID_BYTES], raw[KEY_ID_BYTES : KEY_ID_BYTES + ENC_BYTES], raw[KEY_ID_BYTES + ENC_BYTES :])


def new_content_key(random: Random = secrets.token_bytes) -> bytes:
    """One per GPID, kept by every version."""
    return random(CONTENT_KEY_BYTES)


def new_seed(random: Random = secrets.token_bytes) -> bytes:
    """One per GPID, kept by every version (see merkle.py and docs/protocol.md for why not per version)."""
    return random(SEED_BYTES)


def _seal(content_key: bytes, recipient_public_key: bytes, recipient: str, binding: Binding) -> tuple[bytes, bytes, bytes]:
    """HPKE base mode to the recipient's published X25519 key, ``info`` binding chain, registry,
    GPID, recipient account and key id; empty aad. Returns (key id, enc, ct)."""
    if len(content_key) != CONTENT_KEY_BYTES:
        raise ValueError(f"a content key is {CONTENT_KEY_BYTES} bytes")
    kid = key_id(recipient_public_key)
    sealed = HPKE_SUITE.encrypt(content_key, public_key_from_bytes(recipient_public_key), binding.wrap_info(recipient, kid))
    return kid, sealed[:ENC_BYTES], sealed[ENC_BYTES:]


def _open(enc: bytes, ciphertext: bytes, key_pair: EncryptionKeyPair, recipient: str, binding: Binding) -> bytes:
    """The content key HPKE-sealed to ``key_pair`` for ``recipient``; PayloadError when it does not open."""
    kid = key_pair.key_id
    try:
        content_key = HPKE_SUITE.decrypt(enc + ciphertext, key_pair.private_key, binding.wrap_info(recipient, kid))
    except (InvalidTag, ValueError) as exc:
        raise PayloadError(
            f"the wrapped key for key id 0x{kid.hex()} does not open for {recipient} on {binding.gpid}: "
            "changed, or wrapped for another key, account, GPID, registry or chain"
        ) from exc
    if len(content_key) != CONTENT_KEY_BYTES:
        raise PayloadError(f"the wrapped key holds {len(content_key)} bytes, not a {CONTENT_KEY_BYTES}-byte content key")
    return content_key


def wrap_for_recipient(content_key: bytes, secret: bytes, recipient_public_key: bytes, recipient: str, binding: Binding) -> RecipientKey:
    """The content key wrapped for one recipient of a registration, tagged with the hint of
    ``secret`` (``X25519(issuer's private key, recipient_public_key)``, :func:`shared_secret`)."""
    _, enc, ciphertext = _seal(content_key, recipient_public_key, recipient, binding)
    return RecipientKey(recipient_hint(secret, binding), enc, ciphertext)


def wrap_content_key(content_key: bytes, recipient_public_key: bytes, recipient: str, binding: Binding) -> GrantedKey:
    """The content key wrapped for a grantee (a grant names its grantee, so the key id may show)."""
    kid, enc, ciphertext = _seal(content_key, recipient_public_key, recipient, binding)
    return GrantedKey(kid, enc, ciphertext)


def unwrap_content_key(wrapped: GrantedKey, key_pair: EncryptionKeyPair, recipient: str, binding: Binding) -> bytes:
    """The content key of a grant; PayloadError when it is for another key, account or GPID, or has
    been changed."""
    if wrapped.key_id != key_pair.key_id:
        raise PayloadError(f"the wrapped key is for key id 0x{wrapped.key_id.hex()}, not 0x{key_pair.key_id.hex()}")
    return _open(wrapped.enc, wrapped.ciphertext, key_pair, recipient, binding)


@dataclass(frozen=True)
class HintKey:
    """One way a node may be among a registration's recipients: one of its key pairs (of account
    ``recipient``) against one encryption key the issuer published, by their shared secret."""

    secret: bytes
    recipient: str
    key_pair: EncryptionKeyPair
    issuer_public_key: bytes


def find_content_key(
    recipient_keys: Iterable[RecipientKey], candidates: Sequence[HintKey], binding: Binding
) -> tuple[bytes, HintKey] | None:
    """The content key from the first recipient key whose hint one of ``candidates`` computes and
    that then opens for it, with that candidate; None when no hint is ours. A hint is 64 bits, so a
    match that does not open is tried against the next candidate; when some matched and none
    opened, PayloadError (a wrapped key of ours changed or forged)."""
    if not candidates:
        return None
    by_hint: dict[bytes, list[HintKey]] = {}
    for candidate in candidates:
        by_hint.setdefault(recipient_hint(candidate.secret, binding), []).append(candidate)
    failure: PayloadError | None = None
    for entry in recipient_keys:
        for candidate in by_hint.get(entry.hint, ()):
            try:
                return _open(entry.enc, entry.ciphertext, candidate.key_pair, candidate.recipient, binding), candidate
            except PayloadError as exc:
                failure = failure or exc
    if failure is not None:
        raise failure
    return None


@dataclass(frozen=True)
class EncryptedPayload:
    """A format-2 payload split into its parts (nothing decrypted)."""

    recipient_keys: tuple[RecipientKey, ...]
    nonce: bytes
    ciphertext: bytes

    def to_bytes(self) -> bytes:
        if len(self.recipient_keys) > MAX_WRAPPED_KEYS:
            raise ValueError(f"a payload carries at most {MAX_WRAPPED_KEYS} recipient keys")
        hints = [w.hint for w in self.recipient_keys]
        if len(set(hints)) != len(hints):
            raise ValueError("two recipient keys with one hint (one recipient key twice)")
        keys = b"".join(w.to_bytes() for w in self.recipient_keys)
        return bytes([PAYLOAD_FORMAT_ENCRYPTED, len(self.recipient_keys)]) + keys + self.nonce + self.ciphertext


def minimum_length(count: int) -> int:
    """``2 + 88 * count + 12 + 16``: the contract's lower bound for a format-2 payload."""
    return 2 + RECIPIENT_KEY_BYTES * count + NONCE_BYTES + TAG_BYTES


def decode_payload(payload: bytes) -> EncryptedPayload:
    """The parts of a format-2 payload; PayloadError naming what is wrong with its bytes."""
    if not payload:
        raise PayloadError("empty payload")
    if payload[0] != PAYLOAD_FORMAT_ENCRYPTED:
        raise PayloadError(f"payload format {payload[0]} is not format {PAYLOAD_FORMAT_ENCRYPTED}")
    if len(payload) < 2:
        raise PayloadError("format-2 payload ends before its wrapped-key count")
    count = payload[1]
    if len(payload) < minimum_length(count):
        raise PayloadError(
            f"format-2 payload of {len(payload)} bytes is shorter than its {count} recipient key(s), nonce and tag "
            f"({minimum_length(count)} bytes)"
        )
    keys = tuple(RecipientKey.from_bytes(payload[2 + i * RECIPIENT_KEY_BYTES : 2 + (i + 1) * RECIPIENT_KEY_BYTES]) for i in range(count))
    seen = [w.hint for w in keys]
    if len(set(seen)) != len(seen):
        raise PayloadError("format-2 payload carries two recipient keys with one hint")
    at = 2 + count * RECIPIENT_KEY_BYTES
    return EncryptedPayload(keys, payload[at : at + NONCE_BYTES], payload[at + NONCE_BYTES :])


@dataclass(frozen=True)
class Plaintext:
    """What a format-2 payload holds: the key data set, the GPID's seed, other members (``source``,
    an amendment's ``reason``)."""

    data: dict[str, Any]
    seed: bytes
    extra: dict[str, Any] = field(default_factory=dict)


def plaintext_bytes(data: dict[str, Any], seed: bytes, extra: Mapping[str, Any] | None = None) -> bytes:
    """``raw-deflate(canonical({"data": ..., "seed": "0x..", ...extra}))``."""
    if len(seed) != SEED_BYTES:
        raise ValueError(f"the seed is {SEED_BYTES} bytes")
    members = dict(extra or {})
    if "data" in members or "seed" in members:
        raise ValueError("extra members may not be named data or seed")
    return deflate_json({**members, "data": data, "seed": "0x" + seed.hex()})


def build_payload(
    data: dict[str, Any],
    seed: bytes,
    content_key: bytes,
    binding: Binding,
    version: int,
    recipient_keys: Iterable[RecipientKey] = (),
    extra: Mapping[str, Any] | None = None,
    random: Random = secrets.token_bytes,
) -> bytes:
    """A format-2 payload of one version: registration passes its recipients' wrapped keys, an
    amendment none (its readers hold the GPID's content key already). ValueError for two recipient
    keys with one hint."""
    nonce = random(NONCE_BYTES)
    ciphertext = AESGCM(content_key).encrypt(nonce, plaintext_bytes(data, seed, extra), binding.associated_data(version))
    return EncryptedPayload(tuple(recipient_keys), nonce, ciphertext).to_bytes()


def read_payload(
    payload: bytes, content_key: bytes, binding: Binding, version: int, max_json_bytes: int = 4 * 1024 * 1024
) -> Plaintext:
    """Decrypts and reads a format-2 payload of ``version``; PayloadError for any failure."""
    parts = decode_payload(payload)
    if len(content_key) != CONTENT_KEY_BYTES:
        raise ValueError(f"a content key is {CONTENT_KEY_BYTES} bytes")
    try:
        raw = AESGCM(content_key).decrypt(parts.nonce, parts.ciphertext, binding.associated_data(version))
    except InvalidTag as exc:
        raise PayloadError(
            f"format-2 payload does not decrypt as version {version} of {binding.gpid} on chain {binding.chain_id}, "
            f"registry {binding.registry}: changed, moved, or under another content key"
        ) from exc
    document, _, _ = inflate_json(raw, max_json_bytes)
    data, seed = document.pop("data", None), document.pop("seed", None)
    if not isinstance(data, dict):
        raise PayloadError("format-2 plaintext has no key data set: member data is missing or not an object")
    if not isinstance(seed, str) or _SEED_TEXT.fullmatch(seed) is None:
        raise PayloadError("format-2 plaintext member seed is not 0x and 64 lower-case hex digits")
    return Plaintext(data, bytes.fromhex(seed[2:]), document)
