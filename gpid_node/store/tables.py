"""The node's index database: what the indexer rebuilds from the chain, and the node's own state.

Rebuildable from the chain (the indexer owns them, whole blocks per transaction with the cursor):
``key_data_sets``, ``versions``, ``declaration_links``, ``verifications``, ``trader_bindings``,
``customs_accounts``, ``encryption_keys``, ``mandates``, ``grants``, ``amendment_delegates``,
``indexed_blocks``, ``chain_cursor``. The last five are histories, one row per event: the state
now is the newest row per key, and a reorg deletes rows above a block like any other. The node's own state (never on chain): ``outbox``,
``api_keys``, ``idempotency_keys``, each seller's master data for e-invoices, ``catalogue_items``
and ``partners``, and the webhooks with their delivery queue, ``webhooks`` and ``webhook_deliveries``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

HEX32 = 66  # 0x + 64 hex digits
HEX16 = 34
ADDRESS = 42


def hex_bytes(hex_text: str | None) -> bytes | None:
    """The bytes of a ``0x``-hex column value (None stays None)."""
    return None if hex_text is None else bytes.fromhex(hex_text.removeprefix("0x"))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: DateTime(timezone=True), dict: JSON, list: JSON}


# ---------------------------------------------------------------------- rebuilt from the chain


class ChainCursor(Base):
    """Where the indexer stands: the last block applied (one row)."""

    __tablename__ = "chain_cursor"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registry_address: Mapped[str] = mapped_column(String(ADDRESS))
    block_number: Mapped[int] = mapped_column(BigInteger)
    block_hash: Mapped[str] = mapped_column(String(HEX32))
    head_number: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime]


class IndexedBlock(Base):
    """Recent blocks the indexer applied, by hash: how it notices a reorg."""

    __tablename__ = "indexed_blocks"
    number: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hash: Mapped[str] = mapped_column(String(HEX32))
    time: Mapped[datetime]


class KeyDataSetRow(Base):
    """One GPID: its identity and its current version (derived from ``versions``)."""

    __tablename__ = "key_data_sets"
    gpid: Mapped[str] = mapped_column(String(HEX16), primary_key=True)  # bytes16 hex
    gpid_text: Mapped[str] = mapped_column(String(35), unique=True)
    issuer: Mapped[str] = mapped_column(String(ADDRESS), index=True)
    seller_trader_key: Mapped[str] = mapped_column(String(HEX32), index=True)
    invoice_key: Mapped[str] = mapped_column(String(HEX32), unique=True)
    seller_trader_id: Mapped[str | None] = mapped_column(String(80), index=True)
    buyer_trader_id: Mapped[str | None] = mapped_column(String(80), index=True)
    seller_country: Mapped[str | None] = mapped_column(String(2), index=True)
    buyer_country: Mapped[str | None] = mapped_column(String(2), index=True)
    invoice_number: Mapped[str | None] = mapped_column(String(80))
    current_version: Mapped[int] = mapped_column(Integer)
    integrity_ok: Mapped[bool] = mapped_column(Boolean)
    registered_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    registered_block: Mapped[int] = mapped_column(BigInteger, index=True)
    # Confidentiality (format 2): the payload format of version 1; whether this node holds the data
    # (format 1 always; format 2 once one of its encryption keys opened the content key); the
    # content key and the Merkle seed of the GPID (format 2, as read from inside the payload).
    format: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    readable: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    content_key: Mapped[str | None] = mapped_column(String(HEX32))
    seed: Mapped[str | None] = mapped_column(String(HEX32))


class VersionRow(Base):
    """One version of a key data set as the chain carries it, checked against its commitments."""

    __tablename__ = "versions"
    gpid: Mapped[str] = mapped_column(
        String(HEX16), ForeignKey("key_data_sets.gpid", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    author: Mapped[str] = mapped_column(String(ADDRESS))
    time: Mapped[datetime]
    reason_code: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(Text)
    changed_sections: Mapped[int] = mapped_column(Integer)
    changed_fields: Mapped[list] = mapped_column(JSON)
    data: Mapped[dict | None] = mapped_column(JSON)
    salt: Mapped[str | None] = mapped_column(String(HEX32))
    commitments: Mapped[list] = mapped_column(JSON)  # five 0x-hex words, GPIDLib.Commitments order
    digest: Mapped[str] = mapped_column(String(HEX32))
    integrity_ok: Mapped[bool] = mapped_column(Boolean)
    integrity_problem: Mapped[str | None] = mapped_column(Text)
    block_number: Mapped[int] = mapped_column(BigInteger, index=True)
    block_hash: Mapped[str] = mapped_column(String(HEX32))
    transaction_hash: Mapped[str] = mapped_column(String(HEX32))
    log_index: Mapped[int] = mapped_column(Integer)
    # The format-2 payload as the chain carries it, kept so that a content key learnt later (a
    # grant) opens versions indexed before it; None for format 1 (its data is in ``data``).
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    # A format-2 version's reason in words as its event carried it (an amendment written before the
    # reason moved inside the payload; None when empty), kept for the same reason: ``reason`` holds
    # it (or the payload's) only while this node can read the version.
    chain_reason: Mapped[str | None] = mapped_column(Text)


class DeclarationLinkRow(Base):
    """A declaration that references a GPID."""

    __tablename__ = "declaration_links"
    __table_args__ = (
        UniqueConstraint("gpid", "country", "reference_key", name="uq_declaration_links_gpid_declaration"),
        Index("ix_declaration_links_declaration", "country", "reference"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gpid: Mapped[str] = mapped_column(String(HEX16), index=True)
    country: Mapped[str] = mapped_column(String(2))
    reference: Mapped[str] = mapped_column(String(80))
    reference_key: Mapped[str] = mapped_column(String(HEX32))
    direction: Mapped[str] = mapped_column(String(6))  # export | import
    linker: Mapped[str] = mapped_column(String(ADDRESS), index=True)
    time: Mapped[datetime]
    block_number: Mapped[int] = mapped_column(BigInteger, index=True)
    transaction_hash: Mapped[str] = mapped_column(String(HEX32))
    log_index: Mapped[int] = mapped_column(Integer)


class VerificationRow(Base):
    """A Customs verification outcome recorded on chain."""

    __tablename__ = "verifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gpid: Mapped[str] = mapped_column(String(HEX16), index=True)
    reference_key: Mapped[str] = mapped_column(String(HEX32), index=True)
    customs: Mapped[str] = mapped_column(String(ADDRESS))
    country: Mapped[str] = mapped_column(String(2))
    version: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))
    time: Mapped[datetime]
    block_number: Mapped[int] = mapped_column(BigInteger, index=True)
    transaction_hash: Mapped[str] = mapped_column(String(HEX32))
    log_index: Mapped[int] = mapped_column(Integer)


class TraderBindingRow(Base):
    """Who was bound to which trader ID, when: binding and unbinding events in order."""

    __tablename__ = "trader_bindings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trader_key: Mapped[str] = mapped_column(String(HEX32), index=True)
    trader_id: Mapped[str | None] = mapped_column(String(80))
    account: Mapped[str] = mapped_column(String(ADDRESS), index=True)
    bound: Mapped[bool] = mapped_column(Boolean)
    time: Mapped[datetime]
    block_number: Mapped[int] = mapped_column(BigInteger, index=True)
    log_index: Mapped[int] = mapped_column(Integer)


class CustomsAccountRow(Base):
    """``CustomsCountrySet``: the administration a Customs account acts for, in order (newest wins)."""

    __tablename__ = "customs_accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(ADDRESS), index=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    time: Mapped[datetime]
    block_number: Mapped[int] = mapped_column(BigInteger, index=True)
    log_index: Mapped[int] = mapped_column(Integer)


class EncryptionKeyRow(Base):
    """``EncryptionKeyPublished``: an account's X25519 public keys, in order (the newest is current;
    older ones stay, as data was wrapped to them)."""

    __tablename__ = "encryption_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(ADDRESS), index=True)
    key_id: Mapped[str] = mapped_column(String(HEX32), index=True)
    public_key: Mapped[str] = mapped_column(String(HEX32))
    time: Mapped[datetime]
    block_number: Mapped[int] = mapped_column(BigInteger, index=True)
    log_index: Mapped[int] = mapped_column(Integer)


class ErasureRow(Base):
    """A GPID whose decrypted data and content key this node erased (crypto-shredding, the node's
    part): who, when and why. Not chain-derived: a rewind or a rebuilt index keeps it, and the index
    never stores the GPID's data or content key again (store/erasures.py)."""

    __tablename__ = "erasures"
    gpid: Mapped[str] = mapped_column(String(HEX16), primary_key=True)  # bytes16 hex
    gpid_text: Mapped[str] = mapped_column(String(35))
    erased_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    erased_at: Mapped[datetime]


