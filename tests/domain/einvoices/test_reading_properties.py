"""Whatever bytes arrive, reading an e-invoice either gives an EInvoice or raises EInvoiceRefused
(never a parser's, a PDF library's or a conversion's own error), and whatever it gives, the
derivation maps without raising."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpid_node.domain.einvoices import EInvoice, EInvoiceRefused, ItemMaster, derive, read_einvoice

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "einvoices"
UBL = (SAMPLES / "ubl-21-en16931.xml").read_bytes()
CII = (SAMPLES / "factur-x-en16931.xml").read_bytes()
PDF = (SAMPLES / "invoice_EN16931.pdf").read_bytes()
MEDIA_TYPES = st.sampled_from(["application/xml", "text/xml", "application/pdf", "application/json", ""])
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_or_refuse(body: bytes, media_type: str) -> EInvoice | None:
    """The invoice, or None when refused; any other exception fails the property."""
    try:
        invoice = read_einvoice(body, media_type)
    except EInvoiceRefused as refused:
        assert refused.problems, "a refusal names at least one problem"
        assert all(p.path and p.message for p in refused.problems)
        return None
    derive(invoice, items={}, partners={}, seller_trader_id={})
    return invoice


@FAST
@given(body=st.binary(max_size=2000), media_type=MEDIA_TYPES)
def test_random_bytes_are_refused_cleanly(body: bytes, media_type: str) -> None:
    read_or_refuse(body, media_type)


@FAST
@given(body=st.binary(max_size=2000), prefix=st.sampled_from([b"%PDF-1.7\n", b"<?xml version='1.0'?>", b"<Invoice>",
                                                               b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">']))  # fmt: skip
def test_random_bytes_behind_a_plausible_start_are_refused_cleanly(body: bytes, prefix: bytes) -> None:
    read_or_refuse(prefix + body, "application/pdf" if prefix.startswith(b"%PDF") else "application/xml")


@st.composite
def damaged(draw: st.DrawFn, document: bytes) -> bytes:
    """``document`` with a slice cut out, replaced by random bytes, or a byte changed."""
    start = draw(st.integers(0, len(document)))
    end = draw(st.integers(start, min(len(document), start + 200)))
    insert = draw(st.binary(max_size=20))
    return document[:start] + insert + document[end:]


@FAST
@given(body=st.one_of(damaged(UBL), damaged(CII)))
def test_damaged_real_invoices_are_read_or_refused_cleanly(body: bytes) -> None:
    read_or_refuse(body, "application/xml")


@st.composite
def with_text_replaced(draw: st.DrawFn, document: bytes) -> bytes:
    """``document`` with the text of one element replaced by random (escaped) text."""
    closers = [i for i in range(len(document)) if document.startswith(b"</", i)]
    at = draw(st.sampled_from(closers))
    opener_end = document.rfind(b">", 0, at) + 1
    text = draw(st.text(max_size=30)).replace("&", "&amp;").replace("<", "&lt;")
    return document[:opener_end] + text.encode("utf-8", errors="replace") + document[at:]


@FAST
@given(body=st.one_of(with_text_replaced(UBL), with_text_replaced(CII)))
def test_any_value_in_any_element_is_read_or_refused_cleanly(body: bytes) -> None:
    read_or_refuse(body, "application/xml")


@SLOW
@given(body=damaged(PDF))
def test_damaged_pdfs_are_read_or_refused_cleanly(body: bytes) -> None:
    read_or_refuse(body, "application/pdf")


@FAST
@given(cut=st.integers(0, len(UBL) - 20))
def test_a_truncated_invoice_is_always_refused(cut: int) -> None:
    assert read_or_refuse(UBL[:cut], "application/xml") is None


FINITE = st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**22, max_value=10**22, places=None)


@FAST
@given(quantity=FINITE, packages_per_unit=st.none() | st.decimals(), mass_per_unit=st.none() | st.decimals(),
       amount=FINITE, currency=st.sampled_from(["EUR", "JPY", "KWD", "XXX", ""]))  # fmt: skip
def test_derive_maps_any_catalogue_values_without_raising(quantity: Decimal, packages_per_unit: Decimal | None,
                                                           mass_per_unit: Decimal | None, amount: Decimal, currency: str) -> None:  # fmt: skip
    base = read_einvoice(UBL, "application/xml")
    line = dataclasses.replace(base.lines[0], quantity=quantity, net_amount=amount)
    invoice = dataclasses.replace(base, currency=currency, lines=(line,))
    items = {"JOIO50CL": ItemMaster(hs_code=None, country_of_origin=None, preferential_origin=None,
                                    net_mass_kg_per_unit=mass_per_unit, packages_per_unit=packages_per_unit)}  # fmt: skip
    derivation = derive(invoice, items=items, partners={}, seller_trader_id={})
    good = derivation.key_data_set["goods"][0]
    missing = {m.path for m in derivation.missing}
    # Each of packages and net mass is either derived or named missing, never both, never neither.
    assert ("packages" in good) != ("goods[0].packages" in missing)
    assert ("net_mass_kg" in good) != ("goods[0].net_mass_kg" in missing)
    if "packages" in good:
        assert isinstance(good["packages"], int) and good["packages"] >= packages_per_unit * quantity  # type: ignore[operator]
