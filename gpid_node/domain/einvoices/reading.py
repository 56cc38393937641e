"""Reading an e-invoice: bytes and a media type in, an :class:`EInvoice` out, or a refusal."""

from __future__ import annotations

from gpid_node.domain.einvoices.document import EInvoice

__all__ = ["read_einvoice"]


def read_einvoice(body: bytes, media_type: str) -> EInvoice:
    """The e-invoice in ``body`` (``application/xml``, ``text/xml`` or ``application/pdf``).

    Raises :class:`~gpid_node.domain.errors.EInvoiceRefused` naming every problem.
    """
    raise NotImplementedError("reading lands in the next commit of branch einvoice")