class MandateRow(Base):
    """``MandateSet``: standing mandates of a trader (by trader key) for an agent and a direction,
    given and withdrawn, in order (the newest row per trader, agent and direction is the state)."""

    __tablename__ = "mandates"
    __table_args__ = (Index("ix_mandates_trader_agent", "trader_key", "agent"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trader_key: Mapped[str] = mapped_column(String(HEX32), index=True)
    agent: Mapped[str] = mapped_column(String(ADDRESS), index=True)
    direction: Mapped[str] = mapped_column(String(6))  # export | import
    active: Mapped[bool] = mapped_column(Boolean)
    time: Mapped[datetime]
    block_number: Mapped[int] = mapped_column(BigInteger, index=True)
    transaction_hash: Mapped[str] = mapped_column(String(HEX32))
    log_index: Mapped[int] = mapped_column(Integer)


class GrantRow(Base):
    """``AccessGranted`` (active, with the wrapped key) and ``AccessRevoked`` (not active), in order:
    the newest row per GPID and grantee is the state."""

    __tablename__ = "grants"
    __table_args__ = (Index("ix_grants_gpid_grantee", "gpid", "grantee"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gpid: Mapped[str] = mapped_column(String(HEX16), index=True)
    grantee: Mapped[str] = mapped_column(String(ADDRESS), index=True)
    granter: Mapped[str] = mapped_column(String(ADDRESS))  # the granter, or the revoker
    active: Mapped[bool] = mapped_column(Boolean)
    wrapped_key: Mapped[str | None] = mapped_column(Text)  # 0x-hex, 112 bytes; None on a revocation
    time: Mapped[datetime]
    block_number: Mapped[int] = mapped_column(BigInteger, index=True)
    transaction_hash: Mapped[str] = mapped_column(String(HEX32))
    log_index: Mapped[int] = mapped_column(Integer)


class AmendmentDelegateRow(Base):
    """``AmendmentDelegateSet``: delegates allowed (or no longer allowed) to amend a GPID, in order."""

    __tablename__ = "amendment_delegates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gpid: Mapped[str] = mapped_column(String(HEX16), index=True)
    delegate: Mapped[str] = mapped_column(String(ADDRESS), index=True)
    allowed: Mapped[bool] = mapped_column(Boolean)
    time: Mapped[datetime]
    block_number: Mapped[int] = mapped_column(BigInteger, index=True)
    transaction_hash: Mapped[str] = mapped_column(String(HEX32))
    log_index: Mapped[int] = mapped_column(Integer)


# ---------------------------------------------------------------------- the node's own state


# The states of an outbox entry: recorded, broadcast, in a block, refused (the outbox's own names).
PENDING, SENT, MINED, FAILED = "pending", "sent", "mined", "failed"


class OutboxEntry(Base):
    """A write the node has promised to put on chain: recorded before it is broadcast."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_id", "status", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # register | amend | link | link_as_buyer | verification (chain/writes.py)
    status: Mapped[str] = mapped_column(String(10))  # pending | sent | mined | failed
    sender: Mapped[str] = mapped_column(String(ADDRESS))
    request: Mapped[dict] = mapped_column(JSON)  # the typed write in its JSON form (chain/writes.py)
    gpid: Mapped[str | None] = mapped_column(String(HEX16), index=True)
    batch_id: Mapped[int | None] = mapped_column(Integer, index=True)  # entries sent in one transaction
    transaction_hash: Mapped[str | None] = mapped_column(String(HEX32), index=True)
    raw_transaction: Mapped[str | None] = mapped_column(Text)  # signed; on the batch's first entry only
    nonce: Mapped[int | None] = mapped_column(BigInteger)
    block_number: Mapped[int | None] = mapped_column(BigInteger)
    block_hash: Mapped[str | None] = mapped_column(String(HEX32))
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[dict | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ApiKeyRow(Base):
    """An API key: only its SHA-256 is stored; the key itself is shown once at creation."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key_id: Mapped[str] = mapped_column(String(24), unique=True)  # the public part before the dot
    secret_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(10))  # seller | buyer | broker | customs | operator
    account: Mapped[str] = mapped_column(String(ADDRESS), index=True)
    name: Mapped[str | None] = mapped_column(String(140))
    trader_id: Mapped[str | None] = mapped_column(String(80))
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class IdempotencyKeyRow(Base):
    """The answer to a POST sent with an Idempotency-Key, replayed when the same request comes again."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("api_key_id", "key", name="uq_idempotency_keys_api_key_id_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    api_key_id: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(index=True)  # the retention purge walks it


# Master data of a seller (issue 21): what its e-invoices rarely carry, keyed as its invoices name it.
# Rows belong to the seller's trader key, as the rights do: a trader's new account finds them.
ITEM_ID = 80  # BT-155 as the seller's ERP writes it
PARTNER_ID = 80  # a VAT id (BT-48) or a party id (BT-46) as the invoice gives it
DECIMAL_TEXT = 40  # exact decimals kept as text (SQLite has no exact numeric type)


class CatalogueItemRow(Base):
    """One item of a seller's catalogue: HS code, origins, net mass and packages per invoiced unit."""

    __tablename__ = "catalogue_items"
    seller_trader_key: Mapped[str] = mapped_column(String(HEX32), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(ITEM_ID), primary_key=True)
    hs_code: Mapped[str | None] = mapped_column(String(10))
    country_of_origin: Mapped[str | None] = mapped_column(String(2))
    preferential_origin: Mapped[str | None] = mapped_column(String(8))
    net_mass_kg_per_unit: Mapped[str | None] = mapped_column(String(DECIMAL_TEXT))
    packages_per_unit: Mapped[str | None] = mapped_column(String(DECIMAL_TEXT))
    updated_at: Mapped[datetime]


class PartnerRow(Base):
    """One customer of a seller: its trader ID, by the VAT id or party id the seller's invoices give it."""

    __tablename__ = "partners"
    seller_trader_key: Mapped[str] = mapped_column(String(HEX32), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(PARTNER_ID), primary_key=True)
    trader_id_scheme: Mapped[str] = mapped_column(String(10))
    trader_id_value: Mapped[str] = mapped_column(String(35))
    updated_at: Mapped[datetime]


# ---------------------------------------------------------------------- the searches of brokers and auditors (0005)
# GET /v1/key-data-sets filters by invoice number, seller, buyer (already indexed above), declaration
# reference and registration time; a declaration filter without its country uses the reference alone.
Index("ix_key_data_sets_invoice_number", KeyDataSetRow.invoice_number)
Index("ix_key_data_sets_registered_at", KeyDataSetRow.registered_at)
Index("ix_declaration_links_reference", DeclarationLinkRow.reference)


# Webhooks (issue 22): subscriptions of API callers and their durable delivery queue (the node's own
# state: what a subscriber was sent is not on chain). An event's id is its chain position
# (``<block>-<log index>``), the same on every node.
WEBHOOK_ID = 32
EVENT_ID = 32
DELIVERY_PENDING, DELIVERY_DELIVERED, DELIVERY_DEAD = "pending", "delivered", "dead"


class WebhookRow(Base):
    """A subscription: its owner (the API key that made it, read as that key's principal), the URL
    and event types, the signing secret, and how far the chain's events were turned into deliveries."""

    __tablename__ = "webhooks"
    id: Mapped[str] = mapped_column(String(WEBHOOK_ID), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(24), index=True)  # the owner's API key (revoked: nothing more is sent)
    role: Mapped[str] = mapped_column(String(10))
    account: Mapped[str] = mapped_column(String(ADDRESS))
    trader_id: Mapped[str | None] = mapped_column(String(80))
    country: Mapped[str | None] = mapped_column(String(2))
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list] = mapped_column(JSON)
    secret: Mapped[str] = mapped_column(String(80))  # whsec_<base64>: the receiver verifies with it
    after_block: Mapped[int] = mapped_column(BigInteger)  # events at or before (after_block, after_log) are queued
    after_log: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]


class WebhookDeliveryRow(Base):
    """One message to one webhook: pending until the receiver answers 2xx (delivered) or the retry
    bound is reached (dead). ``replay`` is 0 for the dispatcher's delivery of an event and counts the
    replays asked for after it."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id", "replay", name="uq_webhook_deliveries_event"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    webhook_id: Mapped[str] = mapped_column(String(WEBHOOK_ID), ForeignKey("webhooks.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[str] = mapped_column(String(EVENT_ID))
    event_type: Mapped[str] = mapped_column(String(40))
    replay: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[dict] = mapped_column(JSON)  # the message body, signed as sent
    status: Mapped[str] = mapped_column(String(10))  # pending | delivered | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_attempt_at: Mapped[datetime | None]
    last_status: Mapped[int | None] = mapped_column(Integer)  # the receiver's HTTP status, None if none came
    last_error: Mapped[str | None] = mapped_column(Text)
    block_time: Mapped[datetime | None]  # the time of the block that carries the event (latency figures)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
