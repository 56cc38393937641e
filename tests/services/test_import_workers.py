"""An import seals its rows in worker processes beyond its first rows (services/registration.py):
the same report, the same chain content, as when the node seals every row itself."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import pytest
from api.harness import BUYER, SELLER, Api, fresh_key_data_set
from support.builders import key_data_set
from support.contract_checks import with_payload
from support.recipients import open_as

from gpid_node.chain.abi import decode_log, event_topic
from gpid_node.domain import payload_crypto, sealing
from gpid_node.domain.gpid import GPID
from gpid_node.domain.access import Principal
from gpid_node.services import registration as registration_module
from gpid_node.services.importing import SourceRecord

Of = Callable[[str], Principal]


def _opened_by_buyer(dev: Api, gpid: str) -> dict[str, Any]:
    """The data of ``gpid``'s registration as the buyer's key alone opens it from the chain."""
    (log,) = dev.node.client.find_logs(event_topic("KeyDataSetRegistered"), GPID.parse(gpid).raw)
    payload = bytes(with_payload(dev.node.client, decode_log(log)).payload)
    keys = dev.node.keyring.encryption
    seller, buyer = keys.current(dev.account(SELLER)), keys.current(dev.account(BUYER))
    assert seller is not None and buyer is not None
    binding = payload_crypto.Binding(dev.node.client.chain_id, dev.node.client.address, GPID.parse(gpid))
    content_key = open_as(payload, seller.public_bytes, dev.account(BUYER), buyer, binding)
    assert content_key is not None
    return payload_crypto.read_payload(payload, content_key, binding, 1).data


def _records() -> list[SourceRecord]:
    """14 rows: good ones, a row the reader refused, an invalid one, the same invoice twice, and a
    buyer whose recipients nobody looked up before (the worker hands that row back)."""
    rows = [SourceRecord(line, fresh_key_data_set()) for line in range(1, 15)]
    rows[5] = SourceRecord(6, None, problem="line 6 is not JSON")
    rows[7] = SourceRecord(8, {**fresh_key_data_set(), "invoice": {"number": "", "date": "2026-11-20"}})
    rows[11] = SourceRecord(12, rows[9].data)
    other = key_data_set(invoice_number=f"OTHER-{id(rows)}", buyer_eori="GB999999999000")
    rows[12] = SourceRecord(13, other)
    return rows


@pytest.fixture
def in_workers(dev: Api, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The node's import with one worker process from the fifth row on, three rows a task; the
    rows this process seals itself are counted."""
    registration = dev.node.registration
    monkeypatch.setattr(registration_module, "SEAL_HERE_ROWS", 4)
    monkeypatch.setattr(registration_module, "SEAL_CHUNK", 3)
    monkeypatch.setattr(registration, "import_workers", 1)
    sealed_here: list[str] = []
    original = sealing.seal

    def counted(raw: Any, *args: Any, **kwargs: Any) -> sealing.Sealed:
        sealed_here.append(str((raw or {}).get("invoice", {}).get("number")))
        return original(raw, *args, **kwargs)

    monkeypatch.setattr(registration_module.sealing, "seal", counted)
    return registration, sealed_here


def test_an_import_sealed_in_worker_processes_reports_and_registers_like_one_sealed_here(dev: Api, principal: Of, in_workers: Any) -> None:
    registration, sealed_here = in_workers
    records = _records()
    report = registration.import_key_data_sets(records, principal(SELLER), chunk=5, timeout_s=120)
    assert not report.failed and report.unfinished == 0
    assert sorted(line for line, _ in report.registered) == [1, 2, 3, 4, 5, 7, 9, 10, 11, 13, 14]
    assert [line for line, _ in report.rejected] == [6, 8, 12]
    problems = dict(report.rejected)
    assert problems[8][0].path == "invoice.number" and "line 10" in problems[12][0].message
    # The workers sealed most rows: this process sealed the first four and the row of the new buyer.
    assert len(sealed_here) == 5 and records[12].data["invoice"]["number"] in sealed_here
    by_line = dict(report.registered)
    for line in (5, 14):  # sealed by the worker: the buyer opens them and reads the row's data
        assert _opened_by_buyer(dev, by_line[line])["invoice"]["number"] == records[line - 1].data["invoice"]["number"]


class _FailingPool:
    """A pool whose every task fails, as when a worker process is killed."""

    def submit(self, *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_exception(RuntimeError("worker killed"))
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        pass


def test_when_a_worker_fails_the_node_seals_the_rest_itself(
    dev: Api, principal: Of, in_workers: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    registration, sealed_here = in_workers
    monkeypatch.setattr(registration, "_workers", lambda: _FailingPool())
    records = [SourceRecord(line, fresh_key_data_set()) for line in range(1, 12)]
    report = registration.import_key_data_sets(records, principal(SELLER), chunk=5, timeout_s=120)
    assert sorted(line for line, _ in report.registered) == list(range(1, 12)) and not report.rejected
    assert len(sealed_here) == 11
