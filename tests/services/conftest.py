"""Fixtures of the use-case tests: one development node for the session (chain, deployment,
participants), called directly, with the principals its API keys stand for."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from api.harness import Api, start_api, stop_api

from gpid_node.domain.access import Principal
from gpid_node.services.credentials import authenticate


@pytest.fixture(scope="session")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    before = os.environ.get("GPID_CONFIG")  # settings read only what the test gives (no developer's node.toml)
    os.environ["GPID_CONFIG"] = str(tmp_path_factory.mktemp("no-config") / "absent.toml")
    running = start_api(tmp_path_factory.mktemp("gpid-services"))
    yield running
    stop_api(running)
    if before is None:
        os.environ.pop("GPID_CONFIG", None)
    else:
        os.environ["GPID_CONFIG"] = before


@pytest.fixture
def principal(dev: Api) -> Callable[[str], Principal]:
    """The principal of a demo participant, as its API key authenticates it."""

    def of(name: str) -> Principal:
        with dev.node.store.session() as session:
            found = authenticate(session, dev.keys[name])
        assert found is not None
        return found

    return of
