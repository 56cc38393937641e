from typing import Literal

AmendedStatus = Literal["amended", "pending", "registered"]

AMENDED_STATUS_VALUES: set[AmendedStatus] = {
    "amended",
    "pending",
    "registered",
}


def check_amended_status(value: str) -> AmendedStatus:
    if value in AMENDED_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {AMENDED_STATUS_VALUES!r}")
