"""Standard-library records (uvicorn, alembic, web3) go through structlog: in JSON format each is one
JSON line like the node's own events (event, logger, level, UTC timestamp, rendered exception),
redacted alike; in console format they read as structlog's console lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SECRET = "s3cr3t-provider-key-0123456789"
SCRIPT = f"""
import logging, structlog
from gpid_node.logs import configure_logging, hide
configure_logging("info", "{{fmt}}")
hide(urls=("https://mainnet.example/v3/{SECRET}",))
structlog.get_logger("gpid.test").info("node.event", n=1)
logging.getLogger("uvicorn.error").info("Uvicorn running on %s", "http://127.0.0.1:8080")
logging.getLogger("alembic.runtime.migration").info("Context impl SQLiteImpl.")
logging.getLogger("alembic.runtime.migration").warning("Revision %s is present more than once", "0004")
logging.getLogger("web3.providers.HTTPProvider").warning("Retrying request to /v3/{SECRET}")
try:
    raise ConnectionError("connection refused by /v3/{SECRET}")
except ConnectionError:
    logging.getLogger("web3.manager").exception("request failed")
"""


def run(fmt: str, tmp_path: Path) -> str:
    done = subprocess.run([sys.executable, "-c", SCRIPT.replace("{fmt}", fmt)], capture_output=True, text=True, timeout=60,
                          cwd=tmp_path, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_stdlib_records_are_json_lines_like_the_nodes_own_events(tmp_path: Path) -> None:
    lines = [json.loads(line) for line in run("json", tmp_path).splitlines()]  # every line is JSON
    by_event = {line["event"]: line for line in lines}
    assert by_event["node.event"]["level"] == "info"
    uvicorn = by_event["Uvicorn running on http://127.0.0.1:8080"]
    assert (uvicorn["logger"], uvicorn["level"]) == ("uvicorn.error", "info") and uvicorn["timestamp"].endswith("Z")
    assert by_event["Revision 0004 is present more than once"]["logger"] == "alembic.runtime.migration"
    assert "Context impl SQLiteImpl." not in by_event, "a library's informational lines stay out"
    failed = by_event["request failed"]
    assert failed["logger"] == "web3.manager" and failed["level"] == "error"
    assert "ConnectionError: connection refused by" in failed["exception"]
    assert all(set(line) >= {"event", "level", "timestamp"} for line in lines)
    assert SECRET not in json.dumps(lines), "a secret in a library's message or exception is redacted"
    assert any("Retrying request to" in line["event"] for line in lines)


def test_stdlib_records_read_as_console_lines_in_console_format(tmp_path: Path) -> None:
    text = run("console", tmp_path)
    [uvicorn] = [line for line in text.splitlines() if "Uvicorn running on" in line]
    assert "info" in uvicorn and "uvicorn.error" in uvicorn and not uvicorn.startswith("{")
    assert "ConnectionError" in text and SECRET not in text
