from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from typing_extensions import Self

if TYPE_CHECKING:
    from ..models.put_partner_body_trader_id import PutPartnerBodyTraderId


T = TypeVar("T", bound="PutPartnerBody")


@_attrs_define
class PutPartnerBody:
    """
    Attributes:
        trader_id (PutPartnerBodyTraderId):
    """

    trader_id: PutPartnerBodyTraderId

    def to_dict(self) -> dict[str, Any]:
        trader_id = self.trader_id.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "trader_id": trader_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.put_partner_body_trader_id import PutPartnerBodyTraderId

        d = dict(src_dict)
        trader_id = PutPartnerBodyTraderId.from_dict(d.pop("trader_id"))

        put_partner_body = cls(
            trader_id=trader_id,
        )

        return put_partner_body
