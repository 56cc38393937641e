"""Who may read and write what: the roles of the REST facade and the CLI.

The contract enforces the write rules on chain; these rules refuse early with a clear message and
decide what each caller may read (a key data set it may not read is "not found", never "forbidden",
so its existence does not leak).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    SELLER = "seller"
    BUYER = "buyer"
    BROKER = "broker"
    CUSTOMS = "customs"
    OPERATOR = "operator"


class Action(StrEnum):
    REGISTER = "register"
    AMEND = "amend"
    LINK = "link"
    VERIFY = "verify"
    ONBOARD = "onboard"


# Which roles may ask for which writes (the contract has the final word on each).
WRITERS: dict[Action, frozenset[Role]] = {
    Action.REGISTER: frozenset({Role.SELLER}),
    Action.AMEND: frozenset({Role.SELLER}),
    Action.LINK: frozenset({Role.SELLER, Role.BUYER, Role.BROKER}),
    Action.VERIFY: frozenset({Role.CUSTOMS}),
    Action.ONBOARD: frozenset({Role.OPERATOR}),
}


@dataclass(frozen=True)
class Principal:
    """The caller: a role bound to an account, with its trader ID (traders) or country (Customs)."""

    role: Role
    account: str
    trader_id: str | None = None
    country: str | None = None
    key_id: str | None = None
    name: str | None = None

    def may(self, action: Action) -> bool:
        return self.role in WRITERS[action]


@dataclass(frozen=True)
class Visibility:
    """What the index knows about one key data set that decides who may read it."""

    issuer: str
    seller_trader_id: str | None
    buyer_trader_id: str | None
    seller_country: str | None
    buyer_country: str | None
    linkers: frozenset[str]
    declaration_countries: frozenset[str]


def may_read(principal: Principal, facts: Visibility) -> bool:
    """Seller and buyer; brokers and Customs holding a declaration that references it; Customs of the
    seller's or buyer's country (audits); the consortium operator."""
    match principal.role:
        case Role.OPERATOR:
            return True
        case Role.SELLER | Role.BUYER:
            mine = principal.trader_id is not None and principal.trader_id in (
                facts.seller_trader_id, facts.buyer_trader_id
            )
            return mine or principal.account == facts.issuer
        case Role.BROKER:
            return principal.account in facts.linkers
        case Role.CUSTOMS:
            country = principal.country
            return country is not None and (
                country in (facts.seller_country, facts.buyer_country) or country in facts.declaration_countries
            )
    return False
