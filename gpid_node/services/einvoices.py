"""Key data sets from e-invoices: derive a draft, register it, turn credit notes and corrective
invoices into amendments, import a folder of invoices, check a document against a version.

The pure part (reading UBL, CII and Factur-X safely; the mapping of EN 16931 terms; completing an
invoice with master data) is :mod:`gpid_node.domain.einvoices`. Here the caller's catalogue and
partner directory are loaded (:mod:`gpid_node.services.master_data`), the complete draft is checked
with the key data set's own model so that ``missing`` also names values that are there but invalid,
and the write goes through the registration and amendment use cases, the source of the draft
(``{"syntax", "customization", "sha256"}``) inside the encrypted payload.

Credit notes and corrective invoices are not new key data sets: each amends the GPID of the invoice
it corrects (BT-25, found by the seller's invoice number: the GPID is derived from it). A corrective
invoice replaces the buyer and goods of the current version with its own; a credit note lowers the
value of each goods line it credits by the credited net amount (a line credited in full leaves the
key data set, the others are numbered again), and changes nothing else: it refunds money, it does
not say which packages went back. docs/einvoices.md ("In the node") says the same.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from gpid_node.domain import canonical, reference
from gpid_node.domain import errors as e
from gpid_node.domain.access import Action, Principal
from gpid_node.domain.einvoices import Derivation, EInvoice, ItemMaster, derive, read_einvoice
from gpid_node.domain.gpid import GPID
from gpid_node.domain.model import parse_key_data_set
from gpid_node.services.amendments import Amendments
from gpid_node.services.context import Context
from gpid_node.services.importing import SourceRecord
from gpid_node.services.master_data import MasterData
from gpid_node.services.provenance import document_check, source_of
from gpid_node.services.reads import Reads, shows_data, visible
from gpid_node.services.registration import Registration
from gpid_node.store import queries

XML_MEDIA_TYPES = ("application/xml", "text/xml")
PDF_MEDIA_TYPE = "application/pdf"
MEDIA_TYPES = (*XML_MEDIA_TYPES, PDF_MEDIA_TYPE)
MAX_FILE_BYTES = 16 * 1024 * 1024  # a file of a folder import; the REST facade's body limit bounds the rest

Progress = Callable[[str, int, int], None]


def media_type_of(document: bytes) -> str:
    """A file's media type by its content: a PDF starts with ``%PDF-``, anything else is read as XML."""
    return PDF_MEDIA_TYPE if document.lstrip()[:5] == b"%PDF-" else "application/xml"


@dataclass(frozen=True)
class Draft:
    """A derived key data set with what keeps it from registration: every field missing or invalid."""

    invoice: EInvoice
    derivation: Derivation
    problems: tuple[e.FieldProblem, ...]

    @property
    def complete(self) -> bool:
        return not self.problems

    def answer(self) -> dict[str, Any]:
        """``POST /v1/key-data-sets/derive``'s answer."""
        d = self.derivation
        return {
            "key_data_set": d.key_data_set, "missing": [p.as_dict() for p in self.problems], "source": dict(d.source),
            "sources": dict(d.sources), "kind": d.kind, "corrects": list(d.corrects),
        }  # fmt: skip


def _covered(path: str, missing: set[str]) -> bool:
    """Whether a validation problem at ``path`` is a field already named as missing (or inside one)."""
    return any(path == m or path.startswith(m + ".") or path.startswith(m + "[") for m in missing)


def draft_of(invoice: EInvoice, items: dict[str, ItemMaster], partners: dict[str, dict[str, str]],
             seller_trader_id: dict[str, str] | None, *, validate: bool = True) -> Draft:  # fmt: skip
    """Derives the key data set and checks the draft with the model: every missing path, then every
    invalid value. ``validate`` False leaves the check of a complete draft to the registration that
    follows (an import: the model runs once per invoice, not twice)."""
    derivation = derive(invoice, items=items, partners=partners, seller_trader_id=seller_trader_id or {})
    problems = [e.FieldProblem(m.path, m.message) for m in derivation.missing]
    missing = {m.path for m in derivation.missing}
    if not validate and not problems:
        return Draft(invoice, derivation, ())
    try:
        parse_key_data_set(derivation.key_data_set)
    except e.ValidationFailed as exc:
        for problem in exc.problems:
            if not _covered(problem.path, missing):
                origin = derivation.sources.get(problem.path)
                where = f" (from the {origin})" if origin in ("invoice", "catalogue", "partners") else ""
                problems.append(e.FieldProblem(problem.path, f"{problem.message}{where}"))
    return Draft(invoice, derivation, tuple(problems))


