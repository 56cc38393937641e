"""The node's writes to the registry: one frozen dataclass per kind the outbox carries.

A write has two faces, both here so that no other module turns bytes into text and back:

* its **JSON form** (:meth:`to_json`, :func:`write_from_json`), the ``request`` of its outbox row.
  Bytes travel as ``0x``-hex text and the GPID as its ``bytes16`` hex, exactly as rows written by
  earlier versions of the node hold them, so an existing database keeps working;
* its **contract call** (:meth:`call`): the registry function and its arguments as the ABI encodes
  them (bytes, ints, text), for the outbox to encode, simulate and sign.

=====================  ===========================  =====================================
outbox ``kind``        write                        registry function
=====================  ===========================  =====================================
``register``           :class:`Register`            ``register`` (``registerBatch`` for
                                                    several: :func:`register_batch`)
``amend``              :class:`Amend`               ``amend``
``link``               :class:`Link`                ``linkDeclaration``
``link_as_buyer``      :class:`LinkAsBuyer`         ``linkDeclarationAsBuyer``
``link_as_salted_buyer`` :class:`LinkAsSaltedBuyer` ``linkDeclarationAsSaltedBuyer``
``verification``       :class:`RecordVerification`  ``recordVerification``
``grant``              :class:`Grant`               ``grantAccess``
``grant_as_buyer``     :class:`GrantAsBuyer`        ``grantAccessAsBuyer``
``revoke``             :class:`Revoke`              ``revokeAccess``
``revoke_as_buyer``    :class:`RevokeAsBuyer`       ``revokeAccessAsBuyer``
``mandate``            :class:`SetMandate`          ``setMandate``
``publish_key``        :class:`PublishEncryptionKey` ``publishEncryptionKey``
=====================  ===========================  =====================================

A grant's ``reason`` lives only in its JSON form (this node's outbox): it never goes on chain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeAlias

from gpid_node.domain.gpid import GPID

__all__ = [
    "Amend",
    "ContractCall",
    "Grant",
    "GrantAsBuyer",
    "Link",
    "LinkAsBuyer",
    "LinkAsSaltedBuyer",
    "PublishEncryptionKey",
    "RecordVerification",
    "Register",
    "Revoke",
    "RevokeAsBuyer",
    "SetMandate",
    "Write",
    "register_batch",
    "write_from_json",
]


@dataclass(frozen=True)
class ContractCall:
    """A registry function and its arguments, ready for the ABI encoder."""

    function: str
    args: tuple[Any, ...]


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def _unhex(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x"))


def _words(texts: Iterable[str]) -> tuple[bytes, ...]:
    return tuple(_unhex(t) for t in texts)


def _country_bytes(country: str) -> bytes:
    """The ``bytes2`` the registry keeps for a country code (latin-1: any two bytes survive a round trip)."""
    return country.encode("latin-1")


NO_INVOICE_KEY = bytes(32)  # what a registration recorded before invoice keys is sent with (refused)


@dataclass(frozen=True)
class Register:
    """Registers a key data set: its invoice key (the seller trader's keyed hash of the normalised
    invoice number, ``canonical.invoice_key``; the number itself never goes on chain), its five
    commitments, its payload."""

    kind: ClassVar[str] = "register"
    invoice_key: bytes
    commitments: tuple[bytes, ...]
    payload: bytes

    def to_json(self) -> dict[str, Any]:
        return {"invoice_key": _hex(self.invoice_key), "commitments": [_hex(c) for c in self.commitments],
                "payload": _hex(self.payload)}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Register:
        """A registration as the outbox keeps it. One recorded before invoice keys names the invoice
        number instead, which the registry no longer takes: it is read with the zero invoice key, which
        the registry refuses (``InvalidInvoiceKey``), so the entry fails with that reason and the
        outbox goes on; the seller registers the key data set again."""
        if "invoice_key" not in data and "invoice_number" in data:
            return cls(NO_INVOICE_KEY, _words(data["commitments"]), _unhex(data["payload"]))
        return cls(_unhex(data["invoice_key"]), _words(data["commitments"]), _unhex(data["payload"]))

    def batch_item(self) -> tuple[bytes, list[bytes], bytes]:
        """The ``Registration`` tuple of a ``registerBatch``."""
        return self.invoice_key, list(self.commitments), self.payload

    def call(self) -> ContractCall:
        return ContractCall("register", self.batch_item())


def register_batch(writes: Sequence[Register]) -> ContractCall:
    """Several registrations of one sender in one transaction."""
    return ContractCall("registerBatch", ([w.batch_item() for w in writes],))


@dataclass(frozen=True)
class Amend:
    """Amends a key data set: the commitments it replaces and the new ones, a reason, the new payload."""

    kind: ClassVar[str] = "amend"
    gpid: GPID
    previous: tuple[bytes, ...]
    next: tuple[bytes, ...]
    reason_code: int
    reason: str
    payload: bytes

    def to_json(self) -> dict[str, Any]:
        return {"gpid": self.gpid.hex, "previous": [_hex(c) for c in self.previous],
                "next": [_hex(c) for c in self.next], "reason_code": self.reason_code, "reason": self.reason,
                "payload": _hex(self.payload)}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Amend:
        return cls(GPID.from_hex(data["gpid"]), _words(data["previous"]), _words(data["next"]),
                   int(data["reason_code"]), data["reason"], _unhex(data["payload"]))  # fmt: skip

    def call(self) -> ContractCall:
        return ContractCall("amend", (self.gpid.raw, list(self.previous), list(self.next), self.reason_code,
                                      self.reason, self.payload))  # fmt: skip


@dataclass(frozen=True)
class Link:
    """Links a declaration (reference, country of its administration, direction 1 export / 2 import)
    to a GPID, by its seller or an agent with a right."""

    kind: ClassVar[str] = "link"
    gpid: GPID
    reference: str
    country: str
    direction: int

    def to_json(self) -> dict[str, Any]:
        return {"gpid": self.gpid.hex, "reference": self.reference, "country": _hex(_country_bytes(self.country)),
                "direction": self.direction}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Link:
        return cls(GPID.from_hex(data["gpid"]), data["reference"], _unhex(data["country"]).decode("latin-1"),
                   int(data["direction"]))  # fmt: skip

    def call(self) -> ContractCall:
        return ContractCall("linkDeclaration", (self.gpid.raw, self.reference, _country_bytes(self.country), self.direction))


@dataclass(frozen=True)
class LinkAsBuyer:
    """Links a declaration by the buyer, which proves itself by the current commitments it opens."""

    kind: ClassVar[str] = "link_as_buyer"
    gpid: GPID
    current: tuple[bytes, ...]
    reference: str
    country: str
    direction: int

    def to_json(self) -> dict[str, Any]:
        return {"gpid": self.gpid.hex, "reference": self.reference, "country": _hex(_country_bytes(self.country)),
                "direction": self.direction, "current": [_hex(c) for c in self.current]}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LinkAsBuyer:
        return cls(GPID.from_hex(data["gpid"]), _words(data["current"]), data["reference"],
                   _unhex(data["country"]).decode("latin-1"), int(data["direction"]))  # fmt: skip

    def call(self) -> ContractCall:
        return ContractCall("linkDeclarationAsBuyer", (self.gpid.raw, list(self.current), self.reference,
                                                       _country_bytes(self.country), self.direction))  # fmt: skip


@dataclass(frozen=True)
class LinkAsSaltedBuyer:
    """Links a declaration to a format-2 GPID by its buyer, which opens the salted buyer commitment
    of the current commitments with the GPID's buyer salt."""

    kind: ClassVar[str] = "link_as_salted_buyer"
    gpid: GPID
    current: tuple[bytes, ...]
    buyer_salt: bytes
    reference: str
    country: str
    direction: int

    def to_json(self) -> dict[str, Any]:
        return {"gpid": self.gpid.hex, "reference": self.reference, "country": _hex(_country_bytes(self.country)),
                "direction": self.direction, "current": [_hex(c) for c in self.current],
                "buyer_salt": _hex(self.buyer_salt)}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LinkAsSaltedBuyer:
        return cls(GPID.from_hex(data["gpid"]), _words(data["current"]), _unhex(data["buyer_salt"]), data["reference"],
                   _unhex(data["country"]).decode("latin-1"), int(data["direction"]))  # fmt: skip

    def call(self) -> ContractCall:
        return ContractCall("linkDeclarationAsSaltedBuyer", (self.gpid.raw, list(self.current), self.buyer_salt,
                                                             self.reference, _country_bytes(self.country),
                                                             self.direction))  # fmt: skip


