from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

from ..models.submission_status import SubmissionStatus, check_submission_status
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.submission_error_type_0 import SubmissionErrorType0


T = TypeVar("T", bound="Submission")


@_attrs_define
class Submission:
    """
    Attributes:
        submission (int):
        status (SubmissionStatus):
        gpid (None | str | Unset):
        transaction (None | str | Unset):
        block (int | None | Unset):
        error (None | SubmissionErrorType0 | Unset):
    """

    submission: int
    status: SubmissionStatus
    gpid: None | str | Unset = UNSET
    transaction: None | str | Unset = UNSET
    block: int | None | Unset = UNSET
    error: None | SubmissionErrorType0 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.submission_error_type_0 import SubmissionErrorType0

        submission = self.submission

        status: str = self.status

        gpid: None | str | Unset
        if isinstance(self.gpid, Unset):
            gpid = UNSET
        else:
            gpid = self.gpid

        transaction: None | str | Unset
        if isinstance(self.transaction, Unset):
            transaction = UNSET
        else:
            transaction = self.transaction

        block: int | None | Unset
        if isinstance(self.block, Unset):
            block = UNSET
        else:
            block = self.block

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, SubmissionErrorType0):
            error = self.error.to_dict()
        else:
            error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "submission": submission,
                "status": status,
            }
        )
        if gpid is not UNSET:
            field_dict["gpid"] = gpid
        if transaction is not UNSET:
            field_dict["transaction"] = transaction
        if block is not UNSET:
            field_dict["block"] = block
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.submission_error_type_0 import SubmissionErrorType0

        d = dict(src_dict)
        submission = d.pop("submission")

        status = check_submission_status(d.pop("status"))

        def _parse_gpid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        gpid = _parse_gpid(d.pop("gpid", UNSET))

        def _parse_transaction(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        transaction = _parse_transaction(d.pop("transaction", UNSET))

        def _parse_block(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        block = _parse_block(d.pop("block", UNSET))

        def _parse_error(data: object) -> None | SubmissionErrorType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = SubmissionErrorType0.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SubmissionErrorType0 | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        submission = cls(
            submission=submission,
            status=status,
            gpid=gpid,
            transaction=transaction,
            block=block,
            error=error,
        )

        submission.additional_properties = d
        return submission

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
