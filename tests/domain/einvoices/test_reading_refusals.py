"""Hostile, malformed and foreign documents are refused with a problem naming what is wrong and
where, before anything is resolved, fetched or expanded."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfWriter

from gpid_node.domain.einvoices import EInvoiceRefused, read_einvoice
from gpid_node.domain.limits import MAX_EINVOICE_PDF_BYTES, MAX_EINVOICE_PROBLEMS, MAX_EINVOICE_XML_BYTES, MAX_EINVOICE_XML_DEPTH

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "einvoices"
UBL = (SAMPLES / "ubl-21-en16931.xml").read_bytes()
CII = (SAMPLES / "factur-x-en16931.xml").read_bytes()
UBL_OPEN = b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">'


def refusal(body: bytes, media_type: str = "application/xml") -> list[tuple[str, str]]:
    with pytest.raises(EInvoiceRefused) as refused:
        read_einvoice(body, media_type)
    return [(p.path, p.message) for p in refused.value.problems]


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP port on loopback that records whether anything connected to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def assert_nobody_connected(server: socket.socket) -> None:
    with pytest.raises(BlockingIOError):
        server.accept()


# --- entities and DTDs -----------------------------------------------------------------------------

DOCTYPE_MESSAGE = "document type declaration"


def test_xxe_reading_a_file_is_refused_and_reveals_nothing(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    body = (f'<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
            f'{UBL_OPEN.decode()}<cbc:ID xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">&x;</cbc:ID></Invoice>')  # fmt: skip
    [(path, message)] = refusal(body.encode())
    assert path == "body" and DOCTYPE_MESSAGE in message
    assert "TOP-SECRET" not in message


def test_xxe_over_the_network_is_refused_without_connecting(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    body = (f'<!DOCTYPE Invoice [<!ENTITY x SYSTEM "http://127.0.0.1:{port}/x">]>{UBL_OPEN.decode()}&x;</Invoice>').encode()
    [(path, message)] = refusal(body)
    assert path == "body" and DOCTYPE_MESSAGE in message
    assert_nobody_connected(listener)


def test_external_dtd_is_neither_fetched_nor_accepted(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    body = f'<!DOCTYPE Invoice SYSTEM "http://127.0.0.1:{port}/invoice.dtd">'.encode() + UBL_OPEN + b"</Invoice>"
    [(_, message)] = refusal(body)
    assert DOCTYPE_MESSAGE in message
    assert_nobody_connected(listener)


def test_parameter_entities_are_refused(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    body = (f'<!DOCTYPE Invoice [<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/p.dtd"> %p;]>').encode() + UBL_OPEN + b"</Invoice>"
    [(_, message)] = refusal(body)
    assert DOCTYPE_MESSAGE in message or "not well-formed" in message
    assert_nobody_connected(listener)


def test_billion_laughs_is_refused_without_expanding() -> None:
    entities = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    body = f"<!DOCTYPE Invoice [{entities}]>{UBL_OPEN.decode()}&lol9;</Invoice>".encode()
    [(path, message)] = refusal(body)
    assert path == "body" and DOCTYPE_MESSAGE in message


def test_a_harmless_doctype_is_refused_too() -> None:
    body = b"<!DOCTYPE Invoice>" + UBL[UBL.index(b"<Invoice") :]
    [(_, message)] = refusal(body)
    assert DOCTYPE_MESSAGE in message


# --- size, depth, well-formedness ------------------------------------------------------------------


def test_too_large_is_refused_before_parsing() -> None:
    body = UBL_OPEN + b" " * MAX_EINVOICE_XML_BYTES + b"</Invoice>"
    [(path, message)] = refusal(body)
    assert path == "body" and f"at most {MAX_EINVOICE_XML_BYTES:,} bytes" in message


def test_too_large_pdf_is_refused_before_reading() -> None:
    [(_, message)] = refusal(b"%PDF-1.7\n" + b"0" * MAX_EINVOICE_PDF_BYTES, "application/pdf")
    assert f"at most {MAX_EINVOICE_PDF_BYTES:,} bytes" in message


def test_nesting_past_the_bound_is_refused() -> None:
    depth = MAX_EINVOICE_XML_DEPTH  # the root plus this many levels: one more than allowed
    body = UBL_OPEN + b"<a>" * depth + b"</a>" * depth + b"</Invoice>"
    [(path, message)] = refusal(body)
    assert path == "body" and f"more than {MAX_EINVOICE_XML_DEPTH} levels" in message


def test_nesting_at_the_bound_is_read_and_fails_for_another_reason() -> None:
    depth = MAX_EINVOICE_XML_DEPTH - 1
    body = UBL_OPEN + b"<a>" * depth + b"</a>" * depth + b"</Invoice>"
    problems = refusal(body)
    assert all("levels" not in message for _, message in problems)
    assert ("/Invoice/cbc:ID", "BT-1 (Invoice number) is missing: an EN 16931 invoice must give it") in problems


def test_extreme_nesting_is_refused_by_the_parser() -> None:
    body = UBL_OPEN + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</Invoice>"
    [(path, message)] = refusal(body)
    assert path == "body" and "not well-formed" in message


def test_truncated_xml_is_refused_as_not_well_formed() -> None:
    [(path, message)] = refusal(UBL[: len(UBL) // 2])
    assert path == "body" and message.startswith("not well-formed XML: ")


@pytest.mark.parametrize("body", [b"", b"   \n"])
def test_an_empty_body_is_refused(body: bytes) -> None:
    assert refusal(body) == [("body", "the document is empty: send the e-invoice's XML")]


def test_an_unknown_encoding_is_refused() -> None:
    [(path, _)] = refusal(b'<?xml version="1.0" encoding="x-no-such-encoding"?>' + UBL_OPEN + b"</Invoice>")
    assert path == "body"


# --- not an invoice --------------------------------------------------------------------------------


def test_xml_that_is_not_an_invoice_is_refused_naming_its_root() -> None:
    [(path, message)] = refusal(b"<html><body>hello</body></html>")
    assert path == "/html"
    assert "not an e-invoice (its root element is html)" in message and "UBL 2.1 Invoice or CreditNote" in message


def test_an_invoice_element_in_no_namespace_is_not_a_ubl_invoice() -> None:
    [(path, message)] = refusal(b"<Invoice><ID>1</ID></Invoice>")
    assert path == "/Invoice" and "not an e-invoice" in message


def test_a_pdf_without_embedded_invoice_is_refused() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("notes.xml", b"<notes/>")
    pdf = io.BytesIO()
    writer.write(pdf)
    [(path, message)] = refusal(pdf.getvalue(), "application/pdf")
    assert path == "body" and "embeds no e-invoice" in message and "factur-x.xml" in message


def test_a_pdf_embedding_an_entity_bomb_is_refused() -> None:
    entities = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    bomb = f"<!DOCTYPE CrossIndustryInvoice [{entities}]>".encode() + CII[CII.index(b"<rsm:CrossIndustryInvoice") :].replace(
        b"<ram:ID>F20260023</ram:ID>", b"<ram:ID>&lol9;</ram:ID>")  # fmt: skip
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("factur-x.xml", bomb)
    pdf = io.BytesIO()
    writer.write(pdf)
    [(path, message)] = refusal(pdf.getvalue(), "application/pdf")
    assert path == "body"
    assert DOCTYPE_MESSAGE in message or "embeds no e-invoice" in message


def test_bytes_that_are_not_a_pdf_sent_as_pdf_are_refused() -> None:
    [(path, message)] = refusal(UBL, "application/pdf")
    assert path == "body" and "not a PDF" in message


def test_a_damaged_pdf_is_refused() -> None:
    pdf = (SAMPLES / "invoice_EN16931.pdf").read_bytes()
    [(path, message)] = refusal(pdf[:2000], "application/pdf")
    assert path == "body" and ("cannot be read" in message or "embeds no e-invoice" in message)


def test_a_pdf_sent_as_xml_is_refused_naming_the_media_type() -> None:
    pdf = (SAMPLES / "invoice_EN16931.pdf").read_bytes()
    [(path, message)] = refusal(pdf, "application/xml")
    assert path == "media_type" and "send it as application/pdf" in message


def test_an_unknown_media_type_is_refused() -> None:
    [(path, message)] = refusal(UBL, "application/json")
    assert path == "media_type" and "'application/json'" in message


# --- missing and malformed terms -------------------------------------------------------------------


def test_missing_number_date_and_currency_are_each_named_with_their_path_ubl() -> None:
    body = (UBL.replace(b"<cbc:ID>F124212</cbc:ID>", b"")
               .replace(b"<cbc:IssueDate>2026-06-17</cbc:IssueDate>", b"")
               .replace(b"<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>", b""))  # fmt: skip
    assert refusal(body) == [
        ("/Invoice/cbc:ID", "BT-1 (Invoice number) is missing: an EN 16931 invoice must give it"),
        ("/Invoice/cbc:IssueDate", "BT-2 (Invoice issue date) is missing: an EN 16931 invoice must give it"),
        ("/Invoice/cbc:DocumentCurrencyCode", "BT-5 (Invoice currency code) is missing: an EN 16931 invoice must give it"),
    ]


def test_missing_number_date_and_currency_are_each_named_with_their_path_cii() -> None:
    body = (CII.replace(b"<ram:ID>F20260023</ram:ID>", b"")
               .replace(b'<udt:DateTimeString format="102">20260131</udt:DateTimeString>  <!-- BT-2', b"<!-- BT-2")
               .replace(b"<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>", b""))  # fmt: skip
    paths = [path for path, _ in refusal(body)]
    assert paths == [
        "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID",
        "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString",
        "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:InvoiceCurrencyCode",
    ]


def test_malformed_values_are_named_at_their_line() -> None:
    body = (UBL.replace(b"<cbc:IssueDate>2026-06-17</cbc:IssueDate>", b"<cbc:IssueDate>17.06.2026</cbc:IssueDate>")
               .replace(b'<cbc:LineExtensionAmount currencyID="EUR">138.00</cbc:LineExtensionAmount>',
                        b'<cbc:LineExtensionAmount currencyID="EUR">138,00</cbc:LineExtensionAmount>'))  # fmt: skip
    assert refusal(body) == [
        ("/Invoice/cbc:IssueDate", "BT-2 (Invoice issue date): '17.06.2026' is not a date written YYYY-MM-DD"),
        ("/Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount",
         "BT-131 (Invoice line net amount): '138,00' is not a decimal number such as 12.50"),
    ]  # fmt: skip


def test_a_date_not_in_the_calendar_is_refused() -> None:
    body = CII.replace(b">20260131</udt:DateTimeString>  <!-- BT-2", b">20260231</udt:DateTimeString>  <!-- BT-2")
    [(path, message)] = refusal(body)
    assert path.endswith("rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString")
    assert message == "BT-2 (Invoice issue date): '20260231' is not a date in the calendar"


def test_a_line_without_its_mandatory_terms_names_each() -> None:
    body = UBL.replace(b"<cbc:Name>Nougats en cubes</cbc:Name>", b"").replace(
        b'<cbc:InvoicedQuantity unitCode="C62">20</cbc:InvoicedQuantity>', b"")
    assert [path for path, _ in refusal(body)] == [
        "/Invoice/cac:InvoiceLine[2]/cbc:InvoicedQuantity",
        "/Invoice/cac:InvoiceLine[2]/cac:Item/cbc:Name",
    ]


def test_the_problems_listed_are_bounded() -> None:
    line = b"<cac:InvoiceLine><cbc:ID>1</cbc:ID></cac:InvoiceLine>"
    body = UBL.replace(b"</Invoice>", line * 200 + b"</Invoice>")
    problems = refusal(body)
    assert len(problems) == MAX_EINVOICE_PROBLEMS
    assert problems[-1][0] == "body" and problems[-1][1].startswith("and ")


def test_a_doctype_behind_a_long_prolog_is_still_refused() -> None:
    body = b"<!-- c -->" * 200 + b"<!DOCTYPE Invoice>" + UBL_OPEN + b"</Invoice>"
    [(path, message)] = refusal(body)
    assert path == "body" and DOCTYPE_MESSAGE in message


def test_a_doctype_in_utf16_is_refused() -> None:
    body = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE Invoice [<!ENTITY x "y">]>' + UBL_OPEN.decode() + "&x;</Invoice>").encode("utf-16")
    [(path, message)] = refusal(body)
    assert path == "body" and DOCTYPE_MESSAGE in message


def test_a_type_code_that_is_not_a_code_is_refused() -> None:
    body = UBL.replace(b"<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>", b"<cbc:InvoiceTypeCode>INVOICE</cbc:InvoiceTypeCode>")
    assert refusal(body) == [("/Invoice/cbc:InvoiceTypeCode",
                              "BT-3 (Invoice type code): 'INVOICE' is not a UNTDID 1001 document type code such as 380 or 381")]  # fmt: skip
