"""Records ``anvil-1.7.1-logs.json`` again: ``PYTHONPATH=tests:. .venv/bin/python -m chain.recorded.record``.

On a fresh anvil (chain 31337, the registry at the operator's first address): the operator binds the
seller, the seller registers ``REC-1``, amends it, the operator links a declaration to it; then a
``CallRelay`` (a stand-in for a multisig or smart wallet), bound to a trader of its own, registers
``REC-2`` through a relayed call. The file keeps the registry's ``eth_getLogs`` answer, the
``eth_getTransactionByHash`` answers of the transactions that emitted key data set events and the
``debug_traceTransaction`` (``callTracer``) answer of the relayed one: what the indexer reads.

The committed recording is of a registry before invoice keys (``register(string invoiceNumber, …)``):
it keeps proving that old chains stay readable. Recording again gives one of today's registry.
"""

from __future__ import annotations

import json
from pathlib import Path

from support.builders import amended, key_data_set
from support.contract_checks import deploy_relay, relay_call
from support.invoice_keys import invoice_key

from gpid_node.chain.client import RegistryClient
from gpid_node.chain.deploy import deploy
from gpid_node.chain.devchain import DevChain
from gpid_node.domain import canonical

DE = canonical.trader_key("EORI:DE123456789012345")

OUT = Path(__file__).with_name("anvil-1.7.1-logs.json")
SALT = bytes(range(32))
RELAYED_TRADER_ID = "EORI:FR12345678901"


def record() -> dict[str, object]:
    from eth_account import Account

    from gpid_node.chain.devchain import DEV_MNEMONIC

    Account.enable_unaudited_hdwallet_features()
    operator, seller = (Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in (0, 1))
    with DevChain() as chain:
        deployment, _ = deploy(chain.url, operator)
        client = RegistryClient.connect(chain.url, deployment.registry)
        client.transact(operator, "bindTrader", seller.address, "EORI:DE123456789012345")
        client.transact(operator, "grantRole", client.view("BROKER_ROLE"), operator.address)
        data = key_data_set("REC-1")
        commitments = canonical.commitments(data, SALT).as_tuple()
        registered = client.transact(seller, "register", invoice_key(DE, "REC-1"), commitments, canonical.encode_payload(data, SALT))
        after = amended(data, **{"goods": [{**data["goods"][0], "value": "1.00"}]})
        amended_tx = client.transact(seller, "amend", client.view("gpidFor", DE, invoice_key(DE, "REC-1")),
                                     commitments, canonical.commitments(after, SALT).as_tuple(), 2, "credit note",
                                     canonical.encode_payload(after, SALT))  # fmt: skip
        gpid = client.view("gpidFor", DE, invoice_key(DE, "REC-1"))
        client.transact(operator, "linkDeclaration", gpid, "26DE0000001", b"DE", 1)
        relay = deploy_relay(client, operator)
        client.transact(operator, "bindTrader", relay, RELAYED_TRADER_ID)
        other = key_data_set("REC-2", seller_eori="FR12345678901")
        relayed = relay_call(client, operator, relay, "register", invoice_key(canonical.trader_key("EORI:FR12345678901"), "REC-2"), canonical.commitments(other, SALT).as_tuple(),
                             canonical.encode_payload(other, SALT)).transaction_hash  # fmt: skip
        logs = client.raw_logs(0, client.block_number())
        hashes = [registered.transaction_hash, amended_tx.transaction_hash, relayed]
        return {
            "registry": deployment.registry,
            "logs": logs,
            "transactions": {h: client.request("eth_getTransactionByHash", h) for h in hashes},
            "traces": {relayed: client.call_trace(relayed)},
        }


if __name__ == "__main__":
    OUT.write_text(json.dumps(record(), indent=1) + "\n")
    print(f"recorded -> {OUT}")
