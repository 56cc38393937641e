from typing import Literal

VerifyDisclosureJsonBodyFormat = Literal["gpid-disclosure/1"]

VERIFY_DISCLOSURE_JSON_BODY_FORMAT_VALUES: set[VerifyDisclosureJsonBodyFormat] = {
    "gpid-disclosure/1",
}


def check_verify_disclosure_json_body_format(value: str) -> VerifyDisclosureJsonBodyFormat:
    if value in VERIFY_DISCLOSURE_JSON_BODY_FORMAT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {VERIFY_DISCLOSURE_JSON_BODY_FORMAT_VALUES!r}")
