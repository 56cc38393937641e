from typing import Literal

VerificationResult = Literal["discrepancies", "integrity_failure", "match", "unknown_gpid"]

VERIFICATION_RESULT_VALUES: set[VerificationResult] = {
    "discrepancies",
    "integrity_failure",
    "match",
    "unknown_gpid",
}


def check_verification_result(value: str) -> VerificationResult:
    if value in VERIFICATION_RESULT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {VERIFICATION_RESULT_VALUES!r}")
