from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from typing_extensions import Self

from ..models.mandate_request_direction import MandateRequestDirection, check_mandate_request_direction

T = TypeVar("T", bound="MandateRequest")


@_attrs_define
class MandateRequest:
    """
    Attributes:
        agent (str): the agent's account (e.g. your export broker)
        direction (MandateRequestDirection): the declarations the agent may link for you
    """

    agent: str
    direction: MandateRequestDirection

    def to_dict(self) -> dict[str, Any]:
        agent = self.agent

        direction: str = self.direction

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "agent": agent,
                "direction": direction,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        agent = d.pop("agent")

        direction = check_mandate_request_direction(d.pop("direction"))

        mandate_request = cls(
            agent=agent,
            direction=direction,
        )

        return mandate_request
