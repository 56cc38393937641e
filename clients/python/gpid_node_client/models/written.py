from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

from ..models.written_status import WrittenStatus, check_written_status

T = TypeVar("T", bound="Written")


@_attrs_define
class Written:
    """A write the node accepted: mined (201) or still on its way (202, follow ``Location``).

    Attributes:
        gpid (str):
        version (int):
        transaction (None | str): transaction hash (null while not yet sent)
        block (int | None): block number (null while not yet mined)
        status (WrittenStatus):
        submission (int): the outbox entry: GET /v1/submissions/{submission}
    """

    gpid: str
    version: int
    transaction: None | str
    block: int | None
    status: WrittenStatus
    submission: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        gpid = self.gpid

        version = self.version

        transaction: None | str
        transaction = self.transaction

        block: int | None
        block = self.block

        status: str = self.status

        submission = self.submission

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "gpid": gpid,
                "version": version,
                "transaction": transaction,
                "block": block,
                "status": status,
                "submission": submission,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        gpid = d.pop("gpid")

        version = d.pop("version")

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

        status = check_written_status(d.pop("status"))

        submission = d.pop("submission")

        written = cls(
            gpid=gpid,
            version=version,
            transaction=transaction,
            block=block,
            status=status,
            submission=submission,
        )

        written.additional_properties = d
        return written

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
