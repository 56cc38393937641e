"""Private chain endpoints: a loopback proxy process (tests/support/auth_proxy.py) in front of a real
anvil requires HTTPS with a test CA's certificate, a client certificate of that CA, a bearer token
and a header, or checks JWTs; the node reaches it with the settings of each (secret files included),
gets a refusal that names the setting to fix without any of them, never prints a secret, and fails
over between endpoints."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from gpid_node.chain.client import RegistryClient, connect
from gpid_node.chain.devchain import DevChain, free_port
from gpid_node.chain.keystore import create_keystore
from gpid_node.chain.transport import RETRY_AFTER_S, Credentials, FailoverProvider, KeepAliveHTTPProvider, RpcOptions
from gpid_node.domain.errors import ChainUnavailable, ValidationFailed
from gpid_node.settings import load_settings
from support.auth_proxy import write_test_pki
from support.builders import dev_account
from support.cli import cli
from support.processes import ROOT

PROXY = ROOT / "tests" / "support" / "auth_proxy.py"
TOKEN = "tok-" + secrets.token_hex(16)
HEADER_VALUE = "hv-" + secrets.token_hex(12)
HS256_SECRET = secrets.token_bytes(32)


@dataclass
class Proxy:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines()


def start_proxy(folder: Path, upstream: str, *args: str, tls: bool = True) -> Proxy:
    port = free_port()
    log = folder / f"proxy-{port}.log"
    handle = open(log, "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen([sys.executable, str(PROXY), "--port", str(port), "--upstream", upstream, *args],
                               stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 20
    while "ready" not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the auth proxy did not start: {log.read_text()}")
        time.sleep(0.05)
    return Proxy(f"{'https' if tls else 'http'}://127.0.0.1:{port}", process, log)


def stop_proxy(proxy: Proxy) -> None:
    proxy.process.terminate()
    proxy.process.wait(timeout=10)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rpcauth")


@pytest.fixture(scope="module")
def own_chain(folder: Path) -> Iterator[DevChain]:
    """An anvil of this module's own (the CLI test deploys on it), stopped by PID."""
    chain = DevChain(log_file=folder / "anvil.log")
    chain.start()
    yield chain
    chain.stop()


@pytest.fixture(scope="module")
def pki(folder: Path) -> dict[str, Path]:
    return write_test_pki(folder)


@pytest.fixture(scope="module")
def secret_files(folder: Path) -> dict[str, Path]:
    token = folder / "rpc_token"
    token.write_text(TOKEN + "\n")
    headers = folder / "rpc_headers.json"
    headers.write_text(json.dumps({"X-Consortium-Key": HEADER_VALUE}))
    return {"token": token, "headers": headers}


@pytest.fixture(scope="module")
def guarded(folder: Path, own_chain: DevChain, pki: dict[str, Path], secret_files: dict[str, Path]) -> Iterator[Proxy]:
    """HTTPS with mTLS, a bearer token and a header in front of the module's anvil."""
    proxy = start_proxy(folder, own_chain.url, "--cert", str(pki["server_cert"]), "--key", str(pki["server_key"]),
                        "--client-ca", str(pki["ca"]), "--token-file", str(secret_files["token"]),
                        "--header", f"X-Consortium-Key={HEADER_VALUE}")  # fmt: skip
    yield proxy
    stop_proxy(proxy)


def full_options(pki: dict[str, Path], **changes: Any) -> RpcOptions:
    options: dict[str, Any] = {
        "bearer_token": TOKEN, "headers": (("X-Consortium-Key", HEADER_VALUE),), "ca_file": str(pki["ca"]),
        "client_cert_file": str(pki["client_cert"]), "client_key_file": str(pki["client_key"]),
    }  # fmt: skip
    options.update(changes)
    return RpcOptions(**options)


