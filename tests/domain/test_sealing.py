"""domain/sealing.py: a key data set sealed for registration, in this process or a worker's."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from support.builders import BUYER_EORI, SELLER_EORI, key_data_set

from gpid_node.domain import canonical, merkle, payload_crypto, sealing
from gpid_node.domain import errors as e
from gpid_node.domain.encryption_keys import EncryptionKeyPair

CHAIN_ID, REGISTRY = 31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3"
SELLER_KEY = canonical.trader_key(f"EORI:{SELLER_EORI}")
SECRET = bytes(range(32))
SELLER_ACCOUNT, BUYER_ACCOUNT = "0x" + "11" * 20, "0x" + "22" * 20
KIND = (f"EORI:{BUYER_EORI}", "DE", "GB")


def _recipients(issuer: EncryptionKeyPair, *pairs: tuple[str, EncryptionKeyPair]) -> tuple[sealing.Recipient, ...]:
    found = []
    for account, pair in pairs:
        secret = issuer.shared_secret(pair.public_bytes)
        assert secret is not None
        found.append(sealing.Recipient(account, pair.public_bytes, secret))
    return tuple(found)


def _opened(sealed: sealing.Sealed, issuer: EncryptionKeyPair, account: str, pair: EncryptionKeyPair) -> payload_crypto.Plaintext:
    binding = payload_crypto.Binding(CHAIN_ID, REGISTRY, sealed.gpid)
    secret = pair.shared_secret(issuer.public_bytes)
    assert secret is not None
    candidate = payload_crypto.HintKey(secret, account, pair, issuer.public_bytes)
    found = payload_crypto.find_content_key(payload_crypto.decode_payload(sealed.payload).recipient_keys, [candidate], binding)
    assert found is not None
    return payload_crypto.read_payload(sealed.payload, found[0], binding, 1)


def test_a_format_2_seal_opens_for_each_recipient_and_commits_to_its_data() -> None:
    issuer, buyer = EncryptionKeyPair.generate(), EncryptionKeyPair.generate()
    recipients = _recipients(issuer, (SELLER_ACCOUNT, issuer), (BUYER_ACCOUNT, buyer))
    sealer = sealing.Sealer(sealing.ENCRYPTED, CHAIN_ID, REGISTRY, SELLER_KEY, SECRET, {KIND: recipients})
    sealed = sealing.seal(key_data_set("RM-2026-7"), sealer, source={"syntax": "UBL"})
    key = canonical.invoice_key(SECRET, canonical.normal_identifier("RM-2026-7"))
    assert sealed.invoice_key == key
    assert sealed.gpid == canonical.gpid_of_invoice(CHAIN_ID, REGISTRY, SELLER_KEY, key)
    for account, pair in ((SELLER_ACCOUNT, issuer), (BUYER_ACCOUNT, buyer)):
        plaintext = _opened(sealed, issuer, account, pair)
        assert plaintext.data == sealed.data and plaintext.extra == {"source": {"syntax": "UBL"}}
        assert sealed.commitments == merkle.commitments_v2(plaintext.data, plaintext.seed).as_tuple()
    assert b"RM-2026-7" not in sealed.payload and len(payload_crypto.decode_payload(sealed.payload).recipient_keys) == 2


def test_a_format_1_seal_is_the_salted_plain_payload() -> None:
    sealer = sealing.Sealer(sealing.PLAIN, CHAIN_ID, REGISTRY, SELLER_KEY, SECRET)
    sealed = sealing.seal(key_data_set("RM-2026-8"), sealer)
    data, salt = canonical.decode_payload(sealed.payload)
    assert data == sealed.data and sealed.commitments == canonical.commitments(data, salt).as_tuple()


def test_unknown_recipients_are_looked_up_once_or_named() -> None:
    issuer = EncryptionKeyPair.generate()
    known: dict[sealing.RecipientsKey, tuple[sealing.Recipient, ...]] = {}
    sealer = sealing.Sealer(sealing.ENCRYPTED, CHAIN_ID, REGISTRY, SELLER_KEY, SECRET, known)
    with pytest.raises(sealing.RecipientsUnknown) as unknown:
        sealing.seal(key_data_set("RM-2026-9"), sealer)
    assert unknown.value.key == KIND
    asked: list[sealing.RecipientsKey] = []

    def lookup(kind: sealing.RecipientsKey) -> tuple[sealing.Recipient, ...]:
        asked.append(kind)
        return _recipients(issuer, (SELLER_ACCOUNT, issuer))

    assert sealing.seal(key_data_set("RM-2026-9"), sealer, lookup=lookup).gpid
    assert asked == [KIND]


def test_a_seal_refuses_another_sellers_data_and_an_invoice_number_without_normal_form() -> None:
    sealer = sealing.Sealer(sealing.PLAIN, CHAIN_ID, REGISTRY, SELLER_KEY, SECRET)
    with pytest.raises(e.ValidationFailed) as other:
        sealing.seal(key_data_set(seller_eori="DE999999999999999"), sealer)
    assert [p.path for p in other.value.problems] == ["seller.trader_id"]
    with pytest.raises(e.ValidationFailed) as bad:
        sealing.seal({"invoice": "not an object"}, sealer)
    assert "invoice" in {p.path.split(".")[0] for p in bad.value.problems}


def test_seal_rows_answers_each_row_in_order_as_values_a_process_can_send_back() -> None:
    issuer = EncryptionKeyPair.generate()
    sealer = sealing.Sealer(sealing.ENCRYPTED, CHAIN_ID, REGISTRY, SELLER_KEY, SECRET,
                            {KIND: _recipients(issuer, (SELLER_ACCOUNT, issuer))})  # fmt: skip
    other_buyer: dict[str, Any] = key_data_set("RM-2026-12", buyer_eori="GB999999999000")
    rows = [(key_data_set("RM-2026-10"), None), ({"schema_version": "1"}, None), (other_buyer, None), (key_data_set("RM-2026-11"), None)]
    outcomes = pickle.loads(pickle.dumps(sealing.seal_rows(pickle.loads(pickle.dumps(sealer)), rows)))
    assert isinstance(outcomes[0], sealing.Sealed) and isinstance(outcomes[3], sealing.Sealed)
    assert isinstance(outcomes[1], list) and {p.path for p in outcomes[1]} >= {"seller", "buyer", "invoice", "goods"}
    assert isinstance(outcomes[2], sealing.RecipientsUnknown) and outcomes[2].key == ("EORI:GB999999999000", "DE", "GB")
    assert outcomes[0].data["invoice"]["number"] == "RM-2026-10" and outcomes[3].gpid != outcomes[0].gpid
    assert "trader_secret" not in repr(sealer)
