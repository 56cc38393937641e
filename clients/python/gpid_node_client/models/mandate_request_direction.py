from typing import Literal

MandateRequestDirection = Literal["export", "import"]

MANDATE_REQUEST_DIRECTION_VALUES: set[MandateRequestDirection] = {
    "export",
    "import",
}


def check_mandate_request_direction(value: str) -> MandateRequestDirection:
    if value in MANDATE_REQUEST_DIRECTION_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {MANDATE_REQUEST_DIRECTION_VALUES!r}")
