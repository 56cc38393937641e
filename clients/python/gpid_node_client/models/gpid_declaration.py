from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

if TYPE_CHECKING:
    from ..models.customs_outcome import CustomsOutcome


T = TypeVar("T", bound="GPIDDeclaration")


@_attrs_define
class GPIDDeclaration:
    """
    Attributes:
        reference (str):
        country (str):
        direction (str): `export` or `import`
        linked_at (datetime.datetime | None):
        linked_by (str): the account that linked the declaration to the GPID
        verifications (list[CustomsOutcome]): the outcomes Customs recorded for this declaration, in chain order
    """

    reference: str
    country: str
    direction: str
    linked_at: datetime.datetime | None
    linked_by: str
    verifications: list[CustomsOutcome]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        reference = self.reference

        country = self.country

        direction = self.direction

        linked_at: None | str
        if isinstance(self.linked_at, datetime.datetime):
            linked_at = self.linked_at.isoformat()
        else:
            linked_at = self.linked_at

        linked_by = self.linked_by

        verifications = []
        for verifications_item_data in self.verifications:
            verifications_item = verifications_item_data.to_dict()
            verifications.append(verifications_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "reference": reference,
                "country": country,
                "direction": direction,
                "linked_at": linked_at,
                "linked_by": linked_by,
                "verifications": verifications,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.customs_outcome import CustomsOutcome

        d = dict(src_dict)
        reference = d.pop("reference")

        country = d.pop("country")

        direction = d.pop("direction")

        def _parse_linked_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                linked_at_type_0 = datetime.datetime.fromisoformat(data)

                return linked_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        linked_at = _parse_linked_at(d.pop("linked_at"))

        linked_by = d.pop("linked_by")

        verifications = []
        _verifications = d.pop("verifications")
        for verifications_item_data in _verifications:
            verifications_item = CustomsOutcome.from_dict(verifications_item_data)

            verifications.append(verifications_item)

        gpid_declaration = cls(
            reference=reference,
            country=country,
            direction=direction,
            linked_at=linked_at,
            linked_by=linked_by,
            verifications=verifications,
        )

        gpid_declaration.additional_properties = d
        return gpid_declaration

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
