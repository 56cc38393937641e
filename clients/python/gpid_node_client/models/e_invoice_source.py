from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

T = TypeVar("T", bound="EInvoiceSource")


@_attrs_define
class EInvoiceSource:
    """
    Attributes:
        syntax (str): UBL or CII
        customization (str): the specification identifier (BT-24), e.g. Peppol BIS Billing 3.0's
        sha256 (str): SHA-256 (hex) of the document as received: the XML, or the Factur-X PDF
    """

    syntax: str
    customization: str
    sha256: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        syntax = self.syntax

        customization = self.customization

        sha256 = self.sha256

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "syntax": syntax,
                "customization": customization,
                "sha256": sha256,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        syntax = d.pop("syntax")

        customization = d.pop("customization")

        sha256 = d.pop("sha256")

        e_invoice_source = cls(
            syntax=syntax,
            customization=customization,
            sha256=sha256,
        )

        e_invoice_source.additional_properties = d
        return e_invoice_source

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
