"""One block's rows: its events mapped into index rows, with what they need of earlier blocks.

The mappers (:mod:`gpid_node.services.index_rows`) are pure; an event may need what the index
already holds, though: an amendment its previous version's data and its key data set's integrity,
a registration whose payload names another trader the ID bound to its seller key. This module
gathers one block's rows (:class:`BlockRows`), reading those from the block itself first and from
the store (:mod:`gpid_node.store.index_writes`) otherwise, inside the indexer's transaction.

Format 2 (encrypted) payloads are opened with this node's encryption keys (:class:`ContentKeys`):
a registration's wrapped keys are searched for one of ours by their hints (each of our keys against
each key the registration's issuer published: payload_crypto.recipient_hint), amendments are
decrypted with the GPID's content key, an ``AccessGranted`` to one of our accounts opens every version indexed before
it, with its reason in words (:func:`reread`). A payload none of our keys opens is indexed with its public facts only (no
data, integrity not claimed as failed); a wrapped key of ours that does not open, a ciphertext that
does not decrypt or a plaintext that does not match the commitments is an integrity failure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy.orm import Session

from gpid_node.chain.abi import Event
from gpid_node.chain.keystore import EncryptionKeyring
from gpid_node.domain import payload_crypto
from gpid_node.domain.amendment_policy import amendment_problems, changed_fields
from gpid_node.domain.canonical import PayloadError
from gpid_node.domain.encryption_keys import EncryptionKeyPair
from gpid_node.domain.gpid import GPID
from gpid_node.services.index_rows import (
    NO_COUNTRY,
    BlockRef,
    PayloadCheck,
    amendment_row,
    binding_row,
    check_encrypted_payload,
    check_payload,
    current_state,
    customs_row,
    delegate_row,
    encrypted_reason,
    encryption_key_row,
    grant_row,
    hex_of,
    is_customs_role_event,
    link_row,
    mandate_row,
    party_fields,
    payload_format,
    registration_problems,
    registration_rows,
    seller_trader_id_of,
    verification_row,
)
from gpid_node.services.own_payloads import KeyFinder, OwnRequests, own_amendment, own_registration, requests_of_block
from gpid_node.store import access_queries, index_writes
from gpid_node.store.database import Store
from gpid_node.store.tables import hex_bytes

__all__ = ["BlockRows", "ContentKeys", "Prechecked", "map_block", "precheck_registrations", "reread"]

log = structlog.get_logger("gpid.indexer")

ENCRYPTED = payload_crypto.PAYLOAD_FORMAT_ENCRYPTED
CONTENT_KEYS_REMEMBERED = 200_000  # per-GPID content keys kept in memory (about 30 MB)
SECRETS_REMEMBERED = 100_000  # X25519 shared secrets of (our key, an issuer's key) pairs kept in memory


# A format-2 registration checked ahead (in a worker process) or here: its check, its content key and
# the issuer's public key whose hint opened it (None when none did), by the event's place on chain
# (transaction hash, log index).
Prechecked = tuple[PayloadCheck, bytes | None, bytes | None]
PrecheckKey = tuple[str, int]
# What a worker process opens payloads with: our private keys per account, chain id, registry and
# every published encryption key (ContentKeys.spec).
Spec = tuple[list[tuple[str, list[bytes]]], int, str, list[bytes]]


class ContentKeys:
    """This node's encryption keys as the indexer opens payloads with them, and the content keys of
    the GPIDs it opened (remembered within a run, forgotten when the index is rewound).

    A registration's wrapped keys carry hints, not key ids: each of ours is tried against each key
    the issuer published (``encryption_keys``, remembered per issuer), through their X25519 shared
    secret, remembered per pair of keys for as long as the indexer runs (it never changes). ``store``
    gives the worker processes every published key (:meth:`spec`)."""

    def __init__(self, encryption: EncryptionKeyring | None, chain_id: int, registry: str, store: Store | None = None) -> None:
        self.encryption = encryption
        self.chain_id = chain_id
        self.registry = registry
        self.store = store
        self.holders: Mapping[bytes, tuple[str, EncryptionKeyPair]] = {}
        self._secrets: dict[tuple[bytes, bytes], bytes | None] = {}  # (our key id, issuer public key) -> secret
        self._issuers: dict[str, list[bytes]] = {}  # issuer account -> the keys it published, oldest first
        self._known: dict[str, bytes] = {}
        self._ahead: dict[PrecheckKey, Future[list[tuple[PrecheckKey, Prechecked]]]] = {}
        self._done: dict[PrecheckKey, Prechecked] = {}

    def refresh(self) -> None:
        """Takes the keyring's keys as they are now (a key added or rotated since opens from here on)."""
        self.holders = {} if self.encryption is None else self.encryption.holders()

    def binding(self, gpid_hex: str) -> payload_crypto.Binding:
        return payload_crypto.Binding(self.chain_id, self.registry, GPID(bytes.fromhex(gpid_hex.removeprefix("0x"))))

    def known(self, gpid_hex: str) -> bytes | None:
        return self._known.get(gpid_hex)

    def remember(self, gpid_hex: str, content_key: bytes) -> None:
        if len(self._known) >= CONTENT_KEYS_REMEMBERED:
            self._known.clear()
        self._known[gpid_hex] = content_key

    def forget(self) -> None:
        self._known.clear()
        self._issuers.clear()
        self.drop_prechecks()

    def issuer_keys(self, session: Session, issuer: str, pending: Iterable[Mapping[str, Any]] = ()) -> list[bytes]:
        """The keys ``issuer`` has published: stored in the index, then in ``pending`` (the
        ``encryption_keys`` rows of the block being mapped, not written yet)."""
        keys = self._issuers.get(issuer)
        if keys is None:
            keys = access_queries.published_keys(session, [issuer]).get(issuer, [])
            for row in pending:
                public_key = hex_bytes(row["public_key"]) or b""
                if row["account"] == issuer and public_key not in keys:
                    keys.append(public_key)
            self._issuers[issuer] = keys
        return keys

    def published(self, account: str, public_key_hex: str) -> None:
        """An ``EncryptionKeyPublished`` mapped: the account's remembered keys gain it."""
        keys = self._issuers.get(account)
        public_key = hex_bytes(public_key_hex) or b""
        if keys is not None and public_key not in keys:
            keys.append(public_key)

    def candidates(self, issuer_keys: Iterable[bytes]) -> list[payload_crypto.HintKey]:
        """Each of our key pairs against each of ``issuer_keys`` (a key of low order gives no secret:
        no candidate)."""
        issuers = list(issuer_keys)
        found = []
        for kid, (account, pair) in self.holders.items():
            for public_key in issuers:
                at = (kid, public_key)
                if at in self._secrets:
                    secret = self._secrets[at]
                else:
                    if len(self._secrets) >= SECRETS_REMEMBERED:
                        self._secrets.clear()
                    secret = self._secrets[at] = pair.shared_secret(public_key)
                if secret is not None:
                    found.append(payload_crypto.HintKey(secret, account, pair, public_key))
        return found

    def expect(self, keys: Iterable[PrecheckKey], future: Future[list[tuple[PrecheckKey, Prechecked]]]) -> None:
        """Registrations whose checks ``future`` computes (elsewhere) while blocks are applied."""
        for key in keys:
            self._ahead[key] = future

    def prechecked(self, key: PrecheckKey) -> Prechecked | None:
        """The check computed ahead for a registration, None when there is none (or it failed)."""
        if key not in self._done:
            future = self._ahead.pop(key, None)
            if future is None:
                return None
            try:
                self._done.update(future.result())
            except Exception:  # a worker that failed: the caller checks the payload itself
                log.warning("indexer.precheck_failed", exc_info=True)
                return None
        return self._done.pop(key, None)

    def drop_prechecks(self) -> None:
        for future in self._ahead.values():
            future.cancel()
        self._ahead.clear()
        self._done.clear()

    def spec(self, events: Iterable[Event] = ()) -> Spec:
        """What a worker process needs to open payloads as this node: its keys, chain and registry,
        and every encryption key published in the index and in ``events`` (the blocks about to be
        applied). A worker does not know a registration's issuer: it tries them all, and the mapping
        keeps its result only when the key that opened it is one the issuer had published
        (:func:`_map_registration`)."""
        published: list[bytes] = []
        if self.store is not None:
            with self.store.session() as session:
                published = [k for keys in access_queries.published_keys(session).values() for k in keys]
        published += [bytes(e.args["publicKey"]) for e in events if e.name == "EncryptionKeyPublished"]
        private = [] if self.encryption is None else self.encryption.private_keys()
        return private, self.chain_id, self.registry, list(dict.fromkeys(published))

    def open_recipient_keys(
        self, recipient_keys: Iterable[payload_crypto.RecipientKey], gpid_hex: str, issuer_keys: Iterable[bytes]
    ) -> tuple[bytes, bytes] | None:
        """The content key from the first recipient key whose hint is ours against one of the
        issuer's keys, with that issuer key; None when none is; PayloadError when one whose hint is
        ours does not open."""
        found = payload_crypto.find_content_key(recipient_keys, self.candidates(issuer_keys), self.binding(gpid_hex))
        return None if found is None else (found[0], found[1].issuer_public_key)

    def content_key_finder(self, issuer_keys: Iterable[bytes]) -> KeyFinder:
        """:meth:`open_recipient_keys` against ``issuer_keys``, as own_payloads looks a content key up."""
        keys = list(issuer_keys)

        def find(recipient_keys: Iterable[payload_crypto.RecipientKey], gpid_hex: str) -> bytes | None:
            found = self.open_recipient_keys(recipient_keys, gpid_hex, keys)
            return None if found is None else found[0]

        return find

    def open_granted(self, granted: payload_crypto.GrantedKey, gpid_hex: str) -> bytes | None:
        """The content key of a grant to one of our keys; None when it is to another key;
        PayloadError when it does not open."""
        holder = self.holders.get(granted.key_id)
        if holder is None:
            return None
        return payload_crypto.unwrap_content_key(granted, holder[1], holder[0], self.binding(gpid_hex))


