from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

from ..models.verification_result import VerificationResult, check_verification_result

if TYPE_CHECKING:
    from ..models.verified_gpid import VerifiedGPID


T = TypeVar("T", bound="Verification")


@_attrs_define
class Verification:
    """
    Attributes:
        result (VerificationResult):
        gpids (list[VerifiedGPID]):
    """

    result: VerificationResult
    gpids: list[VerifiedGPID]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        result: str = self.result

        gpids = []
        for gpids_item_data in self.gpids:
            gpids_item = gpids_item_data.to_dict()
            gpids.append(gpids_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "result": result,
                "gpids": gpids,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.verified_gpid import VerifiedGPID

        d = dict(src_dict)
        result = check_verification_result(d.pop("result"))

        gpids = []
        _gpids = d.pop("gpids")
        for gpids_item_data in _gpids:
            gpids_item = VerifiedGPID.from_dict(gpids_item_data)

            gpids.append(gpids_item)

        verification = cls(
            result=result,
            gpids=gpids,
        )

        verification.additional_properties = d
        return verification

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
