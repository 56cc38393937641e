"""docker-compose.yml is valid, and runs only what tests/e2e/test_consortium.py runs.

``docker-compose config`` validates the file (no Docker engine needed). Then every command of every
service (the exec-form lists, and each command of the onboarding shell script) must be one of the
consortium test's command templates filled in, started with GPID_* variables that the test sets
for that command too; and the compose file must run the whole consortium (chain, keys, deployment,
onboarding of the three organisations, three nodes) with health checks and volumes.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import time
from typing import Any

import pytest

from e2e.test_consortium import COMMANDS
from support.processes import ROOT
from support.requirements import require_docker_compose

yaml = pytest.importorskip("yaml")

COMPOSE = ROOT / "docker-compose.yml"
NODES = ("seller", "broker", "customs")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_OPERATORS = {";", "&&", "||", "|", "&"}


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    """The compose file as ``docker-compose config`` validates and resolves it."""
    program = require_docker_compose()
    done = subprocess.run([program, "-f", str(COMPOSE), "config"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT)})  # fmt: skip
    assert done.returncode == 0, f"docker-compose config refuses docker-compose.yml:\n{done.stderr}"
    return yaml.safe_load(done.stdout)


def _script_commands(script: str) -> list[tuple[set[str], list[str]]]:
    """Each simple command of a shell script: (variables assigned in front of it, its words)."""
    commands = []
    for line in script.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words: list[str] = []
        for token in [*lexer, ";"]:
            if token not in _OPERATORS:
                words.append(token)
                continue
            assigned = set()
            while words and _ASSIGNMENT.match(words[0]):
                assigned.add(words.pop(0).split("=", 1)[0])
            if words:
                commands.append((assigned, words))
            words = []
    return commands


def _commands(service: dict[str, Any]) -> list[tuple[set[str], list[str]]]:
    """The commands a service runs, each with the variables set for it (its environment and inline ones)."""
    command = service.get("command")
    if command is None:
        return []
    environment = set(service.get("environment") or {})
    if isinstance(command, str):
        command = shlex.split(command)
    if command[0] == "sh" and command[1] in ("-c", "-ec", "-euc"):
        return [(environment | assigned, words) for assigned, words in _script_commands(command[2])]
    return [(environment, list(command))]


def _ours(words: list[str]) -> bool:
    return words[0] == "gpid-node" or words[0].endswith("/anvil")


def _template(words: list[str]) -> str | None:
    return next((name for name, template in COMMANDS.items() if template.matches(words)), None)


def test_compose_file_is_valid_and_defines_the_consortium(config: dict[str, Any]) -> None:
    services = config["services"]
    assert {"chain", "postgres", "onboarding", *NODES} <= set(services)
    for name in NODES:
        node = services[name]
        assert "/healthz" in " ".join(node["healthcheck"]["test"]), f"{name} has no /healthz health check"
        assert any(v.startswith(f"{name}:/data") for v in node["volumes"]), f"{name} keeps no data volume"
        assert node["depends_on"]["onboarding"]["condition"] == "service_completed_successfully"
    assert services["broker"]["environment"]["GPID_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "GPID_DATABASE_URL" not in services["seller"]["environment"], "the seller's node runs on SQLite"
    assert any(v.startswith("chain:/chain") for v in services["chain"]["volumes"]), "the chain state is not persisted"
    assert "healthcheck" in services["chain"] and "healthcheck" in services["postgres"]


def test_every_compose_command_is_one_the_consortium_test_runs(config: dict[str, Any]) -> None:
    used: dict[str, int] = {}
    for name, service in config["services"].items():
        for variables, words in _commands(service):
            if not _ours(words):
                continue
            template = _template(words)
            assert template is not None, f"service {name} runs a command the consortium test does not: {shlex.join(words)}"
            gpid_variables = {v for v in variables if v.startswith("GPID_")}
            extra = gpid_variables - COMMANDS[template].env
            assert not extra, f"service {name} runs `{shlex.join(words[:3])}` with {extra}, which the consortium test does not set"
            used[template] = used.get(template, 0) + 1
    expected = {"chain": 1, "init-operator": 1, "init": 3, "deploy": 1, "onboard-seller": 1, "onboard-broker": 1,
                "onboard-customs": 1, "serve": 3}  # fmt: skip
    assert used == expected


def test_the_script_reader_splits_commands_and_inline_variables() -> None:
    script = 'test -f /a || GPID_DATABASE_URL="$URL" gpid-node init --data-dir /a --password "$P"\necho x; gpid-node deploy'
    assert _script_commands(script) == [
        (set(), ["test", "-f", "/a"]),
        ({"GPID_DATABASE_URL"}, ["gpid-node", "init", "--data-dir", "/a", "--password", "$P"]),
        (set(), ["echo", "x"]),
        (set(), ["gpid-node", "deploy"]),
    ]


def test_the_besu_profile_is_a_four_validator_qbft_network_with_jwt_rpc_authentication(config: dict[str, Any]) -> None:
    """The optional `besu` profile (it cannot run here): four validators on one genesis whose QBFT
    extraData names exactly their keys' addresses, the others finding the first by its enode, free
    gas, and JSON-RPC authenticated by JWTs that the development key in besu/jwt signs."""
    import rlp
    from eth_keys import keys

    from gpid_node.chain.transport import Credentials, RpcOptions
    from support.auth_proxy import jwt_valid

    validators = {name: service for name, service in config["services"].items() if name.startswith("besu-")}
    assert sorted(validators) == ["besu-1", "besu-2", "besu-3", "besu-4"]
    genesis = json.loads((ROOT / "besu" / "genesis.json").read_text())
    assert set(genesis["config"]["qbft"]) == {"blockperiodseconds", "epochlength", "requesttimeoutseconds"}
    assert genesis["config"]["zeroBaseFee"] is True and int(genesis["gasLimit"], 16) >= 10_000_000
    vanity, listed, vote, round_, seals = rlp.decode(bytes.fromhex(genesis["extraData"][2:]))
    assert (vanity, vote, round_, seals) == (bytes(32), b"", bytes(4), [])
    public_keys = {}
    for name, service in validators.items():
        assert service["profiles"] == ["besu"]
        flags = dict(flag.split("=", 1) for flag in service["command"])
        assert flags["--genesis-file"] == "/config/genesis.json" and flags["--min-gas-price"] == "0"
        key_file = ROOT / "besu" / flags["--node-private-key-file"].removeprefix("/config/")
        public_keys[name] = keys.PrivateKey(bytes.fromhex(key_file.read_text().strip()[2:])).public_key
        if name != "besu-1":
            assert flags["--bootnodes"].startswith(f"enode://{public_keys['besu-1'].to_hex()[2:]}@")
        if "--rpc-http-enabled" in flags:
            assert flags["--rpc-http-authentication-enabled"] == "true"
            assert flags["--rpc-http-authentication-jwt-public-key-file"] == "/config/jwt/public.pem"
    assert sorted(listed) == sorted(k.to_canonical_address() for k in public_keys.values())
    token = Credentials(RpcOptions(jwt_key=(ROOT / "besu" / "jwt" / "private.pem").read_bytes())).header()
    assert token is not None and jwt_valid(token.removeprefix("Bearer "), (ROOT / "besu" / "jwt" / "public.pem").read_bytes(), None, time.time())
