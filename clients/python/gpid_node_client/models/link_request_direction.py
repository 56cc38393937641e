from typing import Literal

LinkRequestDirection = Literal["export", "import"]

LINK_REQUEST_DIRECTION_VALUES: set[LinkRequestDirection] = {
    "export",
    "import",
}


def check_link_request_direction(value: str) -> LinkRequestDirection:
    if value in LINK_REQUEST_DIRECTION_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LINK_REQUEST_DIRECTION_VALUES!r}")