def precheck_registrations(spec: Spec, items: Sequence[tuple[PrecheckKey, str, bytes, Sequence[bytes]]]) -> list[tuple[PrecheckKey, Prechecked]]:
    """In a worker process: :func:`open_registration` of format-2 registrations ``(key, gpid,
    payload, commitments)`` with the node's keys ``spec`` (:meth:`ContentKeys.spec`), against every
    published key; only the registrations one of them opened (the others the mapping checks itself,
    against their issuer's keys alone: a few hashes)."""
    private_keys, chain_id, registry, published = spec
    keys = ContentKeys(EncryptionKeyring.of_private_keys(private_keys), chain_id, registry)
    keys.refresh()
    checked = ((key, open_registration(keys, gpid, payload, committed, published)) for key, gpid, payload, committed in items)
    return [(key, result) for key, result in checked if result[2] is not None]


def open_registration(
    keys: ContentKeys, gpid_hex: str, payload: bytes, committed: Sequence[bytes], issuer_keys: Iterable[bytes]
) -> Prechecked:
    """A format-2 registration's payload, by hints against ``issuer_keys`` (those its issuer
    published): its check, the content key and the issuer key that opened it (both None when no
    key of ours is in it)."""
    try:
        parts = payload_crypto.decode_payload(bytes(payload))
        found = keys.open_recipient_keys(parts.recipient_keys, gpid_hex, issuer_keys)
    except PayloadError as exc:
        return PayloadCheck(None, None, (f"the payload cannot be opened: {exc}",)), None, None
    if found is None:
        return PayloadCheck(None, None), None, None  # not for us: public facts only
    content_key, issuer_key = found
    return check_encrypted_payload(payload, committed, content_key, keys.binding(gpid_hex), 1), content_key, issuer_key


