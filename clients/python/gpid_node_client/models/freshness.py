from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

T = TypeVar("T", bound="Freshness")


@_attrs_define
class Freshness:
    """
    Attributes:
        indexed_block (int | None):
        head_block (int | None):
        lag_blocks (int | None):
        chain_reachable (bool):
    """

    indexed_block: int | None
    head_block: int | None
    lag_blocks: int | None
    chain_reachable: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        indexed_block: int | None
        indexed_block = self.indexed_block

        head_block: int | None
        head_block = self.head_block

        lag_blocks: int | None
        lag_blocks = self.lag_blocks

        chain_reachable = self.chain_reachable

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "indexed_block": indexed_block,
                "head_block": head_block,
                "lag_blocks": lag_blocks,
                "chain_reachable": chain_reachable,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_indexed_block(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        indexed_block = _parse_indexed_block(d.pop("indexed_block"))

        def _parse_head_block(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        head_block = _parse_head_block(d.pop("head_block"))

        def _parse_lag_blocks(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        lag_blocks = _parse_lag_blocks(d.pop("lag_blocks"))

        chain_reachable = d.pop("chain_reachable")

        freshness = cls(
            indexed_block=indexed_block,
            head_block=head_block,
            lag_blocks=lag_blocks,
            chain_reachable=chain_reachable,
        )

        freshness.additional_properties = d
        return freshness

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
