from typing import Literal

WrittenStatus = Literal["amended", "pending", "registered"]

WRITTEN_STATUS_VALUES: set[WrittenStatus] = {
    "amended",
    "pending",
    "registered",
}


def check_written_status(value: str) -> WrittenStatus:
    if value in WRITTEN_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {WRITTEN_STATUS_VALUES!r}")