@dataclass(frozen=True)
class RecordVerification:
    """Records Customs' outcome (1 match, 2 discrepancies, 3 integrity failure) of a declaration for
    the version it checked."""

    kind: ClassVar[str] = "verification"
    gpid: GPID
    reference: str
    version: int
    outcome: int

    def to_json(self) -> dict[str, Any]:
        return {"gpid": self.gpid.hex, "reference": self.reference, "version": self.version, "outcome": self.outcome}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RecordVerification:
        return cls(GPID.from_hex(data["gpid"]), data["reference"], int(data["version"]), int(data["outcome"]))

    def call(self) -> ContractCall:
        return ContractCall("recordVerification", (self.gpid.raw, self.reference, self.version, self.outcome))


@dataclass(frozen=True)
class Grant:
    """Gives ``grantee`` access to a format-2 GPID, by its seller: the content key wrapped for the
    grantee's current encryption key. ``reason`` stays in this node's outbox (never on chain)."""

    kind: ClassVar[str] = "grant"
    gpid: GPID
    grantee: str
    wrapped_key: bytes
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"gpid": self.gpid.hex, "grantee": self.grantee, "wrapped_key": _hex(self.wrapped_key), "reason": self.reason}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Grant:
        return cls(GPID.from_hex(data["gpid"]), data["grantee"], _unhex(data["wrapped_key"]), data.get("reason", ""))

    def call(self) -> ContractCall:
        return ContractCall("grantAccess", (self.gpid.raw, self.grantee, self.wrapped_key))


