from typing import Literal

ProofBundlePayloadFormat = Literal[1, 2]

PROOF_BUNDLE_PAYLOAD_FORMAT_VALUES: set[ProofBundlePayloadFormat] = {
    1,
    2,
}


def check_proof_bundle_payload_format(value: int) -> ProofBundlePayloadFormat:
    if value in PROOF_BUNDLE_PAYLOAD_FORMAT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {PROOF_BUNDLE_PAYLOAD_FORMAT_VALUES!r}")
