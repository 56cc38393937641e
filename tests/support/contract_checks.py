"""Checks the contract tests share: a refusal with its error and arguments, decoded events, the
per-GPID record by field name, the GPID the registry derives."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from gpid_node.chain.abi import Event, decode_log
from gpid_node.domain import canonical
from gpid_node.domain.errors import GPIDError


@contextmanager
def reverts(name: str, **expected: Any) -> Iterator[None]:
    with pytest.raises(GPIDError) as info:
        yield
    error = info.value.contract_error
    assert error is not None, f"not a contract refusal: {info.value!r}"
    assert error.name == name, error
    for key, value in expected.items():
        assert error.args[key] == value, (key, error.args)


def events(receipt: Any, name: str | None = None) -> list[Event]:
    decoded = [decode_log(log) for log in receipt.logs]
    return [e for e in decoded if e is not None and (name is None or e.name == name)]


def record_of(registry: Any, gpid: bytes) -> dict[str, Any]:
    """The registry's per-GPID record, by field name."""
    issuer, registered_at, version, links, format_ = registry.client.view("recordOf", gpid)
    return {"issuer": issuer, "registered_at": registered_at, "version": version, "links": links, "format": format_}


def expected_gpid(registry: Any, trader_key: bytes, number: str) -> bytes:
    gpid = canonical.gpid_of(registry.client.chain_id, registry.client.address, canonical.invoice_key(trader_key, number))
    return gpid.raw
