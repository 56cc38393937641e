from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

T = TypeVar("T", bound="DeclarationGPID")


@_attrs_define
class DeclarationGPID:
    """
    Attributes:
        gpid (str):
        direction (str):
        linker (str):
        linked_at (datetime.datetime | None):
        transaction (None | str):
        block (int | None):
    """

    gpid: str
    direction: str
    linker: str
    linked_at: datetime.datetime | None
    transaction: None | str
    block: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        gpid = self.gpid

        direction = self.direction

        linker = self.linker

        linked_at: None | str
        if isinstance(self.linked_at, datetime.datetime):
            linked_at = self.linked_at.isoformat()
        else:
            linked_at = self.linked_at

        transaction: None | str
        transaction = self.transaction

        block: int | None
        block = self.block

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "gpid": gpid,
                "direction": direction,
                "linker": linker,
                "linked_at": linked_at,
                "transaction": transaction,
                "block": block,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        gpid = d.pop("gpid")

        direction = d.pop("direction")

        linker = d.pop("linker")

        def _parse_linked_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                linked_at_type_0 = datetime.datetime.fromisoformat(data)

                return linked_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        linked_at = _parse_linked_at(d.pop("linked_at"))

        def _parse_transaction(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        transaction = _parse_transaction(d.pop("transaction"))

        def _parse_block(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        block = _parse_block(d.pop("block"))

        declaration_gpid = cls(
            gpid=gpid,
            direction=direction,
            linker=linker,
            linked_at=linked_at,
            transaction=transaction,
            block=block,
        )

        declaration_gpid.additional_properties = d
        return declaration_gpid

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
