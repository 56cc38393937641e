"""The registry client: web3 over any standard Ethereum JSON-RPC endpoint.

It encodes calls, simulates them (so a refusal comes back as the contract's own error, decoded),
signs locally with the node's key, broadcasts and reads receipts. Nonces and retries belong to the
outbox; this module only talks to the chain. Fees follow the network: EIP-1559 where blocks carry
a base fee, legacy gas price otherwise, and zero-price permissioned networks (Besu, Quorum).

web3's exceptions stop here: an endpoint that cannot be reached is ``ChainUnavailable``, a refusal
of the contract its domain error (:mod:`gpid_node.chain.errors`), and any other error answer of the
endpoint :class:`~gpid_node.chain.errors.RpcRefused` (``RangeRefused`` for a log range,
``UnknownBlock`` for a block it does not have), so nothing above ``chain/`` imports web3.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

import requests
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_account.signers.local import LocalAccount
from eth_account.types import TransactionDictType
from eth_hash.auto import keccak
from web3 import Web3
from web3.exceptions import ContractLogicError, TransactionNotFound, Web3RPCError

from gpid_node.chain.abi import abi_type, decode_error, signature
from gpid_node.chain.artifacts import contract
from gpid_node.chain.errors import RangeRefused, RpcRefused, UnknownBlock, to_domain_error
from gpid_node.chain.records import GPIDRecord, RegistryRole, VersionRecord, from_struct
from gpid_node.chain.remote_signer import TransactionSigner
from gpid_node.chain.traces import frames_from_struct_logs
from gpid_node.chain.transport import EndpointRefused, RpcOptions, make_provider
from gpid_node.domain.errors import ChainRejected, ChainUnavailable, GPIDError
from gpid_node.domain.gpid import GPID
from gpid_node.domain.redaction import redact_text, redact_url

GAS_MARGIN = 1.25
_T = TypeVar("_T")
CONNECTION_ERRORS = (requests.exceptions.ConnectionError, requests.exceptions.Timeout, ConnectionError, OSError)


class FeeMode(StrEnum):
    AUTO = "auto"
    EIP1559 = "eip1559"
    LEGACY = "legacy"
    ZERO = "zero"


@dataclass(frozen=True)
class SignedTx:
    hash: str
    raw: bytes
    nonce: int


@dataclass(frozen=True)
class Header:
    """What the node reads of a block header: number, hash and parent (``0x``-hex, lower case), time."""

    number: int
    hash: str
    parent_hash: str
    timestamp: int


@dataclass(frozen=True)
class Receipt:
    transaction_hash: str
    block_number: int
    block_hash: str
    succeeded: bool
    gas_used: int
    logs: list[dict[str, Any]]


def _unique_functions(abi: list[dict[str, Any]]) -> dict[str, tuple[bytes, list[str]]]:
    """Selector and argument types of every function whose name is not overloaded."""
    functions = [i for i in abi if i["type"] == "function"]
    names = [f["name"] for f in functions]
    return {
        f["name"]: (keccak(signature(f).encode())[:4], [abi_type(i) for i in f["inputs"]])
        for f in functions
        if names.count(f["name"]) == 1
    }


def _outputs(abi: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {f["name"]: f["outputs"] for f in abi if f["type"] == "function"}


def _shape(spec: dict[str, Any], value: Any) -> Any:
    """An output value as web3 gives it: checksummed addresses, tuples for structs."""
    kind = spec["type"]
    if kind.endswith("[]"):
        inner = dict(spec, type=kind[:-2])
        return [_shape(inner, v) for v in value]
    if kind == "tuple":
        return tuple(_shape(c, v) for c, v in zip(spec["components"], value, strict=True))
    if kind == "address":
        return Web3.to_checksum_address(value)
    return value


def connect(rpc_url: str, timeout_s: float = 10.0, options: RpcOptions | None = None) -> Web3:
    """A web3 over HTTP, through the kept-alive transport (chain/transport.py), with the endpoint's
    credentials, TLS files and fallback endpoints of ``options``."""
    return Web3(make_provider(rpc_url, timeout_s, options))


def _revert_data(exc: Exception) -> str | None:
    """The revert data of a failed call: anvil and geth answer it as the error's ``data``, the Hardhat
    network as ``data.data`` (beside its own message), which web3 passes on as the exception's data."""
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        return data
    response = getattr(exc, "rpc_response", None) or {}
    err = response.get("error", {}) if isinstance(response, dict) else {}
    data = err.get("data") if isinstance(err, dict) else None
    if isinstance(data, dict):
        data = data.get("data")
    return data if isinstance(data, str) and data.startswith("0x") else None


