from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from typing_extensions import Self

from ..types import UNSET, Unset

T = TypeVar("T", bound="PutItemBody")


@_attrs_define
class PutItemBody:
    """
    Attributes:
        hs_code (None | str | Unset): 6, 8 or 10 digits, an existing HS subheading
        country_of_origin (None | str | Unset): ISO 3166-1 alpha-2
        preferential_origin (None | str | Unset): ISO 3166-1 alpha-2 or an origin group (EU)
        net_mass_kg_per_unit (float | None | str | Unset): kg per invoiced unit, > 0, at most 6 decimals
        packages_per_unit (float | None | str | Unset): packages per invoiced unit, > 0, at most 6 decimals
    """

    hs_code: None | str | Unset = UNSET
    country_of_origin: None | str | Unset = UNSET
    preferential_origin: None | str | Unset = UNSET
    net_mass_kg_per_unit: float | None | str | Unset = UNSET
    packages_per_unit: float | None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        hs_code: None | str | Unset
        if isinstance(self.hs_code, Unset):
            hs_code = UNSET
        else:
            hs_code = self.hs_code

        country_of_origin: None | str | Unset
        if isinstance(self.country_of_origin, Unset):
            country_of_origin = UNSET
        else:
            country_of_origin = self.country_of_origin

        preferential_origin: None | str | Unset
        if isinstance(self.preferential_origin, Unset):
            preferential_origin = UNSET
        else:
            preferential_origin = self.preferential_origin

        net_mass_kg_per_unit: float | None | str | Unset
        if isinstance(self.net_mass_kg_per_unit, Unset):
            net_mass_kg_per_unit = UNSET
        else:
            net_mass_kg_per_unit = self.net_mass_kg_per_unit

        packages_per_unit: float | None | str | Unset
        if isinstance(self.packages_per_unit, Unset):
            packages_per_unit = UNSET
        else:
            packages_per_unit = self.packages_per_unit

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if hs_code is not UNSET:
            field_dict["hs_code"] = hs_code
        if country_of_origin is not UNSET:
            field_dict["country_of_origin"] = country_of_origin
        if preferential_origin is not UNSET:
            field_dict["preferential_origin"] = preferential_origin
        if net_mass_kg_per_unit is not UNSET:
            field_dict["net_mass_kg_per_unit"] = net_mass_kg_per_unit
        if packages_per_unit is not UNSET:
            field_dict["packages_per_unit"] = packages_per_unit

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_hs_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        hs_code = _parse_hs_code(d.pop("hs_code", UNSET))

        def _parse_country_of_origin(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        country_of_origin = _parse_country_of_origin(d.pop("country_of_origin", UNSET))

        def _parse_preferential_origin(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        preferential_origin = _parse_preferential_origin(d.pop("preferential_origin", UNSET))

        def _parse_net_mass_kg_per_unit(data: object) -> float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | str | Unset, data)

        net_mass_kg_per_unit = _parse_net_mass_kg_per_unit(d.pop("net_mass_kg_per_unit", UNSET))

        def _parse_packages_per_unit(data: object) -> float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | str | Unset, data)

        packages_per_unit = _parse_packages_per_unit(d.pop("packages_per_unit", UNSET))

        put_item_body = cls(
            hs_code=hs_code,
            country_of_origin=country_of_origin,
            preferential_origin=preferential_origin,
            net_mass_kg_per_unit=net_mass_kg_per_unit,
            packages_per_unit=packages_per_unit,
        )

        return put_item_body
