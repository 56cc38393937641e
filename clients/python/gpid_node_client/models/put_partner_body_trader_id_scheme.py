from typing import Literal

PutPartnerBodyTraderIdScheme = Literal["EORI"]

PUT_PARTNER_BODY_TRADER_ID_SCHEME_VALUES: set[PutPartnerBodyTraderIdScheme] = {
    "EORI",
}


def check_put_partner_body_trader_id_scheme(value: str) -> PutPartnerBodyTraderIdScheme:
    if value in PUT_PARTNER_BODY_TRADER_ID_SCHEME_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {PUT_PARTNER_BODY_TRADER_ID_SCHEME_VALUES!r}")
