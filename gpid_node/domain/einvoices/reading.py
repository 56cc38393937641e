"""Reading an e-invoice: bytes and a media type in, an :class:`EInvoice` out, or a refusal naming
every problem with its place in the document.

The parser is :mod:`~gpid_node.domain.einvoices.parsing`'s; what is read, and from where, is the
table of :mod:`~gpid_node.domain.einvoices.mapping`. This module evaluates the table's XPaths,
turns the text into values (dates, decimals, codes, normalised text) and decides the document's kind.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from lxml import etree

from gpid_node.domain.einvoices.document import EInvoice, InvoiceKind, InvoiceLine, Party, Syntax
from gpid_node.domain.einvoices.mapping import (
    CORRECTIVE_TYPE_CODES,
    CREDIT_NOTE_TYPE_CODES,
    NAMESPACES,
    ROOTS,
    SCOPES,
    TERMS,
    UBL_TYPE_CODE_BY_ROOT,
    Scope,
    Term,
)
from gpid_node.domain.einvoices.parsing import parse_xml, xml_from_pdf
from gpid_node.domain.errors import EInvoiceRefused, FieldProblem
from gpid_node.domain.limits import MAX_EINVOICE_PROBLEMS

__all__ = ["XML_MEDIA_TYPES", "read_einvoice"]

XML_MEDIA_TYPES = frozenset({"application/xml", "text/xml"})
PDF_MEDIA_TYPE = "application/pdf"

_EXPECTED_ROOTS = "a UBL 2.1 Invoice or CreditNote, or a UN/CEFACT CrossIndustryInvoice (Peppol BIS, XRechnung, Factur-X, ZUGFeRD 2)"
_OTHER_ROOTS = {
    "CrossIndustryDocument": "a ZUGFeRD 1.0 invoice (CrossIndustryDocument), which predates EN 16931; send its "
                             "ZUGFeRD 2 / Factur-X form (CrossIndustryInvoice) or UBL",
    "SCRDMCCBDACIOMessageStructure": f"an Order-X order, not an invoice; expected {_EXPECTED_ROOTS}",
    "Order": f"a UBL order, not an invoice; expected {_EXPECTED_ROOTS}",
}  # fmt: skip


def read_einvoice(body: bytes, media_type: str) -> EInvoice:
    """The e-invoice in ``body``: ``application/xml`` or ``text/xml`` (UBL 2.1 Invoice or CreditNote,
    CII CrossIndustryInvoice), or ``application/pdf`` (Factur-X/ZUGFeRD with embedded XML).

    ``sha256`` is that of ``body`` as received. Raises :class:`EInvoiceRefused` naming every problem.
    """
    kind = _media_kind(media_type)
    sha256 = hashlib.sha256(body).hexdigest()
    if kind == "pdf":
        xml = xml_from_pdf(body)
    else:
        if body.lstrip()[:5] == b"%PDF-":
            raise EInvoiceRefused([FieldProblem("media_type", f"the body is a PDF but was sent as {media_type!r}: send it as application/pdf")])
        xml = body
    root = parse_xml(xml)
    syntax = _syntax_of(root)
    return _Reader(root, syntax).invoice(sha256)


def _media_kind(media_type: str) -> str:
    essence = media_type.split(";", 1)[0].strip().lower()
    if essence == PDF_MEDIA_TYPE:
        return "pdf"
    if essence in XML_MEDIA_TYPES or essence.endswith("+xml"):
        return "xml"
    raise EInvoiceRefused([FieldProblem("media_type", f"an e-invoice is sent as application/xml, text/xml or application/pdf, "
                                                      f"not {media_type or 'without a media type'!r}")])  # fmt: skip


def _syntax_of(root: etree._Element) -> Syntax:
    tag = root.tag if isinstance(root.tag, str) else ""
    syntax = ROOTS.get(tag)
    if syntax is not None:
        return syntax
    local = etree.QName(tag).localname if tag else "?"
    what = _OTHER_ROOTS.get(local, f"not an e-invoice (its root element is {tag or '?'}); expected {_EXPECTED_ROOTS}")
    raise EInvoiceRefused([FieldProblem(f"/{local}", f"the document is {what}")])


# --- the table, compiled ---------------------------------------------------------------------------


def _compile(path: str) -> etree.XPath:
    return etree.XPath(path, namespaces=NAMESPACES, smart_strings=False)


_SYNTAXES: tuple[Syntax, Syntax] = ("UBL", "CII")
_SCOPE_XPATHS: dict[tuple[Syntax, Scope], etree.XPath] = {
    (syntax, scope): _compile(paths[index]) for scope, paths in SCOPES.items() for index, syntax in enumerate(_SYNTAXES)
}
# Each scope's terms with their compiled XPath, per syntax (a list per scope: looked up once per element).
_TERMS_OF: dict[tuple[Syntax, Scope], tuple[tuple[Term, etree.XPath], ...]] = {
    (syntax, scope): tuple((t, _compile(t.ubl if syntax == "UBL" else t.cii)) for t in TERMS if t.scope == scope)
    for scope in SCOPES for syntax in _SYNTAXES
}


# --- values ----------------------------------------------------------------------------------------

_WHITESPACE = re.compile(r"\s+")
_DECIMAL = re.compile(r"[+-]?[0-9]{1,20}(?:\.[0-9]{1,20})?")
_UBL_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:Z|[+-][0-9]{2}:[0-9]{2})?")
_CII_DATE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_TYPE_CODE = re.compile(r"[0-9]{1,3}")


def _text(value: str) -> str:
    """Text as the key data set wants it: NFC, runs of whitespace (line breaks too) as one space, trimmed."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", value)).strip()


