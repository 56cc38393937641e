"""The seller's item master data: what its catalogue knows of an item that invoices rarely carry."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = ["ItemMaster"]


@dataclass(frozen=True)
class ItemMaster:
    """One catalogue entry, keyed by the seller's item id elsewhere.

    Net mass and packages are given per invoiced unit of the item; the derivation multiplies them
    by the invoiced quantity (packages rounded up), never guessing from the unit of measure.
    """

    hs_code: str | None
    country_of_origin: str | None
    preferential_origin: str | None
    net_mass_kg_per_unit: Decimal | None
    packages_per_unit: Decimal | None
