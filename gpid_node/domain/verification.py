"""Declaration against key data set: the rules of a Customs check.

Pure functions over plain data. The service that answers ``POST /v1/verifications`` parses the
request into a :class:`~gpid_node.domain.declaration.VerificationRequest`, gathers one
:class:`KeyDataSetFacts` per GPID the declaration references (``None`` for a GPID nobody
registered) and calls :func:`verify`, which returns the answer body exactly as DESIGN.md fixes it::

    {"result": "match" | "discrepancies" | "integrity_failure" | "unknown_gpid",
     "gpids": [{"gpid", "integrity": {"verified"}, "version_at_filing", "amended_after_filing",
                "amendments": [{"version", "time", "author", "reason", "changed_fields"}],
                "other_declarations": [{"reference", "country", "direction", "linked_at"}],
                "discrepancies": [{"goods_sequence", "field", "declared", "registered"}]}]}

The rules, in one place:

* **Version at filing.** The latest version whose time is at or before ``filed_at``. A key data
  set registered *after* the declaration was filed has no version at filing (``null``): that is
  itself a discrepancy, ``{"goods_sequence": null, "field": "registered_at", "declared": <filed_at>,
  "registered": <registration time>}``, and the goods are then compared with version 1.
* **Amendments after filing.** Every version after the first whose time is after ``filed_at``,
  oldest first. They are reported (``amended_after_filing``) but are not discrepancies: the
  declaration is judged against the data as it stood when it was filed.
* **Field by field**, per declared goods line, against the goods line with the same ``sequence``
  in the version at filing. A field that the declaration leaves out (or sends as ``null``) is not
  checked. Fields are compared in this order, which is also the order of the discrepancies within
  one goods line: ``goods_sequence`` (the line does not exist; ``registered`` is ``null`` and no
  other field of that line is compared), ``hs_code``, ``value``, ``currency``, ``packages``,
  ``net_mass_kg``, ``country_of_origin``, ``preferential_origin``.

  - ``hs_code``: the two codes must agree on their common length (a declared ``846693`` matches a
    registered ``84669340``; a declared ``8466934000`` matches it too; ``84669390`` does not).
    Reason: the first six digits are the Harmonized System, the same in every country, while the
    digits after them are national subdivisions (the EU's CN, the UK or US tariff). An exporter
    registers its own tariff's code, a broker declares in the tariff of the declaring country,
    and either may stop at the subheading, so the only digits both sides can be held to are the
    ones both gave. A shorter code is never a discrepancy by itself, a differing digit always is.
  - ``value`` and ``net_mass_kg``: exact decimal comparison (``18450`` equals ``18450.00``; no
    float ever touches them). ``net_mass_kg`` may be allowed an absolute tolerance in kilograms
    (``mass_tolerance``, exact by default).
  - ``currency`` is its own field: a value declared in another currency than the invoice's is a
    ``currency`` discrepancy; the amounts are still compared as numbers, and differing amounts
    are reported as a ``value`` discrepancy as well.
  - ``packages``, ``country_of_origin``, ``preferential_origin``: equality.
* **Overall result**, first rule that applies: any unknown GPID → ``unknown_gpid``; any key data
  set whose integrity is not verified → ``integrity_failure``; any discrepancy → ``discrepancies``;
  otherwise ``match``. Discrepancies are still computed for a key data set that failed its
  integrity check (they tell the officer what the unproven data says), and an unknown GPID gets
  one discrepancy ``{"goods_sequence": null, "field": "gpid", "declared": <gpid>, "registered":
  null}`` so the answer names which GPID is unknown without new members.

Ordering is deterministic: GPIDs in the order of their first appearance in the declaration's
items; discrepancies by goods sequence (GPID-level ones first), then the field order above, then
the order of the items; other declarations by link time, country and reference. Values in
``declared``/``registered`` are JSON-ready: decimals as strings, packages as integers, times as
ISO 8601 in UTC with a ``Z``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from gpid_node.domain.codes import OUTCOMES
from gpid_node.domain.declaration import HS_SEPARATORS, Declaration, DeclaredItem

__all__ = [
    "RESULTS",
    "KeyDataSetFacts",
    "VersionRecord",
    "outcome_code",
    "verify",
]

Result = Literal["match", "discrepancies", "integrity_failure", "unknown_gpid"]
RESULTS: tuple[str, ...] = ("match", "discrepancies", "integrity_failure", "unknown_gpid")

# The fields compared per goods line, in the order their discrepancies are listed.
GOODS_FIELDS: tuple[str, ...] = (
    "goods_sequence",
    "hs_code",
    "value",
    "currency",
    "packages",
    "net_mass_kg",
    "country_of_origin",
    "preferential_origin",
)
# Discrepancies about the key data set as a whole (goods_sequence null), listed before the lines.
_GPID_LEVEL_FIELDS: tuple[str, ...] = ("gpid", "registered_at")
_FIELD_ORDER = {name: i for i, name in enumerate(_GPID_LEVEL_FIELDS + GOODS_FIELDS)}
_GPID_SEPARATORS = str.maketrans("", "", "- \t")


# --------------------------------------------------------------------------------------------
# Facts handed in by the caller
# --------------------------------------------------------------------------------------------


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (the chain's times are UTC): attach tzinfo=UTC")


@dataclass(frozen=True)
class VersionRecord:
    """One version of a key data set, as the index holds it."""

    version: int
    time: datetime
    author: str
    reason: str | None
    changed_fields: list[str]
    data: dict[str, Any]

    def __post_init__(self) -> None:
        _require_aware(self.time, f"VersionRecord.time of version {self.version}")


@dataclass(frozen=True)
class KeyDataSetFacts:
    """What the node knows about one GPID: its versions, whether they are proven, where it was used."""

    gpid: str
    integrity_verified: bool
    versions: list[VersionRecord]
    other_declarations: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.versions:
            raise ValueError(
                f"KeyDataSetFacts for {self.gpid} has no versions: a registered key data set has version 1"
            )
        numbers = [v.version for v in self.versions]
        if any(b <= a for a, b in itertools.pairwise(numbers)):
            raise ValueError(f"KeyDataSetFacts.versions of {self.gpid} must be ordered by version, got {numbers}")


# --------------------------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------------------------


def _iso_z(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _decimal_text(value: Decimal) -> str:
    """A decimal as plain text, never in exponent form (Decimal("1E+3") -> "1000")."""
    return format(value, "f")


def _as_decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        parsed = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return parsed if parsed.is_finite() else None


def _registered_decimal_text(value: Any) -> Any:
    parsed = _as_decimal(value)
    return _decimal_text(parsed) if parsed is not None else value


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso_z(value) if value.tzinfo is not None else value.isoformat()
    if isinstance(value, Decimal):
        return _decimal_text(value)
    return value


def _hs_digits(value: Any) -> str | None:
    return None if value is None else str(value).translate(HS_SEPARATORS)


def _hs_codes_agree(declared: str, registered: str | None) -> bool:
    if not registered:
        return False
    common = min(len(declared), len(registered))
    return declared[:common] == registered[:common]


@dataclass
class _Discrepancy:
    goods_sequence: int | None
    field: str
    declared: Any
    registered: Any
    arrival: int = 0

    def sort_key(self) -> tuple[int, int, int, int]:
        seq = self.goods_sequence
        return (0 if seq is None else 1, seq or 0, _FIELD_ORDER[self.field], self.arrival)

    def as_dict(self) -> dict[str, Any]:
        return {
            "goods_sequence": self.goods_sequence,
            "field": self.field,
            "declared": self.declared,
            "registered": self.registered,
        }


def _compare_line(item: DeclaredItem, line: Mapping[str, Any] | None, mass_tolerance: Decimal) -> list[_Discrepancy]:
    seq = item.goods_sequence
    if line is None:
        return [_Discrepancy(seq, "goods_sequence", seq, None)]
    found: list[_Discrepancy] = []

    if item.hs_code is not None:
        registered = _hs_digits(line.get("hs_code"))
        if not _hs_codes_agree(item.hs_code, registered):
            found.append(_Discrepancy(seq, "hs_code", item.hs_code, registered))

    if item.value is not None:
        registered_value = _as_decimal(line.get("value"))
        if registered_value is None or registered_value != item.value:
            registered_text = _registered_decimal_text(line.get("value"))
            found.append(_Discrepancy(seq, "value", _decimal_text(item.value), registered_text))

    if item.currency is not None and item.currency != line.get("currency"):
        found.append(_Discrepancy(seq, "currency", item.currency, line.get("currency")))

    if item.packages is not None:
        registered_packages = line.get("packages")
        if isinstance(registered_packages, bool) or registered_packages != item.packages:
            found.append(_Discrepancy(seq, "packages", item.packages, registered_packages))

    if item.net_mass_kg is not None:
        registered_mass = _as_decimal(line.get("net_mass_kg"))
        if registered_mass is None or abs(registered_mass - item.net_mass_kg) > mass_tolerance:
            registered_text = _registered_decimal_text(line.get("net_mass_kg"))
            found.append(_Discrepancy(seq, "net_mass_kg", _decimal_text(item.net_mass_kg), registered_text))

    for name in ("country_of_origin", "preferential_origin"):
        declared = getattr(item, name)
        if declared is not None and declared != line.get(name):
            found.append(_Discrepancy(seq, name, declared, line.get(name)))
    return found


def _version_at(versions: Sequence[VersionRecord], filed_at: datetime) -> VersionRecord | None:
    at_filing = None
    for record in versions:
        if record.time <= filed_at:
            at_filing = record
    return at_filing


def _amendment(record: VersionRecord) -> dict[str, Any]:
    return {
        "version": record.version,
        "time": _iso_z(record.time),
        "author": record.author,
        "reason": record.reason,
        "changed_fields": list(record.changed_fields),
    }


def _other_declarations(facts: KeyDataSetFacts, declaration: Declaration) -> list[dict[str, Any]]:
    this = (declaration.country, declaration.reference, declaration.direction)
    others = []
    for entry in facts.other_declarations:
        ready = {key: _jsonable(value) for key, value in entry.items()}
        if (ready.get("country"), ready.get("reference"), ready.get("direction")) == this:
            continue  # the declaration being verified is not a reuse of the GPID
        others.append(ready)
    return sorted(others, key=lambda d: (str(d.get("linked_at") or ""), str(d.get("country")), str(d.get("reference"))))


def _gpid_key(text: str) -> str:
    return text.strip().upper().translate(_GPID_SEPARATORS)


def _lookup(gpid: str, facts: Mapping[str, KeyDataSetFacts | None]) -> KeyDataSetFacts | None:
    if gpid in facts:
        return facts[gpid]
    key = _gpid_key(gpid)
    for name, found in facts.items():
        if _gpid_key(name) == key or (found is not None and _gpid_key(found.gpid) == key):
            return found
    return None


def _verify_one(
    gpid: str,
    items: list[DeclaredItem],
    facts: KeyDataSetFacts | None,
    declaration: Declaration,
    mass_tolerance: Decimal,
) -> dict[str, Any]:
    if facts is None:
        return {
            "gpid": gpid,
            "integrity": {"verified": False},
            "version_at_filing": None,
            "amended_after_filing": False,
            "amendments": [],
            "other_declarations": [],
            "discrepancies": [_Discrepancy(None, "gpid", gpid, None).as_dict()],
        }

    filed_at = declaration.filed_at
    at_filing = _version_at(facts.versions, filed_at)
    compared = at_filing or facts.versions[0]
    first_version = facts.versions[0].version
    amendments = [_amendment(v) for v in facts.versions if v.version != first_version and v.time > filed_at]

    found: list[_Discrepancy] = []
    if at_filing is None:
        found.append(_Discrepancy(None, "registered_at", _iso_z(filed_at), _iso_z(facts.versions[0].time)))
    lines = {line.get("sequence"): line for line in compared.data.get("goods") or [] if isinstance(line, Mapping)}
    for item in items:
        found.extend(_compare_line(item, lines.get(item.goods_sequence), mass_tolerance))
    for arrival, discrepancy in enumerate(found):
        discrepancy.arrival = arrival

    return {
        "gpid": facts.gpid,
        "integrity": {"verified": bool(facts.integrity_verified)},
        "version_at_filing": at_filing.version if at_filing is not None else None,
        "amended_after_filing": bool(amendments),
        "amendments": amendments,
        "other_declarations": _other_declarations(facts, declaration),
        "discrepancies": [d.as_dict() for d in sorted(found, key=_Discrepancy.sort_key)],
    }


def verify(
    declaration: Declaration,
    facts: Mapping[str, KeyDataSetFacts | None],
    *,
    mass_tolerance: Decimal = Decimal("0"),
) -> dict[str, Any]:
    """Checks a declaration against the key data sets it references; returns the answer body.

    ``facts`` maps each GPID of the declaration to what the node knows about it, or to ``None``
    when no key data set has that GPID (a GPID missing from the mapping counts as unknown too).
    It is looked up by the GPID as declared, then ignoring case, spaces and hyphens.
    ``mass_tolerance`` is the absolute difference in kilograms still accepted for ``net_mass_kg``.
    See the module docstring for every rule.
    """
    mass_tolerance = Decimal(mass_tolerance)
    if not mass_tolerance.is_finite() or mass_tolerance < 0:
        raise ValueError(f"mass_tolerance must be a finite, non-negative number of kilograms, got {mass_tolerance}")

    groups: dict[str, tuple[str, KeyDataSetFacts | None, list[DeclaredItem]]] = {}
    for item in declaration.items:
        found = _lookup(item.gpid, facts)
        key = _gpid_key(found.gpid) if found is not None else _gpid_key(item.gpid)
        if key not in groups:
            groups[key] = (item.gpid, found, [])
        groups[key][2].append(item)

    gpids = [
        _verify_one(declared_text, items, found, declaration, mass_tolerance)
        for declared_text, found, items in groups.values()
    ]
    if any(found is None for _, found, _ in groups.values()):
        result: Result = "unknown_gpid"
    elif not all(entry["integrity"]["verified"] for entry in gpids):
        result = "integrity_failure"
    elif any(entry["discrepancies"] for entry in gpids):
        result = "discrepancies"
    else:
        result = "match"
    return {"result": result, "gpids": gpids}


def outcome_code(result: str) -> int:
    """The on-chain outcome code Customs records for a verification result.

    ``match`` → 1, ``discrepancies`` → 2, ``integrity_failure`` → 3. ``unknown_gpid`` has no
    code: there is no key data set to record an outcome against.
    """
    try:
        return OUTCOMES[result]
    except KeyError:
        if result == "unknown_gpid":
            raise ValueError(
                "unknown_gpid has no on-chain outcome: no key data set exists to record it against"
            ) from None
        raise ValueError(f"{result!r} is not a verification result; expected one of {', '.join(RESULTS)}") from None