class _Unreadable(ValueError):
    """A term's text that does not have the form its kind needs (the message says which)."""


def _convert(term: Term, text: str, syntax: Syntax) -> Any:
    if term.kind == "decimal":
        if not _DECIMAL.fullmatch(text):
            raise _Unreadable(f"{text[:40]!r} is not a decimal number such as 12.50")
        return Decimal(text)
    if term.kind == "date":
        match = (_UBL_DATE if syntax == "UBL" else _CII_DATE).fullmatch(text)
        if match is None:
            form = "YYYY-MM-DD" if syntax == "UBL" else "YYYYMMDD (format 102)"
            raise _Unreadable(f"{text[:40]!r} is not a date written {form}")
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise _Unreadable(f"{text!r} is not a date in the calendar") from None
    return text


@dataclass
class _Reader:
    root: etree._Element
    syntax: Syntax

    def __post_init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def invoice(self, sha256: str) -> EInvoice:
        doc = self._values("document", self.root)
        seller = self._party("seller")
        buyer = self._party("buyer")
        lines = tuple(self._line(element) for element in self._scope_elements("line"))
        type_code = self._type_code(doc.get("type_code"))
        if self.problems:
            raise EInvoiceRefused(self._bounded(self.problems))
        return EInvoice(
            syntax=self.syntax,
            customization=doc.get("customization"),
            sha256=sha256,
            kind=self._kind(type_code),
            type_code=type_code,
            number=doc["number"],
            issue_date=doc["issue_date"],
            currency=doc["currency"],
            seller=seller,
            buyer=buyer,
            lines=lines,
            preceding_invoices=tuple(doc.get("preceding_invoices", ())),
        )

    def _type_code(self, given: str | None) -> str:
        """BT-3 as given, checked; for a UBL document without one, the code its root element implies."""
        term = next(t for t in TERMS if t.attribute == "type_code")
        if given is None:
            implied = UBL_TYPE_CODE_BY_ROOT.get(etree.QName(self.root).localname) if self.syntax == "UBL" else None
            if implied is None:
                self.problems.append(FieldProblem(self._path(self.root, term), f"{term.bt} ({term.name}) is missing: an EN 16931 invoice must give it"))
            return implied or ""
        if not _TYPE_CODE.fullmatch(given):
            self.problems.append(FieldProblem(self._path(self.root, term), f"{term.bt} ({term.name}): {given[:40]!r} is not a "
                                                                           "UNTDID 1001 document type code such as 380 or 381"))  # fmt: skip
        return given

    def _kind(self, type_code: str) -> InvoiceKind:
        if etree.QName(self.root).localname == "CreditNote" or type_code in CREDIT_NOTE_TYPE_CODES:
            return "credit_note"
        if type_code in CORRECTIVE_TYPE_CODES:
            return "corrective"
        return "invoice"

    def _scope_elements(self, scope: Scope) -> list[etree._Element]:
        found = _SCOPE_XPATHS[(self.syntax, scope)](self.root)
        return [element for element in found if isinstance(element, etree._Element)]

    def _party(self, scope: Scope) -> Party:
        elements = self._scope_elements(scope)
        values = self._values(scope, elements[0]) if elements else {}
        return Party(
            name=values.get("name"),
            street=values.get("street"),
            postcode=values.get("postcode"),
            city=values.get("city"),
            country=values.get("country"),
            vat_id=values.get("vat_id"),
            party_ids=tuple(dict.fromkeys(values.get("party_ids", ()))),
        )

    def _line(self, element: etree._Element) -> InvoiceLine:
        values = self._values("line", element)
        return InvoiceLine(
            line_id=values.get("line_id", ""),
            item_id=values.get("item_id"),
            name=values.get("name", ""),
            description=values.get("description"),
            quantity=values.get("quantity", Decimal(0)),
            unit_code=values.get("unit_code"),
            net_amount=values.get("net_amount", Decimal(0)),
            hs_code=values.get("hs_code"),
            country_of_origin=values.get("country_of_origin"),
        )

    def _values(self, scope: Scope, context: etree._Element) -> dict[str, Any]:
        """Every term of ``scope`` read from ``context``; problems collected, absent terms absent."""
        values: dict[str, Any] = {}
        for term, xpath in _TERMS_OF[(self.syntax, scope)]:
            texts = [text for text in _texts(xpath, context) if text]
            if not texts:
                if term.required:
                    self.problems.append(FieldProblem(self._path(context, term), f"{term.bt} ({term.name}) is missing: an EN 16931 invoice must give it"))
                continue
            try:
                converted = [_convert(term, text, self.syntax) for text in (texts if term.many else texts[:1])]
            except _Unreadable as error:
                self.problems.append(FieldProblem(self._path(context, term), f"{term.bt} ({term.name}): {error}"))
                continue
            if term.many:
                values[term.attribute] = [*values.get(term.attribute, ()), *converted]
            else:
                values[term.attribute] = converted[0]
        return values

    def _path(self, context: etree._Element, term: Term) -> str:
        """Where ``term`` belongs in the document, as an XPath a reader can follow:
        ``/Invoice/cac:InvoiceLine[3]/cbc:LineExtensionAmount``."""
        own = term.ubl if self.syntax == "UBL" else term.cii
        own = own.split(" | ")[0]
        return f"{_element_path(context)}/{own}" if own != "." else _element_path(context)

    @staticmethod
    def _bounded(problems: list[FieldProblem]) -> list[FieldProblem]:
        if len(problems) <= MAX_EINVOICE_PROBLEMS:
            return problems
        rest = len(problems) - MAX_EINVOICE_PROBLEMS + 1
        return [*problems[: MAX_EINVOICE_PROBLEMS - 1], FieldProblem("body", f"and {rest} more problems of the kinds above")]


def _texts(xpath: etree.XPath, context: etree._Element) -> Iterator[str]:
    """The normalised text of each node ``xpath`` finds under ``context`` (elements and attributes)."""
    for found in xpath(context):
        if isinstance(found, etree._Element):
            yield _text("".join(found.itertext()))
        elif isinstance(found, str):
            yield _text(found)


def _element_path(element: etree._Element) -> str:
    """``/Invoice/cac:InvoiceLine[3]``: prefixed names, a position where siblings share the name."""
    steps: list[str] = []
    current: etree._Element | None = element
    while current is not None:
        qname = etree.QName(current)
        name = f"{current.prefix}:{qname.localname}" if current.prefix else qname.localname
        parent = current.getparent()
        if parent is not None:
            same = [sibling for sibling in parent if sibling.tag == current.tag]
            if len(same) > 1:
                name += f"[{same.index(current) + 1}]"
        steps.append(name)
        current = parent
    return "/" + "/".join(reversed(steps))
