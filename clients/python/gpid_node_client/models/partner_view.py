from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

if TYPE_CHECKING:
    from ..models.trader_id_view import TraderIdView


T = TypeVar("T", bound="PartnerView")


@_attrs_define
class PartnerView:
    """
    Attributes:
        partner_id (str): the customer's VAT id or party id, as the invoices give it
        trader_id (TraderIdView):
        updated_at (datetime.datetime):
    """

    partner_id: str
    trader_id: TraderIdView
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        partner_id = self.partner_id

        trader_id = self.trader_id.to_dict()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "partner_id": partner_id,
                "trader_id": trader_id,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.trader_id_view import TraderIdView

        d = dict(src_dict)
        partner_id = d.pop("partner_id")

        trader_id = TraderIdView.from_dict(d.pop("trader_id"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        partner_view = cls(
            partner_id=partner_id,
            trader_id=trader_id,
            updated_at=updated_at,
        )

        partner_view.additional_properties = d
        return partner_view

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
