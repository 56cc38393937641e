from typing import Literal

MandateWrittenDirection = Literal["export", "import"]

MANDATE_WRITTEN_DIRECTION_VALUES: set[MandateWrittenDirection] = {
    "export",
    "import",
}


def check_mandate_written_direction(value: str) -> MandateWrittenDirection:
    if value in MANDATE_WRITTEN_DIRECTION_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {MANDATE_WRITTEN_DIRECTION_VALUES!r}")
