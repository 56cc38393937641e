"""Sealing a key data set for registration: from the seller's raw JSON to its GPID and what the
registry's ``register`` takes (invoice key, commitments, payload), with no I/O.

Everything a seller account's registrations need besides their data is one picklable
:class:`Sealer` (chain, registry, the seller's trader key and secret, and per kind of invoice the
recipients of its content key with their hint secrets), which the registration service reads from
the chain, the keystore and the index. So the CPU-heavy part (validation, the Merkle commitments,
one HPKE seal per recipient) runs the same in the node's process and in the worker processes of a
large import (:func:`seal_rows`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gpid_node.domain import canonical, merkle, payload_crypto
from gpid_node.domain import errors as e
from gpid_node.domain.gpid import GPID
from gpid_node.domain.model import parse_key_data_set

__all__ = ["ENCRYPTED", "PLAIN", "Recipient", "RecipientsKey", "RecipientsUnknown", "SealOutcome", "Sealed", "Sealer", "invoice_key",
           "recipients_key", "seal", "seal_rows"]

PLAIN, ENCRYPTED = 1, payload_crypto.PAYLOAD_FORMAT_ENCRYPTED

# Who receives a registration's content key depends on its buyer and on the two countries only:
# (buyer trader ID, seller country, buyer country).
RecipientsKey = tuple[str, str | None, str | None]


@dataclass(frozen=True)
class Recipient:
    """One recipient of a content key: its account, its published X25519 key, and the secret of its
    hint (``X25519(seller's issuing key, recipient key)``, payload_crypto.recipient_hint)."""

    account: str
    public_key: bytes
    hint_secret: bytes


@dataclass(frozen=True)
class Sealed:
    """A validated key data set, its GPID and what ``register`` takes for it."""

    data: dict[str, Any]
    gpid: GPID
    invoice_key: bytes
    commitments: tuple[bytes, ...]
    payload: bytes


@dataclass(frozen=True)
class Sealer:
    """What sealing one seller account's key data sets needs besides their data. ``recipients``
    holds the recipient lists known so far, per :data:`RecipientsKey`."""

    payload_format: int
    chain_id: int
    registry: str
    seller_trader_key: bytes
    trader_secret: bytes = field(repr=False)
    recipients: Mapping[RecipientsKey, Sequence[Recipient]] = field(default_factory=dict)


class RecipientsUnknown(Exception):
    """A format-2 row whose recipients the :class:`Sealer` does not hold yet (its ``key``)."""

    def __init__(self, key: RecipientsKey) -> None:
        super().__init__(key)
        self.key = key


def recipients_key(data: Mapping[str, Any]) -> RecipientsKey:
    """The :data:`RecipientsKey` of a normalised key data set."""
    seller_country = ((data.get("seller") or {}).get("address") or {}).get("country")
    buyer_country = ((data.get("buyer") or {}).get("address") or {}).get("country")
    return canonical.trader_id_text(data["buyer"]["trader_id"]), seller_country, buyer_country


def invoice_key(trader_secret: bytes, invoice_number: str) -> bytes:
    """The invoice key of ``invoice_number`` (rule 1): the HMAC of its normal form under the seller
    trader's secret; the normal form is checked here, the registry no longer sees the number."""
    number = canonical.normal_identifier(invoice_number)
    if not canonical.is_normal_identifier(number):
        raise e.ValidationFailed([e.FieldProblem("invoice.number", "the invoice number has no normal form the registry can key")])
    return canonical.invoice_key(trader_secret, number)


def seal(
    raw: Any,
    sealer: Sealer,
    *,
    today: Any = None,
    source: Mapping[str, str] | None = None,
    lookup: Callable[[RecipientsKey], Sequence[Recipient]] | None = None,
) -> Sealed:
    """Validates and normalises a key data set, derives its GPID and commits to it: format 2
    encrypts it under a new content key wrapped for its recipients (``source``, the e-invoice it was
    derived from, travels inside), format 1 salts it in the clear. ValidationFailed for bad data;
    for a format-2 row whose recipients ``sealer`` does not hold, ``lookup`` finds them, and without
    one RecipientsUnknown."""
    data = parse_key_data_set(raw, today=today).model_dump(mode="json")
    seller_id = canonical.trader_id_text(data["seller"]["trader_id"])
    if sealer.seller_trader_key != canonical.trader_key(seller_id):
        raise e.ValidationFailed(
            [e.FieldProblem("seller.trader_id", f"this account is not bound to {seller_id}; it registers only for its own trader ID")]
        )
    key = invoice_key(sealer.trader_secret, data["invoice"]["number"])
    gpid = canonical.gpid_of_invoice(sealer.chain_id, sealer.registry, sealer.seller_trader_key, key)
    if sealer.payload_format != ENCRYPTED:
        salt = secrets.token_bytes(canonical.SALT_BYTES)
        commitments = canonical.commitments(data, salt)
        return Sealed(data, gpid, key, commitments.as_tuple(), canonical.encode_payload(data, salt))
    kind = recipients_key(data)
    recipients = sealer.recipients.get(kind)
    if recipients is None:
        if lookup is None:
            raise RecipientsUnknown(kind)
        recipients = lookup(kind)
    content_key, seed = payload_crypto.new_content_key(), payload_crypto.new_seed()
    binding = payload_crypto.Binding(sealer.chain_id, sealer.registry, gpid)
    wrapped = [payload_crypto.wrap_for_recipient(content_key, r.hint_secret, r.public_key, r.account, binding) for r in recipients]
    payload = payload_crypto.build_payload(data, seed, content_key, binding, version=1, recipient_keys=wrapped,
                                           extra=None if source is None else {"source": dict(source)})  # fmt: skip
    return Sealed(data, gpid, key, merkle.commitments_v2(data, seed).as_tuple(), payload)


# What seal_rows answers for one row: the sealed row, the problems of a rejected one, or the
# RecipientsKey of a format-2 row whose recipients the sealer did not hold (sealed again in the node).
SealOutcome = Sealed | list[e.FieldProblem] | RecipientsUnknown


def seal_rows(sealer: Sealer, rows: Sequence[tuple[Any, Mapping[str, str] | None]]) -> list[SealOutcome]:
    """:func:`seal` of each ``(raw, source)`` row, in order, as values (a worker process's answer)."""
    outcomes: list[SealOutcome] = []
    for raw, source in rows:
        try:
            outcomes.append(seal(raw, sealer, source=source))
        except e.ValidationFailed as exc:
            outcomes.append(list(exc.problems))
        except RecipientsUnknown as exc:
            outcomes.append(exc)
    return outcomes
