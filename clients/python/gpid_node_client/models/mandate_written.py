from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

from ..models.mandate_written_direction import MandateWrittenDirection, check_mandate_written_direction

T = TypeVar("T", bound="MandateWritten")


@_attrs_define
class MandateWritten:
    """
    Attributes:
        agent (str):
        direction (MandateWrittenDirection):
        active (bool):
        transaction (None | str):
        block (int | None):
    """

    agent: str
    direction: MandateWrittenDirection
    active: bool
    transaction: None | str
    block: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agent = self.agent

        direction: str = self.direction

        active = self.active

        transaction: None | str
        transaction = self.transaction

        block: int | None
        block = self.block

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "agent": agent,
                "direction": direction,
                "active": active,
                "transaction": transaction,
                "block": block,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        agent = d.pop("agent")

        direction = check_mandate_written_direction(d.pop("direction"))

        active = d.pop("active")

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

        mandate_written = cls(
            agent=agent,
            direction=direction,
            active=active,
            transaction=transaction,
            block=block,
        )

        mandate_written.additional_properties = d
        return mandate_written

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