@dataclass
class BlockRows:
    """The rows one block produces, gathered before they are written in its transaction."""

    keys: ContentKeys | None = None
    new_sets: dict[str, dict[str, Any]] = field(default_factory=dict)
    set_updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: list[dict[str, Any]] = field(default_factory=list)
    latest: dict[str, dict[str, Any]] = field(default_factory=dict)  # gpid -> newest version row of this block
    links: list[dict[str, Any]] = field(default_factory=list)
    verifications: list[dict[str, Any]] = field(default_factory=list)
    bindings: list[dict[str, Any]] = field(default_factory=list)
    encryption_keys: list[dict[str, Any]] = field(default_factory=list)
    customs: list[dict[str, Any]] = field(default_factory=list)
    mandates: list[dict[str, Any]] = field(default_factory=list)
    grants: list[dict[str, Any]] = field(default_factory=list)
    delegates: list[dict[str, Any]] = field(default_factory=list)
    opened: dict[str, bytes] = field(default_factory=dict)  # gpid -> content key learnt from a grant in this block
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)  # gpid -> key data set of an earlier block, as read
    own_requests: OwnRequests = field(default_factory=dict)  # what this node recorded about the block's format-2 writes

    def _histories(self) -> dict[str, list[dict[str, Any]]]:
        return {name: getattr(self, name) for name in index_writes.HISTORIES}

    @property
    def count(self) -> int:
        return len(self.versions) + len(self.links) + sum(len(rows) for rows in self._histories().values())

    def write(self, session: Session, number: int) -> None:
        """Writes them (block ``number``'s rows) in the caller's transaction; then opens the versions
        of the GPIDs a grant in this block gave this node the content key of."""
        index_writes.write_block(
            session, number, new_sets=self.new_sets.values(), versions=self.versions,
            set_updates=self.set_updates.values(), links=self.links, histories=self._histories(),
        )  # fmt: skip
        if self.keys is not None:
            for gpid, content_key in self.opened.items():
                reread(session, self.keys, gpid, content_key)


