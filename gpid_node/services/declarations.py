"""Declarations: a broker, the seller or the buyer links GPIDs to a customs declaration; everyone who
may read one of its GPIDs (and Customs of its country) reads the declaration back; everyone who may
read a GPID reads the declarations that reference it with the outcomes Customs recorded for each
(the clearance feedback of seller, buyer and brokers)."""

from __future__ import annotations

from typing import Any

from gpid_node.chain.writes import Link, LinkAsBuyer, LinkAsSaltedBuyer, Write
from gpid_node.domain import canonical, limits
from gpid_node.domain import errors as e
from gpid_node.domain.access import Action, Principal, Role
from gpid_node.domain.codes import DIRECTIONS
from gpid_node.domain.gpid import GPID
from gpid_node.domain.payload_crypto import PAYLOAD_FORMAT_ENCRYPTED
from gpid_node.domain.reference import is_country
from gpid_node.domain.times import iso
from gpid_node.services.access import buyer_proof, grant_write
from gpid_node.services.context import Context
from gpid_node.services.reads import Reads, visible
from gpid_node.services.submission import Submissions
from gpid_node.store import access_queries, queries
from gpid_node.store.tables import FAILED, KeyDataSetRow

ENCRYPTED = PAYLOAD_FORMAT_ENCRYPTED


def _request_problems(reference_n: str, country_n: str, country: Any, direction: Any, gpids: Any) -> tuple[list[e.FieldProblem], list[GPID]]:
    """What is wrong with a link request, and the GPIDs it names."""
    problems = []
    if not canonical.is_normal_identifier(reference_n):
        problems.append(e.FieldProblem("reference", "a declaration reference of 1 to 70 characters is required"))
    if not is_country(country_n):
        problems.append(e.FieldProblem("country", f"expected an ISO 3166-1 alpha-2 country code, got {country!r}"))
    if direction not in DIRECTIONS:
        problems.append(e.FieldProblem("direction", "use export or import"))
    parsed: list[GPID] = []
    if not isinstance(gpids, list) or not gpids:
        problems.append(e.FieldProblem("gpids", "list at least one GPID"))
    else:
        for i, text in enumerate(gpids):
            try:
                parsed.append(GPID.parse(text))
            except e.InvalidGPID as exc:
                problems.append(e.FieldProblem(f"gpids[{i}]", exc.reason))
        if len(set(parsed)) != len(parsed):
            problems.append(e.FieldProblem("gpids", "a GPID is listed twice"))
    return problems, parsed


