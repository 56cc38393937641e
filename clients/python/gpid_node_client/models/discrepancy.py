from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

T = TypeVar("T", bound="Discrepancy")


@_attrs_define
class Discrepancy:
    """
    Attributes:
        goods_sequence (int | None):
        field (str):
        declared (Any):
        registered (Any):
    """

    goods_sequence: int | None
    field: str
    declared: Any
    registered: Any
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        goods_sequence: int | None
        goods_sequence = self.goods_sequence

        field = self.field

        declared = self.declared

        registered = self.registered

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "goods_sequence": goods_sequence,
                "field": field,
                "declared": declared,
                "registered": registered,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_goods_sequence(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        goods_sequence = _parse_goods_sequence(d.pop("goods_sequence"))

        field = d.pop("field")

        declared = d.pop("declared")

        registered = d.pop("registered")

        discrepancy = cls(
            goods_sequence=goods_sequence,
            field=field,
            declared=declared,
            registered=registered,
        )

        discrepancy.additional_properties = d
        return discrepancy

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
