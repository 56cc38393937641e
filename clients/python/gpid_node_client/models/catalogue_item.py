from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

T = TypeVar("T", bound="CatalogueItem")


@_attrs_define
class CatalogueItem:
    """
    Attributes:
        item_id (str):
        hs_code (None | str):
        country_of_origin (None | str):
        preferential_origin (None | str):
        net_mass_kg_per_unit (None | str): kg per invoiced unit, exact decimal as text
        packages_per_unit (None | str): packages per invoiced unit (the derivation rounds the total up)
        updated_at (datetime.datetime):
    """

    item_id: str
    hs_code: None | str
    country_of_origin: None | str
    preferential_origin: None | str
    net_mass_kg_per_unit: None | str
    packages_per_unit: None | str
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        item_id = self.item_id

        hs_code: None | str
        hs_code = self.hs_code

        country_of_origin: None | str
        country_of_origin = self.country_of_origin

        preferential_origin: None | str
        preferential_origin = self.preferential_origin

        net_mass_kg_per_unit: None | str
        net_mass_kg_per_unit = self.net_mass_kg_per_unit

        packages_per_unit: None | str
        packages_per_unit = self.packages_per_unit

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "item_id": item_id,
                "hs_code": hs_code,
                "country_of_origin": country_of_origin,
                "preferential_origin": preferential_origin,
                "net_mass_kg_per_unit": net_mass_kg_per_unit,
                "packages_per_unit": packages_per_unit,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        item_id = d.pop("item_id")

        def _parse_hs_code(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        hs_code = _parse_hs_code(d.pop("hs_code"))

        def _parse_country_of_origin(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        country_of_origin = _parse_country_of_origin(d.pop("country_of_origin"))

        def _parse_preferential_origin(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        preferential_origin = _parse_preferential_origin(d.pop("preferential_origin"))

        def _parse_net_mass_kg_per_unit(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        net_mass_kg_per_unit = _parse_net_mass_kg_per_unit(d.pop("net_mass_kg_per_unit"))

        def _parse_packages_per_unit(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        packages_per_unit = _parse_packages_per_unit(d.pop("packages_per_unit"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        catalogue_item = cls(
            item_id=item_id,
            hs_code=hs_code,
            country_of_origin=country_of_origin,
            preferential_origin=preferential_origin,
            net_mass_kg_per_unit=net_mass_kg_per_unit,
            packages_per_unit=packages_per_unit,
            updated_at=updated_at,
        )

        catalogue_item.additional_properties = d
        return catalogue_item

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