@dataclass(frozen=True)
class GrantAsBuyer:
    """As :class:`Grant`, by the buyer opening the salted buyer commitment of the current commitments."""

    kind: ClassVar[str] = "grant_as_buyer"
    gpid: GPID
    current: tuple[bytes, ...]
    buyer_salt: bytes
    grantee: str
    wrapped_key: bytes
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"gpid": self.gpid.hex, "current": [_hex(c) for c in self.current], "buyer_salt": _hex(self.buyer_salt),
                "grantee": self.grantee, "wrapped_key": _hex(self.wrapped_key), "reason": self.reason}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GrantAsBuyer:
        return cls(GPID.from_hex(data["gpid"]), _words(data["current"]), _unhex(data["buyer_salt"]), data["grantee"],
                   _unhex(data["wrapped_key"]), data.get("reason", ""))  # fmt: skip

    def call(self) -> ContractCall:
        return ContractCall("grantAccessAsBuyer", (self.gpid.raw, list(self.current), self.buyer_salt, self.grantee,
                                                   self.wrapped_key))  # fmt: skip


@dataclass(frozen=True)
class Revoke:
    """Ends ``grantee``'s grant for a GPID, by its seller (what was shared stays shared)."""

    kind: ClassVar[str] = "revoke"
    gpid: GPID
    grantee: str

    def to_json(self) -> dict[str, Any]:
        return {"gpid": self.gpid.hex, "grantee": self.grantee}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Revoke:
        return cls(GPID.from_hex(data["gpid"]), data["grantee"])

    def call(self) -> ContractCall:
        return ContractCall("revokeAccess", (self.gpid.raw, self.grantee))


@dataclass(frozen=True)
class RevokeAsBuyer:
    """As :class:`Revoke`, by the buyer opening the salted buyer commitment."""

    kind: ClassVar[str] = "revoke_as_buyer"
    gpid: GPID
    current: tuple[bytes, ...]
    buyer_salt: bytes
    grantee: str

    def to_json(self) -> dict[str, Any]:
        return {"gpid": self.gpid.hex, "current": [_hex(c) for c in self.current], "buyer_salt": _hex(self.buyer_salt),
                "grantee": self.grantee}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RevokeAsBuyer:
        return cls(GPID.from_hex(data["gpid"]), _words(data["current"]), _unhex(data["buyer_salt"]), data["grantee"])

    def call(self) -> ContractCall:
        return ContractCall("revokeAccessAsBuyer", (self.gpid.raw, list(self.current), self.buyer_salt, self.grantee))


@dataclass(frozen=True)
class SetMandate:
    """Gives (``active``) or withdraws a standing mandate of the sender's trader to ``agent`` for a
    direction (1 export, 2 import)."""

    kind: ClassVar[str] = "mandate"
    agent: str
    direction: int
    active: bool

    def to_json(self) -> dict[str, Any]:
        return {"agent": self.agent, "direction": self.direction, "active": self.active}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SetMandate:
        return cls(data["agent"], int(data["direction"]), bool(data["active"]))

    def call(self) -> ContractCall:
        return ContractCall("setMandate", (self.agent, self.direction, self.active))


@dataclass(frozen=True)
class PublishEncryptionKey:
    """Publishes the sender's X25519 public key (32 bytes) as its current encryption key: a key rotated
    while the node runs goes out through the node's outbox (services/key_rotations.py)."""

    kind: ClassVar[str] = "publish_key"
    public_key: bytes

    def to_json(self) -> dict[str, Any]:
        return {"public_key": _hex(self.public_key)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PublishEncryptionKey:
        return cls(_unhex(data["public_key"]))

    def call(self) -> ContractCall:
        return ContractCall("publishEncryptionKey", (self.public_key,))


Write: TypeAlias = (
    Register | Amend | Link | LinkAsBuyer | LinkAsSaltedBuyer | RecordVerification | Grant | GrantAsBuyer | Revoke
    | RevokeAsBuyer | SetMandate | PublishEncryptionKey
)
_KINDS: dict[str, type[Write]] = {
    w.kind: w
    for w in (Register, Amend, Link, LinkAsBuyer, LinkAsSaltedBuyer, RecordVerification, Grant, GrantAsBuyer, Revoke,
              RevokeAsBuyer, SetMandate, PublishEncryptionKey)
}  # fmt: skip


def write_from_json(kind: str, data: Mapping[str, Any]) -> Write:
    """The write an outbox row holds (its ``kind`` and ``request``)."""
    cls = _KINDS.get(kind)
    if cls is None:
        raise ValueError(f"unknown outbox entry kind {kind!r}; known: {', '.join(_KINDS)}")
    return cls.from_json(data)
