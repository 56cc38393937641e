from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from typing_extensions import Self

if TYPE_CHECKING:
    from ..models.declaration import Declaration


T = TypeVar("T", bound="VerificationRequest")


@_attrs_define
class VerificationRequest:
    """The body of ``POST /v1/verifications``.

    Attributes:
        declaration (Declaration): The declaration being checked: who filed it where, when, and what it declares.
    """

    declaration: Declaration

    def to_dict(self) -> dict[str, Any]:
        declaration = self.declaration.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "declaration": declaration,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.declaration import Declaration

        d = dict(src_dict)
        declaration = Declaration.from_dict(d.pop("declaration"))

        verification_request = cls(
            declaration=declaration,
        )

        return verification_request
