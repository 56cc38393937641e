"""The caps on versions and declaration links per GPID, as the node applies them before recording."""

from __future__ import annotations

import json

import pytest

from gpid_node.domain import errors as e
from gpid_node.domain import limits
from support.vectors import VECTORS_FILE


def test_caps_are_the_golden_vectors() -> None:
    caps = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))["limits"]
    assert (limits.MAX_VERSIONS, limits.MAX_LINKS) == (caps["max_versions"], caps["max_links"]) == (100, 100)


@pytest.mark.parametrize("versions", [1, 2, 98, 99])
def test_an_amendment_below_the_cap_is_allowed(versions: int) -> None:
    limits.require_room_for_version("GP1", versions)


@pytest.mark.parametrize("versions", [100, 101, 2**31])
def test_an_amendment_at_the_cap_is_refused_naming_the_gpid_and_the_limit(versions: int) -> None:
    with pytest.raises(e.TooManyVersions) as info:
        limits.require_room_for_version("GP1", versions)
    assert isinstance(info.value, e.Conflict)
    assert info.value.details == {"gpid": "GP1", "max_versions": 100}
    assert "GP1 has 100 versions" in info.value.message and "register" in info.value.message


@pytest.mark.parametrize("links", [0, 1, 99])
def test_a_link_below_the_cap_is_allowed(links: int) -> None:
    limits.require_room_for_link("GP1", links)


@pytest.mark.parametrize("links", [100, 101])
def test_a_link_at_the_cap_is_refused_naming_the_gpid_and_the_limit(links: int) -> None:
    with pytest.raises(e.TooManyLinks) as info:
        limits.require_room_for_link("GP1", links)
    assert isinstance(info.value, e.Conflict)
    assert info.value.details == {"gpid": "GP1", "max_links": 100}
    assert "100 declarations reference GP1" in info.value.message


@pytest.mark.parametrize("error", [e.TooManyVersions("GP1", 100), e.TooManyLinks("GP1", 100)])
def test_a_cap_refusal_survives_the_outbox_record(error: e.GPIDError) -> None:
    """A race past the node's check reverts on chain; the outbox keeps the error and rebuilds it."""
    rebuilt = e.error_from_record(e.error_record(error))
    assert type(rebuilt) is type(error)
    assert (rebuilt.message, rebuilt.details) == (error.message, error.details)
