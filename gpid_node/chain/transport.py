"""A lean JSON-RPC over HTTP transport for web3.

web3's ``HTTPProvider`` goes through ``requests``: about 0.7 ms of CPU a call (session, hooks,
cookie jar, adapters), measured against 0.15 ms for the same call over a kept-alive
``http.client`` connection. The node makes thousands of calls a minute (receipts, blocks, logs,
simulations), so it talks to its endpoint through this provider; web3's request formatting and
result formatting above it are unchanged.

One connection per thread, kept alive and opened again after an error. A transport failure or a
non-2xx answer is raised as ``ConnectionError`` (an ``OSError``), which the registry client turns
into ``ChainUnavailable``. Endpoints reached through an HTTP proxy keep web3's own provider
(``requests`` knows proxies; this does not): see :func:`make_provider`.
"""

from __future__ import annotations

import base64
import http.client
import json
import threading
import urllib.request
from typing import Any
from urllib.parse import unquote, urlsplit

from web3 import Web3
from web3.providers import BaseProvider, JSONBaseProvider
from web3.types import RPCEndpoint, RPCResponse

from gpid_node.domain.redaction import redact_url

MAX_ANSWER_BYTES = 64 * 1024 * 1024  # far above any answer of the node's calls (eth_getLogs ranges are bounded)


class KeepAliveHTTPProvider(JSONBaseProvider):
    """web3 provider posting JSON-RPC requests over one kept-alive connection per thread."""

    def __init__(self, endpoint_uri: str, timeout_s: float = 10.0, max_answer_bytes: int = MAX_ANSWER_BYTES) -> None:
        super().__init__()
        self.max_answer_bytes = max_answer_bytes
        parts = urlsplit(endpoint_uri)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) JSON-RPC endpoint: {redact_url(endpoint_uri)!r}")
        self.endpoint_uri = endpoint_uri
        self.timeout_s = timeout_s
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if parts.username is not None:
            user = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            self._headers["Authorization"] = "Basic " + base64.b64encode(user.encode()).decode()
        self._local = threading.local()

    def __str__(self) -> str:
        return f"RPC connection {redact_url(self.endpoint_uri)}"  # no credentials, no key

    def _connection(self) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            connection = kind(self._host, self._port, timeout=self.timeout_s)
            self._local.connection = connection
        return connection

    def _drop_connection(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            connection.close()

    def _post(self, body: bytes) -> RPCResponse | list[RPCResponse]:
        """Posts one body; a kept-alive connection the server closed meanwhile is opened again once. The
        answer is checked to be one JSON object or a list of them; their members are web3's to check."""
        for attempt in (1, 2):
            connection = self._connection()
            try:
                connection.request("POST", self._path, body=body, headers=self._headers)
                response = connection.getresponse()
                raw = response.read(self.max_answer_bytes + 1)  # a hostile endpoint must not fill the memory
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self._drop_connection()
                if attempt == 2:
                    raise ConnectionError(f"the endpoint closed the connection: {exc}") from exc
                continue
            except (http.client.HTTPException, OSError) as exc:
                self._drop_connection()
                raise ConnectionError(f"{exc.__class__.__name__}: {exc}") from exc
            if len(raw) > self.max_answer_bytes:
                self._drop_connection()  # the rest of the answer is never read
                raise ConnectionError(f"the endpoint answered more than {self.max_answer_bytes} bytes")
            if response.will_close:
                self._drop_connection()
            if not 200 <= response.status < 300:
                raise ConnectionError(f"the endpoint answered HTTP {response.status} {response.reason}")
            try:  # a hostile answer nested deeper than the recursion limit raises RecursionError (see chain/__init__)
                answer: RPCResponse | list[RPCResponse] = json.loads(raw)
            except (ValueError, RecursionError) as exc:
                raise ConnectionError(f"the endpoint answered something that is not JSON: {raw[:80]!r}") from exc
            if not isinstance(answer, dict | list) or (isinstance(answer, list) and not all(isinstance(a, dict) for a in answer)):
                raise ConnectionError(f"the endpoint answered JSON that is not a JSON-RPC response: {raw[:80]!r}")
            return answer
        raise AssertionError("unreachable")

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        answer = self._post(self.encode_rpc_request(method, params))  # web3's own encoder and ids
        if not isinstance(answer, dict):
            raise ConnectionError("the endpoint answered a list to a single JSON-RPC request")
        return answer

    def make_batch_request(self, requests: list[tuple[RPCEndpoint, Any]]) -> list[RPCResponse] | RPCResponse:
        answer = self._post(self.encode_batch_rpc_request(requests))
        if not isinstance(answer, list):
            return answer  # one error for the whole batch
        return sorted(answer, key=_batch_position)

    def is_connected(self, show_traceback: bool = False) -> bool:
        try:
            return "result" in self.make_request(RPCEndpoint("web3_clientVersion"), [])
        except ConnectionError:
            if show_traceback:
                raise
            return False


def _batch_position(answer: RPCResponse) -> int:
    """Where an answer goes in its batch: web3 numbers a batch's requests, and the answers may come in
    any order. Any other id (null, text) is an endpoint's defect, said as such rather than a TypeError."""
    number = answer.get("id", 0)
    if not isinstance(number, int):
        raise ConnectionError(f"the endpoint answered a batch with an id that is not a number: {number!r:.80}")
    return number


def _proxied(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    proxies = urllib.request.getproxies()
    scheme = urlsplit(url).scheme
    return scheme in proxies and not urllib.request.proxy_bypass(host)


def make_provider(rpc_url: str, timeout_s: float = 10.0) -> BaseProvider:
    """The provider for an endpoint: the kept-alive transport, or web3's own where a proxy applies."""
    if _proxied(rpc_url):
        return Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout_s})
    return KeepAliveHTTPProvider(rpc_url, timeout_s)
