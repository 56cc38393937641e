"""Stand-ins, for the write-path tests, of what onboarding and the indexer do for the rights concept:
each account of a node publishes its encryption key on chain, and the registry's rights events
(``EncryptionKeyPublished``, ``CustomsCountrySet``, ``MandateSet``, ``AccessGranted``,
``AccessRevoked``) and the format-2 key data sets this node's keys open are mirrored into the index
tables of migration 0003, read from the chain itself.

Idempotent and additive: an event already in its table (same block and log index) is skipped, a
GPID whose content key the index holds already is left alone, so it runs beside an indexer that
does the same work.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from gpid_node.chain.abi import Event, decode_log
from gpid_node.domain import payload_crypto
from gpid_node.domain.codes import DIRECTION_NAMES
from gpid_node.domain.gpid import GPID
from gpid_node.services.index_rows import party_fields, seller_trader_id_of
from gpid_node.services.node import Node
from gpid_node.store.tables import (
    CustomsAccountRow,
    EncryptionKeyRow,
    GrantRow,
    KeyDataSetRow,
    MandateRow,
    VersionRow,
)


def publish_keys(node: Node) -> None:
    """Each account of the node publishes its current encryption key (unless it has already)."""
    for address in node.keyring.addresses:
        pair = node.keyring.encryption.current(address)
        account = node.keyring.get(address)
        if pair is None or account is None:
            continue
        published, _ = node.client.view("encryptionKeyOf", address)
        if bytes(published) != pair.public_bytes:
            node.client.transact(account, "publishEncryptionKey", pair.public_bytes)


def _events(node: Node) -> list[Event]:
    head = node.client.block_number()
    found = [decode_log(log) for log in node.client.raw_logs(0, head)]
    return [ev for ev in found if ev is not None]


def _hex(value: Any) -> str:
    return "0x" + bytes(value).hex()


def _history_row(event: Event, now: datetime) -> Any:
    a, at = event.args, {"time": now, "block_number": event.block_number, "log_index": event.log_index}
    tx = {"transaction_hash": event.transaction_hash}
    match event.name:
        case "EncryptionKeyPublished":
            return EncryptionKeyRow(account=a["account"], key_id=_hex(a["keyId"]), public_key=_hex(a["publicKey"]), **at)
        case "CustomsCountrySet":
            return CustomsAccountRow(account=a["account"], country=bytes(a["country"]).decode(), **at)
        case "MandateSet":
            return MandateRow(trader_key=_hex(a["traderKey"]), agent=a["agent"], direction=DIRECTION_NAMES[a["direction"]],
                              active=a["active"], **at, **tx)  # fmt: skip
        case "AccessGranted":
            return GrantRow(gpid=_hex(a["gpid"]), grantee=a["grantee"], granter=a["granter"], active=True,
                            wrapped_key=_hex(a["wrappedKey"]), **at, **tx)  # fmt: skip
        case "AccessRevoked":
            return GrantRow(gpid=_hex(a["gpid"]), grantee=a["grantee"], granter=a["revoker"], active=False,
                            wrapped_key=None, **at, **tx)  # fmt: skip
    return None


def open_payload(node: Node, gpid: GPID, payload: bytes, version: int, content_key: bytes | None) -> tuple[bytes, payload_crypto.Plaintext] | None:
    """The content key and plaintext of a format-2 payload this node opens (None if it does not)."""
    binding = payload_crypto.Binding(node.client.chain_id, node.client.address, gpid)
    if content_key is None:
        parts = payload_crypto.decode_payload(payload)
        content_key = payload_crypto.find_content_key(parts.wrapped_keys, node.keyring.encryption.holders(), binding)
        if content_key is None:
            return None
    return content_key, payload_crypto.read_payload(payload, content_key, binding, version)


def _open_key_data_set(node: Node, session: Any, event: Event) -> None:
    gpid = GPID.from_hex(event.args["gpid"])
    payload = bytes(event.args["payload"])
    if not payload or payload[0] != payload_crypto.PAYLOAD_FORMAT_ENCRYPTED:
        return
    row = session.get(KeyDataSetRow, gpid.hex)
    if row is None:
        return
    version = 1 if event.name == "KeyDataSetRegistered" else int(event.args["version"])
    known = bytes.fromhex(row.content_key[2:]) if row.content_key else None
    opened = open_payload(node, gpid, payload, version, known)
    row.format = payload_crypto.PAYLOAD_FORMAT_ENCRYPTED
    if opened is None:
        row.readable = False
        return
    content_key, plain = opened
    row.readable, row.content_key, row.seed = True, _hex(content_key), _hex(plain.seed)
    if version == row.current_version:
        for name, value in party_fields(plain.data).items():
            setattr(row, name, value)
        row.seller_trader_id = seller_trader_id_of(plain.data, bytes.fromhex(row.seller_trader_key[2:]))
        row.invoice_number = plain.data["invoice"]["number"]
    stored = session.get(VersionRow, (gpid.hex, version))
    if stored is not None:
        stored.data, stored.payload = plain.data, payload


def mirror(node: Node) -> None:
    """Mirrors the chain's rights events and this node's readable format-2 key data sets into the index."""
    node.indexer.wait_for(node.client.block_number(), 10.0)
    events = _events(node)
    now = datetime.now(UTC)
    with node.store.session() as session:
        for event in events:
            row = _history_row(event, now)
            if row is not None:
                table = type(row)
                seen = session.scalar(select(table.id).where(table.block_number == event.block_number,
                                                             table.log_index == event.log_index))  # fmt: skip
                if seen is None:
                    session.add(row)
            elif event.name in ("KeyDataSetRegistered", "KeyDataSetAmended"):
                _open_key_data_set(node, session, event)
