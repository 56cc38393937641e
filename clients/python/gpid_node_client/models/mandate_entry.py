from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

from ..models.mandate_entry_direction import MandateEntryDirection, check_mandate_entry_direction

T = TypeVar("T", bound="MandateEntry")


@_attrs_define
class MandateEntry:
    """
    Attributes:
        agent (str):
        direction (MandateEntryDirection):
        since (str):
    """

    agent: str
    direction: MandateEntryDirection
    since: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agent = self.agent

        direction: str = self.direction

        since = self.since

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "agent": agent,
                "direction": direction,
                "since": since,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        agent = d.pop("agent")

        direction = check_mandate_entry_direction(d.pop("direction"))

        since = d.pop("since")

        mandate_entry = cls(
            agent=agent,
            direction=direction,
            since=since,
        )

        mandate_entry.additional_properties = d
        return mandate_entry

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