def env_settings(monkeypatch: pytest.MonkeyPatch, url: str, pki: dict[str, Path], secret_files: dict[str, Path]) -> None:
    for name, value in {
        "GPID_RPC_URL": url, "GPID_RPC_BEARER_TOKEN_FILE": str(secret_files["token"]),
        "GPID_RPC_HEADERS_FILE": str(secret_files["headers"]), "GPID_RPC_CA_FILE": str(pki["ca"]),
        "GPID_RPC_CLIENT_CERT_FILE": str(pki["client_cert"]), "GPID_RPC_CLIENT_KEY_FILE": str(pki["client_key"]),
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)


def test_the_settings_reach_a_chain_behind_tls_a_client_certificate_a_token_and_a_header(
    monkeypatch: pytest.MonkeyPatch, guarded: Proxy, pki: dict[str, Path], secret_files: dict[str, Path], own_chain: DevChain
) -> None:
    env_settings(monkeypatch, guarded.url, pki, secret_files)
    settings = load_settings(data_dir=pki["ca"].parent)
    w3 = connect(settings.rpc_url, options=settings.rpc_options())
    assert w3.eth.chain_id == 31337
    before = sum(line.startswith("passed") for line in guarded.lines())
    client = RegistryClient(w3, "0x" + "11" * 20)
    sender = dev_account(9)
    tx = {"to": sender.address, "value": 1, "gas": 21_000, "nonce": client.next_nonce(sender.address), "chainId": 31337,
          **client.fee_fields()}  # fmt: skip
    tx_hash = client.broadcast(bytes(sender.sign_transaction(tx).raw_transaction))  # a write, through the proxy
    assert client.wait(tx_hash, timeout_s=10).succeeded
    assert sum(line.startswith("passed") for line in guarded.lines()) > before
    assert connect(own_chain.url).eth.get_transaction(tx_hash)["from"] == sender.address  # the real chain has it


@pytest.mark.parametrize(("missing", "expected"), [
    ("bearer_token", "HTTP 401"),
    ("headers", "HTTP 403"),
    ("ca_file", "TLS refused"),
    ("client_cert_file", "TLS refused"),
])  # fmt: skip
def test_each_missing_credential_is_refused_with_what_to_set(guarded: Proxy, pki: dict[str, Path], missing: str, expected: str) -> None:
    changes: dict[str, Any] = {missing: () if missing == "headers" else None}
    if missing == "client_cert_file":
        changes["client_key_file"] = None
    client = RegistryClient(connect(guarded.url, options=full_options(pki, **changes)), "0x" + "11" * 20)
    with pytest.raises(ChainUnavailable) as refused:
        client.block_number()
    assert expected in refused.value.message and "GPID_RPC_" in refused.value.message
    for secret in (TOKEN, HEADER_VALUE):
        assert secret not in refused.value.message


def test_a_ca_that_did_not_sign_the_endpoint_is_refused(guarded: Proxy, pki: dict[str, Path]) -> None:
    client = RegistryClient(connect(guarded.url, options=full_options(pki, ca_file=str(pki["other_ca"]))), "0x" + "11" * 20)
    with pytest.raises(ChainUnavailable, match="TLS refused.*CERTIFICATE_VERIFY_FAILED.*GPID_RPC_CA_FILE"):
        client.block_number()


