"""Onboarding the consortium's participants: what ``gpid-node participants onboard|offboard|rebind`` do.

The operator's key (it holds the registry's ``ONBOARDING_ROLE``) signs every change. Each step reads
the chain first and sends only what is missing, so running a command twice changes nothing the
second time, and a command interrupted half-way finishes when it is run again:

* **seller / buyer**: ``bindTrader(account, traderId)``; an account acts for one trader.
* **broker**: ``grantRole(BROKER_ROLE, account)``.
* **customs**: ``grantCustoms(account, country)``.
* **encryption key** (any role, optional): ``publishEncryptionKeyFor(account, publicKey)``, the
  X25519 public key the participant's ``gpid-node init`` printed (its node publishes it itself when
  it starts otherwise, which costs it gas).
* **offboard**: ``unbindTrader`` and ``revokeRole`` of whatever the account holds.
* **rebind** (key loss): ``unbindTrader(old)`` then ``bindTrader(new, traderId)``. The chain keeps
  both events, so the index (``trader_bindings``) shows who was bound when, and GPIDs registered by
  the old account keep it as their issuer.

Optionally, an account is funded with gas money from the operator's account (networks where gas
costs something; zero-gas permissioned networks need none).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from gpid_node.chain.abi import decode_log, event_topic
from gpid_node.chain.client import RegistryClient
from gpid_node.chain.keystore import LocalAccount
from gpid_node.chain.records import RegistryRole
from gpid_node.domain import canonical
from gpid_node.domain import errors as e
from gpid_node.domain.addresses import checksum
from gpid_node.domain.reference import is_country, is_eori_shape

__all__ = ["ROLES", "Onboarding", "Step", "normal_country", "normal_encryption_key", "normal_trader_id", "parse_ether"]

ROLES = ("seller", "buyer", "broker", "customs")
ZERO_KEY = b"\0" * 32
TRANSFER_GAS = 21_000
WEI_PER_ETHER = 10**18


@dataclass(frozen=True)
class Step:
    """One thing a command did (or found already done): ``transaction`` is None when nothing was sent."""

    action: str
    detail: str
    transaction: str | None = None
    block: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def normal_trader_id(text: str) -> str:
    """A trader ID as the contract binds it: ``SCHEME:VALUE`` in normal form (EORI numbers checked)."""
    normal = canonical.normal_identifier(text or "")
    scheme, colon, value = normal.partition(":")
    if not colon or not scheme or not value:
        raise e.ValidationFailed([e.FieldProblem(
            "--trader-id", f"{text!r} is not SCHEME:VALUE; write it as e.g. EORI:DE123456789012345"
        )])  # fmt: skip
    if not canonical.is_normal_identifier(normal):
        raise e.ValidationFailed([e.FieldProblem("--trader-id", f"{text!r} is longer than 70 bytes or holds control characters")])
    if scheme == "EORI" and not is_eori_shape(value):
        raise e.ValidationFailed([e.FieldProblem(
            "--trader-id", f"{value!r} is not an EORI number: a country prefix and 1 to 15 letters or digits"
        )])  # fmt: skip
    return normal


def parse_ether(text: str | None) -> int:
    """An amount of ether as wei (``"0.5"`` -> 5 * 10**17); 0 for None."""
    if text is None:
        return 0
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0:
        raise e.ValidationFailed([e.FieldProblem("--fund-eth", f"{text!r} is not an amount of ether, e.g. 0.5")])
    return int(amount * WEI_PER_ETHER)


def normal_encryption_key(text: str, option: str = "--encryption-key") -> bytes:
    """An X25519 public key written as ``0x`` and 64 hexadecimal digits (what ``gpid-node init`` prints)."""
    raw = (text or "").strip().removeprefix("0x").removeprefix("0X")
    try:
        key = bytes.fromhex(raw) if len(raw) == 64 else b""
    except ValueError:
        key = b""
    if len(key) != 32 or key == ZERO_KEY:
        raise e.ValidationFailed([e.FieldProblem(
            option, f"{text!r} is not an X25519 public key: 0x and 64 hexadecimal digits, as `gpid-node init` prints it"
        )])  # fmt: skip
    return key


def normal_country(text: str | None, option: str = "--country") -> str:
    if not text:
        raise e.ValidationFailed([e.FieldProblem(option, "a Customs participant needs the country of its administration, e.g. --country GB")])
    country = text.strip().upper()
    if not is_country(country):
        raise e.ValidationFailed([e.FieldProblem(option, f"{text!r} is not an ISO 3166-1 alpha-2 country code, e.g. DE")])
    return country


class Onboarding:
    """The operator's onboarding actions on one registry."""

    def __init__(self, client: RegistryClient, operator: LocalAccount, *, from_block: int = 0) -> None:
        self.client = client
        self.operator = operator
        self.from_block = from_block

    # ------------------------------------------------------------------ chain reads

    def role(self, name: str) -> bytes:
        """``ONBOARDING_ROLE``, ``BROKER_ROLE`` or ``CUSTOMS_ROLE`` as the registry defines it."""
        return self.client.role_id(RegistryRole(name))

    def trader_key_of(self, account: str) -> bytes:
        return self.client.trader_key_of(account)

    def is_broker(self, account: str) -> bool:
        return self.client.has_role(RegistryRole.BROKER, account)

    def customs_country_of(self, account: str) -> str | None:
        return self.client.customs_country_of(account)

    def holdings(self, account: str) -> dict[str, Any]:
        """What the account holds on chain: its trader key, the broker role, a Customs country."""
        key = self.trader_key_of(account)
        return {
            "trader_key": None if key == ZERO_KEY else "0x" + key.hex(),
            "broker": self.is_broker(account),
            "customs_country": self.customs_country_of(account),
        }

    def check_operator(self) -> None:
        """Refuses early when the signing key cannot onboard (instead of a revert per step)."""
        if not self.client.has_code():
            raise e.ValidationFailed([e.FieldProblem(
                "deployment", f"no registry at {self.client.address} on chain {self.client.chain_id}: "
                "check GPID_RPC_URL and the deployment record (`gpid-node deploy` writes it)",
            )])  # fmt: skip
        if not self.client.has_role(RegistryRole.ONBOARDING, self.operator.address):
            raise e.PermissionDenied(
                f"the key {self.operator.address} does not hold the registry's onboarding role: run this with the "
                "operator's data folder (the key that deployed the registry, or the admin its deployment record names)"
            )

    def _logs(self, event: str, *topics: str) -> list[dict[str, Any]]:
        return self.client.event_logs([event_topic(event), *topics], self.from_block)

    def was_bound(self, trader_key: bytes, account: str) -> bool:
        """Whether the chain holds a ``TraderUnbound`` of this trader key and account (it was bound once)."""
        return bool(self._logs("TraderUnbound", "0x" + trader_key.hex(), "0x" + bytes.fromhex(account[2:]).rjust(32, b"\0").hex()))

    def trader_id_of(self, trader_key: bytes) -> str:
        """The trader ID a trader key was bound as (from its ``TraderBound`` events), or the key in hex."""
        for raw in self._logs("TraderBound", "0x" + trader_key.hex()):
            event = decode_log(raw)
            if event is not None and event.args.get("traderId"):
                return str(event.args["traderId"])
        return "0x" + trader_key.hex()

    # ------------------------------------------------------------------ writes

    def _send(self, action: str, detail: str, function: str, *args: Any) -> Step:
        receipt = self.client.transact(self.operator, function, *args)
        return Step(action, detail, receipt.transaction_hash, receipt.block_number)

    def fund(self, account: str, wei: int) -> Step | None:
        """Tops the account up to ``wei`` from the operator's account (None when it holds enough already)."""
        if wei <= 0:
            return None
        balance = self.client.balance_of(account)
        if balance >= wei:
            return Step("fund", f"holds {Decimal(balance) / WEI_PER_ETHER} ether already")
        missing = wei - balance
        own = self.client.balance_of(self.operator.address)
        if own < missing:
            raise e.ValidationFailed([e.FieldProblem(
                "--fund-eth", f"the operator's account {self.operator.address} holds {Decimal(own) / WEI_PER_ETHER} ether, "
                f"less than the {Decimal(missing) / WEI_PER_ETHER} to send: fund it first, or leave --fund-eth out on a zero-gas network",
            )])  # fmt: skip
        tx: dict[str, Any] = {  # eth-account's TransactionDictType (web3's libraries stay in gpid_node.chain)
            "to": account, "value": missing, "gas": TRANSFER_GAS, "chainId": self.client.chain_id,
            "nonce": self.client.next_nonce(self.operator.address), **self.client.fee_fields(max_age_s=0),
        }  # fmt: skip
        signed = self.operator.sign_transaction(tx)
        tx_hash = self.client.broadcast(bytes(signed.raw_transaction))
        receipt = self.client.wait(tx_hash)
        return Step("fund", f"sent {Decimal(missing) / WEI_PER_ETHER} ether", receipt.transaction_hash, receipt.block_number)

    def onboard(self, role: str, account: str, *, trader_id: str | None = None, country: str | None = None) -> list[Step]:
        """Binds the trader ID (seller, buyer), grants the broker role or grants Customs; returns the steps."""
        if role not in ROLES:
            raise e.ValidationFailed([e.FieldProblem("--role", f"{role!r} is not a role; use one of {', '.join(ROLES)}")])
        account = checksum(account)
        if role in ("seller", "buyer"):
            if not trader_id:
                raise e.ValidationFailed([e.FieldProblem("--trader-id", f"a {role} needs its trader ID, e.g. EORI:DE123456789012345")])
            return [self._bind(account, normal_trader_id(trader_id))]
        if role == "broker":
            if self.is_broker(account):
                return [Step("grant broker", "holds the broker role already")]
            return [self._send("grant broker", "granted the broker role", "grantRole", self.role("BROKER_ROLE"), account)]
        country = normal_country(country)
        current = self.customs_country_of(account)
        if current == country:
            return [Step("grant customs", f"is Customs of {country} already")]
        detail = f"granted Customs of {country}" + (f" (was Customs of {current})" if current else "")
        return [self._send("grant customs", detail, "grantCustoms", account, country.encode("ascii"))]

    def _bind(self, account: str, trader_id: str) -> Step:
        key = canonical.trader_key(trader_id)
        current = self.trader_key_of(account)
        if current == key:
            return Step("bind trader", f"is bound to {trader_id} already")
        if current != ZERO_KEY:
            raise e.Conflict(
                f"account {account} is bound to another trader ID ({self.trader_id_of(current)}); an account acts for "
                f"one trader: offboard it first (`gpid-node participants offboard --account {account}`) or onboard another account",
                account=account,
            )
        return self._send("bind trader", f"bound to {trader_id}", "bindTrader", account, trader_id)

    def publish_encryption_key(self, account: str, public_key: bytes) -> Step:
        """Publishes the participant's encryption public key for it, unless the chain names it already."""
        account = checksum(account)
        current = self.client.encryption_key_of(account)
        if current is not None and current[0] == public_key:
            return Step("publish encryption key", f"publishes the key 0x{current[1].hex()} already")
        detail = "published its encryption key" + (" (replacing another)" if current is not None else "")
        return self._send("publish encryption key", detail, "publishEncryptionKeyFor", account, public_key)

    def offboard(self, account: str) -> list[Step]:
        """Unbinds the trader ID and revokes the broker and Customs roles the account holds."""
        account = checksum(account)
        if account == self.operator.address:
            raise e.ValidationFailed([e.FieldProblem("--account", "this is the operator's own account; it cannot offboard itself")])
        steps: list[Step] = []
        if self.trader_key_of(account) != ZERO_KEY:
            steps.append(self._send("unbind trader", "unbound from its trader ID", "unbindTrader", account))
        if self.is_broker(account):
            steps.append(self._send("revoke broker", "revoked the broker role", "revokeRole", self.role("BROKER_ROLE"), account))
        country = self.customs_country_of(account)
        if country is not None:
            steps.append(self._send("revoke customs", f"revoked Customs of {country}", "revokeRole", self.role("CUSTOMS_ROLE"), account))
        return steps

    def rebind(self, trader_id: str, old: str, new: str) -> list[Step]:
        """Moves a trader ID from a lost (or retired) account to a new one: unbind old, bind new."""
        trader_id = normal_trader_id(trader_id)
        old, new = checksum(old), checksum(new)
        if old == new:
            raise e.ValidationFailed([e.FieldProblem("--new-account", "the new account is the old one; name the new key's account")])
        key = canonical.trader_key(trader_id)
        old_key, new_key = self.trader_key_of(old), self.trader_key_of(new)
        if new_key not in (ZERO_KEY, key):
            raise e.Conflict(
                f"the new account {new} is bound to another trader ID ({self.trader_id_of(new_key)}): choose an unbound account",
                account=new,
            )
        steps: list[Step] = []
        if old_key == key:
            steps.append(self._send("unbind trader", f"unbound {old} from {trader_id}", "unbindTrader", old))
        elif not self.was_bound(key, old):
            state = "is not bound to a trader ID" if old_key == ZERO_KEY else f"is bound to another trader ID ({self.trader_id_of(old_key)})"
            raise e.ValidationFailed([e.FieldProblem(
                "--old-account", f"{old} {state} and never was bound to {trader_id}: check `gpid-node participants list`; "
                f"to bind a first account use `gpid-node participants onboard --role seller --trader-id {trader_id} --account {new}`",
            )])  # fmt: skip
        else:
            steps.append(Step("unbind trader", f"{old} was unbound from {trader_id} already"))
        steps.append(self._bind(new, trader_id))
        return steps


def open_onboarding(settings: Any) -> Onboarding:
    """The operator's onboarding actions on the registry of the deployment record, signed by the data
    folder's key, once that key is known to hold the onboarding role."""
    from gpid_node.chain.client import connect
    from gpid_node.chain.deploy import Deployment
    from gpid_node.chain.keystore import load_keystore

    deployment = Deployment.read(settings.deployment_path)
    operator = load_keystore(settings.keystore_path, settings.keystore_password.get_secret_value())
    client = RegistryClient(connect(settings.rpc_url, options=settings.rpc_options()), deployment.registry, settings.fee_mode)
    onboarding = Onboarding(client, operator, from_block=deployment.block)
    onboarding.check_operator()
    return onboarding
