"""Gas per named scenario on a fresh anvil: ``scripts/bench gas`` prints them as one JSON object.

The figures are deterministic; ``benchmarks/gas-snapshot.json`` commits them and a test fails when
one grows (the habit of Uniswap v4-core).
"""

from __future__ import annotations

import json
import os
import random
import zlib
from pathlib import Path
from typing import Any

from gpid_node.chain.client import RegistryClient
from gpid_node.chain.deploy import deploy
from gpid_node.chain.devchain import DevChain
from gpid_node.services.devmode import operator_account
from gpid_node.domain import canonical
from gpid_node.domain.samples import sample_key_data_set

SNAPSHOT = Path(__file__).with_name("gas-snapshot.json")
SALT = bytes(range(32))
RECIPIENTS = 4  # seller, buyer, Customs of both countries
WRAPPED_KEY_BYTES = 112  # keyId (32) || HPKE enc (32) || wrapped content key and tag (48)


def _accounts() -> tuple[Any, Any]:
    from eth_account import Account

    from gpid_node.chain.devchain import DEV_MNEMONIC

    Account.enable_unaudited_hdwallet_features()
    return operator_account(), Account.from_mnemonic(DEV_MNEMONIC, account_path="m/44'/60'/0'/0/1")


def _item(data: dict[str, Any]) -> tuple[str, tuple[bytes, ...], bytes]:
    return (
        canonical.normal_identifier(data["invoice"]["number"]),
        canonical.commitments(data, SALT).as_tuple(),
        canonical.encode_payload(data, SALT),
    )


def _confidential_item(data: dict[str, Any], rng: random.Random) -> tuple[str, tuple[bytes, ...], bytes]:
    """A format-2 registration of the size PROTOCOL-V2 gives, its bytes random (as ciphertext is):
    ``0x02 || count || RECIPIENTS wrapped keys || nonce (12) || AES-GCM(raw-deflate(canonical(
    {"data", "seed"}))) || tag (16)``; commitments are four roots and the salted buyer commitment."""
    seed = "0x" + rng.randbytes(32).hex()
    deflate = zlib.compressobj(level=9, wbits=-15, memLevel=9)
    plaintext = deflate.compress(canonical.canonical_json({"data": data, "seed": seed})) + deflate.flush()
    payload = bytes([2, RECIPIENTS]) + rng.randbytes(RECIPIENTS * WRAPPED_KEY_BYTES + 12 + len(plaintext) + 16)
    commitments = tuple(rng.randbytes(32) for _ in range(5))
    return canonical.normal_identifier(data["invoice"]["number"]), commitments, payload


def _floor(client: RegistryClient, receipt: Any) -> int:
    """21,000 + calldata + one new storage slot + the event: the least a registration can cost."""
    tx = client.w3.eth.get_transaction(receipt.transaction_hash)
    data = bytes(tx["input"])
    calldata = sum(4 if b == 0 else 16 for b in data)
    log = receipt.logs[0]
    event = 375 + 375 * len(log["topics"]) + 8 * len(bytes.fromhex(log["data"].removeprefix("0x")))
    return 21_000 + calldata + 22_100 + event


def measure(rpc_url: str) -> dict[str, Any]:
    operator, seller = _accounts()
    deployment, _ = deploy(rpc_url, operator)
    client = RegistryClient.connect(rpc_url, deployment.registry)
    client.transact(operator, "bindTrader", seller.address, "EORI:DE123456789012345")
    client.transact(operator, "grantRole", client.view("BROKER_ROLE"), operator.address)

    one = sample_key_data_set("GAS-1", lines=1)
    register_1 = client.transact(seller, "register", *_item(one)).gas_used
    ten = sample_key_data_set("GAS-10", lines=10)
    ten_item = _item(ten)
    receipt_10 = client.transact(seller, "register", *ten_item)
    register_10 = receipt_10.gas_used
    floor_10 = _floor(client, receipt_10)
    batch = [_item(sample_key_data_set(f"GAS-B{i:02d}", lines=10)) for i in range(50)]
    batch_gas = client.transact(seller, "registerBatch", batch).gas_used

    changed = json.loads(json.dumps(one))
    changed["goods"][0]["value"] = "1.00"
    gpid = client.gpid_for(canonical.trader_key("EORI:DE123456789012345"), "GAS-1").raw
    amend = client.transact(
        seller, "amend", gpid, canonical.commitments(one, SALT).as_tuple(), canonical.commitments(changed, SALT).as_tuple(),
        2, "price corrected after credit note", canonical.encode_payload(changed, SALT),
    ).gas_used  # fmt: skip
    link = client.transact(operator, "linkDeclaration", gpid, "26DE000000000000017", b"DE", 1).gas_used

    rng = random.Random(19)  # the same bytes every run: deterministic figures
    ten_confidential = _confidential_item(sample_key_data_set("GAS-C10", lines=10), rng)
    receipt_10_c = client.transact(seller, "register", *ten_confidential)
    register_10_c = receipt_10_c.gas_used
    batch_c = [_confidential_item(sample_key_data_set(f"GAS-CB{i:02d}", lines=10), rng) for i in range(50)]
    batch_c_gas = client.transact(seller, "registerBatch", batch_c).gas_used
    gpid_c = client.gpid_for(canonical.trader_key("EORI:DE123456789012345"), "GAS-C10").raw
    publish = client.transact(operator, "publishEncryptionKey", rng.randbytes(32)).gas_used
    key_id = client.view("encryptionKeyOf", operator.address)[1]
    wrapped = bytes(key_id) + rng.randbytes(WRAPPED_KEY_BYTES - 32)
    grant = client.transact(seller, "grantAccess", gpid_c, operator.address, wrapped).gas_used
    mandate = client.transact(seller, "setMandate", operator.address, 1, True).gas_used
    return {
        "register_1_line": register_1,
        "register_10_lines": register_10,
        "register_batch50_per_item": batch_gas // 50,
        "amend_1_line": amend,
        "link_declaration": link,
        "floor_register_10_lines": floor_10,
        "payload_bytes_10_lines": len(ten_item[2]),
        "canonical_json_bytes_10_lines": len(canonical.canonical_json(ten)),
        "register_10_lines_format2_4_recipients": register_10_c,
        "register_batch50_format2_per_item": batch_c_gas // 50,
        "floor_register_10_lines_format2_4_recipients": _floor(client, receipt_10_c),
        "payload_bytes_10_lines_format2_4_recipients": len(ten_confidential[2]),
        "publish_encryption_key": publish,
        "grant_access": grant,
        "set_mandate": mandate,
    }


def run() -> dict[str, Any]:
    with DevChain() as chain:
        return measure(chain.url)


if __name__ == "__main__":
    figures = run()
    if os.environ.get("GPID_WRITE_GAS_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(figures, indent=1) + "\n")
    print(json.dumps(figures))
