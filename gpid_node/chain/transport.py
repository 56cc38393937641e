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

Private endpoints (:class:`RpcOptions`): a bearer token (static, from a secret file) or a JWT the node
signs itself and renews (:class:`Credentials`: RS256 from an RSA private key, as Besu's JWT public-key
authentication checks, or HS256 from a shared secret, as the Engine API's), extra headers (an API
gateway's key), a CA bundle and a client certificate (mTLS). An endpoint that refuses them answers
HTTP 401 or 403: :class:`EndpointRefused`, which says which setting to look at. Several endpoints
(:class:`FailoverProvider`): reads go to the first healthy one and fail over to the next within the
call; writes (``eth_sendRawTransaction``, and the pending nonce they follow) go to the first healthy
one and are not repeated elsewhere within the call. An endpoint that fails is set aside for
:data:`RETRY_AFTER_S` (doubling up to a minute while it keeps failing) and then tried again first,
so a primary that comes back is used again. No secret of these ever reaches a log, a message or a repr.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import ssl
import threading
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from web3 import Web3
from web3.providers import BaseProvider, JSONBaseProvider
from web3.types import RPCEndpoint, RPCResponse

from gpid_node.domain.redaction import redact_url

MAX_ANSWER_BYTES = 64 * 1024 * 1024  # far above any answer of the node's calls (eth_getLogs ranges are bounded)


JWT_RENEW_FRACTION = 0.5  # a JWT is renewed once this share of its lifetime has passed
RETRY_AFTER_S = 5.0  # how long a failed endpoint is set aside at first (doubling while it keeps failing)
RETRY_AFTER_MAX_S = 60.0
WRITE_METHODS = frozenset({"eth_sendRawTransaction", "eth_sendTransaction", "eth_getTransactionCount"})
_REFUSED_HINT = "check GPID_RPC_BEARER_TOKEN(_FILE), GPID_RPC_JWT_KEY_FILE and GPID_RPC_HEADERS"
_TLS_HINT = "check the CA bundle (GPID_RPC_CA_FILE) and the client certificate (GPID_RPC_CLIENT_CERT_FILE)"


class EndpointRefused(ConnectionError):
    """The endpoint refused the node's credentials (HTTP 401 or 403) or the TLS handshake failed (an
    unknown CA, a client certificate missing or refused): a setting to fix, not an outage. Its message
    names the settings and never a secret."""


@dataclass(frozen=True)
class RpcOptions:
    """How the node reaches its chain endpoints beyond their URLs; secrets are left out of the repr.

    ``jwt_key`` is a PEM RSA private key (RS256, Besu's JWT public-key authentication) or a shared
    secret (HS256; a hex text of 32 bytes as ``--authrpc.jwtsecret`` files hold, else the bytes as they are).
    """

    bearer_token: str | None = field(default=None, repr=False)
    jwt_key: bytes | None = field(default=None, repr=False)
    jwt_expiry_s: int = 60
    jwt_permissions: tuple[str, ...] = ("*:*",)
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    ca_file: str | None = None
    client_cert_file: str | None = None
    client_key_file: str | None = None
    fallback_urls: tuple[str, ...] = field(default=(), repr=False)  # URLs may carry credentials

    def __post_init__(self) -> None:
        if self.bearer_token is not None and self.jwt_key is not None:
            raise ValueError("a bearer token and a JWT key are both set: set one of them")
        if self.client_key_file is not None and self.client_cert_file is None:
            raise ValueError("a client key without its certificate: set the client certificate file too")

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context for https endpoints: the CA bundle (else the system's), the client certificate."""
        if self.ca_file is None and self.client_cert_file is None:
            return None
        context = ssl.create_default_context(cafile=self.ca_file)
        if self.client_cert_file is not None:
            context.load_cert_chain(self.client_cert_file, self.client_key_file)
        return context


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hs256_secret(key: bytes) -> bytes:
    text = key.strip().decode("ascii", "replace").removeprefix("0x")
    if len(text) == 64:
        try:
            return bytes.fromhex(text)
        except ValueError:
            pass
    return key


class Credentials:
    """The ``Authorization`` header of each request: a static bearer token, or a JWT signed here and
    renewed once half its lifetime has passed (claims ``iat``, ``exp`` and Besu's ``permissions``)."""

    def __init__(self, options: RpcOptions, clock: Any = time.time) -> None:
        self._token = options.bearer_token
        self._expiry_s = options.jwt_expiry_s
        self._permissions = list(options.jwt_permissions)
        self._clock = clock
        self._lock = threading.Lock()
        self._jwt: tuple[float, str] | None = None  # (renew at, token)
        self._sign: Any = None
        self.algorithm: str | None = None
        if options.jwt_key is not None:
            self._sign, self.algorithm = _jwt_signer(options.jwt_key)

    def __repr__(self) -> str:
        return f"Credentials(algorithm={self.algorithm or ('static' if self._token else None)})"

    def header(self) -> str | None:
        if self._token is not None:
            return f"Bearer {self._token}"
        if self._sign is None:
            return None
        with self._lock:
            now = self._clock()
            if self._jwt is None or now >= self._jwt[0]:
                self._jwt = (now + self._expiry_s * JWT_RENEW_FRACTION, self._new_jwt(int(now)))
            return f"Bearer {self._jwt[1]}"

    def _new_jwt(self, now: int) -> str:
        head = _b64url(json.dumps({"alg": self.algorithm, "typ": "JWT"}, separators=(",", ":")).encode())
        claims = {"iat": now, "exp": now + self._expiry_s, "permissions": self._permissions}
        body = _b64url(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{head}.{body}".encode()
        return f"{head}.{body}.{_b64url(self._sign(signing_input))}"


def _jwt_signer(key: bytes) -> tuple[Any, str]:
    """How a JWT is signed with ``key``: RS256 for a PEM private key, HS256 for a shared secret."""
    if b"PRIVATE KEY-----" in key:
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding, rsa

        private = serialization.load_pem_private_key(key, password=None)
        if not isinstance(private, rsa.RSAPrivateKey):
            raise ValueError("the JWT key is a private key but not an RSA one: use an RSA key (RS256) or a shared secret (HS256)")
        return (lambda data: private.sign(data, padding.PKCS1v15(), hashes.SHA256())), "RS256"
    secret = _hs256_secret(key)
    if len(secret) < 32:
        raise ValueError("the JWT secret is shorter than 32 bytes: use 32 random bytes (64 hex digits)")
    return (lambda data: hmac.new(secret, data, hashlib.sha256).digest()), "HS256"


class KeepAliveHTTPProvider(JSONBaseProvider):
    """web3 provider posting JSON-RPC requests over one kept-alive connection per thread."""

    def __init__(
        self,
        endpoint_uri: str,
        timeout_s: float = 10.0,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        options: RpcOptions | None = None,
        credentials: Credentials | None = None,
    ) -> None:
        super().__init__()
        options = options or RpcOptions()
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
        self._headers = {"Content-Type": "application/json", "Accept": "application/json", **dict(options.headers)}
        self._credentials = credentials if credentials is not None else Credentials(options)
        self._ssl = options.ssl_context() if self._https else None
        if parts.username is not None:
            user = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            self._headers["Authorization"] = "Basic " + base64.b64encode(user.encode()).decode()
        self._local = threading.local()

    def __str__(self) -> str:
        return f"RPC connection {redact_url(self.endpoint_uri)}"  # no credentials, no key

    def __repr__(self) -> str:
        return f"KeepAliveHTTPProvider({redact_url(self.endpoint_uri)!r})"

    def _connection(self) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            if self._https:
                connection = http.client.HTTPSConnection(self._host, self._port, timeout=self.timeout_s, context=self._ssl)
            else:
                connection = http.client.HTTPConnection(self._host, self._port, timeout=self.timeout_s)
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
        headers = self._headers
        bearer = self._credentials.header()
        if bearer is not None:
            headers = {**headers, "Authorization": bearer}
        for attempt in (1, 2):
            connection = self._connection()
            try:
                connection.request("POST", self._path, body=body, headers=headers)
                response = connection.getresponse()
                raw = response.read(self.max_answer_bytes + 1)  # a hostile endpoint must not fill the memory
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self._drop_connection()
                if attempt == 2:
                    raise ConnectionError(f"the endpoint closed the connection: {exc}") from exc
                continue
            except ssl.SSLError as exc:
                self._drop_connection()
                raise EndpointRefused(f"TLS refused ({exc.reason or exc.__class__.__name__}): {_TLS_HINT}") from exc
            except (http.client.HTTPException, OSError) as exc:
                self._drop_connection()
                raise ConnectionError(f"{exc.__class__.__name__}: {exc}") from exc
            if len(raw) > self.max_answer_bytes:
                self._drop_connection()  # the rest of the answer is never read
                raise ConnectionError(f"the endpoint answered more than {self.max_answer_bytes} bytes")
            if response.will_close:
                self._drop_connection()
            if response.status in (401, 403):
                raise EndpointRefused(f"the endpoint refused the node's credentials (HTTP {response.status} {response.reason}): {_REFUSED_HINT}")
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


class FailoverProvider(JSONBaseProvider):
    """Several endpoints of one chain, in order of preference (see the module's docstring).

    An endpoint whose call fails with an ``OSError`` (unreachable, HTTP error, refused
    credentials) is set aside for :data:`RETRY_AFTER_S`, doubling up to :data:`RETRY_AFTER_MAX_S` while
    it keeps failing; the first call after that tries it again before the others. When every endpoint
    is set aside, all are tried anyway, in order. An error answer of the chain (a JSON-RPC ``error``)
    is an answer, not a failure: it is returned as it came.
    """

    def __init__(self, providers: Sequence[BaseProvider], clock: Any = time.monotonic) -> None:
        super().__init__()
        if not providers:
            raise ValueError("no endpoint")
        self.providers = list(providers)
        self._clock = clock
        self._lock = threading.Lock()
        self._down: dict[int, tuple[float, float]] = {}  # index -> (tried again after, how long it was set aside)

    @property
    def endpoint_uri(self) -> str:
        """The endpoint in use (for messages): the first healthy one."""
        return str(getattr(self.providers[self._order()[0]], "endpoint_uri", "?"))

    def __str__(self) -> str:
        return f"RPC connections {', '.join(redact_url(str(getattr(p, 'endpoint_uri', '?'))) for p in self.providers)}"

    def __repr__(self) -> str:
        return f"FailoverProvider({[redact_url(str(getattr(p, 'endpoint_uri', '?'))) for p in self.providers]})"

    def _order(self) -> list[int]:
        """Healthy endpoints first (in their order), then those set aside, soonest back first."""
        now = self._clock()
        with self._lock:
            healthy = [i for i in range(len(self.providers)) if i not in self._down or self._down[i][0] <= now]
            resting = sorted((i for i in self._down if self._down[i][0] > now), key=lambda i: self._down[i][0])
        return healthy + resting

    def _failed(self, index: int) -> None:
        with self._lock:
            _, last = self._down.get(index, (0.0, 0.0))
            pause = min(last * 2, RETRY_AFTER_MAX_S) if last else RETRY_AFTER_S
            self._down[index] = (self._clock() + pause, pause)

    def _answered(self, index: int) -> None:
        if index in self._down:
            with self._lock:
                self._down.pop(index, None)

    def down(self) -> list[int]:
        """The endpoints set aside now (their positions)."""
        now = self._clock()
        with self._lock:
            return sorted(i for i, (until, _) in self._down.items() if until > now)

    def _call(self, write: bool, call: Any) -> Any:
        order = self._order()
        last: OSError | None = None
        for index in order[:1] if write else order:
            try:
                answer = call(self.providers[index])
            except OSError as exc:  # ConnectionError of ours, requests' errors (web3's provider) alike
                self._failed(index)
                last = exc
                continue
            self._answered(index)
            return answer
        assert last is not None
        raise last

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        answer: RPCResponse = self._call(method in WRITE_METHODS, lambda p: p.make_request(method, params))
        return answer

    def make_batch_request(self, requests: list[tuple[RPCEndpoint, Any]]) -> list[RPCResponse] | RPCResponse:
        write = any(method in WRITE_METHODS for method, _ in requests)
        answer: list[RPCResponse] | RPCResponse = self._call(write, lambda p: p.make_batch_request(requests))
        return answer

    def is_connected(self, show_traceback: bool = False) -> bool:
        return any(p.is_connected(show_traceback=False) for p in self.providers) or (
            show_traceback and self.providers[0].is_connected(show_traceback=True))


def _proxied(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    proxies = urllib.request.getproxies()
    scheme = urlsplit(url).scheme
    return scheme in proxies and not urllib.request.proxy_bypass(host)


class _RequestsAuth:
    """The credentials on each request of web3's own provider (``requests`` calls it per request)."""

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials

    def __call__(self, request: Any) -> Any:
        bearer = self.credentials.header()
        if bearer is not None:
            request.headers["Authorization"] = bearer
        return request


class _RequestsHTTPProvider(Web3.HTTPProvider):  # type: ignore[misc,valid-type]
    """web3's own provider, its ``requests`` errors said as the kept-alive transport says them
    (``EndpointRefused``, ``ConnectionError``), so that the client and the failover treat both alike."""

    def _translated(self, call: Any) -> Any:
        import requests

        try:
            return call()
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else 0
            if status in (401, 403):
                raise EndpointRefused(f"the endpoint refused the node's credentials (HTTP {status}): {_REFUSED_HINT}") from exc
            raise ConnectionError(f"the endpoint answered HTTP {status}") from exc
        except requests.exceptions.SSLError as exc:
            raise EndpointRefused(f"TLS refused: {_TLS_HINT}") from exc
        except requests.RequestException as exc:
            raise ConnectionError(exc.__class__.__name__) from exc

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        answer: RPCResponse = self._translated(lambda: super(_RequestsHTTPProvider, self).make_request(method, params))
        return answer

    def make_batch_request(self, requests: list[tuple[RPCEndpoint, Any]]) -> list[RPCResponse] | RPCResponse:
        answer: list[RPCResponse] | RPCResponse = self._translated(
            lambda: super(_RequestsHTTPProvider, self).make_batch_request(requests))
        return answer


def _web3_provider(rpc_url: str, timeout_s: float, options: RpcOptions, credentials: Credentials) -> BaseProvider:
    """web3's own ``HTTPProvider`` (for an endpoint behind an HTTP proxy) with the same options:
    ``request_kwargs`` go to each ``requests`` call (headers, CA bundle as ``verify``, client
    certificate as ``cert``) and a session of ours carries the renewed credentials."""
    import requests

    session = requests.Session()
    session.auth = _RequestsAuth(credentials)
    kwargs: dict[str, Any] = {"timeout": timeout_s}
    if options.headers:
        kwargs["headers"] = {**Web3.HTTPProvider.get_request_headers(), **dict(options.headers)}
    if options.ca_file is not None:
        kwargs["verify"] = options.ca_file
    if options.client_cert_file is not None:
        kwargs["cert"] = (options.client_cert_file, options.client_key_file) if options.client_key_file else options.client_cert_file
    # no retries of web3's own: a refusal is not worth repeating, and the outbox and the indexer retry outages
    return _RequestsHTTPProvider(rpc_url, request_kwargs=kwargs, session=session, exception_retry_configuration=None)


def make_provider(rpc_url: str, timeout_s: float = 10.0, options: RpcOptions | None = None) -> BaseProvider:
    """The provider for an endpoint (and its fallbacks, ``options.fallback_urls``): the kept-alive
    transport, or web3's own where a proxy applies; one :class:`FailoverProvider` over several."""
    options = options or RpcOptions()
    credentials = Credentials(options)  # one JWT for every endpoint, renewed in one place
    providers = [
        _web3_provider(url, timeout_s, options, credentials) if _proxied(url)
        else KeepAliveHTTPProvider(url, timeout_s, options=options, credentials=credentials)
        for url in (rpc_url, *options.fallback_urls)
    ]  # fmt: skip
    return providers[0] if len(providers) == 1 else FailoverProvider(providers)

