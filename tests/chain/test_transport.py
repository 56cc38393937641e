"""The kept-alive JSON-RPC transport: against a real anvil, and against small local servers that
misbehave the ways a real endpoint or proxy can."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from web3 import Web3

from gpid_node.chain.client import RegistryClient, connect
from gpid_node.chain.devchain import DevChain, free_port
from gpid_node.chain.transport import KeepAliveHTTPProvider, make_provider
from gpid_node.domain.errors import ChainUnavailable


class _Endpoint(BaseHTTPRequestHandler):
    """Answers every POST with what the test put in ``server.answer`` and keeps what it was sent."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.seen.append((dict(self.headers), json.loads(body)))  # type: ignore[attr-defined]
        status, payload = self.server.answer(json.loads(body))  # type: ignore[attr-defined]
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    server.seen = []  # type: ignore[attr-defined]
    server.answer = lambda request: (200, {"jsonrpc": "2.0", "id": request["id"], "result": "0x2a"})  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_web3_over_the_transport_reads_a_real_chain(chain: DevChain) -> None:
    w3 = connect(chain.url)
    assert isinstance(w3.provider, KeepAliveHTTPProvider)
    assert w3.eth.chain_id == 31337
    latest = w3.eth.get_block("latest")
    assert w3.eth.get_block(latest["number"])["hash"] == latest["hash"]
    batch = w3.provider.make_batch_request([("eth_chainId", []), ("eth_blockNumber", [])])
    assert [int(r["result"], 16) for r in batch] == [31337, latest["number"]]


def test_a_connection_closed_by_the_chain_is_opened_again(tmp_path: Any) -> None:
    """anvil restarted on the same port: the kept-alive socket is dead, the next call works anyway."""
    port = free_port()
    first = DevChain(port=port, log_file=tmp_path / "a.log")
    first.start()
    client = RegistryClient.connect(first.url, "0x" + "11" * 20)
    assert client.block_number() == 0
    first.stop()
    with pytest.raises(ChainUnavailable, match="cannot be reached"):
        client.block_number()
    second = DevChain(port=port, log_file=tmp_path / "b.log")
    second.start()
    try:
        assert client.block_number() == 0 and client.header("latest").number == 0
    finally:
        second.stop()


def test_an_endpoint_answering_an_http_error_is_unavailable(endpoint: ThreadingHTTPServer) -> None:
    endpoint.answer = lambda request: (502, {"message": "bad gateway"})  # type: ignore[attr-defined]
    client = RegistryClient.connect(f"http://127.0.0.1:{endpoint.server_port}", "0x" + "11" * 20)
    with pytest.raises(ChainUnavailable, match="cannot be reached"):
        client.block_number()


def test_an_endpoint_answering_something_else_than_json_is_unavailable(endpoint: ThreadingHTTPServer) -> None:
    endpoint.answer = lambda request: (200, b"<html>captive portal</html>")  # type: ignore[attr-defined]
    client = RegistryClient.connect(f"http://127.0.0.1:{endpoint.server_port}", "0x" + "11" * 20)
    with pytest.raises(ChainUnavailable):
        client.block_number()


def test_credentials_in_the_url_are_sent_as_basic_auth_and_never_shown(endpoint: ThreadingHTTPServer) -> None:
    url = f"http://node%40gpid:s3cret@127.0.0.1:{endpoint.server_port}/rpc?project=7"
    provider = KeepAliveHTTPProvider(url)
    assert Web3(provider).eth.block_number == 42
    headers, body = endpoint.seen[0]  # type: ignore[attr-defined]
    assert headers["Authorization"] == "Basic bm9kZUBncGlkOnMzY3JldA=="  # node@gpid:s3cret
    assert body["method"] == "eth_blockNumber"
    assert "s3cret" not in str(provider) and str(endpoint.server_port) in str(provider)
    client = RegistryClient(Web3(provider), "0x" + "11" * 20)
    assert client.rpc_url == f"http://node%40gpid:***@127.0.0.1:{endpoint.server_port}/rpc?project=***"  # domain/redaction.py
    endpoint.answer = lambda request: (503, {"message": "down"})  # type: ignore[attr-defined]
    with pytest.raises(ChainUnavailable) as refused:
        client.block_number()
    assert "s3cret" not in refused.value.message and "project=7" not in refused.value.message


def test_an_error_answer_keeps_the_endpoint_message(endpoint: ThreadingHTTPServer) -> None:
    endpoint.answer = lambda request: (  # type: ignore[attr-defined]
        200, {"jsonrpc": "2.0", "id": request["id"], "error": {"code": -32000, "message": "nonce too low"}})
    client = RegistryClient.connect(f"http://127.0.0.1:{endpoint.server_port}", "0x" + "11" * 20)
    with pytest.raises(Exception, match="nonce too low"):
        client.next_nonce("0x" + "22" * 20)


def test_an_endpoint_behind_a_proxy_keeps_web3s_own_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("https_proxy", "http://proxy.example:3128")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    assert isinstance(make_provider("https://rpc.example/v1"), Web3.HTTPProvider)  # web3's, its errors translated (transport.py)
    assert type(make_provider("http://127.0.0.1:8545")) is KeepAliveHTTPProvider


def test_only_http_endpoints_are_accepted() -> None:
    with pytest.raises(ValueError, match="not an http"):
        KeepAliveHTTPProvider("ws://127.0.0.1:8546")
