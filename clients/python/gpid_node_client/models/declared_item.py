from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from typing_extensions import Self

from ..types import UNSET, Unset

T = TypeVar("T", bound="DeclaredItem")


@_attrs_define
class DeclaredItem:
    """One goods line of the declaration, taken from one goods line of a key data set.

    Every field but ``gpid`` and ``goods_sequence`` is optional: left out or ``null`` means the
    declaration does not state it, and it is not checked.

        Attributes:
            gpid (str): the GPID as written in the declaration
            goods_sequence (int): the goods line's sequence number in the key data set
            hs_code (None | str | Unset): 6 to 10 digits; spaces and dots are ignored
            value (float | None | str | Unset): the value as declared, e.g. "18450.00"
            currency (None | str | Unset): ISO 4217 code, upper case
            packages (int | None | Unset):
            net_mass_kg (float | None | str | Unset): kilograms, e.g. "310.500"
            country_of_origin (None | str | Unset): ISO 3166-1 alpha-2, upper case
            preferential_origin (None | str | Unset): a country (alpha-2) or a group such as EU
    """

    gpid: str
    goods_sequence: int
    hs_code: None | str | Unset = UNSET
    value: float | None | str | Unset = UNSET
    currency: None | str | Unset = UNSET
    packages: int | None | Unset = UNSET
    net_mass_kg: float | None | str | Unset = UNSET
    country_of_origin: None | str | Unset = UNSET
    preferential_origin: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        gpid = self.gpid

        goods_sequence = self.goods_sequence

        hs_code: None | str | Unset
        if isinstance(self.hs_code, Unset):
            hs_code = UNSET
        else:
            hs_code = self.hs_code

        value: float | None | str | Unset
        if isinstance(self.value, Unset):
            value = UNSET
        else:
            value = self.value

        currency: None | str | Unset
        if isinstance(self.currency, Unset):
            currency = UNSET
        else:
            currency = self.currency

        packages: int | None | Unset
        if isinstance(self.packages, Unset):
            packages = UNSET
        else:
            packages = self.packages

        net_mass_kg: float | None | str | Unset
        if isinstance(self.net_mass_kg, Unset):
            net_mass_kg = UNSET
        else:
            net_mass_kg = self.net_mass_kg

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

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "gpid": gpid,
                "goods_sequence": goods_sequence,
            }
        )
        if hs_code is not UNSET:
            field_dict["hs_code"] = hs_code
        if value is not UNSET:
            field_dict["value"] = value
        if currency is not UNSET:
            field_dict["currency"] = currency
        if packages is not UNSET:
            field_dict["packages"] = packages
        if net_mass_kg is not UNSET:
            field_dict["net_mass_kg"] = net_mass_kg
        if country_of_origin is not UNSET:
            field_dict["country_of_origin"] = country_of_origin
        if preferential_origin is not UNSET:
            field_dict["preferential_origin"] = preferential_origin

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        gpid = d.pop("gpid")

        goods_sequence = d.pop("goods_sequence")

        def _parse_hs_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        hs_code = _parse_hs_code(d.pop("hs_code", UNSET))

        def _parse_value(data: object) -> float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | str | Unset, data)

        value = _parse_value(d.pop("value", UNSET))

        def _parse_currency(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        currency = _parse_currency(d.pop("currency", UNSET))

        def _parse_packages(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        packages = _parse_packages(d.pop("packages", UNSET))

        def _parse_net_mass_kg(data: object) -> float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | str | Unset, data)

        net_mass_kg = _parse_net_mass_kg(d.pop("net_mass_kg", UNSET))

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

        declared_item = cls(
            gpid=gpid,
            goods_sequence=goods_sequence,
            hs_code=hs_code,
            value=value,
            currency=currency,
            packages=packages,
            net_mass_kg=net_mass_kg,
            country_of_origin=country_of_origin,
            preferential_origin=preferential_origin,
        )

        return declared_item
