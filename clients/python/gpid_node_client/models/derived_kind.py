from typing import Literal

DerivedKind = Literal["corrective", "credit_note", "invoice"]

DERIVED_KIND_VALUES: set[DerivedKind] = {
    "corrective",
    "credit_note",
    "invoice",
}


def check_derived_kind(value: str) -> DerivedKind:
    if value in DERIVED_KIND_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {DERIVED_KIND_VALUES!r}")
