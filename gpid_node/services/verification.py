"""Verification: Customs (and brokers checking their own filings) compare a declaration with the
key data sets it names; Customs' outcomes are recorded on chain.

The comparison is :func:`gpid_node.domain.verification.verify` (pure); this use case gathers the
facts it needs from the index, each version proven against the chain.
"""

from __future__ import annotations

from typing import Any

from gpid_node.chain.writes import RecordVerification
from gpid_node.domain import canonical, verification
from gpid_node.domain import errors as e
from gpid_node.domain.access import Principal, Role
from gpid_node.domain.codes import OUTCOMES
from gpid_node.domain.declaration import parse_request
from gpid_node.domain.gpid import GPID
from gpid_node.domain.payload_crypto import PAYLOAD_FORMAT_ENCRYPTED
from gpid_node.domain.times import as_utc
from gpid_node.services.context import Context
from gpid_node.services.reads import Reads, shows_data, visible
from gpid_node.services.submission import Submissions
from gpid_node.store import access_queries, queries

VERIFIERS = (Role.CUSTOMS, Role.OPERATOR, Role.BROKER)
ENCRYPTED = PAYLOAD_FORMAT_ENCRYPTED


def outcome_of(entry: dict[str, Any]) -> int:
    """The on-chain outcome of one GPID's verification."""
    if not entry["integrity"]["verified"]:
        return OUTCOMES["integrity_failure"]
    return OUTCOMES["discrepancies"] if entry["discrepancies"] else OUTCOMES["match"]


class Verifications:
    """Verifies declarations against the registry and records Customs' outcomes."""

    def __init__(self, context: Context, reads: Reads, submissions: Submissions) -> None:
        self.context = context
        self.reads = reads
        self.submissions = submissions

    def verify(self, body: Any, principal: Principal, *, record: bool = True) -> dict[str, Any]:
        """The verdict on a declaration; Customs with a key on this node records the outcomes."""
        if principal.role not in VERIFIERS:
            raise e.PermissionDenied("verifications are made by Customs (and brokers checking their own filings)")
        request = parse_request(body)
        declaration = request.declaration
        facts: dict[str, verification.KeyDataSetFacts | None] = {}
        reference_n = canonical.normal_identifier(declaration.reference)
        for text in dict.fromkeys(item.gpid for item in declaration.items):  # each GPID once
            try:
                gpid = GPID.parse(text)
            except e.InvalidGPID:
                facts[text] = None
                continue
            facts[text] = self._facts(gpid, principal, declaration.country, reference_n)
        answer = verification.verify(declaration, facts)
        recordable = principal.role == Role.CUSTOMS and principal.account in self.context.keyring
        for entry in answer["gpids"]:
            entry["outcome_recorded"] = False
        if record and recordable and answer["result"] != "unknown_gpid":
            answer["recorded"] = self._record_outcomes(answer, reference_n, principal)
        return answer

    def _facts(self, gpid: GPID, principal: Principal, country: str, reference: str) -> verification.KeyDataSetFacts | None:
        with self.context.store.session() as session:
            row = queries.key_data_set(session, gpid.hex)
            if row is None or not visible(session, row, principal):
                return None
            versions = queries.versions(session, gpid.hex)
            links = queries.links_for(session, gpid.hex)
            shown = shows_data(row, principal)  # the reasons in words with the data
        current = versions[-1]
        proof = self.reads.integrity(gpid, current)
        verified = all(self.reads.proven(gpid, v) for v in versions[:-1])  # Customs may compare with an older one
        if proof.get("chain_reachable", True):
            verified = verified and proof["verified"]
        else:
            verified = verified and proof["payload_matches_commitments"]
        return verification.KeyDataSetFacts(
            gpid=str(gpid),
            integrity_verified=verified,
            versions=[
                verification.VersionRecord(version=v.version, time=as_utc(v.time), author=v.author, reason=v.reason if shown else None,
                                           changed_fields=list(v.changed_fields or []), data=v.data or {})
                for v in versions
            ],
            other_declarations=[
                {"reference": link.reference, "country": link.country, "direction": link.direction, "linked_at": as_utc(link.time)}
                for link in links if not (link.country == country and link.reference == reference)
            ],
        )  # fmt: skip

    def _recordable(self, gpid: GPID, country: str | None, reference: str) -> tuple[bool, str | None]:
        """Whether the registry takes this Customs' outcome for ``gpid``: always for format 1; for
        format 2 only when the declaration (the caller's country, ``reference``) is linked to it."""
        with self.context.store.session() as session:
            content = access_queries.content_key(session, gpid.hex)
            if content is None or content.format != ENCRYPTED:
                return True, None
            links = queries.links_for(session, gpid.hex)
        if any(link.country == country and link.reference == reference for link in links):
            return True, None
        return False, (
            f"declaration {reference} of {country} is not linked to {gpid}: the registry records Customs outcomes of "
            "an encrypted key data set only for its own country's declarations linked to it; link the declaration first"
        )

    def _record_outcomes(self, answer: dict[str, Any], reference: str, principal: Principal) -> list[dict[str, Any]]:
        """Records each GPID's outcome the registry takes (not waited for: the verdict is the answer);
        each GPID's entry says whether its outcome was recorded, and if not, why."""
        writes: list[tuple[RecordVerification, str | None]] = []
        for entry in answer["gpids"]:
            gpid = GPID.parse(entry["gpid"])
            takes, why = self._recordable(gpid, principal.country, reference)
            if not takes:
                entry["outcome_not_recorded"] = why
                continue
            entry["outcome_recorded"] = True
            write = RecordVerification(gpid, reference, entry.get("version_at_filing") or 1, outcome_of(entry))
            writes.append((write, gpid.hex))
        if not writes:
            return []
        ids = self.submissions.record(principal.account, writes)
        self.context.outbox.wake()
        return [{"gpid": str(w.gpid), "submission": i, "outcome": w.outcome}
                for (w, _), i in zip(writes, ids, strict=True)]  # fmt: skip
