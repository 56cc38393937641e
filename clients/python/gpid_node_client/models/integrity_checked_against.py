from typing import Literal

IntegrityCheckedAgainst = Literal["chain", "index"]

INTEGRITY_CHECKED_AGAINST_VALUES: set[IntegrityCheckedAgainst] = {
    "chain",
    "index",
}


def check_integrity_checked_against(value: str) -> IntegrityCheckedAgainst:
    if value in INTEGRITY_CHECKED_AGAINST_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {INTEGRITY_CHECKED_AGAINST_VALUES!r}")
