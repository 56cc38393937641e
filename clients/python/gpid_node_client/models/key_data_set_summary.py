from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

from ..types import UNSET, Unset

T = TypeVar("T", bound="KeyDataSetSummary")


@_attrs_define
class KeyDataSetSummary:
    """
    Attributes:
        gpid (str):
        version (int):
        invoice_number (None | str):
        seller_trader_id (None | str):
        buyer_trader_id (None | str):
        registered_at (datetime.datetime | None):
        updated_at (datetime.datetime | None):
        integrity_ok (bool):
        format_ (int | None | Unset): the payload format on chain: 1 plain, 2 encrypted
        readable (bool | None | Unset): whether you may see its data and this node can read it
    """

    gpid: str
    version: int
    invoice_number: None | str
    seller_trader_id: None | str
    buyer_trader_id: None | str
    registered_at: datetime.datetime | None
    updated_at: datetime.datetime | None
    integrity_ok: bool
    format_: int | None | Unset = UNSET
    readable: bool | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        gpid = self.gpid

        version = self.version

        invoice_number: None | str
        invoice_number = self.invoice_number

        seller_trader_id: None | str
        seller_trader_id = self.seller_trader_id

        buyer_trader_id: None | str
        buyer_trader_id = self.buyer_trader_id

        registered_at: None | str
        if isinstance(self.registered_at, datetime.datetime):
            registered_at = self.registered_at.isoformat()
        else:
            registered_at = self.registered_at

        updated_at: None | str
        if isinstance(self.updated_at, datetime.datetime):
            updated_at = self.updated_at.isoformat()
        else:
            updated_at = self.updated_at

        integrity_ok = self.integrity_ok

        format_: int | None | Unset
        if isinstance(self.format_, Unset):
            format_ = UNSET
        else:
            format_ = self.format_

        readable: bool | None | Unset
        if isinstance(self.readable, Unset):
            readable = UNSET
        else:
            readable = self.readable

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "gpid": gpid,
                "version": version,
                "invoice_number": invoice_number,
                "seller_trader_id": seller_trader_id,
                "buyer_trader_id": buyer_trader_id,
                "registered_at": registered_at,
                "updated_at": updated_at,
                "integrity_ok": integrity_ok,
            }
        )
        if format_ is not UNSET:
            field_dict["format"] = format_
        if readable is not UNSET:
            field_dict["readable"] = readable

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        gpid = d.pop("gpid")

        version = d.pop("version")

        def _parse_invoice_number(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        invoice_number = _parse_invoice_number(d.pop("invoice_number"))

        def _parse_seller_trader_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        seller_trader_id = _parse_seller_trader_id(d.pop("seller_trader_id"))

        def _parse_buyer_trader_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        buyer_trader_id = _parse_buyer_trader_id(d.pop("buyer_trader_id"))

        def _parse_registered_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                registered_at_type_0 = datetime.datetime.fromisoformat(data)

                return registered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        registered_at = _parse_registered_at(d.pop("registered_at"))

        def _parse_updated_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                updated_at_type_0 = datetime.datetime.fromisoformat(data)

                return updated_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        updated_at = _parse_updated_at(d.pop("updated_at"))

        integrity_ok = d.pop("integrity_ok")

        def _parse_format_(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        format_ = _parse_format_(d.pop("format", UNSET))

        def _parse_readable(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        readable = _parse_readable(d.pop("readable", UNSET))

        key_data_set_summary = cls(
            gpid=gpid,
            version=version,
            invoice_number=invoice_number,
            seller_trader_id=seller_trader_id,
            buyer_trader_id=buyer_trader_id,
            registered_at=registered_at,
            updated_at=updated_at,
            integrity_ok=integrity_ok,
            format_=format_,
            readable=readable,
        )

        key_data_set_summary.additional_properties = d
        return key_data_set_summary

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
