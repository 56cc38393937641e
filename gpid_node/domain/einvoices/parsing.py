"""Bytes to an XML element tree, safely: the one place the node parses an e-invoice's bytes.

An e-invoice comes from outside, so the parser is built not to trust it: no entity is resolved
(XXE), no DTD is loaded or validated, nothing is fetched from the network, libxml2's own limits on
huge text nodes stay on, and any document type declaration is refused outright (every entity attack,
billion laughs included, needs one). Size and depth are bounded (``domain/limits.py``). A
Factur-X/ZUGFeRD PDF gives up its embedded XML through the ``factur-x`` package, and that XML then
goes through the same parser.
"""

from __future__ import annotations

import re

from lxml import etree

from gpid_node.domain.errors import EInvoiceRefused, FieldProblem
from gpid_node.domain.limits import MAX_EINVOICE_PDF_BYTES, MAX_EINVOICE_XML_BYTES, MAX_EINVOICE_XML_DEPTH

__all__ = ["EMBEDDED_XML_NAMES", "parse_xml", "xml_from_pdf"]

# The names a Factur-X / ZUGFeRD 2 / XRechnung PDF gives its invoice attachment (compared without case).
EMBEDDED_XML_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")

_BODY = "body"

_SPACE = re.compile(r"\s*")
_BOM_UTF8 = b"\xef\xbb\xbf"
_WIDE_BOMS = (  # UTF-32 first: its little-endian mark begins with UTF-16's
    (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
)  # fmt: skip
_DOCTYPE_REFUSAL = ("the document has a document type declaration (<!DOCTYPE ...>); e-invoices have none, and the node "
                    "refuses them because entities declared there can read files or exhaust memory")  # fmt: skip


def _refuse(message: str, path: str = _BODY) -> EInvoiceRefused:
    return EInvoiceRefused([FieldProblem(path, message)])


def _parser() -> etree.XMLParser:
    # A new parser per document: lxml parsers keep state and are not shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(body: bytes) -> etree._Element:
    """The root element of the XML document ``body``, or :class:`EInvoiceRefused` saying why not."""
    if len(body) > MAX_EINVOICE_XML_BYTES:
        raise _refuse(f"the XML document has {len(body):,} bytes; the node reads e-invoices of at most "
                      f"{MAX_EINVOICE_XML_BYTES:,} bytes")  # fmt: skip
    if not body.strip():
        raise _refuse("the document is empty: send the e-invoice's XML")
    if _declares_doctype(body):
        raise _refuse(_DOCTYPE_REFUSAL)
    try:
        root = etree.fromstring(body, parser=_parser())
    except etree.XMLSyntaxError as error:
        raise _refuse(f"not well-formed XML: {_syntax_message(error)}") from None
    except (ValueError, LookupError) as error:  # an encoding lxml does not know, or bytes it cannot decode
        raise _refuse(f"not readable XML: {error}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise _refuse(_DOCTYPE_REFUSAL)  # one the prolog check missed (an encoding it does not decode)
    if _TOO_DEEP(root):
        raise _refuse(f"elements are nested more than {MAX_EINVOICE_XML_DEPTH} levels deep; e-invoices need about ten")
    return root


def _declares_doctype(body: bytes) -> bool:
    """Whether the prolog declares a document type, seen before parsing so that no DTD is read at all.

    UTF-8 and every ASCII-compatible encoding are checked as bytes; UTF-16 and UTF-32 with a byte
    order mark are decoded first. The parsed tree is checked again, so what this misses is still refused.
    """
    text = body.removeprefix(_BOM_UTF8).decode("latin-1")
    for bom, encoding in _WIDE_BOMS:
        if body.startswith(bom):
            text = body[len(bom) :].decode(encoding, errors="replace")
            break
    # Skip what may come before the root element (whitespace, the XML declaration, processing
    # instructions, comments). A real prolog has a handful of parts; past 64 the parsed tree's
    # check decides.
    at = 0
    for _ in range(64):
        space = _SPACE.match(text, at)
        at = space.end() if space else at
        if text.startswith("<?", at):
            close = text.find("?>", at + 2)
        elif text.startswith("<!--", at):
            close = text.find("-->", at + 4)
        else:
            return text.startswith("<!DOCTYPE", at)
        if close < 0:
            return False
        at = close + 2 if text[close] == "?" else close + 3
    return False


def _syntax_message(error: etree.XMLSyntaxError) -> str:
    message = str(error.msg or error).strip()
    line = error.position[0] if error.position else None
    return f"{message} (line {line})" if line and "line" not in message else message


# True when some element lies deeper than the bound: one XPath evaluated by libxml2, in C.
_TOO_DEEP = etree.XPath("boolean(/" + "/".join(["*"] * (MAX_EINVOICE_XML_DEPTH + 1)) + ")")


def xml_from_pdf(body: bytes) -> bytes:
    """The invoice XML a Factur-X/ZUGFeRD/XRechnung PDF embeds, or :class:`EInvoiceRefused`."""
    if len(body) > MAX_EINVOICE_PDF_BYTES:
        raise _refuse(f"the PDF has {len(body):,} bytes; the node reads e-invoice PDFs of at most {MAX_EINVOICE_PDF_BYTES:,} bytes")
    if not body.lstrip()[:5] == b"%PDF-":
        raise _refuse("the body is not a PDF (it does not start with %PDF-); send a Factur-X/ZUGFeRD PDF, or the XML as application/xml")
    # Imported here: factur-x brings pypdf and requests, which only PDFs need.
    from facturx import get_xml_from_pdf

    try:
        name, xml = get_xml_from_pdf(body, check_xsd=False, filenames=list(EMBEDDED_XML_NAMES))
    except Exception as error:  # pypdf raises many kinds of error on a damaged PDF; each is the sender's problem
        raise _refuse(f"the PDF cannot be read ({type(error).__name__}: {_short(error)}); send an undamaged Factur-X/ZUGFeRD PDF") from None
    if not name or not isinstance(xml, bytes):
        raise _refuse("the PDF embeds no e-invoice: a Factur-X/ZUGFeRD PDF carries its invoice as an attachment named "
                      f"{', '.join(EMBEDDED_XML_NAMES)}, and this one has none that is well-formed CII or UBL XML; "
                      "send the PDF your ERP made, or its XML")  # fmt: skip
    return xml


def _short(error: Exception) -> str:
    text = str(error).strip() or "no detail"
    return text if len(text) <= 200 else text[:197] + "..."
