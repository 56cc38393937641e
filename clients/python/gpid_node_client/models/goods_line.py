from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from typing_extensions import Self

from ..types import UNSET, Unset

T = TypeVar("T", bound="GoodsLine")


@_attrs_define
class GoodsLine:
    """One good on the invoice, numbered from 1.

    Attributes:
        sequence (int):
        description (str): Description of the goods as on the invoice.
        hs_code (str): HS subheading (6 digits) or commodity code (8 or 10 digits) whose first six digits are an
            existing HS subheading, digits only (the node removes dots and spaces written in it).
        value (float | str): Value as per the invoice, > 0, with at most the currency's ISO 4217 minor-unit decimals;
            written as a string with exactly that many decimals.
        currency (str): ISO 4217 currency code.
        packages (int):
        net_mass_kg (float | str): Net mass in kilograms, > 0, at most 3 decimals; written as a string with exactly 3.
        country_of_origin (str): ISO 3166-1 alpha-2 country code.
        binding_tariff_reference (None | str | Unset):
        preferential_origin (None | str | Unset): Preferential origin: null, an ISO 3166-1 alpha-2 country, or an origin
            group (EU).
    """

    sequence: int
    description: str
    hs_code: str
    value: float | str
    currency: str
    packages: int
    net_mass_kg: float | str
    country_of_origin: str
    binding_tariff_reference: None | str | Unset = UNSET
    preferential_origin: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        sequence = self.sequence

        description = self.description

        hs_code = self.hs_code

        value: float | str
        value = self.value

        currency = self.currency

        packages = self.packages

        net_mass_kg: float | str
        net_mass_kg = self.net_mass_kg

        country_of_origin = self.country_of_origin

        binding_tariff_reference: None | str | Unset
        if isinstance(self.binding_tariff_reference, Unset):
            binding_tariff_reference = UNSET
        else:
            binding_tariff_reference = self.binding_tariff_reference

        preferential_origin: None | str | Unset
        if isinstance(self.preferential_origin, Unset):
            preferential_origin = UNSET
        else:
            preferential_origin = self.preferential_origin

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "sequence": sequence,
                "description": description,
                "hs_code": hs_code,
                "value": value,
                "currency": currency,
                "packages": packages,
                "net_mass_kg": net_mass_kg,
                "country_of_origin": country_of_origin,
            }
        )
        if binding_tariff_reference is not UNSET:
            field_dict["binding_tariff_reference"] = binding_tariff_reference
        if preferential_origin is not UNSET:
            field_dict["preferential_origin"] = preferential_origin

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        sequence = d.pop("sequence")

        description = d.pop("description")

        hs_code = d.pop("hs_code")

        def _parse_value(data: object) -> float | str:
            return cast(float | str, data)

        value = _parse_value(d.pop("value"))

        currency = d.pop("currency")

        packages = d.pop("packages")

        def _parse_net_mass_kg(data: object) -> float | str:
            return cast(float | str, data)

        net_mass_kg = _parse_net_mass_kg(d.pop("net_mass_kg"))

        country_of_origin = d.pop("country_of_origin")

        def _parse_binding_tariff_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        binding_tariff_reference = _parse_binding_tariff_reference(d.pop("binding_tariff_reference", UNSET))

        def _parse_preferential_origin(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        preferential_origin = _parse_preferential_origin(d.pop("preferential_origin", UNSET))

        goods_line = cls(
            sequence=sequence,
            description=description,
            hs_code=hs_code,
            value=value,
            currency=currency,
            packages=packages,
            net_mass_kg=net_mass_kg,
            country_of_origin=country_of_origin,
            binding_tariff_reference=binding_tariff_reference,
            preferential_origin=preferential_origin,
        )

        return goods_line
