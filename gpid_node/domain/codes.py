"""The registry's small integer codes, by name: one table for the node, the contract and the index.

The contract takes and emits these numbers (``linkDeclaration``'s direction, ``recordVerification``'s
outcome, ``amend``'s reason code); the REST facade and the CLI speak the names. Every translation
goes through this table, and the golden vectors (``contracts/test/vectors.json``) hold the same
numbers, checked by the Python tests and against the deployed contract, so the two never drift.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "DIRECTIONS",
    "DIRECTION_NAMES",
    "OUTCOMES",
    "OUTCOME_NAMES",
    "REASON_CODES",
    "REASON_NAMES",
    "as_vectors",
]

# Direction of a declaration (GPIDRegistry's DIRECTION_EXPORT, DIRECTION_IMPORT).
DIRECTIONS: Mapping[str, int] = MappingProxyType({"export": 1, "import": 2})
# Outcome of a Customs verification (GPIDRegistry's OUTCOME_MATCH .. OUTCOME_INTEGRITY_FAILURE).
OUTCOMES: Mapping[str, int] = MappingProxyType({"match": 1, "discrepancies": 2, "integrity_failure": 3})
# Why a key data set was amended (recorded with each version; the contract keeps it as given).
REASON_CODES: Mapping[str, int] = MappingProxyType(
    {"correction": 1, "price": 2, "quantity": 3, "parties": 4, "other": 5}
)

DIRECTION_NAMES: Mapping[int, str] = MappingProxyType({code: name for name, code in DIRECTIONS.items()})
OUTCOME_NAMES: Mapping[int, str] = MappingProxyType({code: name for name, code in OUTCOMES.items()})
REASON_NAMES: Mapping[int, str] = MappingProxyType({code: name for name, code in REASON_CODES.items()})


def as_vectors() -> dict[str, dict[str, int]]:
    """The table as the golden vectors file holds it (``"codes"``)."""
    return {"directions": dict(DIRECTIONS), "outcomes": dict(OUTCOMES), "reason_codes": dict(REASON_CODES)}
