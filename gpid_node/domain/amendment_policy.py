"""The amendment policy: how a key data set may change after registration, in one place.

An amendment is a JSON merge patch (RFC 7396) over the current version, with a reason. The result
must be a valid key data set, its identity section (schema version, seller trader ID, invoice number
and date: what the GPID is derived from) must not move, and something must change. The registry
enforces the same on chain (``SectionImmutable``, ``NothingChanged``); the node refuses earlier
with the field paths, and the indexer uses :func:`amendment_problems` to flag an amended payload
whose identity moved anyway.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gpid_node.domain import canonical
from gpid_node.domain import errors as e
from gpid_node.domain.codes import REASON_CODES
from gpid_node.domain.merge_patch import apply_merge_patch
from gpid_node.domain.model import parse_key_data_set

__all__ = [
    "IDENTITY_PATHS",
    "MAX_REASON_BYTES",
    "amended",
    "amendment_problems",
    "changed_fields",
    "identity_unchanged",
    "request_problems",
]

# The field paths of the identity section, which no amendment may change.
IDENTITY_PATHS: tuple[str, ...] = ("schema_version", "seller.trader_id", "invoice.number", "invoice.date")
MAX_REASON_BYTES = 500  # GPIDRegistry.MAX_REASON_BYTES


def request_problems(changes: Any, reason: Any, reason_code: str) -> list[e.FieldProblem]:
    """What is wrong with an amendment request before the key data set is looked at."""
    problems = []
    if not isinstance(changes, dict) or not changes:
        problems.append(e.FieldProblem("changes", "a JSON merge patch object with at least one change is required"))
    if not isinstance(reason, str) or not reason.strip():
        problems.append(e.FieldProblem("reason", "say why the key data set changes (1 to 500 characters)"))
    elif len(reason.strip().encode()) > MAX_REASON_BYTES:
        problems.append(e.FieldProblem("reason", f"at most {MAX_REASON_BYTES} bytes"))
    if reason_code not in REASON_CODES:
        problems.append(e.FieldProblem("reason_code", f"use one of {', '.join(REASON_CODES)}"))
    return problems


def identity_unchanged(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Whether two versions have the same identity section (False when either is not a key data set)."""
    try:
        return bool(canonical.sections(dict(before))["identity"] == canonical.sections(dict(after))["identity"])
    except (KeyError, TypeError):
        return False


def amended(current: dict[str, Any], changes: Any) -> dict[str, Any]:
    """The next version: ``changes`` applied to ``current``, validated and normalised.

    Refusals name their paths under ``changes``; an identity field that moved is
    :class:`~gpid_node.domain.errors.SectionImmutable` with the paths touched.
    """
    patched = apply_merge_patch(current, changes)
    try:
        data: dict[str, Any] = parse_key_data_set(patched).model_dump(mode="json")
    except e.ValidationFailed as exc:
        raise e.ValidationFailed(
            [e.FieldProblem(f"changes.{p.path}" if p.path else "changes", p.message) for p in exc.problems]
        ) from None
    if not identity_unchanged(current, data):
        touched = [p for p in changed_fields(current, data) if p.startswith(IDENTITY_PATHS)]
        raise e.SectionImmutable(touched or list(IDENTITY_PATHS[1:]))
    return data


def amendment_problems(data: dict[str, Any], previous: dict[str, Any] | None, previous_version: int) -> list[str]:
    """What is wrong with an amended payload (as the index found it) beyond its commitments: an
    identity that moved from the previous version's, or a previous version that cannot be read."""
    if previous is None:
        return [f"version {previous_version} could not be read, so the identity section cannot be compared with it"]
    return [] if identity_unchanged(data, previous) else [f"the identity section differs from version {previous_version}'s"]


# ---------------------------------------------------------------------- changed fields


def _diff(before: Any, after: Any, path: str, out: list[str]) -> None:
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        for key in set(before) | set(after):
            child = f"{path}.{key}" if path else str(key)
            if key not in before or key not in after:
                out.append(child)
            else:
                _diff(before[key], after[key], child, out)
    elif isinstance(before, list) and isinstance(after, list):
        for index in range(max(len(before), len(after))):
            child = f"{path}[{index}]"
            if index >= len(before) or index >= len(after):
                out.append(child)
            else:
                _diff(before[index], after[index], child, out)
    elif type(before) is not type(after) or before != after:
        out.append(path)


_PATH_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def _path_sort_key(path: str) -> tuple[tuple[int, int, str], ...]:
    return tuple(
        (0, int(index), "") if index else (1, 0, name) for index, name in _PATH_PART.findall(path)
    )


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """The field paths that differ between two versions of a key data set, sorted.

    Paths have the form of validation errors: ``seller.address.city``, ``goods[2].value`` (list
    positions count from 0, so ``goods[2]`` is the line with sequence 3), and a bare ``goods[3]``
    for a line added or removed; a key present on one side only is reported by its own path, not
    by its children's. Sorting is by path with positions compared as numbers (``goods[2]`` before
    ``goods[10]``). For the first version (``before`` is ``None``) nothing has changed: ``[]``.
    Values are compared as they are (key data sets are normalised before they are stored).
    """
    if before is None:
        return []
    out: list[str] = []
    _diff(before, after, "", out)
    return sorted(set(out), key=_path_sort_key)
