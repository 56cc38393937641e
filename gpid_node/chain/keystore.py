"""The node's keys: signing keys in eth-account encrypted keystores (Web3 Secret Storage), and
each account's X25519 encryption keys (:class:`EncryptionKeyring`, the current one and those it
rotated out, kept for the data wrapped to them).

On disk, a keys folder holds one signing keystore per account (``<folder>/*.json``) and, beside
them, one encryption key file per account (``<folder>/encryption/<address>.json``,
:class:`EncryptionKeystore`): the account's X25519 key pairs oldest first, each private key sealed
with AES-256-GCM under a key derived from the keystore password with scrypt (as strong as the
account's signing keystore), the account and public key bound in as associated data::

    {"version": 1, "account": "0x…", "kdf": {"name": "scrypt", "n": 262144, "r": 8, "p": 1, "salt": "…"},
     "keys": [{"key_id": "0x…", "public_key": "0x…", "created_at": "…", "nonce": "…", "sealed": "…"}]}

Beside them too, one secret per seller trader this node registers for (``<folder>/traders/<trader
key>.json``, :class:`TraderSecrets`): ``k_trader``, the HMAC key of the invoice keys a registration
sends instead of the invoice number (docs/protocol.md, "Invoice key"). It belongs to the trader, not
to an account: every account of that trader on this node uses it, so that a new account derives the
same invoice keys and the registry still refuses a second registration of the same invoice. It is
sealed like the encryption keys (scrypt, AES-256-GCM, the trader key bound in as associated data)::

    {"version": 1, "trader_key": "0x…", "kdf": {…}, "created_at": "…", "nonce": "…", "sealed": "…"}

Back it up with the keystore (the whole keys folder). A node that loses it makes a new one: its
registrations still work, but the registry can no longer tell a re-registration of an old invoice
number (the node still refuses one its own index holds).

Private keys exist only in memory while the node runs; they are never logged or printed.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from eth_account import Account
from eth_account.signers.local import LocalAccount

from gpid_node.chain.remote_signer import RemoteAccount
from gpid_node.domain.addresses import checksum
from gpid_node.domain.encryption_keys import EncryptionKeyPair
from gpid_node.domain.errors import FieldProblem, ValidationFailed
from gpid_node.files import write_private

__all__ = [
    "EncryptionKeyring", "EncryptionKeystore", "Keyring", "LocalAccount", "TraderSecrets", "create_keystore",
    "dev_account", "keystore_address", "keystore_scrypt_n", "load_keystore",
]  # fmt: skip
DEV_MNEMONIC = "test test test test test test test test test test test junk"  # anvil's development accounts
ENCRYPTION_FOLDER = "encryption"  # beside the signing keystores of a keys folder
TRADER_FOLDER = "traders"  # the seller traders' secrets (k_trader), beside them too
TRADER_SECRET_BYTES = 32
DEFAULT_SCRYPT_N = 2**18  # eth-account's standard: 256 MiB to derive
_SCRYPT_R, _SCRYPT_P = 8, 1
_FILE_VERSION = 1
_AD_PREFIX = b"gpid encryption key v1"  # associated data: this prefix, the account (20 bytes), the public key
_TRADER_AD_PREFIX = b"gpid trader secret v1"  # associated data: this prefix, the trader key (32 bytes)

log = structlog.get_logger("gpid.keys")


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


def keystore_scrypt_n(path: Path) -> int:
    """The scrypt cost of a signing keystore (what its account's encryption key file is sealed with);
    the standard 2**18 for a keystore of another KDF or one that cannot be read."""
    try:
        crypto = json.loads(path.read_text(encoding="utf-8"))["crypto"]
        n = int(crypto["kdfparams"]["n"]) if crypto.get("kdf") == "scrypt" else DEFAULT_SCRYPT_N
    except (OSError, ValueError, KeyError, TypeError):
        return DEFAULT_SCRYPT_N
    return n if n >= 2 and n & (n - 1) == 0 else DEFAULT_SCRYPT_N


def _derive(password: str, salt: bytes, n: int) -> AESGCM:
    return AESGCM(Scrypt(salt=salt, length=32, n=n, r=_SCRYPT_R, p=_SCRYPT_P).derive(password.encode("utf-8")))


def _associated_data(account: str, public_key: bytes) -> bytes:
    return _AD_PREFIX + bytes.fromhex(account[2:]) + public_key


class EncryptionKeystore:
    """The encryption key files of one keys folder: ``<folder>/encryption/<address>.json``, one per
    account, its key pairs oldest first (the newest is current), written 0600 and never half written.

    ``scrypt_n`` is the cost a new file is sealed with; a file keeps its own cost when a key is added.
    """

    def __init__(self, keys_folder: Path, password: str, *, scrypt_n: int = DEFAULT_SCRYPT_N) -> None:
        self.folder = keys_folder / ENCRYPTION_FOLDER
        self._password = password
        self.scrypt_n = scrypt_n

    @classmethod
    def beside(cls, keystore: Path, password: str) -> EncryptionKeystore:
        """The encryption key files a node reads for the signing keystore ``keystore``: those of its
        own folder when it lies in a keys folder (``<data dir>/keys/<name>.json``), else of the
        ``keys`` folder beside it (the node's own ``<data dir>/keystore.json``)."""
        folder = keystore.parent if keystore.parent.name == "keys" else keystore.parent / "keys"
        return cls(folder, password)

    def path_of(self, account: str) -> Path:
        return self.folder / f"{checksum(account)}.json"

    def accounts(self) -> list[str]:
        """The accounts that have an encryption key file here, in file-name order."""
        return sorted(path.stem for path in self.folder.glob("0x*.json"))

    def load(self, account: str) -> list[EncryptionKeyPair] | None:
        """The account's key pairs, oldest first; None when it has no file. A wrong password or a damaged
        file is a ValidationFailed naming the file."""
        path = self.path_of(account)
        document = self._read(path)
        if document is None:
            return None
        return self._open(path, checksum(account), document)

    def _read(self, path: Path) -> dict[str, Any] | None:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            raise ValidationFailed([FieldProblem("encryption_keystore", f"{path} is not an encryption key file (not JSON)")]) from None
        if not isinstance(document, dict) or document.get("version") != _FILE_VERSION:
            raise ValidationFailed([FieldProblem("encryption_keystore", f"{path} is not a version {_FILE_VERSION} encryption key file")])
        return document

    def _open(self, path: Path, account: str, document: dict[str, Any]) -> list[EncryptionKeyPair]:
        try:
            if checksum(str(document["account"])) != account:
                raise ValueError("the file names another account")
            kdf = document["kdf"]
            sealer = _derive(self._password, bytes.fromhex(kdf["salt"]), int(kdf["n"]))
            entries = list(document["keys"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationFailed([FieldProblem("encryption_keystore", f"{path} is damaged: {exc}")]) from None
        pairs = []
        for index, entry in enumerate(entries):
            try:
                public = bytes.fromhex(str(entry["public_key"]).removeprefix("0x"))
                raw = sealer.decrypt(bytes.fromhex(entry["nonce"]), bytes.fromhex(entry["sealed"]), _associated_data(account, public))
            except InvalidTag:
                raise ValidationFailed([FieldProblem("keystore_password", f"wrong password for the encryption key file {path}")]) from None
            except (KeyError, TypeError, ValueError) as exc:
                raise ValidationFailed([FieldProblem("encryption_keystore", f"{path} key {index} is damaged: {exc}")]) from None
            pair = EncryptionKeyPair.from_private_bytes(raw)
            if pair.public_bytes != public:
                raise ValidationFailed([FieldProblem("encryption_keystore", f"{path} key {index}: the private key does not match its public key")])
            pairs.append(pair)
        return pairs

    def save(self, account: str, pairs: Sequence[EncryptionKeyPair], *, scrypt_n: int | None = None) -> Path:
        """Writes the account's key pairs (oldest first), sealed afresh under a new salt."""
        account = checksum(account)
        salt = secrets.token_bytes(32)
        n = scrypt_n or self.scrypt_n
        sealer = _derive(self._password, salt, n)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        previous = self._read(self.path_of(account)) or {}
        created = {str(k.get("public_key")): k.get("created_at") for k in previous.get("keys", []) if isinstance(k, dict)}
        keys = []
        for pair in pairs:
            nonce = secrets.token_bytes(12)
            public = "0x" + pair.public_bytes.hex()
            keys.append({
                "key_id": "0x" + pair.key_id.hex(), "public_key": public, "created_at": created.get(public) or now,
                "nonce": nonce.hex(), "sealed": sealer.encrypt(nonce, pair.private_bytes, _associated_data(account, pair.public_bytes)).hex(),
            })  # fmt: skip
        document = {"version": _FILE_VERSION, "account": account,
                    "kdf": {"name": "scrypt", "n": n, "r": _SCRYPT_R, "p": _SCRYPT_P, "salt": salt.hex()}, "keys": keys}  # fmt: skip
        path = self.path_of(account)
        write_private(path, json.dumps(document, indent=2) + "\n")
        return path

    def ensure(self, account: str, *, scrypt_n: int | None = None) -> list[EncryptionKeyPair]:
        """The account's key pairs; when it has none yet (a data folder of before encryption keys, or a new
        account), a first pair is created and saved."""
        pairs = self.load(account)
        if pairs:
            return pairs
        pair = EncryptionKeyPair.generate()
        path = self.save(account, [pair], scrypt_n=scrypt_n)
        log.info("keys.encryption_key_created", account=checksum(account), key_id="0x" + pair.key_id.hex(), file=str(path))
        return [pair]

    def rotate(self, account: str) -> EncryptionKeyPair:
        """Adds a new current key pair for the account and saves it; the old ones stay (for old data)."""
        path = self.path_of(account)
        document = self._read(path)
        pairs = self._open(path, checksum(account), document) if document is not None else []
        n = int(document["kdf"]["n"]) if document is not None else None
        pair = EncryptionKeyPair.generate()
        self.save(account, [*pairs, pair], scrypt_n=n)
        log.info("keys.encryption_key_rotated", account=checksum(account), key_id="0x" + pair.key_id.hex(), keys=len(pairs) + 1)
        return pair

    def __repr__(self) -> str:  # never shows the password
        return f"EncryptionKeystore({str(self.folder)!r})"


class EncryptionKeyring:
    """Each account's X25519 encryption key pairs, oldest first: the newest is the account's current
    key (the one it publishes and new data is wrapped to); older ones open the data wrapped before a
    rotation."""

    def __init__(self, keys: Mapping[str, Sequence[EncryptionKeyPair]] | None = None) -> None:
        self._keys: dict[str, list[EncryptionKeyPair]] = {account: list(pairs) for account, pairs in (keys or {}).items() if pairs}

    def add(self, account: str, pair: EncryptionKeyPair) -> None:
        """Adds ``pair`` as the account's current key (a rotation when it had one). The mapping is
        replaced, never changed in place: the indexer, the outbox and the HTTP handlers read it from
        other threads while a key rotated on a running node is added (services/key_rotations.py)."""
        self._keys = {**self._keys, account: [*self._keys.get(account, ()), pair]}

    def adopt(self, account: str, pairs: Iterable[EncryptionKeyPair]) -> list[EncryptionKeyPair]:
        """Adds, in order, those of ``pairs`` the account does not hold yet (the newest becomes its
        current key); the pairs added."""
        held = {pair.public_bytes for pair in self._keys.get(account, ())}
        added = []
        for pair in pairs:
            if pair.public_bytes not in held:
                held.add(pair.public_bytes)
                self.add(account, pair)
                added.append(pair)
        return added

    def current(self, account: str) -> EncryptionKeyPair | None:
        pairs = self._keys.get(account)
        return pairs[-1] if pairs else None

    def keys_of(self, account: str) -> list[EncryptionKeyPair]:
        """The account's key pairs, oldest first."""
        return list(self._keys.get(account, ()))

    def holders(self) -> dict[bytes, tuple[str, EncryptionKeyPair]]:
        """Key id → (account, key pair) for every key held, old ones included: the indexer tries each
        against a registration's recipient hints and looks a grant's key id up in it (block_rows.ContentKeys)."""
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


class TraderSecrets:
    """The secret ``k_trader`` of each seller trader this node registers for, by trader key.

    With a ``folder`` (``<keys folder>/traders``) and a password, the secrets are read from and
    written to one sealed file per trader; without, they live in memory only (tests and ephemeral
    nodes). :meth:`ensure` gives a trader's secret, creating (and saving) it the first time: at the
    onboarding of a trader on this node, or at its first registration.
    """

    def __init__(self, folder: Path | None = None, password: str | None = None, *, scrypt_n: int = DEFAULT_SCRYPT_N) -> None:
        self.folder = folder
        self._password = password
        self.scrypt_n = scrypt_n
        self._secrets: dict[bytes, bytes] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, keys_folder: Path, password: str, *, scrypt_n: int = DEFAULT_SCRYPT_N) -> TraderSecrets:
        """Every trader secret of a keys folder; a wrong password or a damaged file is a ValidationFailed naming it."""
        traders = cls(keys_folder / TRADER_FOLDER, password, scrypt_n=scrypt_n)
        folder = traders.folder
        assert folder is not None
        for path in sorted(folder.glob("0x*.json")) if folder.is_dir() else []:
            trader_key, secret = traders._open(path)
            traders._secrets[trader_key] = secret
        return traders

    def path_of(self, trader_key: bytes) -> Path:
        assert self.folder is not None
        return self.folder / f"0x{trader_key.hex()}.json"

    def _open(self, path: Path) -> tuple[bytes, bytes]:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(document, dict) or document.get("version") != _FILE_VERSION:
                raise ValueError(f"not a version {_FILE_VERSION} trader secret file")
            trader_key = bytes.fromhex(str(document["trader_key"]).removeprefix("0x"))
            if len(trader_key) != 32 or path.name != f"0x{trader_key.hex()}.json":
                raise ValueError("the file names another trader key")
            kdf = document["kdf"]
            sealer = _derive(self._password or "", bytes.fromhex(kdf["salt"]), int(kdf["n"]))
            nonce, sealed = bytes.fromhex(document["nonce"]), bytes.fromhex(document["sealed"])
        except (OSError, KeyError, TypeError, ValueError) as exc:
            raise ValidationFailed([FieldProblem("trader_secret", f"{path} is damaged: {exc}")]) from None
        try:
            secret = sealer.decrypt(nonce, sealed, _TRADER_AD_PREFIX + trader_key)
        except InvalidTag:
            raise ValidationFailed([FieldProblem("keystore_password", f"wrong password for the trader secret file {path}")]) from None
        if len(secret) != TRADER_SECRET_BYTES:
            raise ValidationFailed([FieldProblem("trader_secret", f"{path} holds a secret of {len(secret)} bytes")])
        return trader_key, secret

    def _save(self, trader_key: bytes, secret: bytes) -> Path:
        salt, nonce = secrets.token_bytes(32), secrets.token_bytes(12)
        sealer = _derive(self._password or "", salt, self.scrypt_n)
        document = {
            "version": _FILE_VERSION, "trader_key": "0x" + trader_key.hex(),
            "kdf": {"name": "scrypt", "n": self.scrypt_n, "r": _SCRYPT_R, "p": _SCRYPT_P, "salt": salt.hex()},
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "nonce": nonce.hex(), "sealed": sealer.encrypt(nonce, secret, _TRADER_AD_PREFIX + trader_key).hex(),
        }  # fmt: skip
        path = self.path_of(trader_key)
        write_private(path, json.dumps(document, indent=2) + "\n", replace=False)
        return path

    def get(self, trader_key: bytes) -> bytes | None:
        """The trader's secret, or None when this node has none."""
        return self._secrets.get(bytes(trader_key))

    def ensure(self, trader_key: bytes) -> bytes:
        """The trader's secret, created (and saved, with a folder) when this node has none yet."""
        trader_key = bytes(trader_key)
        with self._lock:
            secret = self._secrets.get(trader_key)
            if secret is not None:
                return secret
            secret = secrets.token_bytes(TRADER_SECRET_BYTES)
            if self.folder is not None:
                try:
                    path = self._save(trader_key, secret)
                except FileExistsError:  # another process of this node made it first: use that one
                    secret = self._open(self.path_of(trader_key))[1]
                else:
                    log.info("keys.trader_secret_created", trader_key="0x" + trader_key.hex(), file=str(path))
            self._secrets[trader_key] = secret
            return secret

    def add(self, trader_key: bytes, secret: bytes) -> None:
        """Holds ``secret`` for the trader (in memory: the engine process, tests, a restored backup)."""
        if len(secret) != TRADER_SECRET_BYTES:
            raise ValueError(f"a trader secret has {TRADER_SECRET_BYTES} bytes")
        with self._lock:
            self._secrets[bytes(trader_key)] = bytes(secret)

    def items(self) -> list[tuple[bytes, bytes]]:
        """The secrets themselves: only for handing to the node's own engine process (over its pipe)."""
        return list(self._secrets.items())

    def __contains__(self, trader_key: object) -> bool:
        return isinstance(trader_key, bytes | bytearray) and bytes(trader_key) in self._secrets

    def __repr__(self) -> str:  # never shows a secret
        return f"TraderSecrets({len(self._secrets)} traders)"


class Keyring:
    """The node's keys by address: signing keys (one keystore file per account in one folder) and
    the accounts' encryption keys (:attr:`encryption`).

    Without ``encryption``, each account gets a fresh encryption key pair held in memory only (tests
    and ephemeral nodes); a node's keys on disk are loaded with both.

    ``remote`` accounts sign through a remote signer (:mod:`gpid_node.chain.remote_signer`); their
    encryption keys are the node's own, in the keys folder like every account's.
    """

    def __init__(
        self,
        accounts: dict[str, LocalAccount] | None = None,
        encryption: EncryptionKeyring | None = None,
        remote: Mapping[str, RemoteAccount] | None = None,
        traders: TraderSecrets | None = None,
    ) -> None:
        self._accounts: dict[str, LocalAccount] = {a.address: a for a in (accounts or {}).values()}
        self._remote: dict[str, RemoteAccount] = {a.address: a for a in (remote or {}).values() if a.address not in self._accounts}
        self.encryption = encryption if encryption is not None else EncryptionKeyring()
        self.traders = traders if traders is not None else TraderSecrets()
        if encryption is None:
            for address in [*self._accounts, *self._remote]:
                self.encryption.add(address, EncryptionKeyPair.generate())

    @classmethod
    def load(
        cls, folder: Path, password: str, *, node_keystore: Path | None = None, remote: Mapping[str, RemoteAccount] | None = None
    ) -> Keyring:
        """The signing keys of ``folder`` (``*.json``, not its ``encryption`` subfolder) and of
        ``node_keystore`` (when it exists), and the ``remote`` accounts, each with its encryption keys
        from ``<folder>/encryption/``; an account without any gets a first key pair, created and saved.
        The trader secrets of ``<folder>/traders/`` come too (new ones are sealed as the keystores are)."""
        paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
        if node_keystore is not None and node_keystore.is_file() and node_keystore not in paths:
            paths.append(node_keystore)
        accounts: dict[str, LocalAccount] = {}
        encryption = EncryptionKeyring()
        store = EncryptionKeystore(folder, password)
        for path in paths:
            account = load_keystore(path, password)
            accounts[account.address] = account
            if account.address not in encryption:
                for pair in store.ensure(account.address, scrypt_n=keystore_scrypt_n(path)):
                    encryption.add(account.address, pair)
        for address in remote or {}:
            if address not in encryption:
                for pair in store.ensure(address):
                    encryption.add(address, pair)
        scrypt_n = min((keystore_scrypt_n(p) for p in paths), default=DEFAULT_SCRYPT_N)
        return cls(accounts, encryption, remote, TraderSecrets.load(folder, password, scrypt_n=scrypt_n))

    @classmethod
    def of_keys(
        cls,
        keys: list[bytes],
        encryption: EncryptionKeyring | None = None,
        remote: Mapping[str, RemoteAccount] | None = None,
        traders: TraderSecrets | None = None,
    ) -> Keyring:
        """A keyring of raw signing keys and remote accounts (and the accounts' encryption keys, else
        fresh ones in memory)."""
        return cls({str(i): Account.from_key(key) for i, key in enumerate(keys)}, encryption, remote, traders)

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

    def get(self, address: str) -> LocalAccount | RemoteAccount | None:
        return self._accounts.get(address) or self._remote.get(address)

    def __contains__(self, address: object) -> bool:
        return address in self._accounts or address in self._remote

    @property
    def addresses(self) -> list[str]:
        return sorted([*self._accounts, *self._remote])

    def remote_signers(self) -> dict[str, str]:
        """The remote accounts' signer URLs (for the node's own engine process, which signs too)."""
        return {address: account.url for address, account in self._remote.items()}

    def __repr__(self) -> str:  # never shows a key
        return f"Keyring({self.addresses}, {self.encryption!r})"
