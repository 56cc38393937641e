"""Gas per named scenario on a fresh anvil: ``scripts/bench gas`` prints them as one JSON object.

The figures are deterministic; ``benchmarks/gas-snapshot.json`` commits them and a test fails when
one grows (the habit of Uniswap v4-core).

Format 2 payloads are real ones (domain/payload_crypto.py, domain/merkle.py): the 10-line data set
encrypted under a content key wrapped with HPKE for four recipients with published keys (seller,
buyer, Customs DE, Customs GB), beside the plaintext (format 1) payload of the same data set, both
sent in the same run. Content keys, seeds and nonces come from a seeded generator; HPKE draws its
ephemeral key inside pyca ``cryptography``, so a wrapped key is drawn again until its 80 random
bytes hold no zero byte (a zero byte of calldata costs 4 gas instead of 16): the figures stay the
same from run to run and are the dearest case, about 15 gas above a typical registration.

``--compare paris cancun`` compiles the contracts for each EVM version and measures each on an
anvil of that hardfork and of anvil's latest (``--markdown``: as the table in docs/performance.md).

``breakdown`` (not in the snapshot) says where each byte and each unit of gas of one registration,
one batch item and one grant goes: calldata bytes by part, the event's data, the storage slots,
and the opcodes of the execution (``debug_traceTransaction``). The key data set events carry
``keccak256(payload)``, not the payload: a payload byte is paid once, as calldata (16 gas, 4 for a
zero byte), plus its share of the hash (6 gas a word).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from eth_typing import HexStr

from gpid_node.chain import build
from gpid_node.chain.artifacts import ARTIFACT_FILE, load_build
from gpid_node.chain.client import RegistryClient
from gpid_node.chain.deploy import deploy
from gpid_node.chain.devchain import HARDFORK_ENV, DevChain
from gpid_node.domain import canonical, merkle
from gpid_node.domain import payload_crypto as pc
from gpid_node.domain.encryption_keys import EncryptionKeyPair
from gpid_node.domain.samples import sample_key_data_set
from gpid_node.services.devmode import operator_account

SNAPSHOT = Path(__file__).with_name("gas-snapshot.json")
SALT = bytes(range(32))
SELLER_ID, BUYER_ID = "EORI:DE123456789012345", "EORI:GB123456789000"
RECIPIENTS = ("seller", "buyer", "customs_de", "customs_gb")
RECIPIENT_KEY_BYTES = pc.RECIPIENT_KEY_BYTES  # hint (8) || HPKE enc (32) || wrapped content key and tag (48)
NEW_SLOT = 22_100  # SSTORE of a zero slot (20,000) plus its cold access (2,100)
# The seller's k_trader here: fixed, so that the invoice keys (and their zero bytes' calldata gas) repeat.
TRADER_SECRET = bytes(range(32))


def _invoice_key(data: dict[str, Any]) -> bytes:
    """What a registration sends instead of the invoice number (docs/protocol.md, "Invoice key")."""
    return canonical.invoice_key(TRADER_SECRET, canonical.normal_identifier(data["invoice"]["number"]))


def _gpid(client: RegistryClient, registry: str, number: str) -> bytes:
    key = canonical.invoice_key(TRADER_SECRET, canonical.normal_identifier(number))
    return canonical.gpid_of_invoice(client.chain_id, registry, canonical.trader_key(SELLER_ID), key).raw


def _accounts() -> dict[str, Any]:
    from eth_account import Account

    from gpid_node.chain.devchain import DEV_MNEMONIC

    Account.enable_unaudited_hdwallet_features()
    names = ("seller", "buyer", "customs_de", "customs_gb", "broker")
    derived = {n: Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i + 1}") for i, n in enumerate(names)}
    return {"operator": operator_account(), **derived}


def _plain_item(data: dict[str, Any]) -> tuple[bytes, tuple[bytes, ...], bytes]:
    return (
        _invoice_key(data),
        canonical.commitments(data, SALT).as_tuple(),
        canonical.encode_payload(data, SALT),
    )


class Format2:
    """Builds real format-2 registrations for the registry at hand, reproducibly (see the module)."""

    def __init__(self, client: RegistryClient, registry: str, recipients: dict[str, EncryptionKeyPair], accounts: dict[str, Any]):
        self.client, self.registry = client, registry
        self.recipients = [(accounts[n].address, recipients[n].public_bytes) for n in RECIPIENTS]
        self.issuer = recipients["seller"]
        self.rng = random.Random(19)
        self.secrets: dict[bytes, tuple[bytes, bytes]] = {}  # gpid → (content key, seed)

    def random(self, n: int) -> bytes:
        return self.rng.randbytes(n)

    def binding(self, gpid: bytes) -> pc.Binding:
        from gpid_node.domain.gpid import GPID

        return pc.Binding(self.client.chain_id, self.registry, GPID(gpid))

    def wrap(self, content_key: bytes, public_key: bytes, account: str, binding: pc.Binding) -> pc.GrantedKey:
        """A grant's wrapped key (HPKE output without zero bytes, so the calldata gas does not vary)."""
        while True:
            wrapped = pc.wrap_content_key(content_key, public_key, account, binding)
            if 0 not in wrapped.enc + wrapped.ciphertext:
                return wrapped

    def recipient_key(self, content_key: bytes, public_key: bytes, account: str, binding: pc.Binding) -> pc.RecipientKey:
        """A registration's wrapped key, its hint from the seller's key and the recipient's."""
        secret = self.issuer.shared_secret(public_key)
        assert secret is not None
        while True:
            wrapped = pc.wrap_for_recipient(content_key, secret, public_key, account, binding)
            if 0 not in wrapped.enc + wrapped.ciphertext:
                return wrapped

    def item(self, data: dict[str, Any]) -> tuple[bytes, tuple[bytes, ...], bytes]:
        gpid = _gpid(self.client, self.registry, data["invoice"]["number"])
        content_key, seed = pc.new_content_key(self.random), pc.new_seed(self.random)
        self.secrets[gpid] = (content_key, seed)
        binding = self.binding(gpid)
        wrapped = [self.recipient_key(content_key, public, account, binding) for account, public in self.recipients]
        payload = pc.build_payload(data, seed, content_key, binding, 1, wrapped, random=self.random)
        return _invoice_key(data), merkle.commitments_v2(data, seed).as_tuple(), payload


