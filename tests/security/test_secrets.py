"""Secrets stay secret: a real ``gpid-node dev`` process at debug log level runs the whole export and
import flow (and refused requests, and the key commands); then every byte it and the CLI logged is
searched for every API key secret, the keystore password and every private key: none may appear.
Keys are encrypted at rest (scrypt), API keys stored as SHA-256 only; CORS is off and the security
headers are on, as the real server sends them."""

from __future__ import annotations

import json
import subprocess
import textwrap
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account import Account
from faults.chaos import DevNode, start_dev_node
from support.processes import GPID_NODE, credentials, env_for

from gpid_node.chain.keystore import EncryptionKeystore
from gpid_node.services.devmode import DEMO_PARTICIPANTS, DEV_PASSWORD, operator_account
from gpid_node.domain.errors import ValidationFailed
from gpid_node.domain.samples import sample_key_data_set
from gpid_node.settings import load_settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevNode]:
    running = start_dev_node(tmp_path_factory.mktemp("secrets") / "data", log_level="debug")
    yield running
    running.stop()


def cli(node: DevNode, *args: str) -> str:
    """A gpid-node command on the node's data folder at debug level; its stdout and stderr together."""
    done = subprocess.run([GPID_NODE, *args, "--data-dir", str(node.data_dir)], capture_output=True, text=True, timeout=120,
                          env=env_for(node.data_dir, GPID_LOG_LEVEL="debug"))  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def run_the_flow(node: DevNode) -> list[str]:
    """Every use case over HTTP, refused requests included; returns what the CLI printed meanwhile."""
    participants = credentials(node.data_dir)["participants"]
    keys = {(p["role"], p["country"]): p["api_key"] for p in participants}
    accounts = {(p["role"], p["country"]): p["account"] for p in participants}

    def as_(role: str, country: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {keys[(role, country)]}"}

    seller, buyer = as_("seller", "DE"), as_("buyer", "GB")
    with httpx.Client(base_url=node.url, timeout=60) as http:
        data = sample_key_data_set("SECRET-FLOW-1", lines=2)
        registered = http.post("/v1/key-data-sets", json=data, headers={**seller, "Idempotency-Key": "flow-1"})
        assert registered.status_code == 201, registered.text
        gpid = registered.json()["gpid"]
        assert http.post("/v1/key-data-sets", json=data, headers={**seller, "Idempotency-Key": "flow-1"}).status_code == 201
        assert http.post("/v1/key-data-sets", json=data, headers=seller).status_code == 409
        for path in (f"/v1/key-data-sets/{gpid}", f"/v1/key-data-sets/{gpid}/history", f"/v1/key-data-sets/{gpid}/qr.svg",
                     "/v1/key-data-sets", "/readyz", "/metrics", "/openapi.json"):  # fmt: skip
            assert http.get(path, headers=seller).status_code == 200, path
        goods = [dict(data["goods"][0], value="1.00"), data["goods"][1]]
        amended = http.post(f"/v1/key-data-sets/{gpid}/amendments", headers=seller,
                            json={"changes": {"goods": goods}, "reason": "credit note", "reason_code": "price"})  # fmt: skip
        assert amended.status_code == 201, amended.text
        # the brokers' rights to link the encrypted key data set: the export broker's standing mandate
        # of the seller, a grant of this GPID to the import broker
        mandated = http.post("/v1/mandates", headers=seller, json={"agent": accounts[("broker", "DE")], "direction": "export"})
        assert mandated.status_code == 201, mandated.text
        granted = http.post(f"/v1/key-data-sets/{gpid}/grants", headers=seller,
                            json={"grantee": accounts[("broker", "GB")], "reason": "imports it into GB"})  # fmt: skip
        assert granted.status_code == 201, granted.text
        assert http.get(f"/v1/key-data-sets/{gpid}/grants", headers=seller).status_code == 200
        assert http.get("/v1/mandates", headers=seller).status_code == 200
        for role, country, reference, direction in (("broker", "DE", "26DE000SECRET01", "export"),
                                                    ("broker", "GB", "26GB000SECRET01", "import")):  # fmt: skip
            linked = http.post("/v1/declarations", headers=as_(role, country),
                               json={"reference": reference, "country": country, "direction": direction, "gpids": [gpid]})  # fmt: skip
            assert linked.status_code == 201, linked.text
            items = [{"gpid": gpid, "goods_sequence": 1, "value": "1.00", "currency": "EUR"}]
            verified = http.post("/v1/verifications", headers=as_("customs", country),
                                 json={"declaration": {"reference": reference, "country": country, "direction": direction,
                                                       "filed_at": datetime.now(UTC).isoformat(), "items": items}})  # fmt: skip
            assert verified.status_code == 200, verified.text
        assert http.get(f"/v1/key-data-sets/{gpid}", headers=buyer).status_code == 200
        assert http.delete(f"/v1/key-data-sets/{gpid}/grants/{accounts[('broker', 'GB')]}", headers=seller).status_code == 200
        assert http.delete(f"/v1/mandates/{accounts[('broker', 'DE')]}/export", headers=seller).status_code == 200
        # refused: a wrong secret for a real key id, a key sent in the wrong scheme, a body not JSON
        key_id, _, secret = keys[("seller", "DE")].removeprefix("gpid_").partition(".")
        assert http.get("/v1/key-data-sets", headers={"Authorization": f"Bearer gpid_{key_id}.{secret[::-1]}"}).status_code == 401
        assert http.get("/v1/key-data-sets", headers={"Authorization": f"Token {keys[('seller', 'DE')]}"}).status_code == 401
        assert http.post("/v1/key-data-sets", content=b"{", headers={**seller, "Content-Type": "application/json"}).status_code == 400
    printed = [cli(node, "keys", "list")]
    created = cli(node, "keys", "create", "--role", "seller", "--account", operator_account().address, "--name", "temp")
    temporary = next(word for word in created.split() if word.startswith("gpid_"))
    printed.append(cli(node, "keys", "revoke", temporary.split(".")[0]))
    with httpx.Client(base_url=node.url, timeout=60) as http:
        assert http.get("/v1/key-data-sets", headers={"Authorization": f"Bearer {temporary}"}).status_code == 401
    keys["temporary"] = temporary
    node_keys = list(keys.values())
    return printed + [json.dumps(node_keys)]  # the last entry: the keys used, for the search


def private_keys(node: DevNode) -> list[str]:
    """Every participant's private key, decrypted from its keystore (the operator's is anvil's well-known one)."""
    found = []
    for path in sorted((node.data_dir / "keys").glob("*.json")):
        document = json.loads(path.read_text())
        assert document["crypto"]["kdf"] == "scrypt", path
        found.append(bytes(Account.decrypt(document, DEV_PASSWORD)).hex())
    assert len(found) == len(DEMO_PARTICIPANTS) - 1  # every participant but the operator
    return found


def encryption_private_keys(node: DevNode) -> list[tuple[Path, str]]:
    """Every participant's X25519 private key (the operator's too) with the file that keeps it sealed."""
    encryption = EncryptionKeystore(node.data_dir / "keys", DEV_PASSWORD)
    found = [(path, pair.private_bytes.hex()) for path in sorted((node.data_dir / "keys" / "encryption").glob("*.json"))
             for pair in encryption.load(path.stem) or []]  # fmt: skip
    assert len(found) == len(DEMO_PARTICIPANTS)
    return found


def test_no_secret_appears_in_any_log_of_a_full_flow(node: DevNode) -> None:
    *printed, used = run_the_flow(node)
    api_keys: list[str] = json.loads(used)
    secrets: dict[str, str] = {}
    for key in api_keys:
        secrets[f"API key {key[:17]}"] = key
        secrets[f"secret of API key {key[:17]}"] = key.partition(".")[2]
    secrets["keystore password"] = DEV_PASSWORD
    for n, hex_key in enumerate([*private_keys(node), *(key for _, key in encryption_private_keys(node))]):
        secrets[f"private key {n}"] = hex_key
        secrets[f"private key {n} (upper case)"] = hex_key.upper()
    logs = {"node process (stdout and stderr, debug level)": node.log.read_text(errors="replace"),
            **{f"CLI output {n}": text for n, text in enumerate(printed)}}  # fmt: skip
    anvil_log = (node.data_dir / "chain" / "anvil.log").read_text(errors="replace")
    access_lines = [line for line in logs["node process (stdout and stderr, debug level)"].splitlines() if "http.request" in line]
    assert len(access_lines) >= 20, "the node logged too little to judge"
    assert any('"status": 401' in line for line in access_lines)
    seller_key_id = api_keys[0].removeprefix("gpid_").partition(".")[0]
    assert seller_key_id in logs["node process (stdout and stderr, debug level)"]  # the public half is there: the search works
    leaks = [(secret, where) for secret, value in secrets.items() for where, text in logs.items() if value in text]
    # anvil prints its own development accounts (the operator's key among them, public by design) but
    # must never see a participant's key: those sign locally and send raw transactions only
    leaks += [(secret, "anvil log") for secret, value in secrets.items() if secret.startswith("private key") and value in anvil_log]
    assert leaks == []


def test_api_keys_are_stored_as_sha256_only(node: DevNode) -> None:
    database = (node.data_dir / "index.sqlite3").read_bytes()
    wal = node.data_dir / "index.sqlite3-wal"
    stored = database + (wal.read_bytes() if wal.exists() else b"")
    for participant in credentials(node.data_dir)["participants"]:
        secret = participant["api_key"].partition(".")[2]
        assert secret.encode() not in stored, participant["name"]


def test_keystores_are_scrypt_encrypted_and_never_hold_the_key_in_clear(node: DevNode) -> None:
    for path, hex_key in zip(sorted((node.data_dir / "keys").glob("*.json")), private_keys(node), strict=True):
        text = path.read_text()
        assert hex_key not in text.lower()
        assert json.loads(text)["crypto"]["kdf"] == "scrypt"
        assert path.stat().st_mode & 0o077 == 0, f"{path} is readable by others"
    for path, hex_key in encryption_private_keys(node):  # sealed with AES-GCM under a scrypt key
        text = path.read_text()
        assert hex_key not in text.lower()
        assert json.loads(text)["kdf"]["name"] == "scrypt"
        assert path.stat().st_mode & 0o077 == 0, f"{path} is readable by others"


def test_every_file_holding_keys_or_credentials_is_private(node: DevNode) -> None:
    """The keystores, the API keys of dev-credentials.json and node.toml (the keystore password)."""
    private = [*sorted((node.data_dir / "keys").glob("*.json")), *sorted((node.data_dir / "keys" / "encryption").glob("*.json")),
               node.data_dir / "dev-credentials.json", node.data_dir / "node.toml"]  # fmt: skip
    assert len(private) == 2 * len(DEMO_PARTICIPANTS) - 1 + 2
    for path in private:
        assert path.stat().st_mode & 0o077 == 0, f"{path.name} is readable by others ({oct(path.stat().st_mode & 0o777)})"
    assert not [p.name for p in node.data_dir.iterdir() if p.name.endswith(".tmp")], "a temporary file was left behind"


def test_the_real_server_sends_security_headers_and_no_cors(node: DevNode) -> None:
    seller = {"Authorization": f"Bearer {node.key('seller')}"}
    origin = {"Origin": "https://evil.example"}
    with httpx.Client(base_url=node.url, timeout=30) as http:
        preflight = http.options("/v1/key-data-sets", headers={**origin, "Access-Control-Request-Method": "POST",
                                                               "Access-Control-Request-Headers": "authorization"})  # fmt: skip
        answers: list[Any] = [http.get("/v1/key-data-sets", headers={**seller, **origin}), http.get("/healthz", headers=origin),
                              http.get("/v1/key-data-sets", headers=origin), preflight]  # fmt: skip
    for answer in answers:
        assert not any(name.lower().startswith("access-control-") for name in answer.headers), answer.headers
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert "default-src 'none'" in answer.headers["content-security-policy"]
    assert answers[0].headers["cache-control"] == "no-store" and answers[2].headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in answers[0].headers  # plain HTTP on loopback: HSTS only behind https


def test_a_refused_setting_never_quotes_a_secret_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "node.toml").write_text('keystore_pasword = "hunter2-not-logged"\n')
    monkeypatch.setenv("GPID_CONFIG", str(tmp_path / "node.toml"))
    with pytest.raises(ValidationFailed) as refused:
        load_settings()
    assert "hunter2-not-logged" not in refused.value.message
    assert all("hunter2-not-logged" not in p.message for p in refused.value.problems)


