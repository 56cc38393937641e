"""Payloads on chain are written by whoever registers: a malicious seller bound to a trader ID can
put any bytes there (the contract refuses only format tag 0). Every node's indexer reads them, so a
payload must never stop an indexer: an unreadable one is stored as an integrity failure and the
index moves on (tests/store/test_indexer.py shows that for ordinary garbage).

Each check runs in a child process with the node's imports (py_ecc raises the recursion limit to
100,000), in a thread as the indexer runs, so that a crash shows as the child's exit code instead of
ending the test session.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zlib
from typing import Any

import pytest
from api.harness import SELLER, fresh_key_data_set
from support.contract_checks import payload_of

from gpid_node.chain.abi import decode_log, event_topic
from gpid_node.chain.client import RegistryClient
from gpid_node.domain import canonical
from gpid_node.domain.gpid import GPID
from gpid_node.services.credentials import authenticate
from gpid_node.services.index_rows import check_payload
from gpid_node.services.registration import Registration

CHILD = textwrap.dedent(
    """
    import sys, threading, zlib
    import gpid_node.services.node  # the node's imports, py_ecc's recursion limit included
    from gpid_node.services.index_rows import check_payload

    raw = bytes.fromhex(sys.argv[1]) * int(sys.argv[2])
    deflate = zlib.compressobj(level=9, wbits=-15)
    payload = b"\\x01" + b"\\0" * 32 + deflate.compress(raw) + deflate.flush()
    result = {}

    def index():
        try:
            result["problem"] = check_payload(payload, [b"\\0" * 32] * 5).problem
        except BaseException as exc:
            result["raised"] = f"{type(exc).__name__}: {exc}"[:300]

    thread = threading.Thread(target=index)
    thread.start()
    thread.join()
    print(result)
    sys.exit(0 if "problem" in result and "cannot be read" in (result["problem"] or "") else 3)
    """
)


def _index_payload_in_a_child(raw: bytes, times: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CHILD, raw.hex(), str(times)], capture_output=True, text=True, timeout=120)


def test_a_deeply_nested_payload_is_stored_as_unreadable_instead_of_crashing_the_indexer() -> None:
    child = _index_payload_in_a_child(b"[", 500_000)
    assert child.returncode == 0, f"exit code {child.returncode} (-11 is SIGSEGV): {child.stdout}{child.stderr[-500:]}"


def test_a_payload_with_a_5000_digit_number_is_stored_as_unreadable_instead_of_stalling_the_indexer() -> None:
    child = _index_payload_in_a_child(b'{"a": ' + b"9" * 5000 + b"}", 1)
    assert child.returncode == 0, f"exit code {child.returncode}: {child.stdout}{child.stderr[-500:]}"


def _payload(raw: bytes) -> bytes:
    deflate = zlib.compressobj(level=9, wbits=-15)
    return b"\x01" + b"\0" * 32 + deflate.compress(raw) + deflate.flush()


@pytest.mark.parametrize(
    "raw",
    [b"[" * 150 + b"]" * 150, b'{"a": NaN}', b'{"a": 1e400}', b'"\\ud800"', b"\xff\xfe", b"null", b"[" * 150, b"{}" * 3],
    ids=["150 levels", "NaN", "1e400", "lone surrogate", "not UTF-8", "null", "unclosed", "two objects"],
)
def test_other_hostile_payloads_are_stored_as_failed_checks(raw: bytes) -> None:
    check = check_payload(_payload(raw), [b"\0" * 32] * 5)
    assert not check.ok and check.problem


def test_format_1_payloads_are_public_anyone_reading_the_chain_reads_the_key_data_set(api: Any) -> None:
    """What docs/security.md says plainly: format 1 is not confidential. No API key, no node: the
    registry's events and the calldata of the transactions they name give the whole key data set (and its
    salt, so the commitments hide nothing).
    New registrations are format 2; format-1 key data sets registered before stay on chain like this one."""
    data = fresh_key_data_set()
    with api.node.store.session() as session:
        seller = authenticate(session, api.keys[SELLER])
    assert seller is not None
    plain = Registration(api.node.context, api.node.submissions, payload_format=1)
    gpid = plain.register(data, seller)["gpid"]
    outsider = RegistryClient.connect(api.env.chain.url, api.node.client.address)
    logs = outsider.find_logs(event_topic("KeyDataSetRegistered"), GPID.parse(gpid).raw)
    event = decode_log(logs[0])
    published, salt = canonical.decode_payload(payload_of(outsider, event))  # the transaction's calldata
    assert published["invoice"]["number"] == data["invoice"]["number"]
    assert published["goods"][0]["value"] == data["goods"][0]["value"]
    assert payload_of(outsider, event)[0] == 1
    assert canonical.commitments(published, salt).as_tuple() == tuple(bytes(c) for c in event.args["commitments"])