@dataclass
class FileReport:
    """What a folder import did with one file."""

    file: str
    # registered | registered_earlier | already_registered | amended | missing (fields missing or invalid) |
    # refused (the document cannot be read) | failed (the chain refused it) | unfinished
    status: str
    gpid: str | None = None
    version: int | None = None
    problems: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "status": self.status, "gpid": self.gpid, "version": self.version, "problems": self.problems}


def _minor(amount: Decimal, currency: str) -> str:
    places = reference.currency_minor_unit(currency) if reference.is_currency(currency) else 2
    return format(amount.quantize(Decimal(1).scaleb(-places), context=decimal.Context(prec=60)), "f")


def credited_goods(goods: list[dict[str, Any]], credited: list[dict[str, Any]], number: str) -> list[dict[str, Any]]:
    """The goods of the current version after a credit note: each credited line (``description``,
    ``hs_code`` when known, ``value``, ``currency``) lowers the value of the first goods line with the
    same description (and HS code) by its amount; a line credited in full leaves; the rest are
    numbered again. ValidationFailed names each credited line that matches no goods line or credits
    more than it is worth, and a credit note that would leave no goods."""
    remaining = [dict(g) for g in goods]
    problems: list[e.FieldProblem] = []
    for index, line in enumerate(credited):
        path = f"goods[{index}]"
        match = next((g for g in remaining if g.get("description") == line.get("description")
                      and (not line.get("hs_code") or g.get("hs_code") == line.get("hs_code"))), None)  # fmt: skip
        if match is None:
            problems.append(e.FieldProblem(path, f"credit note {number} credits '{line.get('description')}', which no goods line "
                                                 "of the invoice it corrects describes: amend the key data set by hand"))  # fmt: skip
            continue
        if match.get("currency") != line.get("currency"):
            problems.append(e.FieldProblem(f"{path}.currency", f"credit note {number} is in {line.get('currency')}, the goods "
                                                               f"line in {match.get('currency')}"))  # fmt: skip
            continue
        left = Decimal(str(match["value"])) - Decimal(str(line["value"]))
        if left < 0:
            problems.append(e.FieldProblem(f"{path}.value", f"credit note {number} credits {line['value']} {line['currency']} "
                                                            f"on '{line.get('description')}', worth {match['value']}"))  # fmt: skip
        elif left == 0:
            remaining.remove(match)
        else:
            match["value"] = _minor(left, str(match["currency"]))
    if problems:
        raise e.ValidationFailed(problems)
    if not remaining:
        raise e.ValidationFailed([e.FieldProblem("goods", f"credit note {number} credits the whole invoice; a key data set keeps "
                                                          "at least one goods line, so nothing was amended")])  # fmt: skip
    for sequence, good in enumerate(remaining, start=1):
        good["sequence"] = sequence
    return remaining


