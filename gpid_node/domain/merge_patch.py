"""JSON Merge Patch (RFC 7396): how an amendment says what changes."""

from __future__ import annotations

from typing import Any


def apply_merge_patch(target: Any, patch: Any) -> Any:
    """The document ``target`` with ``patch`` applied; ``null`` removes a member, arrays are replaced whole."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = apply_merge_patch(result.get(key), value)
    return result


def patched_paths(patch: Any, prefix: str = "") -> list[str]:
    """The field paths a patch touches (``seller.address.city``, ``goods``)."""
    if not isinstance(patch, dict) or not patch:
        return [prefix] if prefix else []
    paths: list[str] = []
    for key, value in patch.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        paths.extend(patched_paths(value, path) if isinstance(value, dict) else [path])
    return paths
