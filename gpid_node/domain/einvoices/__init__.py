"""E-invoices (EN 16931: UBL 2.1, UN/CEFACT CII, Factur-X/ZUGFeRD PDF) as the source of key data sets.

Pure: bytes in, values out. :func:`read_einvoice` reads a document safely into an
:class:`EInvoice`; :func:`derive` maps it, completed by the seller's item catalogue
(:class:`ItemMaster`) and partner directory, to the draft of a key data set with every
:class:`Missing` field named (:class:`Derivation`). Which business term feeds which key data set
field is one table, :mod:`gpid_node.domain.einvoices.mapping`, documented in ``docs/einvoices.md``.
"""

from gpid_node.domain.einvoices.derivation import Derivation, Missing, derive
from gpid_node.domain.einvoices.document import EInvoice, InvoiceLine, Party
from gpid_node.domain.einvoices.master_data import ItemMaster
from gpid_node.domain.einvoices.reading import read_einvoice
from gpid_node.domain.errors import EInvoiceRefused

__all__ = [
    "Derivation",
    "EInvoice",
    "EInvoiceRefused",
    "InvoiceLine",
    "ItemMaster",
    "Missing",
    "Party",
    "derive",
    "read_einvoice",
]
