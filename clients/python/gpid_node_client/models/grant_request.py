from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from typing_extensions import Self

T = TypeVar("T", bound="GrantRequest")


@_attrs_define
class GrantRequest:
    """
    Attributes:
        grantee (str): the account given access (it must have published an encryption key)
        reason (str): why the account is given access; kept by this node with the request, never put on chain
    """

    grantee: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        grantee = self.grantee

        reason = self.reason

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "grantee": grantee,
                "reason": reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        grantee = d.pop("grantee")

        reason = d.pop("reason")

        grant_request = cls(
            grantee=grantee,
            reason=reason,
        )

        return grant_request