class EInvoices:
    """The e-invoice use cases of one node."""

    def __init__(self, context: Context, master_data: MasterData, registration: Registration, amendments: Amendments, reads: Reads) -> None:
        self.context = context
        self.master_data = master_data
        self.registration = registration
        self.amendments = amendments
        self.reads = reads

    # ------------------------------------------------------------------ derive

    def draft(self, body: bytes, media_type: str, principal: Principal) -> Draft:
        """Reads the e-invoice and derives its key data set with the caller's master data (the catalogue
        entries of its items and the partners its buyer's ids name, nothing more is read)."""
        invoice = read_einvoice(body, media_type)
        trader_id, items, partners = self.master_data.for_invoice(
            principal, [line.item_id for line in invoice.lines if line.item_id],
            [k for k in (invoice.buyer.vat_id, *invoice.buyer.party_ids) if k])  # fmt: skip
        return draft_of(invoice, items, partners, trader_id)

    def derive(self, body: bytes, media_type: str, principal: Principal) -> dict[str, Any]:
        """The draft key data set, every missing or invalid path, the source and where each field came from."""
        return self.draft(body, media_type, principal).answer()

    # ------------------------------------------------------------------ register

    def register(self, body: bytes, media_type: str, principal: Principal, *, wait: bool = True) -> dict[str, Any]:
        """Registers the key data set of an invoice when nothing is missing (else ValidationFailed with
        every missing path); a credit note or a corrective invoice amends the invoice it corrects."""
        draft = self.draft(body, media_type, principal)
        if draft.derivation.kind != "invoice":
            return self.correct(draft, principal)
        if not draft.complete:
            raise e.ValidationFailed(list(draft.problems))
        return self.registration.register(draft.derivation.key_data_set, principal, wait=wait, source=dict(draft.derivation.source))

    def corrected_gpid(self, draft: Draft, principal: Principal) -> GPID:
        """The GPID of the invoice a credit note or corrective invoice corrects (one, by its number)."""
        corrects = draft.derivation.corrects
        what = "credit note" if draft.derivation.kind == "credit_note" else "corrective invoice"
        if len(corrects) != 1:
            detail = "names no invoice it corrects (BT-25)" if not corrects else f"corrects {len(corrects)} invoices ({', '.join(corrects)})"
            raise e.ValidationFailed([e.FieldProblem("invoice.corrects", f"the {what} {draft.invoice.number} {detail}; the node amends "
                                                                         "exactly one key data set per document")])  # fmt: skip
        sender = self.context.signer(principal, Action.AMEND)
        bound = self.context.trader_key_of(sender)
        client = self.context.client
        return canonical.gpid_of_invoice(client.chain_id, client.address, bound, self.registration.invoice_key(bound, corrects[0]))

    def correct(self, draft: Draft, principal: Principal) -> dict[str, Any]:
        """Amends the key data set of the corrected invoice (see the module's notes for what changes)."""
        invoice, derivation = draft.invoice, draft.derivation
        gpid = self.corrected_gpid(draft, principal)
        corrected = derivation.corrects[0]
        try:
            current = self.reads.current_version(gpid, principal)
        except e.UnknownGPID:
            raise e.NotFound(f"the invoice {corrected} that {invoice.number} corrects has no key data set of yours "
                             f"(its GPID would be {gpid}): register it first", gpid=str(gpid)) from None  # fmt: skip
        if current.data is None:
            raise e.Conflict(f"this node cannot read {gpid}, so it cannot amend it", gpid=str(gpid))
        date = invoice.issue_date.isoformat()
        goods_paths = [p for p in draft.problems if p.path.startswith("goods")]
        if derivation.kind == "credit_note":
            reason, code = f"credit note {invoice.number} of {date}", "price"
            # only what matching and the value need: description, value, currency (HS code when known)
            blocking = [p for p in goods_paths if p.path.endswith((".description", ".value", ".currency"))]
            if blocking:
                raise e.ValidationFailed(blocking)
            changes: dict[str, Any] = {"goods": credited_goods(current.data["goods"], derivation.key_data_set["goods"], invoice.number)}
        else:
            reason, code = f"corrective invoice {invoice.number} of {date}", "correction"
            relevant = [p for p in draft.problems if p.path.startswith(("goods", "buyer"))]
            if relevant:
                raise e.ValidationFailed(relevant)
            changes = {"buyer": derivation.key_data_set["buyer"], "goods": derivation.key_data_set["goods"]}
        return self.amendments.amend(str(gpid), changes, reason, principal, reason_code=code, source=dict(derivation.source))

    # ------------------------------------------------------------------ a folder of invoices

    def import_files(self, files: Iterable[Path], principal: Principal, *, on_progress: Progress | None = None,
                     chunk: int = 500, timeout_s: float = 3600.0) -> list[FileReport]:  # fmt: skip
        """Registers the invoices of many files (the catalogue and directory read once), then applies
        their credit notes and corrective invoices in file order; one report per file."""
        paths = list(files)
        seller = self.master_data.seller_key(principal)
        trader_id = self.master_data.seller_trader_id(principal, seller)
        items, partners = self.master_data.catalogue(principal), self.master_data.directory(principal)
        reports = [FileReport(str(p), "refused") for p in paths]
        corrections: list[tuple[int, Draft]] = []

        def each_record() -> Iterable[SourceRecord]:
            for index, path in enumerate(paths):
                if on_progress is not None:
                    on_progress("reading", index, len(paths))
                try:
                    size = path.stat().st_size
                    if size > MAX_FILE_BYTES:
                        raise e.ValidationFailed([e.FieldProblem("body", f"{size} bytes; an e-invoice file holds at most {MAX_FILE_BYTES}")])
                    body = path.read_bytes()
                    draft = draft_of(read_einvoice(body, media_type_of(body)), items, partners, trader_id, validate=False)
                except OSError as exc:
                    reports[index].problems = [{"path": "", "message": f"cannot read the file: {exc.strerror or exc}"}]
                    continue
                except e.ValidationFailed as exc:
                    reports[index].problems = [p.as_dict() for p in exc.problems]
                    continue
                if draft.derivation.kind != "invoice":
                    corrections.append((index, draft))
                    reports[index].status = "unfinished"
                elif not draft.complete:
                    reports[index].status = "missing"
                    reports[index].problems = [p.as_dict() for p in draft.problems]
                else:
                    reports[index].status = "unfinished"
                    yield SourceRecord(index, draft.derivation.key_data_set, source=dict(draft.derivation.source))
            if on_progress is not None:
                on_progress("reading", len(paths), len(paths))

        def registering(done: int, total: int) -> None:
            if on_progress is not None:
                on_progress("registering", done, total)

        result = self.registration.import_key_data_sets(each_record(), principal, chunk=chunk, on_progress=registering, timeout_s=timeout_s)
        for status, rows in (("registered", result.registered), ("registered_earlier", result.registered_earlier),
                             ("already_registered", result.already_registered)):  # fmt: skip
            for index, gpid in rows:
                reports[index].status, reports[index].gpid, reports[index].version = status, gpid, 1
        for index, problems in result.rejected:  # invalid values, found by the registration's own check
            reports[index].status, reports[index].problems = "missing", [p.as_dict() for p in problems]
        for index, message in result.failed:
            reports[index].status, reports[index].problems = "failed", [{"path": "", "message": message}]
        for done, (index, draft) in enumerate(corrections, start=1):
            try:
                answer = self.correct(draft, principal)
                reports[index].status, reports[index].gpid, reports[index].version = "amended", answer["gpid"], answer.get("version")
            except e.ValidationFailed as exc:
                reports[index].status, reports[index].problems = "missing", [p.as_dict() for p in exc.problems]
            except e.GPIDError as exc:
                reports[index].status, reports[index].problems = "failed", [{"path": "", "message": exc.message}]
            if on_progress is not None:
                on_progress("amending", done, len(corrections))
        return reports

    # ------------------------------------------------------------------ provenance

    def check_document(self, gpid_text: str, document: bytes, principal: Principal, version: int | None = None) -> dict[str, Any]:
        """Whether ``document`` is the e-invoice the version (the current one by default) was derived from."""
        gpid = GPID.parse(gpid_text)
        with self.context.store.session() as session:
            row = queries.key_data_set(session, gpid.hex)
            if row is None or not visible(session, row, principal):
                raise e.UnknownGPID(str(gpid))
            chosen = queries.version_at(session, gpid.hex, version=version or row.current_version)
            if chosen is None:
                raise e.ValidationFailed([e.FieldProblem("version", f"{gpid} has versions 1 to {row.current_version}")])
            source = source_of(self.context, row, chosen) if shows_data(row, principal) else None
        return {"gpid": str(gpid), "version": chosen.version, **document_check(source, document)}
