"""The registry's caps on growth per GPID, as the node applies them before it records a write, and
the bounds on an e-invoice the node reads.

The contract keeps at most :data:`MAX_VERSIONS` versions of a key data set (the registration and 99
amendments) and at most :data:`MAX_LINKS` declarations that reference one GPID (``GPIDRegistry``'s
constants of the same names; ``contracts/test/vectors.json`` holds them and tests check both sides
against it). A real invoice is corrected a few times and declared a handful of times, so the caps
never bind honest use; they bound what every node indexes per GPID and what a read or a
verification loads. The node refuses a write past a cap itself, with the contract's error, so that
nothing is recorded in the outbox for a transaction the registry would revert.

An e-invoice is read only up to :data:`MAX_EINVOICE_XML_BYTES` of XML (a PDF up to
:data:`MAX_EINVOICE_PDF_BYTES`) and :data:`MAX_EINVOICE_XML_DEPTH` levels of elements: real invoices
are tens of kilobytes and about ten levels deep (UBL extensions with signatures a few more), so the
bounds refuse only documents built to exhaust the reader. :data:`MAX_EINVOICE_PROBLEMS` bounds the
problems one refusal lists.
"""

from __future__ import annotations

from gpid_node.domain.errors import TooManyLinks, TooManyVersions

__all__ = [
    "MAX_EINVOICE_PDF_BYTES",
    "MAX_EINVOICE_PROBLEMS",
    "MAX_EINVOICE_XML_BYTES",
    "MAX_EINVOICE_XML_DEPTH",
    "MAX_LINKS",
    "MAX_VERSIONS",
    "require_room_for_link",
    "require_room_for_version",
]

MAX_VERSIONS = 100
MAX_LINKS = 100

MAX_EINVOICE_XML_BYTES = 10 * 1024 * 1024
MAX_EINVOICE_PDF_BYTES = 20 * 1024 * 1024
MAX_EINVOICE_XML_DEPTH = 64
MAX_EINVOICE_PROBLEMS = 100


def require_room_for_version(gpid: str, versions: int) -> None:
    """Refuses an amendment of ``gpid`` when it has ``MAX_VERSIONS`` versions already.

    ``versions`` is its current version number (versions count from 1 without gaps).
    """
    if versions >= MAX_VERSIONS:
        raise TooManyVersions(gpid, MAX_VERSIONS)


def require_room_for_link(gpid: str, links: int) -> None:
    """Refuses one more declaration link to ``gpid`` when ``links`` declarations reference it already."""
    if links >= MAX_LINKS:
        raise TooManyLinks(gpid, MAX_LINKS)
