from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

if TYPE_CHECKING:
    from ..models.field_error import FieldError
    from ..models.verdict_fields_type_0 import VerdictFieldsType0


T = TypeVar("T", bound="Verdict")


@_attrs_define
class Verdict:
    """
    Attributes:
        valid (bool): the revealed fields are those of the version whose digest the registry holds
        gpid (None | str):
        version (int | None):
        current_version (int | None): the GPID's current version (null when the registry knows none)
        superseded (bool): valid, and a later version amended the key data set since
        block (int | None): the block as of which current_version is stated
        checked_against (None | str): `chain` (the registry's digest) or `index` (the chain was unreachable)
        fields (None | VerdictFieldsType0): the proven fields, one concrete path each (null when not valid)
        problems (list[FieldError]): why the document proves nothing (empty when valid)
    """

    valid: bool
    gpid: None | str
    version: int | None
    current_version: int | None
    superseded: bool
    block: int | None
    checked_against: None | str
    fields: None | VerdictFieldsType0
    problems: list[FieldError]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.verdict_fields_type_0 import VerdictFieldsType0

        valid = self.valid

        gpid: None | str
        gpid = self.gpid

        version: int | None
        version = self.version

        current_version: int | None
        current_version = self.current_version

        superseded = self.superseded

        block: int | None
        block = self.block

        checked_against: None | str
        checked_against = self.checked_against

        fields: dict[str, Any] | None
        if isinstance(self.fields, VerdictFieldsType0):
            fields = self.fields.to_dict()
        else:
            fields = self.fields

        problems = []
        for problems_item_data in self.problems:
            problems_item = problems_item_data.to_dict()
            problems.append(problems_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "valid": valid,
                "gpid": gpid,
                "version": version,
                "current_version": current_version,
                "superseded": superseded,
                "block": block,
                "checked_against": checked_against,
                "fields": fields,
                "problems": problems,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.field_error import FieldError
        from ..models.verdict_fields_type_0 import VerdictFieldsType0

        d = dict(src_dict)
        valid = d.pop("valid")

        def _parse_gpid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        gpid = _parse_gpid(d.pop("gpid"))

        def _parse_version(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        version = _parse_version(d.pop("version"))

        def _parse_current_version(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        current_version = _parse_current_version(d.pop("current_version"))

        superseded = d.pop("superseded")

        def _parse_block(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        block = _parse_block(d.pop("block"))

        def _parse_checked_against(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        checked_against = _parse_checked_against(d.pop("checked_against"))

        def _parse_fields(data: object) -> None | VerdictFieldsType0:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                fields_type_0 = VerdictFieldsType0.from_dict(data)

                return fields_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | VerdictFieldsType0, data)

        fields = _parse_fields(d.pop("fields"))

        problems = []
        _problems = d.pop("problems")
        for problems_item_data in _problems:
            problems_item = FieldError.from_dict(problems_item_data)

            problems.append(problems_item)

        verdict = cls(
            valid=valid,
            gpid=gpid,
            version=version,
            current_version=current_version,
            superseded=superseded,
            block=block,
            checked_against=checked_against,
            fields=fields,
            problems=problems,
        )

        verdict.additional_properties = d
        return verdict

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
