"""Who may read and write what: the roles of the REST facade and the CLI.

The contract enforces the write rules on chain; these rules refuse early with a clear message and
decide what each caller may read (a key data set it may not read is "not found", never "forbidden",
so its existence does not leak).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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
    GRANT = "grant"  # give or end one account's access to one GPID (its seller or buyer)
    MANDATE = "mandate"  # give or end a standing mandate of the caller's own trader


# Which roles may ask for which writes (the contract has the final word on each).
WRITERS: dict[Action, frozenset[Role]] = {
    Action.REGISTER: frozenset({Role.SELLER}),
    Action.AMEND: frozenset({Role.SELLER}),
    Action.LINK: frozenset({Role.SELLER, Role.BUYER, Role.BROKER}),
    Action.VERIFY: frozenset({Role.CUSTOMS}),
    Action.ONBOARD: frozenset({Role.OPERATOR}),
    Action.GRANT: frozenset({Role.SELLER, Role.BUYER}),
    Action.MANDATE: frozenset({Role.SELLER, Role.BUYER}),
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
    # The node's own command line (it holds the node's keys): an operator there reads the data the
    # node holds, where the operator role of the REST facade sees public facts only.
    local: bool = False

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
    format: int = 1  # the payload format: 1 plain, 2 encrypted
    grantees: frozenset[str] = frozenset()  # accounts ever granted access (active or revoked: what was shared stays shared)
    # Agents with an active mandate (any direction) of its seller's trader key, each with the block of
    # its mandate active now (the earlier one when it holds both directions): a mandated agent reads
    # that seller's key data sets from the mandate on, those registered at or after that block.
    mandated: Mapping[str, int] = field(default_factory=dict)
    registered_block: int = 0  # the block the key data set was registered in


class Ground(StrEnum):
    """One reason a caller may read a key data set: the parts the read rule is made of.

    :func:`may_read` checks them in Python; ``gpid_node.store.queries.visible_filter`` turns the
    same parts into one SQL clause, so lists are filtered and counted in the database. A test holds
    the two to the same answers over every role and every kind of key data set.
    """

    EVERYTHING = "everything"  # the consortium operator (public facts only: the answer carries no data)
    ISSUER = "issuer"  # the account that registered it
    SELLER_TRADER = "seller_trader"  # the caller's trader ID is the seller's
    BUYER_TRADER = "buyer_trader"  # the caller's trader ID is the buyer's
    LINKER = "linker"  # the caller's account linked a declaration to it (format 1 only: linking is no right to read)
    GRANTEE = "grantee"  # the caller's account was granted access to it (active or revoked)
    MANDATED = "mandated"  # the caller's account holds an active mandate of its seller's trader, given at or before its registration
    SELLER_COUNTRY = "seller_country"  # the caller's country is the seller's (Customs audits)
    BUYER_COUNTRY = "buyer_country"  # the caller's country is the buyer's (Customs audits)
    DECLARATION_COUNTRY = "declaration_country"  # a declaration of the caller's country references it


# Who may read what (DESIGN.md, "Confidentiality"): seller and buyer; agents (brokers, forwarders,
# other administrations) with a grant for it or an active mandate of its seller (from the mandate on:
# key data sets registered at or after the block of the mandate active now); Customs of the
# seller's or buyer's country (audits) and of any country a declaration links it to; brokers by
# linking only for format-1 key data sets (round 1's rule, kept for them); the consortium operator
# its public facts only (PUBLIC_ONLY). Sellers and buyers are matched alike (an account acts for one
# trader).
READ_GROUNDS: dict[Role, tuple[Ground, ...]] = {
    Role.OPERATOR: (Ground.EVERYTHING,),
    Role.SELLER: (Ground.ISSUER, Ground.SELLER_TRADER, Ground.BUYER_TRADER, Ground.GRANTEE, Ground.MANDATED),
    Role.BUYER: (Ground.ISSUER, Ground.SELLER_TRADER, Ground.BUYER_TRADER, Ground.GRANTEE, Ground.MANDATED),
    Role.BROKER: (Ground.LINKER, Ground.GRANTEE, Ground.MANDATED),
    Role.CUSTOMS: (Ground.SELLER_COUNTRY, Ground.BUYER_COUNTRY, Ground.DECLARATION_COUNTRY, Ground.GRANTEE, Ground.MANDATED),
}
# Roles that see a key data set's public facts only (that it exists, its versions, times, digests,
# links and grants), never its data.
PUBLIC_ONLY: frozenset[Role] = frozenset({Role.OPERATOR})


def read_grounds(principal: Principal) -> tuple[Ground, ...]:
    """The grounds on which this caller may read, leaving out those it lacks the attribute for (a
    trader ID, a country)."""
    needs = {
        Ground.SELLER_TRADER: principal.trader_id, Ground.BUYER_TRADER: principal.trader_id,
        Ground.SELLER_COUNTRY: principal.country, Ground.BUYER_COUNTRY: principal.country,
        Ground.DECLARATION_COUNTRY: principal.country,
    }  # fmt: skip
    return tuple(g for g in READ_GROUNDS.get(principal.role, ()) if g not in needs or needs[g])


def holds(ground: Ground, principal: Principal, facts: Visibility) -> bool:
    """Whether ``ground`` lets ``principal`` read the key data set described by ``facts``."""
    match ground:
        case Ground.EVERYTHING:
            return True
        case Ground.ISSUER:
            return principal.account == facts.issuer
        case Ground.SELLER_TRADER:
            return principal.trader_id is not None and principal.trader_id == facts.seller_trader_id
        case Ground.BUYER_TRADER:
            return principal.trader_id is not None and principal.trader_id == facts.buyer_trader_id
        case Ground.LINKER:
            return facts.format == 1 and principal.account in facts.linkers
        case Ground.GRANTEE:
            return principal.account in facts.grantees
        case Ground.MANDATED:
            since = facts.mandated.get(principal.account)
            return since is not None and since <= facts.registered_block
        case Ground.SELLER_COUNTRY:
            return principal.country is not None and principal.country == facts.seller_country
        case Ground.BUYER_COUNTRY:
            return principal.country is not None and principal.country == facts.buyer_country
        case Ground.DECLARATION_COUNTRY:
            return principal.country is not None and principal.country in facts.declaration_countries
    return False


# The grounds that make the caller a party to the key data set, its seller or its buyer: who may list
# its grants (DESIGN.md, "Grants": the seller's or the buyer's business).
PARTY_GROUNDS: tuple[Ground, ...] = (Ground.ISSUER, Ground.SELLER_TRADER, Ground.BUYER_TRADER)


def is_party(principal: Principal, facts: Visibility) -> bool:
    """Whether the caller is the key data set's seller or buyer (a seller or buyer role on one of
    :data:`PARTY_GROUNDS`)."""
    grounds = read_grounds(principal)
    return any(ground in grounds and holds(ground, principal, facts) for ground in PARTY_GROUNDS)


def may_read(principal: Principal, facts: Visibility) -> bool:
    """Whether the caller may read the key data set: any of its read grounds holds."""
    return any(holds(ground, principal, facts) for ground in read_grounds(principal))


def sees_data(principal: Principal) -> bool:
    """Whether the caller may see the data of the key data sets it may read (not only public facts)."""
    return principal.local or principal.role not in PUBLIC_ONLY
