from typing import Literal

AmendmentRequestReasonCode = Literal["correction", "other", "parties", "price", "quantity"]

AMENDMENT_REQUEST_REASON_CODE_VALUES: set[AmendmentRequestReasonCode] = {
    "correction",
    "other",
    "parties",
    "price",
    "quantity",
}


def check_amendment_request_reason_code(value: str) -> AmendmentRequestReasonCode:
    if value in AMENDMENT_REQUEST_REASON_CODE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {AMENDMENT_REQUEST_REASON_CODE_VALUES!r}")
