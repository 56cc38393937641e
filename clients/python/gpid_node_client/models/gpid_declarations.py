from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

if TYPE_CHECKING:
    from ..models.gpid_declaration import GPIDDeclaration


T = TypeVar("T", bound="GPIDDeclarations")


@_attrs_define
class GPIDDeclarations:
    """
    Attributes:
        gpid (str):
        items (list[GPIDDeclaration]): the declarations referencing the GPID, in the order they were linked
    """

    gpid: str
    items: list[GPIDDeclaration]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        gpid = self.gpid

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "gpid": gpid,
                "items": items,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.gpid_declaration import GPIDDeclaration

        d = dict(src_dict)
        gpid = d.pop("gpid")

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = GPIDDeclaration.from_dict(items_item_data)

            items.append(items_item)

        gpid_declarations = cls(
            gpid=gpid,
            items=items,
        )

        gpid_declarations.additional_properties = d
        return gpid_declarations

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
