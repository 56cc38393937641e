from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from typing_extensions import Self

from ..models.put_partner_body_trader_id_scheme import (
    PutPartnerBodyTraderIdScheme,
    check_put_partner_body_trader_id_scheme,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="PutPartnerBodyTraderId")


@_attrs_define
class PutPartnerBodyTraderId:
    """
    Attributes:
        value (str):
        scheme (PutPartnerBodyTraderIdScheme | Unset):
    """

    value: str
    scheme: PutPartnerBodyTraderIdScheme | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        value = self.value

        scheme: str | Unset = UNSET
        if not isinstance(self.scheme, Unset):
            scheme = self.scheme

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "value": value,
            }
        )
        if scheme is not UNSET:
            field_dict["scheme"] = scheme

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        value = d.pop("value")

        _scheme = d.pop("scheme", UNSET)
        scheme: PutPartnerBodyTraderIdScheme | Unset
        if isinstance(_scheme, Unset):
            scheme = UNSET
        else:
            scheme = check_put_partner_body_trader_id_scheme(_scheme)

        put_partner_body_trader_id = cls(
            value=value,
            scheme=scheme,
        )

        return put_partner_body_trader_id
