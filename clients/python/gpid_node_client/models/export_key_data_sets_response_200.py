from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.key_data_set_summary import KeyDataSetSummary


T = TypeVar("T", bound="ExportKeyDataSetsResponse200")


@_attrs_define
class ExportKeyDataSetsResponse200:
    """
    Attributes:
        exported_at (datetime.datetime | Unset):
        items (list[KeyDataSetSummary] | Unset):
        total (int | Unset):
    """

    exported_at: datetime.datetime | Unset = UNSET
    items: list[KeyDataSetSummary] | Unset = UNSET
    total: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        exported_at: str | Unset = UNSET
        if not isinstance(self.exported_at, Unset):
            exported_at = self.exported_at.isoformat()

        items: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.items, Unset):
            items = []
            for items_item_data in self.items:
                items_item = items_item_data.to_dict()
                items.append(items_item)

        total = self.total

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if exported_at is not UNSET:
            field_dict["exported_at"] = exported_at
        if items is not UNSET:
            field_dict["items"] = items
        if total is not UNSET:
            field_dict["total"] = total

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.key_data_set_summary import KeyDataSetSummary

        d = dict(src_dict)
        _exported_at = d.pop("exported_at", UNSET)
        exported_at: datetime.datetime | Unset
        if isinstance(_exported_at, Unset):
            exported_at = UNSET
        else:
            exported_at = datetime.datetime.fromisoformat(_exported_at)

        _items = d.pop("items", UNSET)
        items: list[KeyDataSetSummary] | Unset = UNSET
        if _items is not UNSET:
            items = []
            for items_item_data in _items:
                items_item = KeyDataSetSummary.from_dict(items_item_data)

                items.append(items_item)

        total = d.pop("total", UNSET)

        export_key_data_sets_response_200 = cls(
            exported_at=exported_at,
            items=items,
            total=total,
        )

        export_key_data_sets_response_200.additional_properties = d
        return export_key_data_sets_response_200

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
