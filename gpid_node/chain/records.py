"""What the registry's views return, as named values: its structs and its roles.

The dataclasses mirror the ABI's struct components (``registeredAt`` -> ``registered_at``), and are
built from the ABI's output names (:func:`from_struct`), never by position, so a component added to
or moved in a contract struct fails loudly (a test compares the fields with the ABI) instead of
shifting a value into the wrong name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any, TypeVar

__all__ = ["GPIDRecord", "RegistryRole", "VersionRecord", "from_struct", "snake_case"]

ZERO_ADDRESS = "0x" + "00" * 20


class RegistryRole(StrEnum):
    """The registry's roles, by the name of the constant that holds each one's id."""

    DEFAULT_ADMIN = "DEFAULT_ADMIN_ROLE"
    ONBOARDING = "ONBOARDING_ROLE"
    BROKER = "BROKER_ROLE"
    CUSTOMS = "CUSTOMS_ROLE"


@dataclass(frozen=True)
class GPIDRecord:
    """``recordOf(gpid)``: who registered a GPID, when (block time, seconds), its current version, how
    many declarations are linked to it and its payload format (1 plain, 2 confidential).
    A GPID the registry does not know reads as version 0 and the zero address."""

    issuer: str
    registered_at: int
    version: int
    links: int
    format: int

    @property
    def exists(self) -> bool:
        return self.version != 0


@dataclass(frozen=True)
class VersionRecord:
    """``versionOf(gpid, version)``: the digest over the version's commitments, its author, time
    (block time, seconds), the sections it changed (bit mask) and the reason code."""

    digest: bytes
    author: str
    time: int
    changed_sections: int
    reason_code: int


_T = TypeVar("_T")


def snake_case(name: str) -> str:
    """An ABI name as a Python field name: ``changedSections`` -> ``changed_sections``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def from_struct(cls: type[_T], output: dict[str, Any], value: tuple[Any, ...]) -> _T:
    """A struct a view returned (``output`` is its ABI output item) as ``cls``, member by name."""
    names = [snake_case(c["name"]) for c in output["components"]]
    expected = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    if names != expected:
        raise TypeError(f"the ABI's {output.get('internalType', 'struct')} has {names}; {cls.__name__} expects {expected}")
    return cls(**dict(zip(names, value, strict=True)))