@pytest.mark.slow
def test_a_node_started_without_the_token_stops_with_a_clear_error_and_prints_no_secret(
    folder: Path, guarded: Proxy, pki: dict[str, Path], secret_files: dict[str, Path]
) -> None:
    """`gpid-node deploy` as a process at debug level: without the token it stops naming the setting;
    with every setting it deploys through the proxy; `serve` without the token stops at startup the
    same way (an endpoint that is down would not stop it). Nothing printed holds a secret."""
    data_dir = folder / "node"
    data_dir.mkdir()
    create_keystore(data_dir / "keystore.json", "correct horse battery", dev_account(0).key, scrypt_n=2**4)  # light: a test key
    settings = {"GPID_RPC_URL": guarded.url, "GPID_RPC_HEADERS_FILE": str(secret_files["headers"]), "GPID_RPC_CA_FILE": str(pki["ca"]),
                "GPID_RPC_CLIENT_CERT_FILE": str(pki["client_cert"]), "GPID_RPC_CLIENT_KEY_FILE": str(pki["client_key"]),
                "GPID_KEYSTORE_PASSWORD": "correct horse battery", "GPID_LOG_LEVEL": "debug"}  # fmt: skip
    refused = cli(data_dir, "deploy", **settings)
    assert refused.returncode != 0
    assert "refused the node's credentials (HTTP 401" in refused.stderr and "GPID_RPC_BEARER_TOKEN" in refused.stderr
    deployed = cli(data_dir, "deploy", GPID_RPC_BEARER_TOKEN_FILE=str(secret_files["token"]), **settings)
    assert deployed.returncode == 0, deployed.stderr
    assert "deployed registry" in deployed.stdout
    started = cli(data_dir, "serve", "--port", str(free_port()), timeout=90, **settings)  # no token: stops at startup
    assert started.returncode != 0
    assert "refused the node's credentials (HTTP 401" in started.stderr and "GPID_RPC_BEARER_TOKEN" in started.stderr
    printed = "".join(d.stdout + d.stderr for d in (refused, deployed, started))
    for secret in (TOKEN, HEADER_VALUE, pki["client_key"].read_text().splitlines()[1]):
        assert secret not in printed


def test_settings_and_their_reprs_hold_no_secret(
    monkeypatch: pytest.MonkeyPatch, guarded: Proxy, pki: dict[str, Path], secret_files: dict[str, Path]
) -> None:
    """What a log line or a traceback would show of the settings, the options and the providers. (What
    the processes log is searched by the CLI test above; logging is not reconfigured in this process,
    whose later tests' threads log to it.)"""
    env_settings(monkeypatch, guarded.url, pki, secret_files)
    monkeypatch.setenv("GPID_RPC_FALLBACK_URLS", json.dumps([f"http://user:{TOKEN[4:]}@127.0.0.1:9/"]))
    settings = load_settings(data_dir=pki["ca"].parent)
    options = settings.rpc_options()
    provider = connect(settings.rpc_url, options=options).provider
    shown = " ".join([repr(settings), repr(options), repr(provider), str(provider), repr(Credentials(options))])
    assert "X-Consortium-Key" in shown and "127.0.0.1:9" in shown  # the header's name and the fallback's host are there
    for secret in (TOKEN, HEADER_VALUE, TOKEN[4:]):
        assert secret not in shown
    from gpid_node.logs import hidden

    assert {TOKEN, HEADER_VALUE, TOKEN[4:]} <= hidden()  # load_settings registered them: every log line is scrubbed of them


def test_refused_settings_name_the_file_not_its_content(tmp_path: Path) -> None:
    bad_key = tmp_path / "jwt.key"
    content = "tiny-" + secrets.token_hex(4)  # shorter than an HS256 secret must be
    bad_key.write_text(content)
    with pytest.raises(ValidationFailed) as refused:
        load_settings(data_dir=tmp_path, rpc_jwt_key_file=bad_key).rpc_options()
    assert refused.value.problems[0].path == "GPID_RPC_JWT_KEY_FILE" and "32 bytes" in refused.value.problems[0].message
    assert content not in str(refused.value.problems)
    with pytest.raises(ValidationFailed, match="GPID_RPC_CA_FILE"):
        load_settings(data_dir=tmp_path, rpc_ca_file=tmp_path / "missing.pem").rpc_options()
    with pytest.raises(ValidationFailed, match="both set"):
        load_settings(data_dir=tmp_path, rpc_bearer_token=TOKEN, rpc_jwt_key_file=bad_key).rpc_options()


# ---------------------------------------------------------------------------------------------- JWT


def _rsa_pair(folder: Path) -> tuple[Path, Path]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = folder / "jwt-rsa.pem"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    public = folder / "jwt-rsa.pub.pem"
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


