from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

from ..models.integrity_checked_against import IntegrityCheckedAgainst, check_integrity_checked_against

T = TypeVar("T", bound="Integrity")


@_attrs_define
class Integrity:
    """
    Attributes:
        verified (bool): the version is proven against the digest the registry holds
        checked_against (IntegrityCheckedAgainst): `chain` when the proof was made against the registry now, `index`
            when the chain was unreachable
    """

    verified: bool
    checked_against: IntegrityCheckedAgainst
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        verified = self.verified

        checked_against: str = self.checked_against

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "verified": verified,
                "checked_against": checked_against,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        verified = d.pop("verified")

        checked_against = check_integrity_checked_against(d.pop("checked_against"))

        integrity = cls(
            verified=verified,
            checked_against=checked_against,
        )

        integrity.additional_properties = d
        return integrity

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
