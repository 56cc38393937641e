from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from typing_extensions import Self

if TYPE_CHECKING:
    from ..models.address import Address
    from ..models.trader_id import TraderId


T = TypeVar("T", bound="Party")


@_attrs_define
class Party:
    """The seller or the buyer: company name, address and trader ID.

    Attributes:
        name (str): Company name, NFC, trimmed, no control characters.
        address (Address): A postal address; ``country`` is ISO 3166-1 alpha-2.
        trader_id (TraderId): A trader's identifier: a scheme (``EORI``, the only one schema version 1 accepts) and its
            value.
    """

    name: str
    address: Address
    trader_id: TraderId

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        address = self.address.to_dict()

        trader_id = self.trader_id.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "address": address,
                "trader_id": trader_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.address import Address
        from ..models.trader_id import TraderId

        d = dict(src_dict)
        name = d.pop("name")

        address = Address.from_dict(d.pop("address"))

        trader_id = TraderId.from_dict(d.pop("trader_id"))

        party = cls(
            name=name,
            address=address,
            trader_id=trader_id,
        )

        return party
