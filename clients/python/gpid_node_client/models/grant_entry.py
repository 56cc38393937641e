from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

T = TypeVar("T", bound="GrantEntry")


@_attrs_define
class GrantEntry:
    """
    Attributes:
        grantee (str):
        granter (str): the account that granted
        active (bool): false once revoked (what was shared stays shared)
        granted_at (str):
        revoked_at (None | str):
        transaction (str): the grant's transaction
    """

    grantee: str
    granter: str
    active: bool
    granted_at: str
    revoked_at: None | str
    transaction: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        grantee = self.grantee

        granter = self.granter

        active = self.active

        granted_at = self.granted_at

        revoked_at: None | str
        revoked_at = self.revoked_at

        transaction = self.transaction

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "grantee": grantee,
                "granter": granter,
                "active": active,
                "granted_at": granted_at,
                "revoked_at": revoked_at,
                "transaction": transaction,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        grantee = d.pop("grantee")

        granter = d.pop("granter")

        active = d.pop("active")

        granted_at = d.pop("granted_at")

        def _parse_revoked_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        revoked_at = _parse_revoked_at(d.pop("revoked_at"))

        transaction = d.pop("transaction")

        grant_entry = cls(
            grantee=grantee,
            granter=granter,
            active=active,
            granted_at=granted_at,
            revoked_at=revoked_at,
            transaction=transaction,
        )

        grant_entry.additional_properties = d
        return grant_entry

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