def map_block(session: Session, events: Iterable[Event], block: BlockRef, keys: ContentKeys | None = None) -> BlockRows:
    """A block's events (in log order) as the rows they add and change."""
    if keys is not None:
        keys.refresh()
    rows = BlockRows(keys)
    events = list(events)
    if keys is not None:
        rows.own_requests = requests_of_block(session, events)
    for event in events:
        _map(session, rows, event, block)
    return rows


def _map(session: Session, work: BlockRows, event: Event, block: BlockRef) -> None:
    match event.name:
        case "KeyDataSetRegistered":
            _map_registration(session, work, event, block)
        case "KeyDataSetAmended":
            _map_amendment(session, work, event, block)
        case "DeclarationLinked":
            work.links.append(link_row(event, block))
        case "VerificationRecorded":
            work.verifications.append(verification_row(event, block))
        case "TraderBound" | "TraderUnbound":
            work.bindings.append(binding_row(event, block))
        case "EncryptionKeyPublished":
            row = encryption_key_row(event, block)
            work.encryption_keys.append(row)
            if work.keys is not None:
                work.keys.published(row["account"], row["public_key"])
        case "CustomsCountrySet":
            work.customs.append(customs_row(event, block))
        case "RoleRevoked" if is_customs_role_event(event):
            work.customs.append(customs_row(event, block, NO_COUNTRY))  # an offboarded Customs account
        case "RoleGranted" if is_customs_role_event(event):
            # the role back without grantCustoms (which sets the country after it): the registry answers
            # the country it kept for the account again
            kept = _kept_customs_country(session, work, event.args["account"])
            if kept:
                work.customs.append(customs_row(event, block, kept))
        case "MandateSet":
            work.mandates.append(mandate_row(event, block))
        case "AccessGranted" | "AccessRevoked":
            work.grants.append(grant_row(event, block))
            if event.name == "AccessGranted":
                _map_grant(session, work, event)
        case "AmendmentDelegateSet":
            work.delegates.append(delegate_row(event, block))


