"""Gas per scenario may not grow beyond the committed snapshot (benchmarks/gas-snapshot.json)."""

from __future__ import annotations

import json

import pytest

from benchmarks.gas import SNAPSHOT, measure

TARGETS = {"register_10_lines": 120_000, "register_batch50_per_item": 80_000, "grant_access": 60_000}


@pytest.mark.slow
def test_gas_does_not_grow_beyond_the_snapshot(chain: object) -> None:
    from gpid_node.chain.devchain import DevChain

    snapshot = json.loads(SNAPSHOT.read_text())
    with DevChain() as fresh:
        figures = measure(fresh.url)
    grown = {k: (snapshot[k], figures[k]) for k in snapshot if k in figures and figures[k] > snapshot[k]}
    assert not grown, f"gas grew (snapshot, now): {grown}; if intended, run GPID_WRITE_GAS_SNAPSHOT=1 scripts/bench gas"
    for name, limit in TARGETS.items():
        assert figures[name] <= limit, (name, figures[name])


def test_outbox_gas_limit_covers_every_measured_operation() -> None:
    from gpid_node.services.outbox import gas_limit

    snapshot = json.loads(SNAPSHOT.read_text())
    # calldata sizes of the measured scenarios are at least the payload; the limit must exceed the use
    payload = snapshot["payload_bytes_10_lines"]
    assert gas_limit(b"\1" * (payload + 300), 1) > snapshot["register_10_lines"]
    assert gas_limit(b"\1" * 50 * (payload + 300), 50) > 50 * snapshot["register_batch50_per_item"]
    assert gas_limit(b"\1" * 400, 1) > snapshot["amend_1_line"]
    assert gas_limit(b"\1" * 200, 1) > snapshot["link_declaration"]
