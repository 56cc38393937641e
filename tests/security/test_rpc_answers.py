"""Answers of a misbehaving chain endpoint (a loopback JSON-RPC server of the test's own): oversized,
deeply nested, of the wrong type, garbage, or slower than the timeout. Every read the node makes of
the chain raises ChainUnavailable (503 at the API, a retry in the engines), never another exception
(a 500, or an engine's loop ending on a defect), and the transport never reads more than its cap.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from web3.exceptions import BlockNotFound

from gpid_node.chain.client import RegistryClient, connect
from gpid_node.chain.transport import MAX_ANSWER_BYTES, KeepAliveHTTPProvider
from gpid_node.domain.errors import ChainUnavailable

Answer = Callable[[dict[str, Any]], bytes]


class HostileEndpoint:
    """A JSON-RPC server on a free loopback port answering every request with ``answer(request)``."""

    def __init__(self) -> None:
        self.answer: Answer = lambda request: b"{}"
        self.delay_s = 0.0
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                time.sleep(endpoint.delay_s)
                body = endpoint.answer(request)
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint() -> Iterator[HostileEndpoint]:
    server = HostileEndpoint()
    yield server
    server.close()


def result(value: Any) -> Answer:
    return lambda request: json.dumps({"jsonrpc": "2.0", "id": request.get("id"), "result": value}).encode()


ANSWERS: dict[str, Answer] = {
    "garbage": lambda request: b"\x00\xffnot json at all",
    "HTML": lambda request: b"<html><body>502 Bad Gateway</body></html>",
    "deeply nested": lambda request: b"[" * 500_000,
    "deeply nested result": lambda request: b'{"jsonrpc": "2.0", "id": 1, "result": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "a list for an object": lambda request: b"[1, 2, 3]",
    "a number": lambda request: b"12",
    "null": lambda request: b"null",
    "null result": result(None),
    "a number for a hex quantity": result(12),
    "a string that is not hex": result("zz"),
    "a list for a block": result([1, 2]),
    "a block without fields": result({"number": "0x1"}),
    "an object for bytes": result({"data": "0x00"}),
    "an error of the wrong type": lambda request: b'{"jsonrpc": "2.0", "id": 1, "error": [1, 2]}',
    "a 5000-digit number": lambda request: b'{"jsonrpc": "2.0", "id": 1, "result": ' + b"9" * 5000 + b"}",
}

READS: dict[str, Callable[[RegistryClient], Any]] = {
    "head": lambda client: client.block_number(),
    "header": lambda client: client.header("latest"),
    "view": lambda client: client.view("traderKeyOf", "0x" + "11" * 20),
    "receipt": lambda client: client.receipt("0x" + "22" * 32),
    "nonce": lambda client: client.next_nonce("0x" + "11" * 20),
    "reachable": lambda client: client.is_reachable(max_age_s=0) or (_ for _ in ()).throw(ChainUnavailable("127.0.0.1 not reachable")),
}


@pytest.mark.parametrize("answer", list(ANSWERS), ids=list(ANSWERS))
def test_a_misbehaving_endpoint_makes_every_read_chain_unavailable(endpoint: HostileEndpoint, answer: str) -> None:
    endpoint.answer = ANSWERS[answer]
    client = RegistryClient(connect(endpoint.url, timeout_s=5), "0x" + "33" * 20)
    for name, read in READS.items():
        try:
            outcome = read(client)
        except ChainUnavailable as exc:
            assert "127.0.0.1" in str(exc), (name, str(exc))
            continue
        except BlockNotFound:  # null for a block: the one reading the indexer and the outbox already handle
            assert name == "header" and answer == "null result"
            continue
        except Exception as exc:  # noqa: BLE001 - the point of the test
            pytest.fail(f"{name}: {type(exc).__name__}: {exc}"[:500])
        assert name == "receipt" and outcome is None, (name, outcome)  # "not mined yet" is the one benign reading of null


def test_an_answer_above_the_cap_is_refused_without_reading_it_all(endpoint: HostileEndpoint) -> None:
    endpoint.answer = lambda request: b'{"jsonrpc": "2.0", "id": 1, "result": "0x' + b"0" * 200_000 + b'"}'
    provider = KeepAliveHTTPProvider(endpoint.url, timeout_s=5, max_answer_bytes=65_536)
    with pytest.raises(ConnectionError, match="more than 65536 bytes"):
        provider.make_request("eth_blockNumber", [])  # type: ignore[arg-type]
    assert 1_000_000 <= MAX_ANSWER_BYTES <= 256 * 1024 * 1024  # the default: far above any real answer, bounded
    client = RegistryClient(connect(endpoint.url, timeout_s=5), "0x" + "33" * 20)
    client.w3.provider.max_answer_bytes = 65_536  # type: ignore[attr-defined]
    with pytest.raises(ChainUnavailable):
        client.block_number()


def test_an_answer_slower_than_the_timeout_is_chain_unavailable(endpoint: HostileEndpoint) -> None:
    endpoint.answer = result("0x1")
    endpoint.delay_s = 1.5
    client = RegistryClient(connect(endpoint.url, timeout_s=0.3), "0x" + "33" * 20)
    with pytest.raises(ChainUnavailable, match="cannot be reached"):
        client.block_number()
    endpoint.delay_s = 0
    time.sleep(1.5)  # the slow answer of the first request is gone
    assert client.block_number() == 1  # the connection is opened again; the client recovers
