from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from typing_extensions import Self

from ..types import UNSET, Unset

T = TypeVar("T", bound="DisclosureRequest")


@_attrs_define
class DisclosureRequest:
    """
    Attributes:
        fields (list[str]): field paths to reveal: a field (`invoice.number`), an object (`seller.address`), or a column
            over every goods line (`goods[*].packages`, which also reveals `goods.length`)
        version (int | None | Unset): the version to disclose (the current one when absent)
    """

    fields: list[str]
    version: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        fields = self.fields

        version: int | None | Unset
        if isinstance(self.version, Unset):
            version = UNSET
        else:
            version = self.version

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "fields": fields,
            }
        )
        if version is not UNSET:
            field_dict["version"] = version

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        fields = cast(list[str], d.pop("fields"))

        def _parse_version(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        version = _parse_version(d.pop("version", UNSET))

        disclosure_request = cls(
            fields=fields,
            version=version,
        )

        return disclosure_request
