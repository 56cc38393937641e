"""Instants as the node answers them: aware UTC, written ISO 8601 with a ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["as_utc", "iso"]


def as_utc(moment: datetime) -> datetime:
    """The instant as aware UTC; a naive datetime (SQLite hands those back) is taken to be UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def iso(moment: datetime | None) -> str | None:
    """``2026-05-04T09:30:00Z`` (None stays None)."""
    if moment is None:
        return None
    return as_utc(moment).isoformat().replace("+00:00", "Z")
