"""Invoice keys in tests: what a seller node sends instead of the invoice number.

A real node keeps one random secret per seller trader (``chain.keystore.TraderSecrets``); the tests
give each trader a fixed one derived from its trader key (:func:`trader_secret`), so that a test
computes the invoice key and the GPID of an invoice it registers straight on the contract, and a
node under test given the same secrets (:func:`hold_test_secrets`) derives the same ones.
"""

from __future__ import annotations

import hashlib
from typing import Any

from gpid_node.domain import canonical
from gpid_node.domain.gpid import GPID


def trader_secret(trader_key: bytes) -> bytes:
    """The test k_trader of a trader: public, never for real data."""
    return hashlib.sha256(b"GPID test trader secret" + bytes(trader_key)).digest()


def invoice_key(trader_key: bytes, number: str) -> bytes:
    """The invoice key of ``number`` (normalised here) under the trader's test secret."""
    return canonical.invoice_key(trader_secret(trader_key), canonical.normal_identifier(number))


def gpid_of(client: Any, trader_key: bytes, number: str) -> GPID:
    """The GPID the registry of ``client`` gives invoice ``number`` of the trader (test secret)."""
    return canonical.gpid_of_invoice(client.chain_id, client.address, trader_key, invoice_key(trader_key, number))


def hold_test_secrets(keyring: Any, *trader_ids: str) -> None:
    """Gives a node's keyring the test secrets of ``trader_ids`` (in memory)."""
    for trader_id in trader_ids:
        key = canonical.trader_key(trader_id)
        keyring.traders.add(key, trader_secret(key))
