from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.link_error_type_0 import LinkErrorType0


T = TypeVar("T", bound="Link")


@_attrs_define
class Link:
    """
    Attributes:
        gpid (None | str):
        status (str):
        transaction (None | str | Unset):
        block (int | None | Unset):
        error (LinkErrorType0 | None | Unset):
        submission (int | None | Unset):
    """

    gpid: None | str
    status: str
    transaction: None | str | Unset = UNSET
    block: int | None | Unset = UNSET
    error: LinkErrorType0 | None | Unset = UNSET
    submission: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.link_error_type_0 import LinkErrorType0

        gpid: None | str
        gpid = self.gpid

        status = self.status

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
        elif isinstance(self.error, LinkErrorType0):
            error = self.error.to_dict()
        else:
            error = self.error

        submission: int | None | Unset
        if isinstance(self.submission, Unset):
            submission = UNSET
        else:
            submission = self.submission

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "gpid": gpid,
                "status": status,
            }
        )
        if transaction is not UNSET:
            field_dict["transaction"] = transaction
        if block is not UNSET:
            field_dict["block"] = block
        if error is not UNSET:
            field_dict["error"] = error
        if submission is not UNSET:
            field_dict["submission"] = submission

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.link_error_type_0 import LinkErrorType0

        d = dict(src_dict)

        def _parse_gpid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        gpid = _parse_gpid(d.pop("gpid"))

        status = d.pop("status")

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

        def _parse_error(data: object) -> LinkErrorType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = LinkErrorType0.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LinkErrorType0 | None | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_submission(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        submission = _parse_submission(d.pop("submission", UNSET))

        link = cls(
            gpid=gpid,
            status=status,
            transaction=transaction,
            block=block,
            error=error,
            submission=submission,
        )

        link.additional_properties = d
        return link

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