def _calldata_gas(data: bytes) -> int:
    return sum(4 if b == 0 else 16 for b in data)


def _keccak_gas(n: int) -> int:
    """KECCAK256 of ``n`` bytes: 30 plus 6 a word (the payload's hash in the event)."""
    return 30 + 6 * ((n + 31) // 32)


def _trace(client: RegistryClient, tx_hash: str) -> dict[str, int]:
    """Execution gas by opcode group (anvil's struct-log tracer; each step's own cost, memory
    expansion included)."""
    options = {"disableStorage": True, "disableMemory": True, "disableStack": True, "enableReturnData": False}
    steps = client.request("debug_traceTransaction", tx_hash, options)["structLogs"]
    by_op: Counter[str] = Counter()
    for step in steps:
        by_op[step["op"]] += int(step["gasCost"])
    groups = {
        "sstore": by_op["SSTORE"],
        "sload": by_op["SLOAD"],
        "log": sum(v for k, v in by_op.items() if k.startswith("LOG")),
        "keccak": by_op["KECCAK256"] + by_op["SHA3"],
        "copy": by_op["CALLDATACOPY"] + by_op["MCOPY"] + by_op["CODECOPY"],
    }
    groups["other"] = sum(by_op.values()) - sum(groups.values())
    return groups


def _register_breakdown(client: RegistryClient, receipt: Any, payload_parts: dict[str, bytes]) -> dict[str, Any]:
    """Bytes and gas of one single registration: 21,000, the calldata by part, and the execution by
    opcode group; the event's share of the payload and the two storage slots named apart."""
    data = bytes(client.w3.eth.get_transaction(receipt.transaction_hash)["input"])
    payload = b"".join(payload_parts.values())
    log = receipt.logs[0]
    log_data = bytes.fromhex(log["data"].removeprefix("0x"))
    calldata = {f"payload_{k}": {"bytes": len(v), "gas": _calldata_gas(v)} for k, v in payload_parts.items()}
    rest = data.replace(payload, b"", 1)
    calldata["abi_selector_invoice_commitments_padding"] = {"bytes": len(rest), "gas": _calldata_gas(rest)}
    execution = _trace(client, receipt.transaction_hash)
    return {
        "gas_used": receipt.gas_used,
        "intrinsic": 21_000,
        "calldata_bytes": len(data),
        "calldata_gas": _calldata_gas(data),
        "calldata": calldata,
        "execution_gas": sum(execution.values()),
        "execution_by_opcode": execution,
        "event": {
            "topics": len(log["topics"]),
            "data_bytes": len(log_data),
            "gas": 375 + 375 * len(log["topics"]) + 8 * len(log_data),
            "payload_hash_bytes_in_data": 32,
            "payload_hash_gas": 8 * 32,
            "payload_keccak_gas": _keccak_gas(len(payload)),
        },
        # the record slot (read cold first: 2,100 in sload, then 20,000) and the version-1 digest slot (22,100)
        "storage_two_new_slots_gas": 2 * NEW_SLOT,
    }


def _format1_parts(data: dict[str, Any]) -> dict[str, bytes]:
    payload = canonical.encode_payload(data, SALT)
    return {"tag": payload[:1], "salt": payload[1:33], "deflated_data": payload[33:]}


def _format2_parts(payload: bytes) -> dict[str, bytes]:
    count = payload[1]
    at = 2 + count * RECIPIENT_KEY_BYTES
    return {
        "tag_and_count": payload[:2],
        "wrapped_keys": payload[2:at],
        "nonce": payload[at : at + pc.NONCE_BYTES],
        "ciphertext": payload[at + pc.NONCE_BYTES : -pc.TAG_BYTES],
        "aead_tag": payload[-pc.TAG_BYTES :],
    }


def measure(rpc_url: str, breakdown: bool = False) -> dict[str, Any]:
    accounts = _accounts()
    operator, seller = accounts["operator"], accounts["seller"]
    deployment, _ = deploy(rpc_url, operator)
    client = RegistryClient.connect(rpc_url, deployment.registry)
    client.transact(operator, "bindTrader", seller.address, SELLER_ID)
    client.transact(operator, "bindTrader", accounts["buyer"].address, BUYER_ID)
    client.transact(operator, "grantCustoms", accounts["customs_de"].address, b"DE")
    client.transact(operator, "grantCustoms", accounts["customs_gb"].address, b"GB")
    client.transact(operator, "grantRole", client.view("BROKER_ROLE"), operator.address)
    key_rng = random.Random(25)
    keys = {n: EncryptionKeyPair.from_private_bytes(key_rng.randbytes(32)) for n in (*RECIPIENTS, "broker")}
    for name in (*RECIPIENTS, "broker"):
        if name != "broker":
            client.transact(accounts[name], "publishEncryptionKey", keys[name].public_bytes)
    publish = client.transact(accounts["broker"], "publishEncryptionKey", keys["broker"].public_bytes).gas_used

    # format 1 (plaintext), as round 1
    one = sample_key_data_set("GAS-1", lines=1)
    register_1 = client.transact(seller, "register", *_plain_item(one)).gas_used
    ten = sample_key_data_set("GAS-10", lines=10)
    ten_item = _plain_item(ten)
    receipt_10 = client.transact(seller, "register", *ten_item)
    batch = [_plain_item(sample_key_data_set(f"GAS-B{i:02d}", lines=10)) for i in range(50)]
    batch_receipt = client.transact(seller, "registerBatch", batch)

    changed = json.loads(json.dumps(one))
    changed["goods"][0]["value"] = "1.00"
    gpid = _gpid(client, deployment.registry, "GAS-1")
    amend = client.transact(
        seller, "amend", gpid, canonical.commitments(one, SALT).as_tuple(), canonical.commitments(changed, SALT).as_tuple(),
        2, "price corrected after credit note", canonical.encode_payload(changed, SALT),
    ).gas_used  # fmt: skip
    link = client.transact(operator, "linkDeclaration", gpid, "26DE000000000000017", b"DE", 1).gas_used

    # format 2 (encrypted), four recipients
    f2 = Format2(client, deployment.registry, keys, accounts)
    ten_c_data = sample_key_data_set("GAS-C10", lines=10)
    ten_c = f2.item(ten_c_data)
    receipt_10_c = client.transact(seller, "register", *ten_c)
    batch_c = [f2.item(sample_key_data_set(f"GAS-CB{i:02d}", lines=10)) for i in range(50)]
    batch_c_receipt = client.transact(seller, "registerBatch", batch_c)
    gpid_c = _gpid(client, deployment.registry, "GAS-C10")
    content_key_c, seed_c = f2.secrets[gpid_c]
    wrapped = f2.wrap(content_key_c, keys["broker"].public_bytes, accounts["broker"].address, f2.binding(gpid_c)).to_bytes()
    grant_receipt = client.transact(seller, "grantAccess", gpid_c, accounts["broker"].address, wrapped)
    mandate = client.transact(seller, "setMandate", accounts["broker"].address, 1, True).gas_used
    one_c = sample_key_data_set("GAS-C10", lines=10)
    one_c["goods"][0]["value"] = "1.00"
    amend_c_payload = pc.build_payload(one_c, seed_c, content_key_c, f2.binding(gpid_c), 2, random=f2.random)
    amend_c = client.transact(
        seller, "amend", gpid_c, ten_c[1], merkle.commitments_v2(one_c, seed_c).as_tuple(), 2,
        "price corrected after credit note", amend_c_payload,
    ).gas_used  # fmt: skip

    plaintext_c = pc.plaintext_bytes(ten_c_data, seed_c)
    figures: dict[str, Any] = {
        "deploy_registry": int(client.w3.eth.get_transaction_receipt(HexStr(deployment.transaction))["gasUsed"]),
        "register_1_line": register_1,
        "register_10_lines": receipt_10.gas_used,
        "register_batch50_per_item": batch_receipt.gas_used // 50,
        "amend_1_line": amend,
        "link_declaration": link,
        "payload_bytes_10_lines": len(ten_item[2]),
        "canonical_json_bytes_10_lines": len(canonical.canonical_json(ten)),
        "register_10_lines_format2_4_recipients": receipt_10_c.gas_used,
        "register_batch50_format2_per_item": batch_c_receipt.gas_used // 50,
        "amend_10_lines_format2": amend_c,
        "payload_bytes_10_lines_format2_4_recipients": len(ten_c[2]),
        "deflated_plaintext_bytes_10_lines_format2": len(plaintext_c),
        "publish_encryption_key": publish,
        "grant_access": grant_receipt.gas_used,
        "set_mandate": mandate,
    }
    if breakdown:
        f1 = _register_breakdown(client, receipt_10, _format1_parts(ten))
        f2_single = _register_breakdown(client, receipt_10_c, _format2_parts(ten_c[2]))
        grant_tx = bytes(client.w3.eth.get_transaction(grant_receipt.transaction_hash)["input"])
        grant_log = grant_receipt.logs[0]
        figures["breakdown"] = {
            "register_10_lines_format1": f1,
            "register_10_lines_format2_4_recipients": f2_single,
            "batch50_per_item_format1": _batch_item(client, batch_receipt, batch),
            "batch50_per_item_format2": _batch_item(client, batch_c_receipt, batch_c),
            "grant_access": {
                "gas_used": grant_receipt.gas_used,
                "calldata_bytes": len(grant_tx),
                "calldata_gas": _calldata_gas(grant_tx),
                "wrapped_key_calldata_gas": _calldata_gas(wrapped),
                "event_data_bytes": len(bytes.fromhex(grant_log["data"].removeprefix("0x"))),
                "event_gas": 375 + 375 * len(grant_log["topics"]) + 8 * len(bytes.fromhex(grant_log["data"].removeprefix("0x"))),
                "storage_one_new_slot_gas": NEW_SLOT,
                "execution_by_opcode": _trace(client, grant_receipt.transaction_hash),
            },
            "payload_format1": {k: len(v) for k, v in _format1_parts(ten).items()},
            "payload_format2": {
                **{k: len(v) for k, v in _format2_parts(ten_c[2]).items()},
                "deflated_plaintext_data_and_seed": len(plaintext_c),
                "deflated_data_alone": len(canonical.deflate_json(ten_c_data)),
                "canonical_json": len(canonical.canonical_json(ten_c_data)),
            },
        }
    return figures


def _batch_item(client: RegistryClient, receipt: Any, items: list[tuple[str, tuple[bytes, ...], bytes]]) -> dict[str, Any]:
    """Per item of a batch: the shared 21,000 spread, calldata, event, storage and the rest."""
    n = len(items)
    data = bytes(client.w3.eth.get_transaction(receipt.transaction_hash)["input"])
    log_gas = sum(375 + 375 * len(log["topics"]) + 8 * len(bytes.fromhex(log["data"].removeprefix("0x"))) for log in receipt.logs)
    payload_calldata = sum(_calldata_gas(item[2]) for item in items)
    per = {
        "gas": receipt.gas_used / n,
        "intrinsic_21000_shared": 21_000 / n,
        "calldata_bytes": len(data) / n,
        "calldata_gas": _calldata_gas(data) / n,
        "payload_bytes": sum(len(item[2]) for item in items) / n,
        "payload_calldata_gas": payload_calldata / n,
        "event_gas": log_gas / n,
        "event_payload_hash_gas": 8 * 32,
        "payload_keccak_gas": sum(_keccak_gas(len(item[2])) for item in items) / n,
        "storage_two_new_slots_gas": 2 * NEW_SLOT,
    }
    per["execution_rest"] = per["gas"] - per["intrinsic_21000_shared"] - per["calldata_gas"] - per["event_gas"] - per["storage_two_new_slots_gas"]
    return {k: round(v, 1) for k, v in per.items()}


def run(breakdown: bool = False) -> dict[str, Any]:
    # anvil records the steps of a transaction (for debug_traceTransaction) only when asked to
    with DevChain(extra_args=("--steps-tracing",) if breakdown else ()) as chain:
        return measure(chain.url, breakdown)


def _run_elsewhere(artifacts: Path, hardfork: str | None) -> dict[str, Any]:
    """The figures of code built into ``artifacts`` on an anvil of ``hardfork`` (None: anvil's latest),
    in a process of its own: the artifacts a process loads are fixed at import."""
    env = {k: v for k, v in os.environ.items() if k not in ("GPID_WRITE_GAS_SNAPSHOT", HARDFORK_ENV)}
    env["GPID_ARTIFACTS"] = str(artifacts)
    if hardfork:
        env[HARDFORK_ENV] = hardfork
    done = subprocess.run([sys.executable, "-m", "benchmarks.gas"], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"gas bench for {artifacts} on {hardfork or 'latest'} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout))


def compare(targets: list[str]) -> dict[str, Any]:
    """Each EVM target's figures, its code compiled once into a temporary folder (the committed
    artifacts for build.EVM_VERSION), on an anvil of that hardfork and on anvil's latest."""
    runs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="gpid-gas-") as folder:
        for target in targets:
            artifacts = ARTIFACT_FILE
            if target != build.EVM_VERSION or load_build().get("evmVersion") != target:
                artifacts = build.write_artifacts(build.compile_contracts(evm_version=target), Path(folder) / f"build-{target}.json")
            code = json.loads(artifacts.read_text())["contracts"]["GPIDRegistry"]["deployedBytecode"]
            for chain in dict.fromkeys((target, None)):
                figures = _run_elsewhere(artifacts, chain)
                runs[f"{target} code on {chain or 'latest'} anvil"] = {"registry_code_bytes": (len(code) - 2) // 2, **figures}
    return runs


def table(runs: dict[str, Any]) -> str:
    """A Markdown table of the runs side by side, the last column the first target's code less the
    last target's, both on anvil's latest (the same chain rules)."""
    names = list(runs)
    on_latest = [n for n in names if n.endswith("on latest anvil")]
    first, last = runs[on_latest[0]], runs[on_latest[-1]]
    rows = [k for k, v in first.items() if isinstance(v, int) and not k.startswith(("payload_", "canonical_", "deflated_"))]
    lines = ["| operation | " + " | ".join(names) + f" | {on_latest[0].split()[0]} − {on_latest[-1].split()[0]} |"]
    lines.append("|---" * (len(names) + 2) + "|")
    for row in rows:
        cells = " | ".join(f"{runs[n][row]:,}" for n in names)
        delta = first[row] - last[row]
        lines.append(f"| {row} | {cells} | {delta:+,} ({100 * delta / last[row]:+.2f} %) |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--breakdown", action="store_true", help="add where the bytes and the gas go")
    parser.add_argument(
        "--compare", nargs="+", metavar="EVM", choices=build.HARDFORKS,
        help=f"compile for each EVM version (e.g. {build.EVM_VERSION} cancun) and measure each on anvil of that hardfork and of the latest",
    )  # fmt: skip
    parser.add_argument("--markdown", action="store_true", help="with --compare: print a Markdown table, not JSON")
    args = parser.parse_args()
    if args.compare:
        runs = compare(args.compare)
        print(table(runs) if args.markdown else json.dumps(runs))
        return
    figures = run(args.breakdown)
    if os.environ.get("GPID_WRITE_GAS_SNAPSHOT"):
        # the figures belong to code compiled for one EVM version: the snapshot names it
        measured = {k: v for k, v in figures.items() if isinstance(v, int)}
        SNAPSHOT.write_text(json.dumps({"evm_version": load_build()["evmVersion"], **measured}, indent=1) + "\n")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
