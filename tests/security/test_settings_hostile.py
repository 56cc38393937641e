"""Hostile settings (``GPID_*`` environment variables and node.toml), given to the real console
script: the CLI and `serve` refuse at start, exit 2, name the variable and what is accepted, and
print no traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from support.processes import GPID_NODE, env_for

HOSTILE_ENV: dict[str, tuple[str, str, str]] = {
    # case: (variable, value, words of the message besides the variable's name)
    "port not a number": ("GPID_PORT", "http", "valid integer"),
    "port beyond range": ("GPID_PORT", "70000", "65535"),
    "port 5000 digits": ("GPID_PORT", "9" * 5000, "GPID_PORT"),
    "confirmations negative": ("GPID_CONFIRMATIONS", "-1", "greater than or equal to 0"),
    "confirmations beyond range": ("GPID_CONFIRMATIONS", "99999999999999999999999", "1000"),
    "body limit below 1 KiB": ("GPID_MAX_BODY_BYTES", "10", "1024"),
    "body limit beyond 1 GiB": ("GPID_MAX_BODY_BYTES", str(2**40), "1073741824"),
    "poll interval NaN": ("GPID_POLL_INTERVAL_S", "nan", "finite"),
    "write timeout infinite": ("GPID_WRITE_TIMEOUT_S", "inf", "finite"),
    "write timeout zero": ("GPID_WRITE_TIMEOUT_S", "0", "greater than 0"),
    "batch size a list": ("GPID_BATCH_SIZE", "[1, 2]", "valid integer"),
    "engine process not a boolean": ("GPID_ENGINE_PROCESS", "maybe", "boolean"),
    "fee mode unknown": ("GPID_FEE_MODE", "free", "auto"),
    "log level unknown": ("GPID_LOG_LEVEL", "loud", "debug, info, warning or error"),
    "log format unknown": ("GPID_LOG_FORMAT", "xml", "json or console"),
    "CORS origins not JSON": ("GPID_CORS_ORIGINS", "https://a.example, https://b.example", "JSON list"),
    "CORS origins an object": ("GPID_CORS_ORIGINS", '{"a": 1}', "list"),
    "RPC URL a file": ("GPID_RPC_URL", "file:///etc/passwd", "http"),
    "RPC URL javascript": ("GPID_RPC_URL", "javascript:alert(1)", "http"),
    "RPC URL without host": ("GPID_RPC_URL", "http://", "host"),
    "RPC URL with spaces": ("GPID_RPC_URL", "http://chain.example/ rpc", "http"),
    "RPC URL with control characters": ("GPID_RPC_URL", "http://chain.example/\x1b[2J", "http"),
    "RPC URL huge": ("GPID_RPC_URL", "http://chain.example/" + "a" * 100_000, "2048"),
    "RPC URL bad port": ("GPID_RPC_URL", "http://chain.example:99999/", "port"),
    "public URL not a URL": ("GPID_PUBLIC_URL", "not a url", "http"),
    "database URL not a URL": ("GPID_DATABASE_URL", "not a url", "sqlite"),
    "database URL another driver": ("GPID_DATABASE_URL", "mysql://root@localhost/gpid", "sqlite"),
    "host with spaces": ("GPID_HOST", "127.0.0.1 evil", "GPID_HOST"),
}


def run(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([GPID_NODE, *args, "--data-dir", str(data_dir)], env=env_for(data_dir, COLUMNS="200", **env),
                          capture_output=True, text=True, timeout=120, errors="replace")  # fmt: skip


def assert_refused_at_start(result: subprocess.CompletedProcess[str], variable: str, *words: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 2, (result.returncode, output[-2000:])
    assert "Traceback" not in output, output[-3000:]
    assert variable in result.stderr, result.stderr[-2000:]
    for word in words:
        assert word in result.stderr, (word, result.stderr[-2000:])
    assert len(result.stderr) < 20_000, "the refusal echoes a huge value"


@pytest.mark.parametrize("case", list(HOSTILE_ENV), ids=list(HOSTILE_ENV))
def test_a_hostile_environment_value_is_refused_at_start_naming_the_variable(tmp_path: Path, case: str) -> None:
    variable, value, words = HOSTILE_ENV[case]
    assert_refused_at_start(run(tmp_path / "data", "keys", "list", **{variable: value}), variable, words)


@pytest.mark.parametrize("case", ["RPC URL a file", "port beyond range", "database URL not a URL", "log level unknown"])
def test_serve_refuses_to_start_with_a_hostile_setting(tmp_path: Path, case: str) -> None:
    variable, value, words = HOSTILE_ENV[case]
    assert_refused_at_start(run(tmp_path / "data", "serve", **{variable: value}), variable, words)
    assert not (tmp_path / "data" / "index.sqlite3").exists()  # refused before anything was opened


TOML_CASES = {
    "deeply nested array": ("rpc_url = " + "[" * 50_000 + "]" * 50_000 + "\n", "node.toml"),
    "not TOML": ("rpc_url = = 1\n", "not valid TOML"),
    "a table for a number": ("port = {a = 1}\n", "GPID_PORT"),
    "unknown setting": ("prot = 8080\n", "GPID_PROT"),
    "invalid UTF-8": (b"port = '\xff'\n", "node.toml"),
}


@pytest.mark.parametrize("case", list(TOML_CASES), ids=list(TOML_CASES))
def test_a_hostile_config_file_is_refused_with_its_name(tmp_path: Path, case: str) -> None:
    text, words = TOML_CASES[case]
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    config = data_dir / "node.toml"
    config.write_bytes(text if isinstance(text, bytes) else text.encode())
    result = run(data_dir, "keys", "list", GPID_CONFIG=str(config))
    assert result.returncode == 2 and "Traceback" not in result.stdout + result.stderr, result.stderr[-3000:]
    assert words in result.stderr, result.stderr[-2000:]
