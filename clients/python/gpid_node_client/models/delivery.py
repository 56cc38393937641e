from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

T = TypeVar("T", bound="Delivery")


@_attrs_define
class Delivery:
    """
    Attributes:
        id (int):
        event (str):
        type_ (str):
        replay (int):
        status (str): pending | delivered | dead (no attempts left)
        attempts (int):
        next_attempt_at (None | str): when it is tried next (pending deliveries), else null
        last_status (int | None):
        last_error (None | str):
        last_attempt_at (None | str): when it was last sent, or null before the first attempt
        delivered_at (None | str): when the receiver answered 2xx, or null
        created_at (None | str): when the event was queued for this webhook
    """

    id: int
    event: str
    type_: str
    replay: int
    status: str
    attempts: int
    next_attempt_at: None | str
    last_status: int | None
    last_error: None | str
    last_attempt_at: None | str
    delivered_at: None | str
    created_at: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        event = self.event

        type_ = self.type_

        replay = self.replay

        status = self.status

        attempts = self.attempts

        next_attempt_at: None | str
        next_attempt_at = self.next_attempt_at

        last_status: int | None
        last_status = self.last_status

        last_error: None | str
        last_error = self.last_error

        last_attempt_at: None | str
        last_attempt_at = self.last_attempt_at

        delivered_at: None | str
        delivered_at = self.delivered_at

        created_at: None | str
        created_at = self.created_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "event": event,
                "type": type_,
                "replay": replay,
                "status": status,
                "attempts": attempts,
                "next_attempt_at": next_attempt_at,
                "last_status": last_status,
                "last_error": last_error,
                "last_attempt_at": last_attempt_at,
                "delivered_at": delivered_at,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        event = d.pop("event")

        type_ = d.pop("type")

        replay = d.pop("replay")

        status = d.pop("status")

        attempts = d.pop("attempts")

        def _parse_next_attempt_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_attempt_at = _parse_next_attempt_at(d.pop("next_attempt_at"))

        def _parse_last_status(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        last_status = _parse_last_status(d.pop("last_status"))

        def _parse_last_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_error = _parse_last_error(d.pop("last_error"))

        def _parse_last_attempt_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_attempt_at = _parse_last_attempt_at(d.pop("last_attempt_at"))

        def _parse_delivered_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        delivered_at = _parse_delivered_at(d.pop("delivered_at"))

        def _parse_created_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        created_at = _parse_created_at(d.pop("created_at"))

        delivery = cls(
            id=id,
            event=event,
            type_=type_,
            replay=replay,
            status=status,
            attempts=attempts,
            next_attempt_at=next_attempt_at,
            last_status=last_status,
            last_error=last_error,
            last_attempt_at=last_attempt_at,
            delivered_at=delivered_at,
            created_at=created_at,
        )

        delivery.additional_properties = d
        return delivery

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
