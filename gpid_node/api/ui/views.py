"""Pure helpers that shape the node's answers for the audit console's templates.

No I/O and no HTTP here: each function takes what a :class:`~gpid_node.services.node.Node` service answered
and returns plain values the templates print. Everything a page shows with colour it also says in
words (``"before"``/``"after"``, ``"reused"``, ``"differs"``), so the pages read the same in print,
in a screen reader and without colour.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gpid_node.domain.amendment_policy import changed_fields as compute_changed_fields
from gpid_node.domain.codes import REASON_NAMES

# The goods fields a declaration states and a verification compares, in the order of the rules.
DECLARED_FIELDS: tuple[str, ...] = (
    "hs_code", "value", "currency", "packages", "net_mass_kg", "country_of_origin", "preferential_origin",
)  # fmt: skip

FIELD_LABELS: dict[str, str] = {
    "schema_version": "Schema version",
    "seller": "Seller",
    "buyer": "Buyer",
    "invoice": "Invoice",
    "goods": "Goods",
    "name": "name",
    "address": "address",
    "street": "street",
    "postcode": "postcode",
    "city": "city",
    "country": "country",
    "trader_id": "trader ID",
    "scheme": "scheme",
    "number": "number",
    "date": "date",
    "sequence": "sequence number",
    "description": "description",
    "hs_code": "HS code",
    "binding_tariff_reference": "binding tariff information",
    "value": "value as per invoice",
    "currency": "currency",
    "packages": "packages",
    "net_mass_kg": "net mass (kg)",
    "preferential_origin": "preferential origin",
    "country_of_origin": "country of origin",
    "goods_sequence": "goods line",
    "gpid": "GPID",
    "registered_at": "registered at",
}

PATH_PARTS = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
ABSENT = object()


def field_label(name: str) -> str:
    """The words for one field name (``net_mass_kg`` → ``net mass (kg)``)."""
    return FIELD_LABELS.get(name, name.replace("_", " "))


def path_label(path: str) -> str:
    """A field path in words: ``goods[0].net_mass_kg`` → ``Goods line 1: net mass (kg)``,
    ``seller.address.city`` → ``Seller: address, city``."""
    parts = PATH_PARTS.findall(path)
    if not parts:
        return path or "(the whole document)"
    words: list[str] = []
    head = ""
    for i, (name, index) in enumerate(parts):
        if index:
            if head == "goods":
                words[-1] = f"Goods line {int(index) + 1}"
            else:
                words.append(f"item {int(index) + 1}")
            continue
        head = name if i == 0 else head
        label = field_label(name)
        words.append(label[:1].upper() + label[1:] if i == 0 else label)
    if len(words) == 1:
        return words[0]
    return f"{words[0]}: {', '.join(words[1:])}"


def resolve(data: Any, path: str) -> Any:
    """The value at a field path, or :data:`ABSENT` when the path leads nowhere."""
    current = data
    for name, index in PATH_PARTS.findall(path):
        if index:
            position = int(index)
            if not isinstance(current, list) or position >= len(current):
                return ABSENT
            current = current[position]
        else:
            if not isinstance(current, Mapping) or name not in current:
                return ABSENT
            current = current[name]
    return current


def show(value: Any) -> str:
    """A value as an officer reads it: text as is, ``(empty)`` for null, ``(absent)`` for a field
    that is not there, a goods line or section as compact ``name: value`` pairs."""
    if value is ABSENT:
        return "(absent)"
    if value is None:
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return "; ".join(f"{field_label(str(k))}: {show(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " | ".join(show(v) for v in value)
    if isinstance(value, str):
        return value
    return json.dumps(value)


def when(iso: str | None) -> str:
    """An ISO 8601 instant as ``2026-11-21 09:30:00 UTC`` (the console shows every time in UTC)."""
    if not iso:
        return "(unknown)"
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def reason_name(code: Any) -> str | None:
    """The amendment's reason code in words (``2`` → ``price``), as the API's amendment request names it."""
    return REASON_NAMES.get(code) if isinstance(code, int) else (str(code) if code else None)


OUTCOME_LABELS = {"match": "✓ match", "discrepancies": "⚠ discrepancies", "integrity_failure": "✗ integrity failure"}


def outcome_label(outcome: Any) -> str:
    """A Customs outcome as the console shows it (``discrepancies`` → ``⚠ discrepancies``)."""
    return OUTCOME_LABELS.get(str(outcome), str(outcome))


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# ---------------------------------------------------------------------- history


@dataclass(frozen=True)
class DiffRow:
    """One changed field between two versions: its path, its words, the value before and after."""

    path: str
    label: str
    before: str
    after: str
    added: bool
    removed: bool


def diff_rows(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, changed: Iterable[str] | None = None) -> list[DiffRow]:
    """The field-by-field difference between two versions' data (``changed`` as the index recorded
    it, else computed with the same rule, :func:`gpid_node.domain.amendment_policy.changed_fields`).
    None for either side (data this node cannot read) gives no rows."""
    if before is None or after is None:
        return []
    paths = list(changed) if changed else compute_changed_fields(dict(before), dict(after))
    rows = []
    for path in paths:
        old, new = resolve(before, path), resolve(after, path)
        rows.append(DiffRow(path, path_label(path), show(old), show(new), old is ABSENT, new is ABSENT))
    return rows


# ---------------------------------------------------------------------- reuse of a GPID


@dataclass(frozen=True)
class Reuse:
    """Whether a GPID is used by more declarations than one shipment explains: more than one
    declaration of the same direction, or more than two in all (one export, one import)."""

    reused: bool
    counts: dict[str, int]
    total: int
    reasons: list[str] = field(default_factory=list)
    directions: frozenset[str] = frozenset()


def reuse_of(declarations: Sequence[Mapping[str, Any]]) -> Reuse:
    """Reuse over the declarations referencing one GPID (each with ``country``, ``reference``,
    ``direction``; the same declaration listed twice counts once)."""
    seen = {(d.get("country"), d.get("reference"), d.get("direction")) for d in declarations}
    counts = {"export": 0, "import": 0}
    for _, _, direction in seen:
        counts[str(direction)] = counts.get(str(direction), 0) + 1
    reasons = [f"{n} {direction} declarations reference it (one is expected)" for direction, n in counts.items() if n > 1]
    directions = frozenset(direction for direction, n in counts.items() if n > 1)
    total = len(seen)
    if total > 2:
        reasons.append(f"{total} declarations in all reference it (one export and one import are expected)")
    return Reuse(bool(reasons), counts, total, reasons, directions)


# ---------------------------------------------------------------------- verification report


@dataclass(frozen=True)
class FieldCheck:
    """One field of one declared goods line: what was declared, what is registered, the verdict."""

    name: str
    label: str
    declared: str
    registered: str
    status: str  # "differs" | "matches" | "not declared"


@dataclass(frozen=True)
class LineCheck:
    """One declared goods line checked against the registered line with the same sequence."""

    sequence: int
    description: str
    exists: bool
    fields: list[FieldCheck]

    @property
    def discrepancies(self) -> int:
        return sum(1 for f in self.fields if f.status == "differs") + (0 if self.exists else 1)


def line_checks(items: Sequence[Mapping[str, Any]], data: Mapping[str, Any] | None,
                discrepancies: Sequence[Mapping[str, Any]]) -> list[LineCheck]:  # fmt: skip
    """Each declared item of one GPID next to its registered goods line, every discrepancy the
    verification found marked on its line and field."""
    flagged = {(d.get("goods_sequence"), d.get("field")) for d in discrepancies}
    registered = {line.get("sequence"): line for line in (data or {}).get("goods") or [] if isinstance(line, Mapping)}
    out = []
    for item in items:
        sequence = item.get("goods_sequence")
        line = registered.get(sequence)
        checks = []
        for name in DECLARED_FIELDS:
            declared = item.get(name)
            if (sequence, name) in flagged:
                status = "differs"
            elif declared is None or declared == "":
                status = "not declared"
            else:
                status = "matches"
            checks.append(FieldCheck(name, field_label(name), "(not declared)" if declared in (None, "") else show(str(declared)),
                                     show(line.get(name)) if line is not None else "(no such line)", status))  # fmt: skip
        exists = line is not None and (sequence, "goods_sequence") not in flagged
        out.append(LineCheck(int(sequence or 0), str(line.get("description", "")) if line else "", exists, checks))
    return out
