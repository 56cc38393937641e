from typing import Literal

CreateDisclosureResponse201Format = Literal["gpid-disclosure/1"]

CREATE_DISCLOSURE_RESPONSE_201_FORMAT_VALUES: set[CreateDisclosureResponse201Format] = {
    "gpid-disclosure/1",
}


def check_create_disclosure_response_201_format(value: str) -> CreateDisclosureResponse201Format:
    if value in CREATE_DISCLOSURE_RESPONSE_201_FORMAT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {CREATE_DISCLOSURE_RESPONSE_201_FORMAT_VALUES!r}")
