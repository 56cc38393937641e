from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.discrepancy import Discrepancy
    from ..models.verified_gpid_amendments_item import VerifiedGPIDAmendmentsItem
    from ..models.verified_gpid_integrity import VerifiedGPIDIntegrity
    from ..models.verified_gpid_other_declarations_item import VerifiedGPIDOtherDeclarationsItem


T = TypeVar("T", bound="VerifiedGPID")


@_attrs_define
class VerifiedGPID:
    """
    Attributes:
        gpid (str):
        integrity (VerifiedGPIDIntegrity):
        version_at_filing (int | None):
        amended_after_filing (bool):
        amendments (list[VerifiedGPIDAmendmentsItem]):
        other_declarations (list[VerifiedGPIDOtherDeclarationsItem]):
        discrepancies (list[Discrepancy]):
        outcome_recorded (bool | Unset): Customs' outcome for this GPID is being recorded on chain (an encrypted key
            data set's outcome only when this declaration is linked to it; `outcome_not_recorded` says why not) Default:
            False.
    """

    gpid: str
    integrity: VerifiedGPIDIntegrity
    version_at_filing: int | None
    amended_after_filing: bool
    amendments: list[VerifiedGPIDAmendmentsItem]
    other_declarations: list[VerifiedGPIDOtherDeclarationsItem]
    discrepancies: list[Discrepancy]
    outcome_recorded: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        gpid = self.gpid

        integrity = self.integrity.to_dict()

        version_at_filing: int | None
        version_at_filing = self.version_at_filing

        amended_after_filing = self.amended_after_filing

        amendments = []
        for amendments_item_data in self.amendments:
            amendments_item = amendments_item_data.to_dict()
            amendments.append(amendments_item)

        other_declarations = []
        for other_declarations_item_data in self.other_declarations:
            other_declarations_item = other_declarations_item_data.to_dict()
            other_declarations.append(other_declarations_item)

        discrepancies = []
        for discrepancies_item_data in self.discrepancies:
            discrepancies_item = discrepancies_item_data.to_dict()
            discrepancies.append(discrepancies_item)

        outcome_recorded = self.outcome_recorded

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "gpid": gpid,
                "integrity": integrity,
                "version_at_filing": version_at_filing,
                "amended_after_filing": amended_after_filing,
                "amendments": amendments,
                "other_declarations": other_declarations,
                "discrepancies": discrepancies,
            }
        )
        if outcome_recorded is not UNSET:
            field_dict["outcome_recorded"] = outcome_recorded

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.discrepancy import Discrepancy
        from ..models.verified_gpid_amendments_item import VerifiedGPIDAmendmentsItem
        from ..models.verified_gpid_integrity import VerifiedGPIDIntegrity
        from ..models.verified_gpid_other_declarations_item import VerifiedGPIDOtherDeclarationsItem

        d = dict(src_dict)
        gpid = d.pop("gpid")

        integrity = VerifiedGPIDIntegrity.from_dict(d.pop("integrity"))

        def _parse_version_at_filing(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        version_at_filing = _parse_version_at_filing(d.pop("version_at_filing"))

        amended_after_filing = d.pop("amended_after_filing")

        amendments = []
        _amendments = d.pop("amendments")
        for amendments_item_data in _amendments:
            amendments_item = VerifiedGPIDAmendmentsItem.from_dict(amendments_item_data)

            amendments.append(amendments_item)

        other_declarations = []
        _other_declarations = d.pop("other_declarations")
        for other_declarations_item_data in _other_declarations:
            other_declarations_item = VerifiedGPIDOtherDeclarationsItem.from_dict(other_declarations_item_data)

            other_declarations.append(other_declarations_item)

        discrepancies = []
        _discrepancies = d.pop("discrepancies")
        for discrepancies_item_data in _discrepancies:
            discrepancies_item = Discrepancy.from_dict(discrepancies_item_data)

            discrepancies.append(discrepancies_item)

        outcome_recorded = d.pop("outcome_recorded", UNSET)

        verified_gpid = cls(
            gpid=gpid,
            integrity=integrity,
            version_at_filing=version_at_filing,
            amended_after_filing=amended_after_filing,
            amendments=amendments,
            other_declarations=other_declarations,
            discrepancies=discrepancies,
            outcome_recorded=outcome_recorded,
        )

        verified_gpid.additional_properties = d
        return verified_gpid

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
