"""Mappers of the indexer: decoded registry events become the rows of the index (pure).

As ethereum-etl keeps its mappers apart from its jobs, these functions neither fetch nor write: a
decoded :class:`~gpid_node.chain.abi.Event` (event decoding belongs to ``chain/``) and the
:class:`BlockRef` it sits in become plain row values, and each payload is checked against the
commitments in its own event (:func:`check_payload`), never accepted silently. The job that fetches
logs, rewinds after a reorg and writes whole blocks per transaction is
:class:`gpid_node.services.indexer.Indexer`; the statements it writes with are in
:mod:`gpid_node.store.index_writes`.

Choices worth knowing (the module notes of :mod:`gpid_node.services.indexer` say more):

* Version 1 has ``changed_sections`` 15 (every section is new) and ``changed_fields`` ``[]``.
* Times are the block's timestamp, UTC.
* An amendment's reason in words: a format-1 version's is its event's; a format-2 version's is the
  one inside its payload (member ``reason``), or its event's when the payload carries none (written
  before reasons moved inside), and None when this node cannot read the version (like its data).
  The event's text of a format-2 version is kept apart (``chain_reason``) so that a content key
  learnt later (a grant) shows it (:func:`encrypted_reason`).
* A ``TraderUnbound`` row has ``trader_id`` None (the event carries only the key).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from gpid_node.chain.abi import Event
from gpid_node.chain.client import Header
from gpid_node.domain import canonical, merkle, payload_crypto
from gpid_node.domain.amendment_policy import MAX_REASON_BYTES, changed_fields
from gpid_node.domain.codes import DIRECTION_NAMES, OUTCOME_NAMES
from gpid_node.domain.gpid import GPID

__all__ = [
    "BlockRef",
    "PayloadCheck",
    "amendment_row",
    "binding_row",
    "check_encrypted_payload",
    "check_payload",
    "current_state",
    "customs_row",
    "delegate_row",
    "encrypted_reason",
    "encryption_key_row",
    "grant_row",
    "hex_of",
    "is_customs_role_event",
    "link_row",
    "mandate_row",
    "party_fields",
    "payload_format",
    "reason_in",
    "registration_problems",
    "registration_rows",
    "seller_trader_id_of",
    "verification_row",
]

_COMMITMENT_PARTS = ("identity", "seller", "buyer", "goods", "buyer trader key")
# Column widths of the text the payload supplies (tables.py): longer values are not indexed.
_TRADER_ID_LEN, _INVOICE_LEN, _COUNTRY_LEN = 80, 80, 2


@dataclass(frozen=True)
class BlockRef:
    """A block as the index records it: number, hash (``0x``-hex, lower case) and time (UTC)."""

    number: int
    hash: str
    time: datetime

    @classmethod
    def of_header(cls, header: Header) -> BlockRef:
        """From a block header as the client reads it."""
        return cls(header.number, header.hash, datetime.fromtimestamp(header.timestamp, UTC))

    @classmethod
    def of_log(cls, log: Mapping[str, Any]) -> BlockRef | None:
        """From a log that carries its block's timestamp (``blockTimestamp``, as anvil and newer Geth
        give it); None when it does not."""
        timestamp = log.get("blockTimestamp")
        if timestamp is None:
            return None
        return cls(_int(log["blockNumber"]), hex_of(log["blockHash"]), datetime.fromtimestamp(_int(timestamp), UTC))


def _int(value: Any) -> int:
    """A JSON-RPC quantity (hex text) or an int."""
    return int(value, 16) if isinstance(value, str) else int(value)


def hex_of(value: Any) -> str:
    """Bytes (or hex text) as ``0x``-hex, lower case."""
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    text = str(value).lower()
    return text if text.startswith("0x") else "0x" + text


def _text(value: Any, max_len: int) -> str | None:
    """Payload text for an indexed column: None unless it is text that fits."""
    return value if isinstance(value, str) and len(value) <= max_len and "\x00" not in value else None


def _clean(value: str) -> str:
    """Event text as a database takes it (PostgreSQL refuses NUL characters)."""
    return value.replace("\x00", "\ufffd")


def _country(value: bytes) -> str:
    return bytes(value).decode("ascii", errors="replace")


def _dig(data: Any, *path: str) -> Any:
    """``data[path[0]][path[1]]...``, or None where the payload lacks a level."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


