from typing import Literal

LinkedDirection = Literal["export", "import"]

LINKED_DIRECTION_VALUES: set[LinkedDirection] = {
    "export",
    "import",
}


def check_linked_direction(value: str) -> LinkedDirection:
    if value in LINKED_DIRECTION_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LINKED_DIRECTION_VALUES!r}")
