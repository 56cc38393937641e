"""Access: grants of one format-2 GPID to one account, and standing mandates of a trader for an agent.

A grant puts the GPID's content key, wrapped for the grantee's current published encryption key, on
chain, and gives the grantee the right to link declarations to the GPID. The seller's current account
grants (``grantAccess``), or the buyer, proving itself by opening the salted buyer commitment with
the GPID's buyer salt (``grantAccessAsBuyer``); a revocation ends the right to link, but what was
shared stays shared. A mandate (``setMandate``) lets an agent link every format-2 GPID of the
caller's trader in one direction, and makes the agent a recipient of that trader's next key data sets.

Each check here refuses early with a clear message, from the index (which mirrors the chain); the
contract has the last word. A grant's reason is kept in this node's outbox only, never on chain.
"""

from __future__ import annotations

from typing import Any

from gpid_node.chain.writes import Grant, GrantAsBuyer, Revoke, RevokeAsBuyer, SetMandate, Write
from gpid_node.domain import errors as e
from gpid_node.domain import merkle, payload_crypto
from gpid_node.domain.access import Action, Principal, is_party, may_read
from gpid_node.domain.addresses import checksum, is_address
from gpid_node.domain.codes import DIRECTIONS
from gpid_node.domain.gpid import GPID
from gpid_node.domain.times import iso
from gpid_node.services.context import UNBOUND, Context
from gpid_node.services.reads import Reads, visibility_of, visible
from gpid_node.services.submission import Submissions
from gpid_node.store import access_queries, queries

MAX_REASON = 500
REVOKE_NOTE = (
    "the grantee may no longer link declarations to this GPID; what was already shared stays shared: it keeps the "
    "content key it received, so it can still read the versions (the next amendments included)"
)


def _account_problem(path: str, value: Any) -> e.FieldProblem | None:
    if is_address(value) and isinstance(value, str) and value.startswith("0x"):
        return None
    return e.FieldProblem(path, f"expected an account address (0x and 40 hexadecimal digits), got {value!r}")


def _direction_problem(value: Any) -> e.FieldProblem | None:
    if value in DIRECTIONS:
        return None
    return e.FieldProblem("direction", f"use export or import, not {value!r}")


def _refuse(problems: list[e.FieldProblem | None]) -> None:
    found = [p for p in problems if p is not None]
    if found:
        raise e.ValidationFailed(found)


def buyer_proof(context: Context, gpid: GPID, sender: str) -> tuple[tuple[bytes, ...], bytes] | None:
    """The current commitments and the buyer salt with which ``sender``'s trader opens the salted
    buyer commitment of the format-2 ``gpid`` (checked here as the contract will check it), or None
    when that trader is not its buyer. Conflict when this node holds no seed of the GPID (it cannot
    tell, nor prove it)."""
    with context.store.session() as session:
        content = access_queries.content_key(session, gpid.hex)
        current = queries.version_at(session, gpid.hex)
    if content is None or content.seed is None or current is None:
        raise e.Conflict(
            f"this node cannot open {gpid} (no content key of it reached this node's encryption keys), so it cannot "
            "prove that you are its buyer",
            gpid=str(gpid),
        )
    words = tuple(bytes.fromhex(c[2:]) for c in current.commitments)
    salt = merkle.buyer_salt(content.seed)
    if merkle.buyer_commitment(salt, context.trader_key_of(sender)) != words[4]:
        return None
    return words, salt


def grant_write(
    context: Context, gpid: GPID, content_key: bytes, grantee: str, public_key: bytes, reason: str,
    buyer: tuple[tuple[bytes, ...], bytes] | None = None,
) -> Write:
    """The write that gives ``grantee`` the GPID's content key, wrapped for its published key: the
    seller's ``Grant``, or, with the buyer's proof (:func:`buyer_proof`), the buyer's ``GrantAsBuyer``."""
    binding = payload_crypto.Binding(context.client.chain_id, context.client.address, gpid)
    wrapped = payload_crypto.wrap_content_key(content_key, public_key, grantee, binding).to_bytes()
    if buyer is None:
        return Grant(gpid, grantee, wrapped, reason)
    current, salt = buyer
    return GrantAsBuyer(gpid, current, salt, grantee, wrapped, reason)