@pytest.mark.parametrize("algorithm", ["RS256", "HS256"])
def test_jwts_the_node_signs_are_accepted_and_an_expired_one_is_refused(folder: Path, own_chain: DevChain, algorithm: str) -> None:
    if algorithm == "RS256":  # Besu's JWT public-key authentication
        private, public = _rsa_pair(folder)
        proxy = start_proxy(folder, own_chain.url, "--jwt-public-key", str(public), tls=False)
    else:  # a shared secret, as --authrpc.jwtsecret files hold it
        private = folder / "jwt.hex"
        private.write_text(HS256_SECRET.hex() + "\n")
        proxy = start_proxy(folder, own_chain.url, "--jwt-secret-file", str(private), tls=False)
    try:
        options = load_settings(data_dir=folder, rpc_jwt_key_file=private, rpc_jwt_expiry_s=30).rpc_options()
        assert Credentials(options).algorithm == algorithm
        assert RegistryClient(connect(proxy.url, options=options), "0x" + "11" * 20).block_number() >= 0
        stale = Credentials(options, clock=lambda: time.time() - 3600)  # its JWT expired an hour ago
        with pytest.raises(ChainUnavailable, match="HTTP 401"):
            RegistryClient(connect(proxy.url), "0x" + "11" * 20)._rpc(
                KeepAliveHTTPProvider(proxy.url, credentials=stale).make_request, "eth_blockNumber", [])
        assert sum(line.startswith("refused") for line in proxy.lines()) == 1
    finally:
        stop_proxy(proxy)


def test_a_jwt_is_renewed_once_half_its_lifetime_has_passed() -> None:
    now = [1_000_000.0]
    credentials = Credentials(RpcOptions(jwt_key=HS256_SECRET.hex().encode(), jwt_expiry_s=60), clock=lambda: now[0])
    first = credentials.header()
    now[0] += 29
    assert credentials.header() == first
    now[0] += 2
    second = credentials.header()
    assert second != first and second is not None
    claims = json.loads(_b64(second.split(".")[1]))
    assert claims["exp"] - claims["iat"] == 60 and claims["iat"] == 1_000_031 and claims["permissions"] == ["*:*"]


def _b64(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# ---------------------------------------------------------------------------------------------- failover


class _Forward(BaseHTTPRequestHandler):
    """Passes each request to the chain, or answers 502 while ``server.down``; counts what it got."""

    protocol_version = "HTTP/1.1"
    server: Any

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.methods.append(json.loads(body)["method"])
        if self.server.down:
            status, raw = 502, b'{"message": "bad gateway"}'
        else:
            answer = httpx.post(self.server.upstream, content=body, headers={"Content-Type": "application/json"})
            status, raw = answer.status_code, answer.content
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def endpoints(own_chain: DevChain) -> Iterator[list[ThreadingHTTPServer]]:
    servers = []
    for _ in range(2):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Forward)
        server.upstream, server.down, server.methods = own_chain.url, False, []  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    yield servers
    for server in servers:
        server.shutdown()
        server.server_close()


def test_reads_fail_over_and_a_failed_primary_is_tried_again_after_its_pause(
    tmp_path: Path, endpoints: list[ThreadingHTTPServer]
) -> None:
    primary, secondary = endpoints
    settings = load_settings(data_dir=tmp_path, rpc_url=f"http://127.0.0.1:{primary.server_port}",
                             rpc_fallback_urls=[f"http://127.0.0.1:{secondary.server_port}"])  # fmt: skip
    provider = connect(settings.rpc_url, options=settings.rpc_options()).provider
    assert isinstance(provider, FailoverProvider)
    now = [0.0]
    provider._clock = lambda: now[0]
    client = RegistryClient(connect(settings.rpc_url), "0x" + "11" * 20)
    client.w3.provider = provider
    height = client.block_number()
    assert (len(primary.methods), len(secondary.methods)) == (1, 0)  # the primary first
    primary.down = True  # type: ignore[attr-defined]
    assert client.block_number() == height  # failed over within the call
    assert (len(primary.methods), len(secondary.methods)) == (2, 1) and provider.down() == [0]
    client.block_number()
    assert (len(primary.methods), len(secondary.methods)) == (2, 2)  # set aside: not asked
    now[0] += RETRY_AFTER_S
    client.block_number()
    assert (len(primary.methods), len(secondary.methods)) == (3, 3)  # tried again first, still down
    now[0] += RETRY_AFTER_S  # the pause doubled: still set aside
    client.block_number()
    assert len(primary.methods) == 3
    primary.down = False  # type: ignore[attr-defined]
    now[0] += RETRY_AFTER_S
    client.block_number()
    assert len(primary.methods) == 4 and provider.down() == []  # back, and used again


