from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from typing_extensions import Self

from ..models.declaration_direction import DeclarationDirection, check_declaration_direction

if TYPE_CHECKING:
    from ..models.declared_item import DeclaredItem


T = TypeVar("T", bound="Declaration")


@_attrs_define
class Declaration:
    """The declaration being checked: who filed it where, when, and what it declares.

    Attributes:
        reference (str): the declaration's reference (e.g. an MRN)
        country (str): ISO 3166-1 alpha-2 of the Customs administration, upper case
        direction (DeclarationDirection):
        filed_at (datetime.datetime): when the declaration was lodged, with a time zone
        items (list[DeclaredItem]):
    """

    reference: str
    country: str
    direction: DeclarationDirection
    filed_at: datetime.datetime
    items: list[DeclaredItem]

    def to_dict(self) -> dict[str, Any]:
        reference = self.reference

        country = self.country

        direction: str = self.direction

        filed_at = self.filed_at.isoformat()

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "reference": reference,
                "country": country,
                "direction": direction,
                "filed_at": filed_at,
                "items": items,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.declared_item import DeclaredItem

        d = dict(src_dict)
        reference = d.pop("reference")

        country = d.pop("country")

        direction = check_declaration_direction(d.pop("direction"))

        filed_at = datetime.datetime.fromisoformat(d.pop("filed_at"))

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = DeclaredItem.from_dict(items_item_data)

            items.append(items_item)

        declaration = cls(
            reference=reference,
            country=country,
            direction=direction,
            filed_at=filed_at,
            items=items,
        )

        return declaration
