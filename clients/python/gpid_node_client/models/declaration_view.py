from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

if TYPE_CHECKING:
    from ..models.declaration_gpid import DeclarationGPID


T = TypeVar("T", bound="DeclarationView")


@_attrs_define
class DeclarationView:
    """
    Attributes:
        country (str):
        reference (str):
        direction (str):
        gpids (list[DeclarationGPID]):
    """

    country: str
    reference: str
    direction: str
    gpids: list[DeclarationGPID]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        country = self.country

        reference = self.reference

        direction = self.direction

        gpids = []
        for gpids_item_data in self.gpids:
            gpids_item = gpids_item_data.to_dict()
            gpids.append(gpids_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "country": country,
                "reference": reference,
                "direction": direction,
                "gpids": gpids,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.declaration_gpid import DeclarationGPID

        d = dict(src_dict)
        country = d.pop("country")

        reference = d.pop("reference")

        direction = d.pop("direction")

        gpids = []
        _gpids = d.pop("gpids")
        for gpids_item_data in _gpids:
            gpids_item = DeclarationGPID.from_dict(gpids_item_data)

            gpids.append(gpids_item)

        declaration_view = cls(
            country=country,
            reference=reference,
            direction=direction,
            gpids=gpids,
        )

        declaration_view.additional_properties = d
        return declaration_view

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