def test_a_write_goes_to_the_first_healthy_endpoint_only(tmp_path: Path, endpoints: list[ThreadingHTTPServer]) -> None:
    primary, secondary = endpoints
    provider = FailoverProvider([KeepAliveHTTPProvider(f"http://127.0.0.1:{s.server_port}") for s in endpoints])
    client = RegistryClient(connect(f"http://127.0.0.1:{primary.server_port}"), "0x" + "11" * 20)
    client.w3.provider = provider
    sender = dev_account(8)
    tx = {"to": sender.address, "value": 1, "gas": 21_000, "nonce": client.next_nonce(sender.address), "chainId": 31337,
          **client.fee_fields()}  # fmt: skip
    raw = bytes(sender.sign_transaction(tx).raw_transaction)
    primary.down = True  # type: ignore[attr-defined]
    with pytest.raises(ChainUnavailable):
        client.broadcast(raw)  # the first healthy endpoint fails: not repeated on the next within the call
    assert "eth_sendRawTransaction" not in secondary.methods
    tx_hash = client.broadcast(raw)  # the outbox sends it again (same bytes): now to the first healthy one
    assert secondary.methods[-1] == "eth_sendRawTransaction"
    assert client.wait(tx_hash, timeout_s=10).succeeded


def test_wrong_private_rpc_settings_are_refused_without_quoting_them(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as refused:
        load_settings(data_dir=tmp_path, rpc_headers={"X-Key": "line\nbreak" + HEADER_VALUE})
    assert refused.value.problems[0].path == "GPID_RPC_HEADERS" and HEADER_VALUE not in str(refused.value.problems)
    with pytest.raises(ValidationFailed) as refused:
        load_settings(data_dir=tmp_path, remote_signers={"0x12": f"http://u:{TOKEN}@127.0.0.1:9000"})
    assert "not an account address" in refused.value.problems[0].message and TOKEN not in str(refused.value.problems)
    with pytest.raises(ValidationFailed) as refused:
        load_settings(data_dir=tmp_path, rpc_fallback_urls=[f"ftp://u:{TOKEN}@host/"])
    assert "scheme is ftp" in refused.value.problems[0].message and TOKEN not in str(refused.value.problems)
    signers = load_settings(data_dir=tmp_path, remote_signers={"0x" + "ab" * 20: "http://127.0.0.1:9000"}).remote_signers
    assert signers == {"0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB": "http://127.0.0.1:9000"}


def test_web3s_own_provider_used_behind_an_http_proxy_carries_the_same_options(guarded: Proxy, pki: dict[str, Path]) -> None:
    """Behind an HTTP proxy the node uses web3's HTTPProvider (requests): its request_kwargs carry the
    header, the CA bundle and the client certificate, its session the token. Here it talks to the
    guarded endpoint directly (there is no HTTP proxy to go through), with each option required; a
    refusal comes out as the kept-alive transport's does."""
    from web3 import Web3

    from gpid_node.chain.transport import EndpointRefused, _web3_provider

    options = full_options(pki)
    assert Web3(_web3_provider(guarded.url, 10.0, options, Credentials(options))).eth.chain_id == 31337
    without_token = full_options(pki, bearer_token=None)
    with pytest.raises(EndpointRefused, match="HTTP 401.*GPID_RPC_BEARER_TOKEN"):
        Web3(_web3_provider(guarded.url, 10.0, without_token, Credentials(without_token))).eth.chain_id  # noqa: B018
    client = RegistryClient(Web3(_web3_provider(guarded.url, 10.0, without_token, Credentials(without_token))), "0x" + "11" * 20)
    with pytest.raises(ChainUnavailable, match="refused the node's credentials"):
        client.block_number()
