"""Amendments: a seller changes its key data set by a JSON merge patch, with a reason; the identity
section never changes (the rules are :mod:`gpid_node.domain.amendment_policy`).

The reason code (a category) and the changed sections go on chain for every format (rule 4). The
reason in words does too for a format-1 (public) key data set; for a format-2 (encrypted) one it
travels inside the encrypted payload (plaintext member ``reason``) and ``amend`` gets an empty
reason: a seller's "unit price corrected from 12.40 to 14.10 EUR" is no one else's to read."""

from __future__ import annotations

from typing import Any

from gpid_node.chain.writes import Amend
from gpid_node.domain import amendment_policy as policy
from gpid_node.domain import canonical, limits, merkle, payload_crypto
from gpid_node.domain import errors as e
from gpid_node.domain.access import Action, Principal
from gpid_node.domain.codes import REASON_CODES
from gpid_node.domain.gpid import GPID
from gpid_node.services.context import Context
from gpid_node.services.reads import Reads
from gpid_node.services.submission import Submissions
from gpid_node.store import access_queries

ENCRYPTED = payload_crypto.PAYLOAD_FORMAT_ENCRYPTED


class Amendments:
    """Amends key data sets registered by the caller's account."""

    def __init__(self, context: Context, reads: Reads, submissions: Submissions) -> None:
        self.context = context
        self.reads = reads
        self.submissions = submissions

    def amend(
        self, gpid_text: str, changes: Any, reason: str, principal: Principal, reason_code: str = "correction",
        source: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Records the next version (once the index holds the current one); answers what changed.
        ``source`` (the credit note or corrective invoice it comes from) and the reason in words travel
        inside a format-2 payload."""
        sender = self.context.signer(principal, Action.AMEND)
        problems = policy.request_problems(changes, reason, reason_code)
        if problems:
            raise e.ValidationFailed(problems)
        gpid = GPID.parse(gpid_text)
        self.context.require_chain()
        current = self.reads.current_version(gpid, principal)
        limits.require_room_for_version(str(gpid), current.version)  # before anything is recorded
        with self.context.store.session() as session:
            content = access_queries.content_key(session, gpid.hex)
        encrypted = content is not None and content.format == ENCRYPTED
        if encrypted and (content is None or content.content_key is None or content.seed is None or current.data is None):
            raise e.Conflict(
                f"this node holds no content key of {gpid}, so it cannot encrypt its next version: amend it from the "
                "node that registered it",
                gpid=str(gpid),
            )
        if current.data is None or (not encrypted and current.salt is None):
            raise e.Conflict(f"{gpid} has no readable current version to amend (integrity problem)")
        data = policy.amended(current.data, changes)
        said = reason.strip()
        previous = canonical.Commitments.from_tuple(bytes.fromhex(c[2:]) for c in current.commitments)
        if encrypted:
            assert content is not None and content.content_key is not None and content.seed is not None
            nxt = merkle.commitments_v2(data, content.seed)
            if previous.changed_sections(nxt) == 0:
                raise e.NothingChanged(str(gpid))
            client = self.context.client
            binding = payload_crypto.Binding(client.chain_id, client.address, gpid)
            # Version N under the GPID's content key and seed; no wrapped keys: its readers hold the key.
            # The reason in words goes inside it, and an empty one on chain.
            extra = {payload_crypto.REASON_MEMBER: said, **({} if source is None else {"source": source})}
            payload = payload_crypto.build_payload(data, content.seed, content.content_key, binding, version=current.version + 1,
                                                   extra=extra)  # fmt: skip
            on_chain = ""
        else:
            assert current.salt is not None
            salt = bytes.fromhex(current.salt.removeprefix("0x"))
            nxt = canonical.commitments(data, salt)
            if previous.changed_sections(nxt) == 0:
                raise e.NothingChanged(str(gpid))
            payload = canonical.encode_payload(data, salt)
            on_chain = said  # a format-1 key data set is public: its reason too
        write = Amend(gpid, previous.as_tuple(), nxt.as_tuple(), REASON_CODES[reason_code], on_chain, payload)
        submitted = self.submissions.submit(sender, [(write, gpid.hex)])
        result = submitted.results[0]
        return {"gpid": str(gpid), "version": result.get("version", current.version + 1),
                "transaction": result.get("transaction"), "block": result.get("block"),
                "changed_fields": policy.changed_fields(current.data, data),
                "status": "pending" if submitted.pending else "amended", "submission": result["submission"]}  # fmt: skip
