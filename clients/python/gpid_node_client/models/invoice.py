from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from typing_extensions import Self

T = TypeVar("T", bound="Invoice")


@_attrs_define
class Invoice:
    """The commercial invoice the key data set describes: its number as written and its date.

    Attributes:
        number (str): Invoice number as written on the invoice (NFC, trimmed).
        date (datetime.date): Invoice date, not in the future.
    """

    number: str
    date: datetime.date

    def to_dict(self) -> dict[str, Any]:
        number = self.number

        date = self.date.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "number": number,
                "date": date,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        number = d.pop("number")

        date = datetime.date.fromisoformat(d.pop("date"))

        invoice = cls(
            number=number,
            date=date,
        )

        return invoice
