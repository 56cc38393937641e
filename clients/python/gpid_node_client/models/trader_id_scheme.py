from typing import Literal

TraderIdScheme = Literal["EORI"]

TRADER_ID_SCHEME_VALUES: set[TraderIdScheme] = {
    "EORI",
}


def check_trader_id_scheme(value: str) -> TraderIdScheme:
    if value in TRADER_ID_SCHEME_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {TRADER_ID_SCHEME_VALUES!r}")
