from typing import Literal

DeclarationDirection = Literal["export", "import"]

DECLARATION_DIRECTION_VALUES: set[DeclarationDirection] = {
    "export",
    "import",
}


def check_declaration_direction(value: str) -> DeclarationDirection:
    if value in DECLARATION_DIRECTION_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {DECLARATION_DIRECTION_VALUES!r}")
