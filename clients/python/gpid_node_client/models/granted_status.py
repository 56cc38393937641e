from typing import Literal

GrantedStatus = Literal["granted", "pending"]

GRANTED_STATUS_VALUES: set[GrantedStatus] = {
    "granted",
    "pending",
}


def check_granted_status(value: str) -> GrantedStatus:
    if value in GRANTED_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {GRANTED_STATUS_VALUES!r}")
