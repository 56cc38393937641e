"""Computes the golden vectors of contracts/test/vectors.json (run this module to rewrite them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gpid_node.domain import canonical, codes, limits
from support.builders import key_data_set
from support.vectors_format2 import compute_format2

VECTORS_FILE = Path(__file__).resolve().parents[2] / "contracts" / "test" / "vectors.json"
# The first contract anvil's account 0 deploys on a fresh development chain.
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
CHAIN_ID = 31337
CASES = [
    ("EORI:DE123456789012345", "RM-2026-000123"),
    ("EORI:GB123456789000", "INV/2026/77"),
    ("EORI:FR12345678901", "FACTURE-Nº-12"),
    ("EORI:JP1234567", "請求書-0001"),
]


def trader_secret(index: int) -> bytes:
    """The k_trader of vector case ``index``: 32 bytes anyone can rebuild (never a real secret)."""
    return bytes((index * 32 + i) % 256 for i in range(32))


def compute() -> dict[str, Any]:
    ids = []
    for index, (trader_id, number) in enumerate(CASES):
        trader = canonical.trader_key(trader_id)
        secret = trader_secret(index)
        invoice = canonical.invoice_key(secret, canonical.normal_identifier(number))
        registry_key = canonical.registry_key(trader, invoice)
        ids.append({
            "trader_id": trader_id,
            "invoice_number": number,
            "trader_key": "0x" + trader.hex(),
            "trader_secret": "0x" + secret.hex(),
            "invoice_key": "0x" + invoice.hex(),
            "registry_key": "0x" + registry_key.hex(),
            "gpid": canonical.gpid_of(CHAIN_ID, REGISTRY, registry_key).hex,
            "gpid_text": str(canonical.gpid_of(CHAIN_ID, REGISTRY, registry_key)),
        })
    data, salt = key_data_set(lines=2), bytes(range(32))
    c = canonical.commitments(data, salt)
    return {
        "chain_id": CHAIN_ID,
        "registry": REGISTRY,
        "identifiers": ids,
        "normal_form": [[raw, canonical.normal_identifier(raw)] for raw in ("rm-2026 000123", " inv/7\t", "Ab-ß-1")],
        "codes": codes.as_vectors(),
        "commitments": {
            "salt": "0x" + salt.hex(),
            "data": data,
            "identity": "0x" + c.identity.hex(),
            "seller": "0x" + c.seller.hex(),
            "buyer": "0x" + c.buyer.hex(),
            "goods": "0x" + c.goods.hex(),
            "buyer_trader_key": "0x" + c.buyer_trader_key.hex(),
            "digest": "0x" + c.digest.hex(),
        },
        # GPIDRegistry.MAX_VERSIONS and MAX_LINKS: the contract's constants must equal these.
        "limits": {"max_versions": limits.MAX_VERSIONS, "max_links": limits.MAX_LINKS},
        "format2": compute_format2(CHAIN_ID, REGISTRY, _stored().get("format2")),
    }


def _stored() -> dict[str, Any]:
    """The vectors as written: format 2's HPKE sample is kept, its ephemeral key being random."""
    if not VECTORS_FILE.exists():
        return {}
    stored: dict[str, Any] = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))
    return stored


if __name__ == "__main__":
    VECTORS_FILE.write_text(json.dumps(compute(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {VECTORS_FILE}")