def _map_registration(session: Session, work: BlockRows, event: Event, block: BlockRef) -> None:
    a = event.args
    gpid = hex_of(a["gpid"])
    seller_key, registry_key = bytes(a["sellerTraderKey"]), bytes(a["registryKey"])
    content_key: bytes | None = None
    payload = event.payload
    if payload is None:
        check = PayloadCheck(None, None)  # not found in its transaction: public facts only
    elif event.payload_format == ENCRYPTED:
        if work.keys is None:
            check = PayloadCheck(None, None)
        else:
            keys, committed = work.keys, a["commitments"]
            issuer_keys = keys.issuer_keys(session, a["issuer"], work.encryption_keys)
            ahead = keys.prechecked((event.transaction_hash, event.log_index))
            if ahead is None or ahead[2] not in issuer_keys:  # a worker's result counts for the issuer's keys only
                own = own_registration(keys.content_key_finder(issuer_keys), gpid, payload, committed, keys.binding(gpid), work.own_requests)
                ahead = (*own, None) if own is not None else open_registration(keys, gpid, payload, committed, issuer_keys)
            check, content_key, _ = ahead
            if content_key is not None:
                work.keys.remember(gpid, content_key)
    else:
        check = check_payload(payload, a["commitments"])
    if check.data is not None:
        check = check.adding(registration_problems(check.data, seller_key, registry_key))
    seller_id = seller_trader_id_of(check.data, seller_key) or _bound_trader_id(session, work, seller_key)
    kds, version = registration_rows(event, block, check, seller_id, content_key)
    if not check.ok:
        log.warning("indexer.integrity_failure", gpid=kds["gpid_text"], version=1, problem=check.problem)
    work.new_sets[kds["gpid"]] = kds
    work.versions.append(version)
    work.latest[kds["gpid"]] = version


def _content_key(work: BlockRows, gpid: str, state: Mapping[str, Any]) -> bytes | None:
    """The GPID's content key: remembered, in this block's rows, or stored (None when this node has none)."""
    if work.keys is None:
        return None
    known = work.keys.known(gpid) or work.opened.get(gpid) or hex_bytes(state.get("content_key"))
    if known is not None:
        work.keys.remember(gpid, known)
    return known


def _check_amendment(session: Session, work: BlockRows, event: Event, gpid: str, number: int, state: Mapping[str, Any]) -> PayloadCheck:
    a = event.args
    payload = event.payload
    if payload is None:
        return PayloadCheck(None, None)  # not found in its transaction: public facts only
    kind, expected = payload_format(payload), int(state.get("format") or 1)
    if kind != expected:
        return PayloadCheck(None, None, (f"the payload has format {kind}, the key data set format {expected}",))
    if kind != ENCRYPTED:
        return check_payload(payload, a["commitments"])
    content_key = _content_key(work, gpid, state)
    if content_key is None or work.keys is None:
        return PayloadCheck(None, None)  # not readable here: public facts only
    binding = work.keys.binding(gpid)
    check = own_amendment(gpid, payload, a["commitments"], content_key, binding, number, work.own_requests) or check_encrypted_payload(
        payload, a["commitments"], content_key, binding, number
    )
    return check.adding(_seed_problems(check, state.get("seed")))


def _seed_problems(check: PayloadCheck, seed: str | None) -> list[str]:
    if check.salt is None or seed is None or hex_of(check.salt) == seed:
        return []
    return ["the payload's seed is not the key data set's seed (one seed per GPID)"]