class Access:
    """Grants and mandates, for the seller or buyer the caller's account acts for."""

    def __init__(self, context: Context, reads: Reads, submissions: Submissions) -> None:
        self.context = context
        self.reads = reads
        self.submissions = submissions

    # ------------------------------------------------------------------ grants

    def _gpid_facts(self, gpid: GPID, principal: Principal) -> tuple[str, access_queries.ContentKey]:
        """The GPID's seller trader key and its content key, once the caller may read it (else 404)
        and it is of format 2 (else WrongFormat)."""
        with self.context.store.session() as session:
            row = queries.key_data_set(session, gpid.hex)
            if row is None or not visible(session, row, principal):
                raise e.UnknownGPID(str(gpid))
            content = access_queries.content_key(session, gpid.hex)
        assert content is not None
        if content.format != payload_crypto.PAYLOAD_FORMAT_ENCRYPTED:
            raise e.WrongFormat(str(gpid), content.format, payload_crypto.PAYLOAD_FORMAT_ENCRYPTED)
        return row.seller_trader_key, content

    def _is_seller(self, sender: str, seller_trader_key: str) -> bool:
        return "0x" + self.context.trader_key_of(sender).hex() == seller_trader_key

    def _as_buyer(self, gpid: GPID, sender: str) -> tuple[tuple[bytes, ...], bytes]:
        """The buyer's proof, or NotBuyer: the caller is neither the GPID's seller nor its buyer."""
        proof = buyer_proof(self.context, gpid, sender)
        if proof is None:
            raise e.NotBuyer(str(gpid), sender)
        return proof

    def _answer(self, write: Write, gpid: GPID | None, sender: str, wait: bool) -> dict[str, Any]:
        ids = self.submissions.record(sender, [(write, None if gpid is None else gpid.hex)])
        submitted = self.submissions.settle(ids, wait=wait)
        result = submitted.results[0]
        return {"transaction": result.get("transaction"), "block": result.get("block"),
                "status": "pending" if submitted.pending else "mined", "submission": result["submission"]}  # fmt: skip

    def grant(self, gpid_text: str, grantee: str, reason: str, principal: Principal, *, wait: bool = True) -> dict[str, Any]:
        """Gives ``grantee`` access to a format-2 GPID of the caller's (as its seller or its buyer).

        422 naming ``grantee`` when it has published no encryption key; 409 when its grant is active
        already; 404 when the caller may not read the GPID."""
        sender = self.context.signer(principal, Action.GRANT)
        reason_problem = None
        if not isinstance(reason, str) or not reason.strip():
            reason_problem = e.FieldProblem("reason", "say why the account is given access (1 to 500 characters)")
        elif len(reason.strip()) > MAX_REASON:
            reason_problem = e.FieldProblem("reason", f"at most {MAX_REASON} characters, not {len(reason.strip())}")
        _refuse([_account_problem("grantee", grantee), reason_problem])
        gpid = GPID.parse(gpid_text)
        grantee = checksum(grantee)
        self.context.require_chain()
        self.context.require_current_index()  # the grantee's key, as the chain has it now
        seller_key, content = self._gpid_facts(gpid, principal)
        if content.content_key is None:
            raise e.Conflict(
                f"this node holds no content key of {gpid}, so it cannot wrap it for {grantee}: grant from the node "
                "that registered it or received it",
                gpid=str(gpid),
            )
        with self.context.store.session() as session:
            published = access_queries.current_keys(session, [grantee]).get(grantee)
            state = access_queries.grant_state(session, gpid.hex, grantee)
        if published is None:
            raise e.NoEncryptionKey(grantee)
        if state is not None and state.active:
            raise e.AlreadyGranted(str(gpid), grantee)
        buyer = None if self._is_seller(sender, seller_key) else self._as_buyer(gpid, sender)
        write = grant_write(self.context, gpid, content.content_key, grantee, published.public_key, reason.strip(), buyer)
        answer = self._answer(write, gpid, sender, wait)
        status = "pending" if answer["status"] == "pending" else "granted"
        return {"gpid": str(gpid), "grantee": grantee, **answer, "status": status}

    def grants(self, gpid_text: str, principal: Principal) -> dict[str, Any]:
        """Every grant of a GPID, active ones and revoked ones, for its seller or its buyer: grants are
        their business (NotParty for anyone else who may read the GPID, UnknownGPID for the rest)."""
        gpid = GPID.parse(gpid_text)
        with self.context.store.session() as session:
            row = queries.key_data_set(session, gpid.hex)
            facts = None if row is None else visibility_of(session, row)
            if facts is None or not may_read(principal, facts):
                raise e.UnknownGPID(str(gpid))
            if not is_party(principal, facts):
                raise e.NotParty(str(gpid), principal.account)
            states = access_queries.grants_of(session, gpid.hex)
        return {
            "gpid": str(gpid),
            "items": [{"grantee": g.grantee, "granter": g.granter, "active": g.active, "granted_at": iso(g.granted_at),
                       "revoked_at": iso(g.revoked_at) if g.revoked_at else None, "transaction": g.transaction}
                      for g in states],
        }  # fmt: skip

    def revoke(self, gpid_text: str, grantee: str, principal: Principal, *, wait: bool = True) -> dict[str, Any]:
        """Ends ``grantee``'s grant (404 when it holds no active one); what was shared stays shared."""
        sender = self.context.signer(principal, Action.GRANT)
        _refuse([_account_problem("grantee", grantee)])
        gpid = GPID.parse(gpid_text)
        grantee = checksum(grantee)
        self.context.require_chain()
        seller_key, _ = self._gpid_facts(gpid, principal)
        with self.context.store.session() as session:
            state = access_queries.grant_state(session, gpid.hex, grantee)
        if state is None or not state.active:
            raise e.NotGranted(str(gpid), grantee)
        write: Write
        if self._is_seller(sender, seller_key):
            write = Revoke(gpid, grantee)
        else:
            current, salt = self._as_buyer(gpid, sender)
            write = RevokeAsBuyer(gpid, current, salt, grantee)
        answer = self._answer(write, gpid, sender, wait)
        return {"gpid": str(gpid), "grantee": grantee, "revoked": True, **answer, "note": REVOKE_NOTE}

    # ------------------------------------------------------------------ mandates

    def _trader_key(self, sender: str) -> bytes:
        key = self.context.trader_key_of(sender)
        if key == UNBOUND:
            raise e.TraderNotBound(sender)
        return key

    def set_mandate(self, agent: str, direction: str, principal: Principal, *, wait: bool = True) -> dict[str, Any]:
        """Gives ``agent`` a standing mandate of the caller's trader for ``direction`` (export | import)."""
        sender = self.context.signer(principal, Action.MANDATE)
        _refuse([_account_problem("agent", agent), _direction_problem(direction)])
        agent = checksum(agent)
        self.context.require_chain()
        self._trader_key(sender)
        answer = self._answer(SetMandate(agent, DIRECTIONS[direction], True), None, sender, wait)
        return {"agent": agent, "direction": direction, "active": True, **answer}

    def end_mandate(self, agent: str, direction: str, principal: Principal, *, wait: bool = True) -> dict[str, Any]:
        """Withdraws ``agent``'s mandate for ``direction`` (404 when it holds none)."""
        sender = self.context.signer(principal, Action.MANDATE)
        _refuse([_account_problem("agent", agent), _direction_problem(direction)])
        agent = checksum(agent)
        self.context.require_chain()
        trader_key = self._trader_key(sender)
        with self.context.store.session() as session:
            active = access_queries.active_mandate(session, "0x" + trader_key.hex(), agent, direction)
        if not active:
            raise e.NotFound(f"{agent} holds no {direction} mandate of your trader", agent=agent, direction=direction)
        answer = self._answer(SetMandate(agent, DIRECTIONS[direction], False), None, sender, wait)
        return {"agent": agent, "direction": direction, "active": False, **answer}

    def mandates(self, principal: Principal) -> dict[str, Any]:
        """The active mandates of the caller's trader."""
        if not principal.may(Action.MANDATE):
            raise e.PermissionDenied(f"the {principal.role} role has no mandates: sellers and buyers give them")
        trader_key = self._trader_key(principal.account)
        with self.context.store.session() as session:
            states = access_queries.mandates_of(session, "0x" + trader_key.hex())
        return {"items": [{"agent": m.agent, "direction": m.direction, "since": iso(m.since)} for m in states]}
