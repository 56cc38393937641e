from typing import Literal

EndMandateDirection = Literal["export", "import"]

END_MANDATE_DIRECTION_VALUES: set[EndMandateDirection] = {
    "export",
    "import",
}


def check_end_mandate_direction(value: str) -> EndMandateDirection:
    if value in END_MANDATE_DIRECTION_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {END_MANDATE_DIRECTION_VALUES!r}")
