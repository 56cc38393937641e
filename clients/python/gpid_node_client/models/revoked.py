from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

T = TypeVar("T", bound="Revoked")


@_attrs_define
class Revoked:
    """
    Attributes:
        gpid (str):
        grantee (str):
        revoked (bool):
        transaction (None | str):
        block (int | None):
        note (str): what a revocation ends, and what stays shared
    """

    gpid: str
    grantee: str
    revoked: bool
    transaction: None | str
    block: int | None
    note: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        gpid = self.gpid

        grantee = self.grantee

        revoked = self.revoked

        transaction: None | str
        transaction = self.transaction

        block: int | None
        block = self.block

        note = self.note

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "gpid": gpid,
                "grantee": grantee,
                "revoked": revoked,
                "transaction": transaction,
                "block": block,
                "note": note,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        gpid = d.pop("gpid")

        grantee = d.pop("grantee")

        revoked = d.pop("revoked")

        def _parse_transaction(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        transaction = _parse_transaction(d.pop("transaction"))

        def _parse_block(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        block = _parse_block(d.pop("block"))

        note = d.pop("note")

        revoked = cls(
            gpid=gpid,
            grantee=grantee,
            revoked=revoked,
            transaction=transaction,
            block=block,
            note=note,
        )

        revoked.additional_properties = d
        return revoked

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