@lru_cache(maxsize=4096)
def _trader_key(trader_id: str) -> bytes:
    """canonical.trader_key, remembered: a few traders register most key data sets."""
    return canonical.trader_key(trader_id)


def _trader_id(trader_id: Any) -> str | None:
    try:
        return canonical.trader_id_text(trader_id)
    except (KeyError, TypeError, AttributeError):
        return None


@dataclass(frozen=True)
class PayloadCheck:
    """A payload read and checked: its data and salt (None when unreadable), every problem found,
    and the reason in words a format-2 payload carries (None when it carries none)."""

    data: dict[str, Any] | None
    salt: bytes | None
    problems: tuple[str, ...] = ()
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem(self) -> str | None:
        """The problems as one human-readable text, or None when the payload passed."""
        return "; ".join(self.problems) or None

    def adding(self, problems: Iterable[str]) -> PayloadCheck:
        return replace(self, problems=self.problems + tuple(problems))


def check_payload(payload: bytes, committed: Sequence[bytes]) -> PayloadCheck:
    """Reads a payload and compares the commitments of its data with the five words on chain."""
    try:
        read = canonical.read_payload(bytes(payload))
    except canonical.PayloadError as exc:
        return PayloadCheck(None, None, (f"the payload cannot be read: {exc}",))
    data, salt = read.data, read.salt
    try:
        as_written = read.commitments_as_written()  # canonical text, as every node writes it: no re-encoding
        if as_written is not None and as_written.as_tuple() == tuple(bytes(c) for c in committed):
            return PayloadCheck(data, salt)
        computed = canonical.commitments(data, salt).as_tuple()
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        return PayloadCheck(data, salt, (f"the payload is not a key data set ({detail}), so it cannot be checked",))
    differing = [name for name, ours, theirs in zip(_COMMITMENT_PARTS, computed, committed, strict=True) if ours != bytes(theirs)]
    if differing:
        return PayloadCheck(data, salt, (f"the payload does not match the commitments on chain (differing: {', '.join(differing)})",))
    return PayloadCheck(data, salt)


def payload_format(payload: bytes) -> int:
    """A payload's format tag (its first byte; 0 for an empty payload)."""
    return payload[0] if payload else 0


def reason_in(plaintext: payload_crypto.Plaintext) -> tuple[str | None, tuple[str, ...]]:
    """The reason in words a format-2 plaintext carries (member ``reason``), None when it carries
    none; a problem when it is not a text of at most MAX_REASON_BYTES bytes (what ``amend`` bounds)."""
    given = plaintext.extra.get(payload_crypto.REASON_MEMBER)
    if given is None:
        return None, ()
    if not isinstance(given, str) or len(given.encode("utf-8", errors="replace")) > MAX_REASON_BYTES:
        return None, (f"the payload's reason is not a text of at most {MAX_REASON_BYTES} bytes",)
    return _clean(given), ()


def encrypted_reason(check: PayloadCheck, said: str | None) -> str | None:
    """The reason in words of a format-2 version: the one inside its payload, else ``said`` (its
    event's, for an amendment written before reasons moved inside the payload); None when this node
    cannot read the version, as for its data."""
    if check.data is None:
        return None
    return check.reason if check.reason is not None else said or None


