from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from typing_extensions import Self

T = TypeVar("T", bound="Address")


@_attrs_define
class Address:
    """A postal address; ``country`` is ISO 3166-1 alpha-2.

    Attributes:
        street (str): Street and number.
        postcode (str): Postcode as written in the country of the address.
        city (str): City.
        country (str): ISO 3166-1 alpha-2 country code.
    """

    street: str
    postcode: str
    city: str
    country: str

    def to_dict(self) -> dict[str, Any]:
        street = self.street

        postcode = self.postcode

        city = self.city

        country = self.country

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "street": street,
                "postcode": postcode,
                "city": city,
                "country": country,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        street = d.pop("street")

        postcode = d.pop("postcode")

        city = d.pop("city")

        country = d.pop("country")

        address = cls(
            street=street,
            postcode=postcode,
            city=city,
            country=country,
        )

        return address
