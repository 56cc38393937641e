"""Deploying the registry and the deployment record that nodes load.

The record (chain id, addresses, block, artifact hash) is a small JSON file. Deploying again
against a chain that already has the deployment reuses it; a record whose chain lost the contract
(a development chain restarted empty) is replaced by a fresh deployment.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from eth_account.signers.local import LocalAccount
from eth_account.types import TransactionDictType
from web3 import Web3

from gpid_node.chain.artifacts import artifact_hash, contract
from gpid_node.chain.client import CONNECTION_ERRORS, GAS_MARGIN, FeeMode, RegistryClient, connect
from gpid_node.chain.transport import EndpointRefused, RpcOptions
from gpid_node.domain.errors import ChainRejected, ChainUnavailable, FieldProblem, ValidationFailed
from gpid_node.domain.redaction import redact_url


@dataclass(frozen=True)
class Deployment:
    chain_id: int
    registry: str
    block: int
    block_hash: str
    transaction: str
    deployer: str
    admin: str
    artifact_hash: str
    contract: str = "GPIDRegistry"

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Deployment:
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise ValidationFailed(
                [FieldProblem("deployment", f"no deployment record at {path}: run `gpid-node deploy` first")]
            ) from None
        except (ValueError, TypeError) as exc:
            raise ValidationFailed([FieldProblem("deployment", f"{path} is not a deployment record: {exc}")]) from None


def is_live(w3: Web3, record: Deployment) -> bool:
    """Whether the chain holds this deployment: same chain id and the registry's code at its address."""
    if int(w3.eth.chain_id) != record.chain_id:
        return False
    code = bytes(w3.eth.get_code(Web3.to_checksum_address(record.registry)))
    return code == bytes.fromhex(contract(record.contract)["deployedBytecode"].removeprefix("0x"))


def deploy(
    rpc_url: str,
    deployer: LocalAccount,
    admin: str | None = None,
    record_path: Path | None = None,
    contract_name: str = "GPIDRegistry",
    fee_mode: FeeMode | str = FeeMode.AUTO,
    options: RpcOptions | None = None,
) -> tuple[Deployment, bool]:
    """Deploys the registry unless ``record_path`` names a live deployment; returns (record, reused).

    An endpoint that cannot be reached is a ChainUnavailable naming it (without its credentials);
    ``options`` are the endpoint's credentials and TLS files (chain/transport.py).
    """
    try:
        return _deploy(connect(rpc_url, options=options), deployer, admin, record_path, contract_name, fee_mode)
    except CONNECTION_ERRORS as exc:
        why = str(exc) if isinstance(exc, EndpointRefused) else exc.__class__.__name__  # its text names settings, never secrets
        raise ChainUnavailable(f"the chain at {redact_url(rpc_url)} cannot be reached: {why}") from exc


def _deploy(
    w3: Web3, deployer: LocalAccount, admin: str | None, record_path: Path | None, contract_name: str, fee_mode: FeeMode | str
) -> tuple[Deployment, bool]:
    if record_path is not None and record_path.exists():
        existing = Deployment.read(record_path)
        if existing.contract == contract_name and is_live(w3, existing):
            return existing, True
    admin = Web3.to_checksum_address(admin or deployer.address)
    factory = w3.eth.contract(abi=contract(contract_name)["abi"], bytecode=contract(contract_name)["bytecode"])
    probe = RegistryClient(w3, "0x" + "00" * 20, fee_mode)
    data = bytes.fromhex(factory.constructor(admin).data_in_transaction.removeprefix("0x"))
    gas = int(w3.eth.estimate_gas({"from": deployer.address, "data": data}) * GAS_MARGIN)
    tx: TransactionDictType = {
        "data": data,
        "nonce": w3.eth.get_transaction_count(deployer.address, "pending"),
        "gas": gas,
        "chainId": int(w3.eth.chain_id),
        "value": 0,
        **probe.fee_fields(),
    }
    signed = deployer.sign_transaction(tx)
    tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
    if int(receipt["status"]) != 1:
        raise ChainRejected("deployment reverted", {"transaction": "0x" + bytes(tx_hash).hex()})
    record = Deployment(
        chain_id=int(w3.eth.chain_id),
        registry=str(receipt["contractAddress"]),
        block=int(receipt["blockNumber"]),
        block_hash="0x" + bytes(receipt["blockHash"]).hex(),
        transaction="0x" + bytes(tx_hash).hex(),
        deployer=deployer.address,
        admin=admin,
        artifact_hash=artifact_hash(contract_name),
        contract=contract_name,
    )
    if record_path is not None:
        record.write(record_path)
    return record, False
