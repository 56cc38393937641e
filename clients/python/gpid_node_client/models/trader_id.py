from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from typing_extensions import Self

from ..models.trader_id_scheme import TraderIdScheme, check_trader_id_scheme
from ..types import UNSET, Unset

T = TypeVar("T", bound="TraderId")


@_attrs_define
class TraderId:
    """A trader's identifier: a scheme (``EORI``, the only one schema version 1 accepts) and its value.

    Attributes:
        value (str): Trader ID in normal form; for EORI a country prefix and 1 to 15 of 0-9A-Z.
        scheme (TraderIdScheme | Unset):  Default: 'EORI'.
    """

    value: str
    scheme: TraderIdScheme | Unset = "EORI"

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
        scheme: TraderIdScheme | Unset
        if isinstance(_scheme, Unset):
            scheme = UNSET
        else:
            scheme = check_trader_id_scheme(_scheme)

        trader_id = cls(
            value=value,
            scheme=scheme,
        )

        return trader_id
