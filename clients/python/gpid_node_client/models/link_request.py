from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from typing_extensions import Self

from ..models.link_request_direction import LinkRequestDirection, check_link_request_direction

T = TypeVar("T", bound="LinkRequest")


@_attrs_define
class LinkRequest:
    """
    Attributes:
        reference (str): the declaration's reference (e.g. an MRN)
        country (str): ISO 3166-1 alpha-2 of the Customs administration
        direction (LinkRequestDirection):
        gpids (list[str]): the GPIDs the declaration references
    """

    reference: str
    country: str
    direction: LinkRequestDirection
    gpids: list[str]

    def to_dict(self) -> dict[str, Any]:
        reference = self.reference

        country = self.country

        direction: str = self.direction

        gpids = self.gpids

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "reference": reference,
                "country": country,
                "direction": direction,
                "gpids": gpids,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        reference = d.pop("reference")

        country = d.pop("country")

        direction = check_link_request_direction(d.pop("direction"))

        gpids = cast(list[str], d.pop("gpids"))

        link_request = cls(
            reference=reference,
            country=country,
            direction=direction,
            gpids=gpids,
        )

        return link_request
