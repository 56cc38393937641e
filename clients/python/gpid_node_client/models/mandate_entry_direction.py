from typing import Literal

MandateEntryDirection = Literal["export", "import"]

MANDATE_ENTRY_DIRECTION_VALUES: set[MandateEntryDirection] = {
    "export",
    "import",
}


def check_mandate_entry_direction(value: str) -> MandateEntryDirection:
    if value in MANDATE_ENTRY_DIRECTION_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {MANDATE_ENTRY_DIRECTION_VALUES!r}")