class Declarations:
    """Links GPIDs to declarations and reads declarations back."""

    def __init__(self, context: Context, reads: Reads, submissions: Submissions) -> None:
        self.context = context
        self.reads = reads
        self.submissions = submissions

    def link(self, reference: str, country: str, direction: str, gpids: list[str], principal: Principal) -> dict[str, Any]:
        """Records one link per GPID; answers each link's outcome (refused links say why)."""
        sender = self.context.signer(principal, Action.LINK)
        reference_n = canonical.normal_identifier(reference) if isinstance(reference, str) else ""
        country_n = country.strip().upper() if isinstance(country, str) else ""
        problems, parsed = _request_problems(reference_n, country_n, country, direction, gpids)
        if problems:
            raise e.ValidationFailed(problems)
        self.context.require_chain()
        writes: list[tuple[Write, str | None]] = []
        grants: list[tuple[Write, str | None]] = []
        for i, gpid in enumerate(parsed):
            record = self.context.client.record_of(gpid)
            if not record.exists:
                raise e.UnknownGPID(str(gpid))
            limits.require_room_for_link(str(gpid), record.links)  # before anything is recorded
            if record.format == ENCRYPTED:
                with self.context.store.session() as session:
                    row = queries.key_data_set(session, gpid.hex)
                seller_key = row.seller_trader_key if row is not None else self._seller_key_on_chain(gpid)
                link = self._link_v2(gpid, i, sender, seller_key, principal, reference_n, country_n, direction)
                writes.append((link, gpid.hex))
                if row is not None:
                    grants += self._customs_grants(gpid, row, link, sender, reference_n, country_n)
            elif principal.role == Role.BUYER:
                current = self.reads.current_version(gpid, principal)
                opened = tuple(bytes.fromhex(c[2:]) for c in current.commitments)
                writes.append((LinkAsBuyer(gpid, opened, reference_n, country_n, DIRECTIONS[direction]), gpid.hex))
            else:
                writes.append((Link(gpid, reference_n, country_n, DIRECTIONS[direction]), gpid.hex))
        ids = self.submissions.record(sender, writes + grants)
        submitted = self.submissions.settle(ids)
        links, granted = submitted.results[: len(writes)], submitted.results[len(writes) :]
        failures = [r for r in links if r.get("status") == FAILED]
        if failures and len(failures) == len(links):
            raise e.error_from_record(failures[0]["error"])
        shown = ("gpid", "status", "transaction", "block", "error", "submission")
        return {
            "reference": reference_n, "country": country_n, "direction": direction,
            "links": [{k: r.get(k) for k in shown} for r in links],
            "customs_grants": [{"grantee": getattr(w, "grantee", None), **{k: r.get(k) for k in shown}}
                               for (w, _), r in zip(grants, granted, strict=True)],
        }  # fmt: skip

    def _customs_grants(
        self, gpid: GPID, row: KeyDataSetRow, link: Write, sender: str, reference: str, country: str
    ) -> list[tuple[Write, str | None]]:
        """A declaration of a country whose Customs received no content key at registration (neither
        the seller's nor the buyer's country: a transit country, say) opens the GPID to that
        administration in the same step: the seller or the buyer who links it grants each Customs
        account of that country with a published key and no grant yet. An agent cannot grant."""
        if country in (row.seller_country, row.buyer_country):
            return []
        as_seller = isinstance(link, Link) and row.seller_trader_key == "0x" + self.context.trader_key_of(sender).hex()
        if not (as_seller or isinstance(link, LinkAsSaltedBuyer)):
            return []
        with self.context.store.session() as session:
            content = access_queries.content_key(session, gpid.hex)
            if content is None or content.content_key is None:
                return []
            accounts = access_queries.customs_accounts(session, country)
            keys = access_queries.current_keys(session, accounts)
            granted = {a for a in accounts if (g := access_queries.grant_state(session, gpid.hex, a)) is not None and g.active}
        buyer = (link.current, link.buyer_salt) if isinstance(link, LinkAsSaltedBuyer) else None
        reason = f"declaration {reference} of {country} references it"
        return [(grant_write(self.context, gpid, content.content_key, account, keys[account].public_key, reason, buyer), gpid.hex)
                for account in accounts if account not in granted and account in keys]  # fmt: skip

    def _seller_key_on_chain(self, gpid: GPID) -> str:
        """The GPID's seller trader key from the registry, for a GPID this node has not indexed yet."""
        return "0x" + bytes(self.context.client.view("sellerTraderKeyOf", gpid.raw)).hex()

    def _link_v2(
        self, gpid: GPID, index: int, sender: str, seller_key: str, principal: Principal, reference: str, country: str,
        direction: str,
    ) -> Write:
        """The link of a format-2 GPID: its seller's current account links; an agent with an active
        grant of the GPID or an active mandate of its seller for the direction links; its buyer opens
        the salted buyer commitment. Anyone else is refused here (403 naming ``gpids[i]``), from the
        index, so that nothing is written; the contract has the last word."""
        if "0x" + self.context.trader_key_of(sender).hex() == seller_key:
            return Link(gpid, reference, country, DIRECTIONS[direction])
        with self.context.store.session() as session:
            grant = access_queries.grant_state(session, gpid.hex, sender)
            mandated = access_queries.active_mandate(session, seller_key, sender, direction)
        if (grant is not None and grant.active) or mandated:
            return Link(gpid, reference, country, DIRECTIONS[direction])
        if principal.role in (Role.BUYER, Role.SELLER):  # a trader: perhaps the buyer
            try:
                proof = buyer_proof(self.context, gpid, sender)
            except e.Conflict as exc:
                exc.details["path"] = f"gpids[{index}]"
                raise
            if proof is not None:
                current, salt = proof
                return LinkAsSaltedBuyer(gpid, current, salt, reference, country, DIRECTIONS[direction])
        raise e.NotAuthorisedLinker(
            str(gpid), sender, path=f"gpids[{index}]",
            needs="the seller, the buyer, or an agent with a grant of this GPID from its seller or buyer or a standing "
            f"{direction} mandate of its seller may; ask the seller for a grant or a mandate",
        )  # fmt: skip

    def declaration(self, country: str, reference: str, principal: Principal) -> dict[str, Any]:
        """A declaration's links the caller may see (none: it is unknown to the caller)."""
        country_n, reference_n = country.strip().upper(), canonical.normal_identifier(reference)
        with self.context.store.session() as session:
            links = queries.declaration(session, country_n, reference_n)
            shown = []
            for link in links:
                row = queries.key_data_set(session, link.gpid)
                if (principal.role == Role.BROKER and link.linker == principal.account) or (
                    row is not None and visible(session, row, principal)
                ) or (principal.role == Role.CUSTOMS and principal.country == country_n):
                    shown.append(link)
        if not shown:
            raise e.UnknownDeclaration(country_n, reference_n)
        return {
            "country": country_n, "reference": reference_n, "direction": shown[0].direction,
            "gpids": [{"gpid": str(GPID.from_hex(link.gpid)), "direction": link.direction, "linker": link.linker,
                       "linked_at": iso(link.time), "transaction": link.transaction_hash, "block": link.block_number}
                      for link in shown],
        }  # fmt: skip

    def of_gpid(self, gpid_text: str, principal: Principal) -> dict[str, Any]:
        """The declarations that reference a GPID, in the order they were linked, each with the outcomes
        Customs recorded on chain for it (the newest ``queries.MAX_OUTCOMES_SHOWN`` of each, in chain
        order), to everyone who may read the GPID (the read rule of ``GET /v1/key-data-sets/{gpid}``;
        anyone else: UnknownGPID). Links and outcomes are public facts: no data is shown."""
        gpid = GPID.parse(gpid_text)
        with self.context.store.session() as session:
            row = queries.key_data_set(session, gpid.hex)
            if row is None or not visible(session, row, principal):
                raise e.UnknownGPID(str(gpid))
            links = queries.links_for(session, gpid.hex)
            outcomes = queries.outcomes_of_declarations(session, gpid.hex)
            current = row.current_version
        # An outcome belongs to the declaration with its reference (the event names its key) of its Customs'
        # country; to each declaration with that reference should none be of that country.
        countries = {(link.reference_key, link.country) for link in links}
        by_declaration: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
        for check in outcomes:
            key = (check.reference_key, check.country if (check.reference_key, check.country) in countries else None)
            by_declaration.setdefault(key, []).append(
                {"outcome": check.outcome, "version": check.version, "country": check.country, "time": iso(check.time),
                 "customs": check.customs, "block": check.block_number, "transaction": check.transaction_hash}
            )  # fmt: skip
        return {
            "gpid": str(gpid), "current_version": current,
            "items": [{"reference": link.reference, "country": link.country, "direction": link.direction,
                       "linked_at": iso(link.time), "linked_by": link.linker, "block": link.block_number,
                       "transaction": link.transaction_hash,
                       "verifications": by_declaration.get((link.reference_key, link.country), [])
                       + by_declaration.get((link.reference_key, None), [])}
                      for link in links],
        }  # fmt: skip
