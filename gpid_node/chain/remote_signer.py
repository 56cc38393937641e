"""Accounts whose key is held by a remote signer that speaks Ethereum JSON-RPC (``eth_signTransaction``,
as Web3Signer and Clef offer), chosen per account in the settings (``GPID_REMOTE_SIGNERS``).

A :class:`RemoteAccount` stands where a keystore's ``LocalAccount`` stands: it has an ``address`` and
``sign_transaction(tx)``, so the registry client, the outbox and the tools sign through it unchanged.
Signing is one call; nothing is broadcast here. The outbox records the signed transaction (raw bytes
and hash) before it broadcasts it, as it does for a local key, so its guarantees hold: a signer that
cannot be reached or refuses raises ``ChainUnavailable`` before anything is recorded or sent, and the
entry stays pending, to be signed again when the signer answers.

What the signer answers is checked before it is used: the raw transaction must be signed by the
account asked for, and carry the nonce, recipient, data, gas, value, chain and fees asked for. A
signer that answers something else (a defect, or a signer compromised) is refused the same way.

Only signing keys go to a remote signer; an account's X25519 encryption keys stay in the node's
keystore (``<data dir>/keys/encryption/<account>.json``), created there the first time.

Wire format: the request is ``eth_signTransaction`` with one object of ``0x``-hex quantities
(``from``, ``to``, ``gas``, ``nonce``, ``value``, ``data``, ``chainId`` and ``gasPrice`` or
``maxFeePerGas``/``maxPriorityFeePerGas``); the result is the raw signed transaction as ``0x``-hex
(Web3Signer) or an object with it under ``raw`` (Geth's and Clef's ``{"raw", "tx"}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from eth_account import Account
from eth_account.datastructures import SignedTransaction
from eth_account.typed_transactions import TypedTransaction
from eth_hash.auto import keccak
from hexbytes import HexBytes
from web3.types import RPCEndpoint

from gpid_node.chain.transport import KeepAliveHTTPProvider
from gpid_node.domain.addresses import checksum
from gpid_node.domain.errors import ChainUnavailable
from gpid_node.domain.redaction import redact_url

_QUANTITIES = ("gas", "nonce", "value", "chainId", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas")


class TransactionSigner(Protocol):
    """What signs a transaction for an account: a keystore's ``LocalAccount`` or a :class:`RemoteAccount`."""

    @property
    def address(self) -> Any: ...

    def sign_transaction(self, transaction_dict: Any) -> SignedTransaction: ...


class SignerRefused(ChainUnavailable):
    """The remote signer could not be reached, refused to sign, or answered something else than the
    transaction asked for. A ``ChainUnavailable``: the outbox keeps the entry pending and tries again."""


def _hex_bytes(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    text = str(value)
    return text if text.startswith("0x") else "0x" + text


def signing_request(address: str, tx: Mapping[str, Any]) -> dict[str, Any]:
    """The ``eth_signTransaction`` parameter for ``tx`` (eth-account's transaction dict) from ``address``."""
    request: dict[str, Any] = {"from": address}
    if tx.get("to"):
        request["to"] = checksum(str(tx["to"]))
    request["data"] = _hex_bytes(tx.get("data", b""))
    for name in _QUANTITIES:
        if name in tx:
            request[name] = hex(int(tx[name]))
    return request


def _fields_of(raw: bytes) -> dict[str, Any]:
    """What a raw signed transaction carries, as ints and lower-case ``0x``-hex."""
    if raw and raw[0] < 0x7F:  # EIP-2718 typed
        fields = dict(TypedTransaction.from_bytes(HexBytes(raw)).as_dict())
    else:
        import rlp

        items = rlp.decode(raw)
        names = ("nonce", "gasPrice", "gas", "to", "value", "data", "v", "r", "s")
        fields = {n: (int.from_bytes(v, "big") if n not in ("to", "data") else v) for n, v in zip(names, items, strict=True)}
        v = fields["v"]
        if v >= 35:
            fields["chainId"] = (v - 35) // 2
    shaped: dict[str, Any] = {}
    for name, value in fields.items():
        if name in ("to", "data"):
            shaped[name] = _hex_bytes(value).lower() if value else ("0x" if name == "data" else None)
        elif isinstance(value, int):
            shaped[name] = value
    return shaped


class RemoteAccount:
    """An account signed for by a remote signer at ``url`` (credentials in the URL go as Basic auth)."""

    def __init__(self, address: str, url: str, timeout_s: float = 10.0) -> None:
        self.address = checksum(address)
        self.url = url
        self._provider = KeepAliveHTTPProvider(url, timeout_s)

    def __repr__(self) -> str:
        return f"RemoteAccount({self.address}, {redact_url(self.url)!r})"

    def _refused(self, why: str) -> SignerRefused:
        return SignerRefused(f"the signer at {redact_url(self.url)} for {self.address} {why}")

    def accounts(self) -> list[str]:
        """The accounts the signer holds keys of (``eth_accounts``), checksummed."""
        answer = self._call("eth_accounts", [])
        if not isinstance(answer, list):
            raise self._refused("answered eth_accounts with something that is not a list")
        return [checksum(str(a)) for a in answer]

    def check(self) -> None:
        """Raises SignerRefused unless the signer answers and holds this account's key."""
        if self.address not in self.accounts():
            raise self._refused("holds no key of this account (eth_accounts does not list it)")

    def _call(self, method: str, params: list[Any]) -> Any:
        try:
            response = self._provider.make_request(RPCEndpoint(method), params)
        except ConnectionError as exc:
            raise self._refused(f"cannot be reached: {exc}") from exc
        if "error" in response:
            error = response["error"]
            message = error.get("message") if isinstance(error, dict) else error
            raise self._refused(f"refused {method}: {str(message)[:200]}")
        return response.get("result")

    def sign_transaction(self, tx: Mapping[str, Any]) -> SignedTransaction:
        """``tx`` signed by the remote signer, checked to be that transaction signed by this account."""
        request = signing_request(self.address, tx)
        answer = self._call("eth_signTransaction", [request])
        raw_hex = answer.get("raw") if isinstance(answer, dict) else answer
        try:
            raw = bytes.fromhex(str(raw_hex).removeprefix("0x"))
            signer = Account.recover_transaction(raw)
            fields = _fields_of(raw)
        except Exception as exc:  # whatever a hostile answer makes the decoders raise
            raise self._refused(f"answered something that is not a signed transaction ({exc.__class__.__name__})") from exc
        if checksum(signer) != self.address:
            raise self._refused(f"answered a transaction signed by {signer}")
        for name in ("to", "data", *_QUANTITIES):
            if name not in request:
                continue
            asked = request[name].lower() if name in ("to", "data") else int(request[name], 16)
            if fields.get(name) != asked:
                raise self._refused(f"answered a transaction whose {name} is not the one asked for")
        return SignedTransaction(
            raw_transaction=HexBytes(raw), hash=HexBytes(keccak(raw)),
            r=int(fields.get("r", 0)), s=int(fields.get("s", 0)), v=int(fields.get("v", fields.get("y_parity", 0))),
        )  # fmt: skip


def remote_accounts(signers: Mapping[str, str], timeout_s: float = 10.0) -> dict[str, RemoteAccount]:
    """The settings' ``remote_signers`` (account → signer URL) as accounts, by checksummed address."""
    return {checksum(a): RemoteAccount(a, url, timeout_s) for a, url in signers.items()}