# ---------------------------------------------------------------------- chain URLs with credentials, a chain that is down

RPC_USER, RPC_PASSWORD = "rpcuser", "rpc-pass-7f3k"
PROVIDER_KEY = "0123456789abcdef0123456789abcdef"  # an Infura-style key in the path
QUERY_KEY = "qkey-5541-secret"
URL_SECRETS = (RPC_PASSWORD, PROVIDER_KEY, QUERY_KEY)
KEYSTORE_PASSWORD = "file-kept password 9"


def secret_rpc_url(port: int) -> str:
    """A provider-style endpoint with every kind of credential, on a loopback port nobody listens on."""
    return f"http://{RPC_USER}:{RPC_PASSWORD}@127.0.0.1:{port}/v3/{PROVIDER_KEY}?apikey={QUERY_KEY}"


def run_cli(data_dir: Path, *args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([GPID_NODE, *args], check=False, capture_output=True, text=True, timeout=120, env=env_for(data_dir, **env))
    assert not check or done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def offline_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """``gpid-node serve`` configured with a credentialed chain URL whose chain is down; its keystore
    password from a file (GPID_KEYSTORE_PASSWORD_FILE), debug logs captured."""
    from support.processes import start, stop, wait_http

    from gpid_node.chain.devchain import free_port
    from gpid_node.chain.keystore import keystore_address

    root = tmp_path_factory.mktemp("offline")
    data_dir = root / "data"
    password_file = root / "keystore_password"
    password_file.write_text(KEYSTORE_PASSWORD + "\n")
    env = {"GPID_KEYSTORE_PASSWORD_FILE": str(password_file), "GPID_LOG_LEVEL": "debug"}
    printed = run_cli(data_dir, "init", "--data-dir", str(data_dir), **env)
    account = keystore_address(data_dir / "keystore.json")
    (data_dir / "deployment.json").write_text(json.dumps({
        "chain_id": 31337, "registry": "0x" + "11" * 20, "block": 0, "block_hash": "0x" + "00" * 32,
        "transaction": "0x" + "00" * 32, "deployer": account, "admin": account, "artifact_hash": "0x" + "00" * 32,
    }))  # fmt: skip
    key = run_cli(data_dir, "keys", "create", "--data-dir", str(data_dir), "--role", "seller", "--account", account).stdout.split()[-1]
    port = free_port()
    url = secret_rpc_url(free_port())
    log = root / "serve.log"
    process = start([GPID_NODE, "serve", "--data-dir", str(data_dir), "--port", str(port)], data_dir, log,
                    GPID_RPC_URL=url, **env)  # fmt: skip
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", process=process)
        yield {"data_dir": data_dir, "url": f"http://127.0.0.1:{port}", "rpc_url": url, "key": key, "log": log,
               "init": printed.stdout + printed.stderr, "env": env}  # fmt: skip
    finally:
        stop(process)


def assert_no_url_secret(text: str, where: str) -> None:
    for secret in URL_SECRETS:
        assert secret not in text, f"{where} shows a credential of the chain URL"


def test_a_chain_url_with_credentials_never_reaches_a_problem_readyz_metrics_console_or_log(offline_node: dict[str, Any]) -> None:
    seller = {"Authorization": f"Bearer {offline_node['key']}"}
    shown: dict[str, str] = {}
    with httpx.Client(base_url=offline_node["url"], timeout=60) as http:
        refused = http.post("/v1/key-data-sets", json=sample_key_data_set("OFFLINE-1"), headers=seller)
        assert refused.status_code == 503, refused.text
        assert refused.json()["type"] == "https://gpid.dev/problems/chain-unavailable"
        shown["503 problem"] = refused.text
        ready = http.get("/readyz")
        assert ready.status_code == 503 and "the chain cannot be reached" in ready.json()["reasons"]
        shown["/readyz"] = ready.text
        shown["/metrics"] = http.get("/metrics").text
        sign_in = http.get("/ui/sign-in")
        signed_in = http.post("/ui/sign-in", data={"api_key": offline_node["key"], "csrf": sign_in.cookies["gpid_ui_csrf"],
                                                   "next": "/ui/"}, follow_redirects=True)  # fmt: skip
        assert signed_in.status_code == 200, signed_in.text
        shown["console"] = signed_in.text + http.get("/ui/key-data-sets?invoice_number=OFFLINE-1").text
    log = offline_node["log"].read_text(errors="replace")
    assert "chain" in log and "127.0.0.1" in log, "the node logged nothing about its chain: the search would prove nothing"
    shown["node log (debug)"] = log
    for where, text in shown.items():
        assert_no_url_secret(text, where)


def test_the_cli_never_prints_a_chain_url_credential(offline_node: dict[str, Any]) -> None:
    data_dir = str(offline_node["data_dir"])
    for args in (["deploy", "--data-dir", data_dir], ["index", "sync", "--data-dir", data_dir],
                 ["show", "GPID", "--data-dir", data_dir]):  # fmt: skip
        done = run_cli(offline_node["data_dir"], *args, check=False, GPID_RPC_URL=offline_node["rpc_url"], **offline_node["env"])
        assert done.returncode != 0
        assert "127.0.0.1" in done.stdout + done.stderr, done.stdout + done.stderr  # it says which endpoint failed
        assert_no_url_secret(done.stdout + done.stderr, f"gpid-node {args[0]}")


def test_a_cli_crash_prints_its_traceback_without_a_chain_url_credential(offline_node: dict[str, Any]) -> None:
    """A defect (here: a library failing while it connects) reaches main(), which prints the traceback
    with the credentials of the configured chain URL scrubbed from every line that quotes it."""
    child = textwrap.dedent("""
        import os, sys
        import gpid_node.chain.client
        from gpid_node.cli import main

        def broken(url, *args, **kwargs):
            raise RuntimeError("a library failed while connecting to " + url)

        gpid_node.chain.client.connect = broken
        sys.argv = ["gpid-node", "index", "sync", "--data-dir", sys.argv[1]]
        main()
    """)
    done = subprocess.run([sys.executable, "-c", child, str(offline_node["data_dir"])], capture_output=True, text=True,
                          timeout=120, env=env_for(offline_node["data_dir"], GPID_RPC_URL=offline_node["rpc_url"],
                                                   **offline_node["env"]))  # fmt: skip
    assert done.returncode == 1 and "Traceback" in done.stderr and "a library failed while connecting" in done.stderr, done.stderr
    assert_no_url_secret(done.stdout + done.stderr, "the traceback")


# ---------------------------------------------------------------------- gpid-node init, secrets from files


def test_init_prints_the_database_url_without_its_password(tmp_path: Path) -> None:
    from conftest import postgres_url
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = make_url(postgres_url())
    name = f"gpid_init_secret_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        admin.dispose()
        pytest.skip(f"PostgreSQL is not reachable at {admin_url.host}:{admin_url.port}: {exc.__class__.__name__}")
    try:
        url = admin_url.set(database=name, password="pg-secret-4411").render_as_string(hide_password=False)  # trust auth ignores it
        url_file = tmp_path / "database_url"
        url_file.write_text(url + "\n")
        password_file = tmp_path / "keystore_password"
        password_file.write_text(KEYSTORE_PASSWORD + "\n")
        data_dir = tmp_path / "data"
        done = run_cli(data_dir, "init", "--data-dir", str(data_dir), GPID_DATABASE_URL_FILE=str(url_file),
                       GPID_KEYSTORE_PASSWORD_FILE=str(password_file))  # fmt: skip
        printed = done.stdout + done.stderr
        assert "pg-secret-4411" not in printed
        assert f"{admin_url.username}:***@" in printed and name in printed  # still says which database
        from gpid_node.chain.keystore import load_keystore

        load_keystore(data_dir / "keystore.json", KEYSTORE_PASSWORD)  # the file's value, without its newline
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.parametrize("name", ["database_url", "rpc_url", "keystore_password"])
def test_a_secret_setting_is_read_from_its_file_without_the_trailing_newline(name: str, tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    value = {"database_url": "postgresql+psycopg://gpid:pw@db/gpid", "rpc_url": secret_rpc_url(8545),
             "keystore_password": "two words\twith a tab"}[name]  # fmt: skip
    (tmp_path / "secret").write_text(value + "\n")
    monkeypatch.setenv(f"GPID_{name.upper()}_FILE", str(tmp_path / "secret"))
    monkeypatch.delenv(f"GPID_{name.upper()}", raising=False)
    loaded = getattr(load_settings(data_dir=tmp_path), name)
    assert (loaded.get_secret_value() if name == "keystore_password" else loaded) == value


def test_a_secret_setting_given_both_ways_is_refused_naming_both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "secret").write_text("from-the-file-value")
    monkeypatch.setenv("GPID_KEYSTORE_PASSWORD_FILE", str(tmp_path / "secret"))
    monkeypatch.setenv("GPID_KEYSTORE_PASSWORD", "from-the-environment")
    with pytest.raises(ValidationFailed) as refused:
        load_settings(data_dir=tmp_path)
    assert "GPID_KEYSTORE_PASSWORD and GPID_KEYSTORE_PASSWORD_FILE are both set" in refused.value.message
    assert [p.path for p in refused.value.problems] == ["GPID_KEYSTORE_PASSWORD_FILE"]
    assert "from-the-file-value" not in refused.value.message and "from-the-environment" not in refused.value.message


def test_an_unreadable_secret_file_is_refused_naming_the_variable_and_path_never_the_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "absent"
    monkeypatch.setenv("GPID_RPC_URL_FILE", str(missing))
    with pytest.raises(ValidationFailed) as refused:
        load_settings(data_dir=tmp_path)
    assert refused.value.problems[0].path == "GPID_RPC_URL_FILE"
    assert str(missing) in refused.value.message and "No such file" in refused.value.message
    not_text = tmp_path / "binary"
    not_text.write_bytes(b"\xff\xfehunter2-in-the-file")
    monkeypatch.setenv("GPID_RPC_URL_FILE", str(not_text))
    with pytest.raises(ValidationFailed) as refused:
        load_settings(data_dir=tmp_path)
    assert str(not_text) in refused.value.message and "hunter2" not in refused.value.message
    monkeypatch.setenv("GPID_RPC_URL_FILE", str(tmp_path))  # a folder
    with pytest.raises(ValidationFailed, match="GPID_RPC_URL_FILE"):
        load_settings(data_dir=tmp_path)


def test_a_refused_secret_url_setting_is_not_quoted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GPID_RPC_URL", secret_rpc_url(8545))
    with pytest.raises(ValidationFailed) as refused:
        load_settings(data_dir=tmp_path, port="not a port")
    assert "not a port" in refused.value.message  # a setting that holds no secret is quoted
    assert_no_url_secret(refused.value.message, "the refusal")


# ---------------------------------------------------------------------- the console's Secure cookie behind a TLS proxy

PROXY, STRANGER = ("10.9.1.2", 40000), ("192.0.2.7", 40000)


@pytest.fixture(scope="module")
def app_behind_proxy(node: DevNode) -> Iterator[Any]:
    """The app of the dev node's data folder, configured to trust the proxies of 10.9.0.0/16."""
    from gpid_node.api.app import create_app
    from gpid_node.chain.keystore import Keyring
    from gpid_node.services.node import open_node

    settings = load_settings(data_dir=node.data_dir, rpc_url=node.chain_url, trusted_proxies=["10.9.0.0/16"])
    behind = open_node(settings, Keyring())
    yield create_app(behind, settings)
    behind.store.dispose()


def set_cookie(response: httpx.Response, name: str) -> str:
    """The Set-Cookie header of the named cookie."""
    found = [value for value in response.headers.get_list("set-cookie") if value.startswith(f"{name}=")]
    assert len(found) == 1, response.headers
    return found[0]


def is_secure(cookie: str) -> bool:
    return "secure" in [attribute.strip().lower() for attribute in cookie.split(";")]


def console_cookies(app: Any, client: tuple[str, int], headers: dict[str, str], api_key: str) -> tuple[str, str]:
    """The sign-in form's CSRF cookie and the session cookie of a sign-in, as the app sets them for this peer."""
    from starlette.testclient import TestClient

    with TestClient(app, client=client, follow_redirects=False) as http:
        form = http.get("/ui/sign-in", headers=headers)
        csrf = set_cookie(form, "gpid_ui_csrf")
        token = csrf.split(";")[0].partition("=")[2]
        signed_in = http.post("/ui/sign-in", data={"api_key": api_key, "csrf": token, "next": "/ui/"},
                              headers={**headers, "Cookie": f"gpid_ui_csrf={token}"})  # fmt: skip
        assert signed_in.status_code == 303, signed_in.text
        return csrf, set_cookie(signed_in, "gpid_ui_session")


@pytest.mark.parametrize("forwarded", [{"X-Forwarded-Proto": "https"}, {"Forwarded": 'for=198.51.100.4;proto="https"'},
                                       {"Forwarded": "for=a;proto=http, for=198.51.100.4;proto=https"}])  # fmt: skip
def test_behind_a_trusted_tls_proxy_the_console_cookies_are_secure(app_behind_proxy: Any, node: DevNode,
                                                                   forwarded: dict[str, str]) -> None:  # fmt: skip
    for cookie in console_cookies(app_behind_proxy, PROXY, forwarded, node.key("seller")):
        assert is_secure(cookie), cookie
        assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()


@pytest.mark.parametrize("forwarded", [{"X-Forwarded-Proto": "https"}, {"Forwarded": "proto=https"}])
def test_forwarded_headers_from_an_untrusted_client_are_not_believed(app_behind_proxy: Any, node: DevNode,
                                                                     forwarded: dict[str, str]) -> None:  # fmt: skip
    for cookie in console_cookies(app_behind_proxy, STRANGER, forwarded, node.key("seller")):
        assert not is_secure(cookie), cookie  # the real scheme (http) decides


def test_a_trusted_proxy_reporting_plain_http_gets_no_secure_cookie(app_behind_proxy: Any, node: DevNode) -> None:
    for cookie in console_cookies(app_behind_proxy, PROXY, {"X-Forwarded-Proto": "http"}, node.key("seller")):
        assert not is_secure(cookie), cookie


def test_the_real_server_trusts_no_forwarded_header_by_default(node: DevNode) -> None:
    """uvicorn alone would believe X-Forwarded-Proto from 127.0.0.1: the node's server does not."""
    with httpx.Client(base_url=node.url, timeout=30) as http:
        form = http.get("/ui/sign-in", headers={"X-Forwarded-Proto": "https", "Forwarded": "proto=https"})
    assert form.status_code == 200
    assert not is_secure(set_cookie(form, "gpid_ui_csrf"))


def test_a_log_line_quoting_a_hidden_secret_anywhere_is_redacted(tmp_path: Path) -> None:
    """A library's exception or warning may quote the endpoint's path alone (``with url: /v3/<key>``) or a
    password: structlog events, their rendered exceptions and standard-library records are all redacted."""
    script = f"""
import logging, structlog
from gpid_node.logs import configure_logging, hide
configure_logging("debug", "json")
hide("{KEYSTORE_PASSWORD}", urls=("{secret_rpc_url(8545)}",))
log = structlog.get_logger("test")
try:
    raise ConnectionError("Max retries exceeded with url: /v3/{PROVIDER_KEY}?apikey={QUERY_KEY}")
except ConnectionError:
    log.exception("chain.failed", detail="user {RPC_USER} with password {RPC_PASSWORD}")
log.info("settings", keystore="{KEYSTORE_PASSWORD}", url="{secret_rpc_url(8545)}")
logging.getLogger("urllib3.connectionpool").warning("Retrying after connection broken: /v3/{PROVIDER_KEY}")
"""
    done = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    logged = done.stdout + done.stderr
    assert "Max retries exceeded" in logged and "Retrying after connection broken" in logged and "chain.failed" in logged
    assert_no_url_secret(logged, "the log")
    assert KEYSTORE_PASSWORD not in logged