def check_encrypted_payload(
    payload: bytes, committed: Sequence[bytes], content_key: bytes, binding: payload_crypto.Binding, version: int
) -> PayloadCheck:
    """Decrypts a format-2 payload as ``version`` and compares the Merkle commitments of its data
    (under the seed inside it) with the five words on chain; ``salt`` is the seed."""
    try:
        read = payload_crypto.read_payload(bytes(payload), content_key, binding, version)
    except (canonical.PayloadError, ValueError) as exc:
        return PayloadCheck(None, None, (f"the payload cannot be read: {exc}",))
    reason, problems = reason_in(read)
    try:
        computed = merkle.commitments_v2(read.data, read.seed).as_tuple()
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        problems += (f"the payload is not a key data set ({detail}), so it cannot be checked",)
        return PayloadCheck(read.data, read.seed, problems, reason)
    differing = [name for name, ours, theirs in zip(_COMMITMENT_PARTS, computed, committed, strict=True) if ours != bytes(theirs)]
    if differing:
        problems += (f"the decrypted payload does not match the commitments on chain (differing: {', '.join(differing)})",)
    return PayloadCheck(read.data, read.seed, problems, reason)


def registration_problems(
    data: dict[str, Any], seller_trader_key: bytes, registry_key: bytes, trader_secret: bytes | None = None
) -> list[str]:
    """What is wrong with a registered payload's identity: its seller and invoice against the event's keys.

    The event's registry key derives from the seller's keyed invoice key (docs/protocol.md, "Invoice
    key"): the payload's invoice number is checked against it only with the seller trader's secret
    (``trader_secret``, on the seller's own node), or when it is the key of a registry before invoice
    keys (derived from the number itself). Elsewhere the number is bound to the GPID by the identity
    commitment alone, which the payload has already been checked against.
    """
    problems: list[str] = []
    seller_id = _trader_id(_dig(data, "seller", "trader_id"))
    if seller_id is None or _trader_key(seller_id) != seller_trader_key:
        problems.append(f"the payload names the seller trader ID {seller_id!r}, but the registering account is bound to another trader ID")
    number = _dig(data, "invoice", "number")
    if not isinstance(number, str):
        problems.append(f"the payload's invoice number {number!r} is not the invoice number registered on chain")
        return problems
    normal = canonical.normal_identifier(number)
    if canonical.legacy_registry_key(seller_trader_key, normal) == registry_key or trader_secret is None:
        return problems
    if not canonical.is_normal_identifier(normal) or canonical.registry_key(seller_trader_key, canonical.invoice_key(trader_secret, normal)) != registry_key:
        problems.append(f"the payload's invoice number {number!r} is not the invoice number registered on chain")
    return problems


def party_fields(data: dict[str, Any] | None) -> dict[str, str | None]:
    """The parties of a version as ``key_data_sets`` indexes them for visibility."""
    return {
        "buyer_trader_id": _text(_trader_id(_dig(data, "buyer", "trader_id")), _TRADER_ID_LEN),
        "seller_country": _text(_dig(data, "seller", "address", "country"), _COUNTRY_LEN),
        "buyer_country": _text(_dig(data, "buyer", "address", "country"), _COUNTRY_LEN),
    }


def seller_trader_id_of(data: dict[str, Any] | None, seller_trader_key: bytes) -> str | None:
    """The payload's seller trader ID when it is the one bound on chain (its key is the event's)."""
    seller_id = _trader_id(_dig(data, "seller", "trader_id"))
    if seller_id is None or _trader_key(seller_id) != seller_trader_key:
        return None
    return _text(seller_id, _TRADER_ID_LEN)


def _version_row(event: Event, block: BlockRef, check: PayloadCheck, commitments: Sequence[bytes]) -> dict[str, Any]:
    return {
        "gpid": hex_of(event.args["gpid"]),
        "time": block.time,
        "data": check.data,
        "salt": None if check.salt is None else hex_of(check.salt),
        "commitments": [hex_of(c) for c in commitments],
        "digest": hex_of(canonical.Commitments.from_tuple(commitments).digest),
        "integrity_ok": check.ok,
        "integrity_problem": check.problem,
        "block_number": block.number,
        "block_hash": block.hash,
        "transaction_hash": event.transaction_hash,
        "log_index": event.log_index,
        "payload": event.payload if event.payload_format == payload_crypto.PAYLOAD_FORMAT_ENCRYPTED else None,
    }


