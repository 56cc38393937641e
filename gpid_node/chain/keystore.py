"""The node's keys: signing keys in eth-account encrypted keystores (Web3 Secret Storage), and
each account's X25519 encryption keys (:class:`EncryptionKeyring`, the current one and those it
rotated out, kept for the data wrapped to them).

Private keys exist only in memory while the node runs; they are never logged or printed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from gpid_node.domain.encryption_keys import EncryptionKeyPair
from gpid_node.domain.errors import FieldProblem, ValidationFailed
from gpid_node.store.files import write_private

__all__ = ["EncryptionKeyring", "Keyring", "LocalAccount", "create_keystore", "dev_account", "keystore_address", "load_keystore"]
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


class EncryptionKeyring:
    """Each account's X25519 encryption key pairs, oldest first: the newest is the account's current
    key (the one it publishes and new data is wrapped to); older ones open the data wrapped before a
    rotation."""

    def __init__(self, keys: Mapping[str, Sequence[EncryptionKeyPair]] | None = None) -> None:
        self._keys: dict[str, list[EncryptionKeyPair]] = {account: list(pairs) for account, pairs in (keys or {}).items() if pairs}

    def add(self, account: str, pair: EncryptionKeyPair) -> None:
        """Adds ``pair`` as the account's current key (a rotation when it had one)."""
        self._keys.setdefault(account, []).append(pair)

    def current(self, account: str) -> EncryptionKeyPair | None:
        pairs = self._keys.get(account)
        return pairs[-1] if pairs else None

    def keys_of(self, account: str) -> list[EncryptionKeyPair]:
        """The account's key pairs, oldest first."""
        return list(self._keys.get(account, ()))

    def holders(self) -> dict[bytes, tuple[str, EncryptionKeyPair]]:
        """Key id → (account, key pair) for every key held, old ones included (what
        ``payload_crypto.find_content_key`` looks wrapped keys up in)."""
        return {pair.key_id: (account, pair) for account, pairs in self._keys.items() for pair in pairs}

    @property
    def accounts(self) -> list[str]:
        return sorted(self._keys)

    def private_keys(self) -> list[tuple[str, list[bytes]]]:
        """The keys themselves: only for handing to the node's own engine process (over its pipe)."""
        return [(account, [pair.private_bytes for pair in pairs]) for account, pairs in self._keys.items()]

    @classmethod
    def of_private_keys(cls, items: Iterable[tuple[str, Sequence[bytes]]]) -> EncryptionKeyring:
        return cls({account: [EncryptionKeyPair.from_private_bytes(raw) for raw in raws] for account, raws in items})

    def __contains__(self, account: object) -> bool:
        return account in self._keys

    def __repr__(self) -> str:  # never shows a key
        return f"EncryptionKeyring({self.accounts})"


class Keyring:
    """The node's keys by address: signing keys (one keystore file per account in one folder) and
    the accounts' encryption keys (:attr:`encryption`).

    Without ``encryption``, each account gets a fresh encryption key pair held in memory only (tests
    and ephemeral nodes); a node's keys on disk are loaded with both.
    """

    def __init__(self, accounts: dict[str, LocalAccount] | None = None, encryption: EncryptionKeyring | None = None) -> None:
        self._accounts: dict[str, LocalAccount] = {a.address: a for a in (accounts or {}).values()}
        self.encryption = encryption if encryption is not None else EncryptionKeyring()
        if encryption is None:
            for address in self._accounts:
                self.encryption.add(address, EncryptionKeyPair.generate())

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

    def add(self, account: LocalAccount, encryption_key: EncryptionKeyPair | None = None) -> None:
        """Adds a signing key, with its encryption key (a fresh one held in memory when none is given
        and the account has none)."""
        self._accounts[account.address] = account
        if encryption_key is not None:
            self.encryption.add(account.address, encryption_key)
        elif account.address not in self.encryption:
            self.encryption.add(account.address, EncryptionKeyPair.generate())

    def get(self, address: str) -> LocalAccount | None:
        return self._accounts.get(address)

    def __contains__(self, address: object) -> bool:
        return address in self._accounts

    @property
    def addresses(self) -> list[str]:
        return sorted(self._accounts)

    def __repr__(self) -> str:  # never shows a key
        return f"Keyring({self.addresses}, {self.encryption!r})"
