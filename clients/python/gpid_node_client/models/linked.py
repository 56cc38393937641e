from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

from ..models.linked_direction import LinkedDirection, check_linked_direction
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.customs_grant import CustomsGrant
    from ..models.link import Link


T = TypeVar("T", bound="Linked")


@_attrs_define
class Linked:
    """
    Attributes:
        reference (str):
        country (str):
        direction (LinkedDirection):
        links (list[Link]):
        customs_grants (list[CustomsGrant] | Unset): encrypted key data sets whose seller or buyer links a declaration
            of a country whose Customs received no content key at registration are granted to that country's Customs
            accounts in the same step
    """

    reference: str
    country: str
    direction: LinkedDirection
    links: list[Link]
    customs_grants: list[CustomsGrant] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        reference = self.reference

        country = self.country

        direction: str = self.direction

        links = []
        for links_item_data in self.links:
            links_item = links_item_data.to_dict()
            links.append(links_item)

        customs_grants: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.customs_grants, Unset):
            customs_grants = []
            for customs_grants_item_data in self.customs_grants:
                customs_grants_item = customs_grants_item_data.to_dict()
                customs_grants.append(customs_grants_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "reference": reference,
                "country": country,
                "direction": direction,
                "links": links,
            }
        )
        if customs_grants is not UNSET:
            field_dict["customs_grants"] = customs_grants

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.customs_grant import CustomsGrant
        from ..models.link import Link

        d = dict(src_dict)
        reference = d.pop("reference")

        country = d.pop("country")

        direction = check_linked_direction(d.pop("direction"))

        links = []
        _links = d.pop("links")
        for links_item_data in _links:
            links_item = Link.from_dict(links_item_data)

            links.append(links_item)

        _customs_grants = d.pop("customs_grants", UNSET)
        customs_grants: list[CustomsGrant] | Unset = UNSET
        if _customs_grants is not UNSET:
            customs_grants = []
            for customs_grants_item_data in _customs_grants:
                customs_grants_item = CustomsGrant.from_dict(customs_grants_item_data)

                customs_grants.append(customs_grants_item)

        linked = cls(
            reference=reference,
            country=country,
            direction=direction,
            links=links,
            customs_grants=customs_grants,
        )

        linked.additional_properties = d
        return linked

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
