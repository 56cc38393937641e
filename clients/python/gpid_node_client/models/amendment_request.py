from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from typing_extensions import Self

from ..models.amendment_request_reason_code import AmendmentRequestReasonCode, check_amendment_request_reason_code
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.amendment_request_changes import AmendmentRequestChanges


T = TypeVar("T", bound="AmendmentRequest")


@_attrs_define
class AmendmentRequest:
    """
    Attributes:
        changes (AmendmentRequestChanges): a JSON merge patch (RFC 7396) applied to the current key data set;
            seller.trader_id, invoice.number and invoice.date never change
        reason (str): why the key data set changes
        reason_code (AmendmentRequestReasonCode | Unset):  Default: 'correction'.
    """

    changes: AmendmentRequestChanges
    reason: str
    reason_code: AmendmentRequestReasonCode | Unset = "correction"

    def to_dict(self) -> dict[str, Any]:
        changes = self.changes.to_dict()

        reason = self.reason

        reason_code: str | Unset = UNSET
        if not isinstance(self.reason_code, Unset):
            reason_code = self.reason_code

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "changes": changes,
                "reason": reason,
            }
        )
        if reason_code is not UNSET:
            field_dict["reason_code"] = reason_code

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.amendment_request_changes import AmendmentRequestChanges

        d = dict(src_dict)
        changes = AmendmentRequestChanges.from_dict(d.pop("changes"))

        reason = d.pop("reason")

        _reason_code = d.pop("reason_code", UNSET)
        reason_code: AmendmentRequestReasonCode | Unset
        if isinstance(_reason_code, Unset):
            reason_code = UNSET
        else:
            reason_code = check_amendment_request_reason_code(_reason_code)

        amendment_request = cls(
            changes=changes,
            reason=reason,
            reason_code=reason_code,
        )

        return amendment_request
