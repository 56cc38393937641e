"""The node's signing key, kept in an eth-account encrypted keystore (Web3 Secret Storage).

The private key exists only in memory while the node runs; it is never logged or printed.
"""

from __future__ import annotations

import json
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from gpid_node.domain.errors import FieldProblem, ValidationFailed
from gpid_node.store.files import write_private

__all__ = ["Keyring", "LocalAccount", "create_keystore", "dev_account", "keystore_address", "load_keystore"]
DEV_MNEMONIC = "test test test test test test test test test test test junk"  # anvil's development accounts


def dev_account(index: int) -> LocalAccount:
    """Development account ``index`` of anvil's mnemonic (0 is the operator in dev mode): public keys, never for real data."""
    Account.enable_unaudited_hdwallet_features()
    return Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")


def create_keystore(
    path: Path, password: str, private_key: str | bytes | None = None, *, scrypt_n: int | None = None
) -> LocalAccount:
    """Creates (or imports ``private_key`` into) an encrypted keystore file; refuses to overwrite.

    ``scrypt_n`` defaults to eth-account's standard 2**18 (256 MiB to decrypt); development keys
    use a lighter setting.
    """
    if path.exists():
        raise ValidationFailed([FieldProblem("keystore", f"{path} exists already; choose another path")])
    account: LocalAccount = Account.from_key(private_key) if private_key is not None else Account.create()
    document = Account.encrypt(account.key, password, kdf="scrypt", iterations=scrypt_n)
    try:
        write_private(path, json.dumps(document), replace=False)
    except FileExistsError:
        raise ValidationFailed([FieldProblem("keystore", f"{path} exists already; choose another path")]) from None
    return account


def load_keystore(path: Path, password: str) -> LocalAccount:
    """Decrypts a keystore file; a wrong password or a damaged file is a ValidationFailed naming it."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationFailed([FieldProblem("keystore", f"no keystore at {path}: create one with `gpid-node init`")]) from None
    except ValueError:
        raise ValidationFailed([FieldProblem("keystore", f"{path} is not a keystore (not JSON)")]) from None
    try:
        return Account.from_key(Account.decrypt(document, password))
    except ValueError:
        raise ValidationFailed([FieldProblem("keystore_password", f"wrong password for the keystore {path}")]) from None


def keystore_address(path: Path) -> str:
    """The account address a keystore holds, without decrypting it."""
    return "0x" + json.loads(path.read_text(encoding="utf-8"))["address"].removeprefix("0x")


class Keyring:
    """The node's signing keys by address: one keystore file per account in one folder."""

    def __init__(self, accounts: dict[str, LocalAccount] | None = None) -> None:
        self._accounts: dict[str, LocalAccount] = {a.address: a for a in (accounts or {}).values()}

    @classmethod
    def load(cls, folder: Path, password: str) -> Keyring:
        accounts: dict[str, LocalAccount] = {}
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            account = load_keystore(path, password)
            accounts[account.address] = account
        return cls(accounts)

    @classmethod
    def of_keys(cls, keys: list[bytes]) -> Keyring:
        return cls({str(i): Account.from_key(key) for i, key in enumerate(keys)})

    def private_keys(self) -> list[bytes]:
        """The keys themselves: only for handing to the node's own engine process (over its pipe)."""
        return [bytes(account.key) for account in self._accounts.values()]

    def add(self, account: LocalAccount) -> None:
        self._accounts[account.address] = account

    def get(self, address: str) -> LocalAccount | None:
        return self._accounts.get(address)

    def __contains__(self, address: object) -> bool:
        return address in self._accounts

    @property
    def addresses(self) -> list[str]:
        return sorted(self._accounts)

    def __repr__(self) -> str:  # never shows a key
        return f"Keyring({self.addresses})"