def _mined_hash(response: dict[str, Any]) -> str | None:
    """The hash an endpoint gives in an error answer to ``eth_sendRawTransaction`` for a transaction
    it mined all the same (Hardhat: ``error.data.txHash`` beside the revert data), lower case."""
    err = response.get("error") if isinstance(response, dict) else None
    data = err.get("data") if isinstance(err, dict) else None
    tx_hash = data.get("txHash") if isinstance(data, dict) else None
    return tx_hash.lower() if isinstance(tx_hash, str) else None


def refusal(exc: Exception) -> GPIDError:
    """The domain error for a failed call or estimate."""
    decoded = decode_error(_revert_data(exc))
    if decoded is not None:
        return to_domain_error(decoded)
    return ChainRejected(type(exc).__name__, {"message": redact_text(str(exc))})  # a library's text may quote the URL


def _hex(value: Any) -> str:
    text = value.hex() if isinstance(value, bytes | bytearray) else str(value)
    return text if text.startswith("0x") else "0x" + text


class RegistryClient:
    """One registry contract on one chain."""

    def __init__(
        self, w3: Web3, address: str, fee_mode: FeeMode | str = FeeMode.AUTO, contract_name: str = "GPIDRegistry"
    ) -> None:
        self.w3 = w3
        self.address = Web3.to_checksum_address(address)
        self.contract = w3.eth.contract(address=self.address, abi=contract(contract_name)["abi"])
        self.fee_mode = FeeMode(fee_mode)
        self._chain_id: int | None = None
        self._fees: tuple[float, dict[str, int]] | None = None
        self._last_ok = 0.0  # monotonic time of the last answered call
        self._functions = _unique_functions(contract(contract_name)["abi"])
        self._outputs = _outputs(contract(contract_name)["abi"])
        self._roles: dict[RegistryRole, bytes] = {}

    @classmethod
    def connect(
        cls, rpc_url: str, address: str, fee_mode: FeeMode | str = FeeMode.AUTO, contract_name: str = "GPIDRegistry"
    ) -> RegistryClient:
        return cls(connect(rpc_url), address, fee_mode, contract_name)

    # ---------------------------------------------------------------- plumbing

    def _rpc(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            result = fn(*args, **kwargs)
            self._last_ok = time.monotonic()
            return result
        except CONNECTION_ERRORS as exc:
            self._last_ok = 0.0
            why = str(exc) if isinstance(exc, EndpointRefused) else exc.__class__.__name__  # its text names settings, never secrets
            raise ChainUnavailable(f"the chain at {self.rpc_url} cannot be reached: {why}") from exc

    def _decoded(self, method: str, decode: Callable[[], _T]) -> _T:
        """``decode()`` of an answer to ``method``; an answer of the wrong shape (null, a number for a
        hex quantity, a list for an object) is a misbehaving endpoint: ChainUnavailable, never a 500."""
        try:
            return decode()
        except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
            self._last_ok = 0.0
            raise ChainUnavailable(f"the chain at {self.rpc_url} answered {method} with something that is not "
                                   f"its JSON-RPC result ({exc.__class__.__name__})") from exc  # fmt: skip

    @property
    def rpc_url(self) -> str:
        """The endpoint, for messages and logs: without the credentials and keys a URL may carry."""
        return redact_url(str(getattr(self.w3.provider, "endpoint_uri", "?")))

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self._rpc(lambda: self.w3.eth.chain_id))
        return self._chain_id

    def request(self, method: str, *params: Any) -> Any:
        """One JSON-RPC call straight through the provider, its result as JSON gives it.

        The node's frequent calls (head, headers, receipts, broadcasts) skip web3's method and result
        formatters, which cost ten times the request itself; an error answer raises RpcRefused.
        """
        response = self._rpc(self.w3.provider.make_request, method, list(params))
        if "error" in response:
            error = response["error"]
            if not isinstance(error, dict) or not isinstance(error.get("message"), str):
                self._last_ok = 0.0
                raise ChainUnavailable(f"the chain at {self.rpc_url} answered {method} with an error that is not a JSON-RPC error object")
            raise RpcRefused(error["message"], response)
        return response.get("result")

    def request_batch(self, method: str, params: Sequence[Sequence[Any]]) -> list[Any]:
        """``method`` once per entry of ``params``, in one JSON-RPC batch where the transport offers
        batches (one request each otherwise, or when the endpoint refuses the batch as a whole); the
        results in the order of ``params``. An error answer to any of them raises RpcRefused."""
        if not params:
            return []
        batch = getattr(self.w3.provider, "make_batch_request", None)
        answers: Any = None
        if batch is not None:
            answers = self._rpc(batch, [(method, list(p)) for p in params])
        if not isinstance(answers, list) or len(answers) != len(params):
            return [self.request(method, *p) for p in params]
        results = []
        for answer in answers:
            if not isinstance(answer, dict):
                self._last_ok = 0.0
                raise ChainUnavailable(f"the chain at {self.rpc_url} answered a {method} batch with something that is not a JSON-RPC response")
            if "error" in answer:
                error = answer["error"]
                raise RpcRefused(str(error.get("message") if isinstance(error, dict) else error), answer)
            results.append(answer.get("result"))
        return results

    def transactions(self, hashes: Sequence[str], per_batch: int = 200) -> dict[str, Any]:
        """``eth_getTransactionByHash`` of each transaction, as JSON gives it (None for one the chain
        does not know), batched ``per_batch`` at a time: transaction hash (as given) -> answer."""
        found: dict[str, Any] = {}
        for start in range(0, len(hashes), per_batch):
            chunk = list(hashes[start : start + per_batch])
            found.update(zip(chunk, self.request_batch("eth_getTransactionByHash", [[h] for h in chunk]), strict=True))
        return found

    def call_trace(self, tx_hash: str) -> dict[str, Any]:
        """The transaction's calls as ``debug_traceTransaction`` with the ``callTracer`` gives them (a
        tree of frames: type, from, to, input, error, calls), rebuilt from the default tracer's steps
        where the endpoint has no ``callTracer``. RpcRefused when the endpoint does not offer the
        debug namespace (most public endpoints) or refuses it."""
        try:
            trace = self.request("debug_traceTransaction", tx_hash, {"tracer": "callTracer"})
        except RpcRefused as refused:
            if "tracer" not in str(refused).lower():
                raise
            return self._call_trace_from_steps(tx_hash, refused)
        if not isinstance(trace, dict):
            raise RpcRefused(f"debug_traceTransaction answered {type(trace).__name__}, not a call frame", {"result": trace})
        return trace

    def _call_trace_from_steps(self, tx_hash: str, refused: RpcRefused) -> dict[str, Any]:
        """The call frames rebuilt from the default tracer's steps, for an endpoint that has no
        ``callTracer`` (the Hardhat network: "only supports the default tracer"). The steps carry the
        memory, so the answer is large (about 1.5 kB a step): only relayed calls come here."""
        trace = self.request("debug_traceTransaction", tx_hash, {"disableStorage": True, "enableMemory": True})
        tx = self.request("eth_getTransactionByHash", tx_hash)
        try:
            if not trace["structLogs"]:  # anvil without --steps-tracing: no steps, which is not "no calls"
                raise RpcRefused(f"{refused}; and its default trace has no steps", refused.rpc_response)
            return frames_from_struct_logs(trace["structLogs"], tx["to"], tx["input"], bool(trace.get("failed")))
        except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
            raise RpcRefused(f"{refused}; and its default trace is not one of steps with stack and memory "
                             f"({exc.__class__.__name__})", refused.rpc_response) from exc  # fmt: skip

    def block_number(self) -> int:
        answer = self.request("eth_blockNumber")
        return self._decoded("eth_blockNumber", lambda: int(answer, 16))

    def block(self, number: int | str) -> dict[str, Any]:
        """A whole block as web3 gives it (HexBytes, ints); see ``header`` for the node's own reads."""
        return dict(self._rpc(self.w3.eth.get_block, number))

    def header(self, number: int | str) -> Header:
        """A block's header by number or tag ("latest"); UnknownBlock when the chain has no such block."""
        tag = hex(number) if isinstance(number, int) else number
        block = self.request("eth_getBlockByNumber", tag, False)
        if block is None:
            if tag == "latest":  # the head always exists: an endpoint that says otherwise misbehaves
                self._last_ok = 0.0
                raise ChainUnavailable(f"the chain at {self.rpc_url} answered eth_getBlockByNumber(latest) with null")
            raise UnknownBlock(f"the chain has no block {number}")
        return self._decoded("eth_getBlockByNumber", lambda: Header(
            int(block["number"], 16), str(block["hash"]).lower(), str(block["parentHash"]).lower(), int(block["timestamp"], 16)))

    def block_json(self, number: int) -> dict[str, Any]:
        """A block's header as the JSON-RPC gives it (``eth_getBlockByNumber`` without transactions):
        every field in ``0x``-hex, as a proof bundle carries them; UnknownBlock when there is none."""
        block = self.request("eth_getBlockByNumber", hex(number), False)
        if block is None:
            raise UnknownBlock(f"the chain has no block {number}")
        return self._decoded("eth_getBlockByNumber", lambda: {str(k): v for k, v in dict(block).items() if k != "transactions"})

    def storage_proof(self, slots: list[str], block_hash: str, number: int) -> dict[str, Any]:
        """``eth_getProof`` of the registry's storage ``slots`` (``0x`` + 64 hex digits) in the state
        after block ``block_hash`` (EIP-1898, so that a reorg cannot mix two blocks), or by its
        ``number`` where the endpoint takes no block hash there (the caller then checks the proof
        against that block's header): the account proof and one storage proof per slot, as the
        JSON-RPC gives them. RpcRefused when the endpoint keeps no state that old or serves no proofs."""
        try:
            answer = self.request("eth_getProof", self.address, slots, {"blockHash": block_hash})
        except RpcRefused:
            answer = self.request("eth_getProof", self.address, slots, hex(number))
        return self._decoded("eth_getProof", lambda: {str(k): v for k, v in dict(answer).items()})

    def is_reachable(self, max_age_s: float = 2.0) -> bool:
        """Whether the chain answers: a call answered in the last ``max_age_s`` counts, else one is made."""
        if time.monotonic() - self._last_ok < max_age_s:
            return True
        try:
            self.block_number()
            return True
        except ChainUnavailable:
            return False

    def encode(self, function: str, *args: Any) -> bytes:
        """Calldata of a call: eth_abi directly when the name is unique (10x faster than web3's matcher)."""
        spec = self._functions.get(function)
        if spec is None:
            return bytes.fromhex(self.contract.encode_abi(function, args=list(args)).removeprefix("0x"))
        selector, types = spec
        return selector + abi_encode(types, list(args))

    # ---------------------------------------------------------------- views

    def view(self, function: str, *args: Any) -> Any:
        """Calls a view; one eth_call encoded and decoded with eth_abi (web3's contract layer costs ms)."""
        outputs = self._outputs.get(function)
        if function not in self._functions or outputs is None:
            try:
                return self._rpc(getattr(self.contract.functions, function)(*args).call)
            except (ContractLogicError, Web3RPCError) as exc:
                raise refusal(exc) from exc
        raw = self.simulate("0x" + "00" * 20, self.encode(function, *args))
        values = abi_decode([abi_type(o) for o in outputs], raw)
        shaped = [_shape(o, v) for o, v in zip(outputs, values, strict=True)]
        return shaped[0] if len(shaped) == 1 else tuple(shaped)

    def gpid_for(self, seller_trader_key: bytes, invoice_key: bytes) -> GPID:
        """The GPID of the invoice whose invoice key (``canonical.invoice_key``) is ``invoice_key``."""
        return GPID.from_hex(self.view("gpidFor", seller_trader_key, invoice_key))

    def record_of(self, gpid: GPID) -> GPIDRecord:
        """The registry's record of a GPID (version 0 when it does not know it)."""
        return from_struct(GPIDRecord, self._outputs["recordOf"][0], self.view("recordOf", gpid.raw))

    def version_of(self, gpid: GPID, version: int) -> VersionRecord:
        """One version's record; the contract's ``UnknownVersion`` / ``UnknownGPID`` refusal otherwise."""
        return from_struct(VersionRecord, self._outputs["versionOf"][0], self.view("versionOf", gpid.raw, version))

    def trader_key_of(self, account: str) -> bytes:
        """The trader key an account is bound to: 32 zero bytes when it is bound to none."""
        return bytes(self.view("traderKeyOf", account))

    def customs_country_of(self, account: str) -> str | None:
        """The country an account is Customs of (ISO 3166-1 alpha-2), None when it is not Customs."""
        country = bytes(self.view("customsCountryOf", account))
        return None if country == b"\0\0" else country.decode("ascii", "replace")

    def encryption_key_of(self, account: str) -> tuple[bytes, bytes] | None:
        """The account's current X25519 public key and its key id as published on chain (32 bytes
        each); None when it has published none (the contract answers zeros then)."""
        public_key, key_id = self.view("encryptionKeyOf", account)
        public_key, key_id = bytes(public_key), bytes(key_id)
        return None if public_key == b"\0" * 32 else (public_key, key_id)

    def role_id(self, role: RegistryRole) -> bytes:
        """A role's id as the registry defines it (read once per client)."""
        known = self._roles.get(role)
        if known is None:
            known = self._roles[role] = bytes(self.view(role.value))
        return known

    def has_role(self, role: RegistryRole, account: str) -> bool:
        return bool(self.view("hasRole", self.role_id(role), account))

    def has_code(self) -> bool:
        return len(self._rpc(self.w3.eth.get_code, self.address)) > 0

    # ---------------------------------------------------------------- transactions

    def simulate(self, sender: str, data: bytes, block: str = "latest") -> bytes:
        """eth_call of the transaction: raises the contract's refusal as a domain error."""
        try:
            result = self.request("eth_call", {"from": sender, "to": self.address, "data": "0x" + data.hex()}, block)
        except RpcRefused as exc:
            raise refusal(exc) from exc
        return self._decoded("eth_call", lambda: bytes.fromhex(result.removeprefix("0x")))

    def estimate_gas(self, sender: str, data: bytes) -> int:
        try:
            gas = self._rpc(self.w3.eth.estimate_gas, {"from": sender, "to": self.address, "data": data})
        except (ContractLogicError, Web3RPCError) as exc:
            raise refusal(exc) from exc
        return int(gas * GAS_MARGIN) + 5_000

    def fee_fields(self, max_age_s: float = 1.0) -> dict[str, int]:
        """Fee fields for a new transaction, looked up at most once per ``max_age_s``."""
        now = time.monotonic()
        if self._fees is not None and now - self._fees[0] < max_age_s:
            return dict(self._fees[1])
        fees = self._lookup_fees()
        self._fees = (now, fees)
        return dict(fees)

    def _lookup_fees(self) -> dict[str, int]:
        mode = self.fee_mode
        if mode == FeeMode.ZERO:
            return {"gasPrice": 0}
        if mode == FeeMode.AUTO:
            base = self.block("latest").get("baseFeePerGas")
            mode = FeeMode.EIP1559 if base is not None else FeeMode.LEGACY
            if base is not None and int(base) == 0 and int(self._rpc(lambda: self.w3.eth.gas_price)) == 0:
                return {"maxFeePerGas": 0, "maxPriorityFeePerGas": 0}
        if mode == FeeMode.LEGACY:
            return {"gasPrice": int(self._rpc(lambda: self.w3.eth.gas_price))}
        base = int(self.block("latest").get("baseFeePerGas") or 0)
        tip = int(self._rpc(lambda: self.w3.eth.max_priority_fee)) if base else 0
        return {"maxFeePerGas": 2 * base + tip, "maxPriorityFeePerGas": tip}

    def next_nonce(self, account: str) -> int:
        answer = self.request("eth_getTransactionCount", account, "pending")
        return self._decoded("eth_getTransactionCount", lambda: int(answer, 16))

    def sign(
        self, account: LocalAccount | TransactionSigner, data: bytes, nonce: int, gas: int, fees: dict[str, int] | None = None
    ) -> SignedTx:
        tx: TransactionDictType = {
            "to": self.address,
            "data": data,
            "nonce": nonce,
            "gas": gas,
            "chainId": self.chain_id,
            "value": 0,
            **(fees if fees is not None else self.fee_fields()),
        }
        signed = account.sign_transaction(tx)
        return SignedTx(hash=_hex(signed.hash), raw=bytes(signed.raw_transaction), nonce=nonce)

    def broadcast(self, raw: bytes) -> str:
        """Sends a signed transaction; one the node already knows is not an error, and neither is one
        the endpoint mined though it answered an error (the Hardhat network mines a transaction that
        reverts and answers the revert, with the transaction's hash in the error's data): its
        receipt says it failed, as on any other chain."""
        try:
            return str(self.request("eth_sendRawTransaction", "0x" + raw.hex()))
        except RpcRefused as exc:
            message = str(exc).lower()
            tx_hash = _hex(Web3.keccak(raw))
            if "already known" in message or "already imported" in message or "known transaction" in message:
                return tx_hash
            if _mined_hash(exc.rpc_response) == tx_hash:
                return tx_hash
            raise

    def receipt(self, tx_hash: str) -> Receipt | None:
        """The receipt of a mined transaction (its logs in JSON-RPC shape), None while it is not mined."""
        r = self.request("eth_getTransactionReceipt", tx_hash)
        if r is None or (isinstance(r, dict) and r.get("blockNumber") is None):
            return None
        return self._decoded("eth_getTransactionReceipt", lambda: Receipt(
            transaction_hash=str(r["transactionHash"]).lower(),
            block_number=int(r["blockNumber"], 16),
            block_hash=str(r["blockHash"]).lower(),
            succeeded=int(r["status"], 16) == 1,
            gas_used=int(r["gasUsed"], 16),
            logs=list(r["logs"]),
        ))

    def is_pending(self, tx_hash: str) -> bool:
        """Whether the node still knows the transaction (in its pool or in a block)."""
        try:
            return self._rpc(self.w3.eth.get_transaction, tx_hash) is not None
        except TransactionNotFound:
            return False

    def wait(self, tx_hash: str, timeout_s: float = 60.0, poll_s: float = 0.05) -> Receipt:
        deadline = time.monotonic() + timeout_s
        while True:
            receipt = self.receipt(tx_hash)
            if receipt is not None:
                return receipt
            if time.monotonic() > deadline:
                raise ChainUnavailable(f"transaction {tx_hash} was not mined within {timeout_s} s")
            time.sleep(poll_s)

    def transact(self, account: LocalAccount | TransactionSigner, function: str, *args: Any, gas: int | None = None) -> Receipt:
        """Simulate, sign, send and wait: for operators, tests and tools (the node's writes use the outbox)."""
        data = self.encode(function, *args)
        self.simulate(account.address, data)
        gas = gas or self.estimate_gas(account.address, data)
        signed = self.sign(account, data, self.next_nonce(account.address), gas)
        self.broadcast(signed.raw)
        receipt = self.wait(signed.hash)
        if not receipt.succeeded:
            self.simulate(account.address, data, block=hex(receipt.block_number - 1))
            raise ChainRejected("reverted", {"transaction": signed.hash})
        return receipt

    def find_logs(self, topic0: str, gpid: bytes, from_block: int = 0) -> list[dict[str, Any]]:
        """Logs of one event for one GPID (its first indexed argument)."""
        topics = [topic0, "0x" + bytes(gpid).ljust(32, b"\0").hex()]
        query = {"address": self.address, "fromBlock": from_block, "toBlock": "latest", "topics": topics}
        return list(self._rpc(self.w3.eth.get_logs, query))

    def event_logs(self, topics: list[str], from_block: int = 0) -> list[dict[str, Any]]:
        """Logs of the registry with these topics (``0x``-hex; the first is the event's) up to the head."""
        query = {"address": self.address, "fromBlock": from_block, "toBlock": "latest", "topics": topics}
        return list(self._rpc(self.w3.eth.get_logs, query))

    def log_blocks(self, topic0s: list[str], first: int, end: int) -> list[int]:
        """The blocks in [first, end] in which the registry logged any of these events (``0x``-hex
        topics), in chain order, one entry per log."""
        query = {"address": self.address, "fromBlock": hex(first), "toBlock": hex(end), "topics": [topic0s]}
        return [int(log["blockNumber"], 16) for log in self.request("eth_getLogs", query) or []]

    def raw_logs(self, first: int, end: int) -> list[dict[str, Any]]:
        """The registry's logs in blocks [first, end] as plain JSON-RPC dicts (web3's result formatting,
        HexBytes and checksummed addresses, costs ten times the request); RangeRefused when the
        endpoint refuses the range (too many blocks or results, typically)."""
        query = {"address": self.address, "fromBlock": hex(first), "toBlock": hex(end)}
        try:
            return list(self.request("eth_getLogs", query) or [])
        except RpcRefused as exc:
            raise RangeRefused(str(exc), exc.rpc_response) from exc

    def balance_of(self, account: str) -> int:
        """An account's balance in wei."""
        return int(self._rpc(self.w3.eth.get_balance, account))