def _map_amendment(session: Session, work: BlockRows, event: Event, block: BlockRef) -> None:
    a = event.args
    gpid, number = hex_of(a["gpid"]), int(a["version"])
    kds_state = work.new_sets.get(gpid) or _stored_set(session, work, gpid)
    if kds_state is None:
        log.error("indexer.amendment_without_registration", gpid=gpid, version=number, block=block.number)
        return
    previous = work.latest.get(gpid)
    if previous is None or previous["version"] != number - 1:
        previous = index_writes.stored_version(session, gpid, number - 1)
    check = _check_amendment(session, work, event, gpid, number, kds_state)
    if previous is None:
        check = check.adding([f"version {number - 1} is not in the index"])
    elif check.data is not None:
        check = check.adding(amendment_problems(check.data, previous["data"], number - 1))
    encrypted = int(kds_state.get("format") or 1) == ENCRYPTED
    row = amendment_row(event, block, check, None if previous is None else previous["data"], encrypted)
    if not check.ok:
        log.warning("indexer.integrity_failure", gpid=gpid, version=number, problem=check.problem)
    work.versions.append(row)
    work.latest[gpid] = row
    changes: dict[str, Any] = {
        "current_version": number,
        "updated_at": block.time,
        "integrity_ok": bool(kds_state["integrity_ok"]) and check.ok,
    }
    if check.ok and check.data is not None:
        changes.update(party_fields(check.data))
    if gpid in work.new_sets:
        work.new_sets[gpid].update(changes)
    else:
        work.set_updates[gpid] = {**work.set_updates.get(gpid, {"gpid": gpid}), **changes}


def _map_grant(session: Session, work: BlockRows, event: Event) -> None:
    """An ``AccessGranted`` to one of our keys: the content key it carries opens the GPID here."""
    keys = work.keys
    if keys is None:
        return
    gpid = hex_of(event.args["gpid"])
    try:
        wrapped = payload_crypto.GrantedKey.from_bytes(bytes(event.args["wrappedKey"]))
    except PayloadError:
        return
    if wrapped.key_id not in keys.holders or keys.known(gpid) is not None or gpid in work.opened:
        return
    state = work.new_sets.get(gpid) or _stored_set(session, work, gpid)
    if state is None or state.get("content_key") is not None:
        return
    try:
        content_key = keys.open_granted(wrapped, gpid)
    except PayloadError as exc:
        log.warning("indexer.grant_does_not_open", gpid=gpid, grantee=event.args["grantee"], problem=str(exc))
        return
    if content_key is not None:
        keys.remember(gpid, content_key)
        work.opened[gpid] = content_key


def _bound_trader_id(session: Session, work: BlockRows, trader_key: bytes) -> str | None:
    """The trader ID last bound to a key (this block's bindings first), for a payload that names another."""
    key = hex_of(trader_key)
    for row in reversed(work.bindings):
        if row["trader_key"] == key and row["bound"]:
            return row["trader_id"]
    return index_writes.bound_trader_id(session, key)


def _kept_customs_country(session: Session, work: BlockRows, account: str) -> str | None:
    """The country to restore when the Customs role comes back: the newest one given to the account,
    but only when its role had ended (its newest row, this block's first, is NO_COUNTRY); None
    otherwise (``grantCustoms`` sets the country right after the role, and a block applied again
    finds it there already)."""
    mine = [row["country"] for row in work.customs if row["account"] == account]
    if mine and mine[-1] != NO_COUNTRY:
        return None
    given = [country for country in mine if country != NO_COUNTRY]
    if given:
        return str(given[-1])
    return index_writes.kept_customs_country(session, account, NO_COUNTRY, ended=not mine)


def _stored_set(session: Session, work: BlockRows, gpid: str) -> dict[str, Any] | None:
    """A key data set of an earlier block, as much as an amendment's mapping reads of it (with this
    block's changes to it)."""
    stored = work.stored.get(gpid)
    if stored is None:
        stored = index_writes.stored_set(session, gpid)
        if stored is None:
            return None
        work.stored[gpid] = stored
    return {**stored, **work.set_updates.get(gpid, {})}


# ---------------------------------------------------------------------- opening stored versions again