def registration_rows(
    event: Event, block: BlockRef, check: PayloadCheck, seller_trader_id: str | None, content_key: bytes | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``KeyDataSetRegistered`` -> the ``key_data_sets`` row and its version 1 row.

    ``check`` already holds the registration problems; ``seller_trader_id`` is the ID bound to the
    event's seller trader key (see the module's notes). ``content_key`` is the GPID's content key
    when one of this node's encryption keys opened it (format 2); a format-2 GPID is readable here
    when its data could be read. A registration whose payload was not found in its transaction
    (``event.payload`` None) is public facts only, not readable, of the format the registry stores
    (format 2 when that is unknown too: nothing claims a readability it does not have).
    """
    a = event.args
    encrypted = event.payload_format in (None, payload_crypto.PAYLOAD_FORMAT_ENCRYPTED)
    gpid = GPID(bytes(a["gpid"]))
    kds = {
        "gpid": gpid.hex,
        "gpid_text": str(gpid),
        "issuer": a["issuer"],
        "seller_trader_key": hex_of(a["sellerTraderKey"]),
        "invoice_key": hex_of(a["registryKey"]),
        "seller_trader_id": seller_trader_id,
        "invoice_number": _text(_dig(check.data, "invoice", "number"), _INVOICE_LEN),
        **party_fields(check.data),
        "current_version": 1,
        "integrity_ok": check.ok,
        "registered_at": block.time,
        "updated_at": block.time,
        "registered_block": block.number,
        "format": payload_crypto.PAYLOAD_FORMAT_ENCRYPTED if encrypted else 1,
        "readable": check.data is not None or (not encrypted and event.payload is not None),
        "content_key": None if content_key is None else hex_of(content_key),
        "seed": hex_of(check.salt) if encrypted and check.salt is not None else None,
    }
    version = {
        **_version_row(event, block, check, a["commitments"]),
        "version": 1,
        "author": a["issuer"],
        "reason_code": 0,
        "reason": None,
        "chain_reason": None,
        "changed_sections": canonical.ALL_SECTIONS,
        "changed_fields": [],
    }
    return kds, version


def amendment_row(
    event: Event, block: BlockRef, check: PayloadCheck, previous_data: dict[str, Any] | None, encrypted: bool = False
) -> dict[str, Any]:
    """``KeyDataSetAmended`` -> its ``versions`` row (``check`` already holds the amendment problems);
    ``encrypted`` for a version of a format-2 key data set (its reason, see the module's notes)."""
    a = event.args
    fields = changed_fields(previous_data, check.data) if previous_data is not None and check.data is not None else []
    said = _clean(a["reason"])
    return {
        **_version_row(event, block, check, a["commitments"]),
        "version": int(a["version"]),
        "author": a["author"],
        "reason_code": int(a["reasonCode"]),
        "reason": encrypted_reason(check, said) if encrypted else said,
        "chain_reason": (said or None) if encrypted else None,
        "changed_sections": int(a["changedSections"]),
        "changed_fields": fields,
    }


def link_row(event: Event, block: BlockRef) -> dict[str, Any]:
    """``DeclarationLinked`` -> its ``declaration_links`` row."""
    a = event.args
    direction = int(a["direction"])
    return {
        "gpid": hex_of(a["gpid"]),
        "country": _country(a["country"]),
        "reference": _clean(a["declarationReference"]),
        "reference_key": hex_of(a["referenceKey"]),
        "direction": DIRECTION_NAMES.get(direction, str(direction)[:6]),
        "linker": a["linker"],
        "time": block.time,
        "block_number": block.number,
        "transaction_hash": event.transaction_hash,
        "log_index": event.log_index,
    }


def verification_row(event: Event, block: BlockRef) -> dict[str, Any]:
    """``VerificationRecorded`` -> its ``verifications`` row."""
    a = event.args
    outcome = int(a["outcome"])
    return {
        "gpid": hex_of(a["gpid"]),
        "reference_key": hex_of(a["referenceKey"]),
        "customs": a["customs"],
        "country": _country(a["country"]),
        "version": int(a["version"]),
        "outcome": OUTCOME_NAMES.get(outcome, f"unknown:{outcome}"),
        "time": block.time,
        "block_number": block.number,
        "transaction_hash": event.transaction_hash,
        "log_index": event.log_index,
    }


def binding_row(event: Event, block: BlockRef) -> dict[str, Any]:
    """``TraderBound`` / ``TraderUnbound`` -> its ``trader_bindings`` row."""
    a = event.args
    bound = event.name == "TraderBound"
    return {
        "trader_key": hex_of(a["traderKey"]),
        "trader_id": _clean(a["traderId"]) if bound else None,
        "account": a["account"],
        "bound": bound,
        "time": block.time,
        "block_number": block.number,
        "log_index": event.log_index,
    }


def _chain_row(event: Event, block: BlockRef) -> dict[str, Any]:
    return {"time": block.time, "block_number": block.number, "transaction_hash": event.transaction_hash, "log_index": event.log_index}


def encryption_key_row(event: Event, block: BlockRef) -> dict[str, Any]:
    """``EncryptionKeyPublished`` -> its ``encryption_keys`` row."""
    a = event.args
    row = {"account": a["account"], "key_id": hex_of(a["keyId"]), "public_key": hex_of(a["publicKey"]), **_chain_row(event, block)}
    del row["transaction_hash"]
    return row


CUSTOMS_ROLE = canonical.keccak(b"GPID_CUSTOMS_ROLE")  # GPIDRegistry.CUSTOMS_ROLE
NO_COUNTRY = ""  # a customs_accounts row that ends an account's Customs role


def customs_row(event: Event, block: BlockRef, country: str | None = None) -> dict[str, Any]:
    """``CustomsCountrySet`` -> its ``customs_accounts`` row; also ``RoleRevoked`` of the Customs
    role (``country`` NO_COUNTRY: the registry answers no country for it from then on) and
    ``RoleGranted`` of it again (``country`` the one the registry kept for the account)."""
    given = _country(event.args["country"]) if country is None else country
    row = {"account": event.args["account"], "country": given, **_chain_row(event, block)}
    del row["transaction_hash"]
    return row


def is_customs_role_event(event: Event) -> bool:
    """``RoleGranted`` / ``RoleRevoked`` of the registry's Customs role."""
    return event.name in ("RoleGranted", "RoleRevoked") and bytes(event.args["role"]) == CUSTOMS_ROLE


def mandate_row(event: Event, block: BlockRef) -> dict[str, Any]:
    """``MandateSet`` -> its ``mandates`` row (direction by name: export | import)."""
    a = event.args
    direction = int(a["direction"])
    return {
        "trader_key": hex_of(a["traderKey"]), "agent": a["agent"], "direction": DIRECTION_NAMES.get(direction, str(direction)[:6]),
        "active": bool(a["active"]), **_chain_row(event, block),
    }  # fmt: skip


def grant_row(event: Event, block: BlockRef) -> dict[str, Any]:
    """``AccessGranted`` (active, with its wrapped key) / ``AccessRevoked`` -> its ``grants`` row."""
    a = event.args
    granted = event.name == "AccessGranted"
    return {
        "gpid": hex_of(a["gpid"]), "grantee": a["grantee"], "granter": a["granter"] if granted else a["revoker"],
        "active": granted, "wrapped_key": hex_of(a["wrappedKey"]) if granted else None, **_chain_row(event, block),
    }  # fmt: skip


def delegate_row(event: Event, block: BlockRef) -> dict[str, Any]:
    """``AmendmentDelegateSet`` -> its ``amendment_delegates`` row."""
    a = event.args
    return {"gpid": hex_of(a["gpid"]), "delegate": a["delegate"], "allowed": bool(a["allowed"]), **_chain_row(event, block)}


def current_state(versions: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The ``key_data_sets`` columns derived from its versions (oldest first; at least version 1)."""
    state: dict[str, Any] = party_fields(versions[0]["data"])
    for version in versions[1:]:
        if version["integrity_ok"] and version["data"] is not None:
            state.update(party_fields(version["data"]))
    newest = versions[-1]
    return {
        **state,
        "current_version": newest["version"],
        "updated_at": newest["time"],
        "integrity_ok": all(v["integrity_ok"] for v in versions),
    }