def reread(session: Session, keys: ContentKeys, gpid: str, content_key: bytes | None = None) -> None:
    """Derives a stored format-2 key data set's data again from its versions' payloads: with
    ``content_key`` (learnt from a grant), or with the key this node finds in its version 1 payload
    or in a grant stored for it (after a rewind); without any, the GPID is public facts only."""
    kds = index_writes.stored_set(session, gpid)
    if kds is None or int(kds["format"]) != ENCRYPTED:
        return
    versions = index_writes.versions_of(session, gpid)
    if not versions or versions[0]["version"] != 1 or versions[0]["payload"] is None:
        return
    keys.refresh()
    problems: list[str] = []
    if content_key is None:
        issuer_keys = access_queries.published_keys(session, [kds["issuer"]], kds["registered_block"]).get(kds["issuer"], [])
        content_key, problems = _find_key(session, keys, gpid, versions[0]["payload"], issuer_keys)
    rows: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    seed: str | None = None
    for version in versions:
        number = int(version["version"])
        committed = [bytes.fromhex(c.removeprefix("0x")) for c in version["commitments"]]
        if content_key is None or version["payload"] is None:
            check = PayloadCheck(None, None, tuple(problems) if number == 1 else ())
        else:
            check = check_encrypted_payload(version["payload"], committed, content_key, keys.binding(gpid), number)
        if number == 1:
            if check.data is not None:
                check = check.adding(registration_problems(check.data, hex_bytes(kds["seller_trader_key"]) or b"", hex_bytes(kds["invoice_key"]) or b""))
            seed = None if check.salt is None else hex_of(check.salt)
            fields: list[str] = []
        else:
            data = check.data
            if data is not None:
                check = check.adding(_seed_problems(check, seed))
                check = check.adding(amendment_problems(data, None if previous is None else previous["data"], number - 1))
            fields = changed_fields(previous["data"], check.data) if previous and previous["data"] is not None and check.data is not None else []
        values = {"data": check.data, "salt": None if check.salt is None else hex_of(check.salt), "integrity_ok": check.ok,
                  "integrity_problem": check.problem, "changed_fields": fields}  # fmt: skip
        if number > 1:
            values["reason"] = encrypted_reason(check, version["chain_reason"])
        index_writes.update_version(session, gpid, number, values)
        row = {**version, **values}
        rows.append(row)
        previous = row
    first = rows[0]["data"]
    seller_key = hex_bytes(kds["seller_trader_key"]) or b""
    index_writes.update_key_data_set(session, gpid, {
        **current_state(rows),
        "readable": first is not None, "content_key": None if content_key is None else hex_of(content_key), "seed": seed,
        "seller_trader_id": seller_trader_id_of(first, seller_key) or kds["seller_trader_id"],
        "invoice_number": _invoice_number(first),
    })  # fmt: skip
    if content_key is not None:
        keys.remember(gpid, content_key)
    log.info("indexer.reread", gpid=gpid, versions=len(rows), readable=first is not None)


def _invoice_number(data: dict[str, Any] | None) -> str | None:
    number = data.get("invoice", {}).get("number") if isinstance(data, dict) and isinstance(data.get("invoice"), dict) else None
    return number if isinstance(number, str) and len(number) <= 80 else None


def _find_key(session: Session, keys: ContentKeys, gpid: str, payload: bytes, issuer_keys: Iterable[bytes]) -> tuple[bytes | None, list[str]]:
    """The GPID's content key from its version 1 payload (by hints against ``issuer_keys``, the keys
    its issuer had published) or from a grant stored for it, if ours."""
    try:
        opened = keys.open_recipient_keys(payload_crypto.decode_payload(bytes(payload)).recipient_keys, gpid, issuer_keys)
    except PayloadError as exc:
        return None, [f"the payload cannot be opened: {exc}"]
    if opened is not None:
        return opened[0], []
    for _grantee, wrapped_hex in index_writes.granted_keys(session, gpid):
        try:
            found = keys.open_granted(payload_crypto.GrantedKey.from_bytes(hex_bytes(wrapped_hex) or b""), gpid)
        except PayloadError:
            continue
        if found is not None:
            return found, []
    return None, []
