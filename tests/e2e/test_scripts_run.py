"""./scripts/run as a newcomer runs it: a real process serving the export/import flow over HTTP,
and a restart with the same data folder that keeps every GPID and every key."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from gpid_node.chain.devchain import free_port
from support.processes import ROOT, api_key, credentials, kill_anvil_of, start, stop, wait_http

pytestmark = pytest.mark.slow
EXAMPLE = json.loads((ROOT / "schemas/examples/design-example.json").read_text())


def _run(data_dir: Path, port: int, log: Path, cwd: Path = ROOT):  # noqa: ANN202
    """Starts ./scripts/run from `cwd`, giving it the data folder relative to `cwd` when inside it."""
    given = data_dir.relative_to(cwd) if data_dir.is_relative_to(cwd) else data_dir
    process = start([str(ROOT / "scripts/run"), "--port", str(port), "--data-dir", str(given)], data_dir, log, cwd=cwd,
                    GPID_DATA_DIR=None, GPID_LOG_FORMAT=None)  # a newcomer sets no GPID_ variable
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", timeout_s=180, process=process)
    except Exception:
        stop(process)
        raise AssertionError(log.read_text()[-3000:])
    return process


def test_scripts_run_serves_the_flow_and_keeps_state_across_restarts(tmp_path: Path) -> None:
    data_dir, port, log = tmp_path / "data", free_port(), tmp_path / "run.log"
    data_dir.mkdir()
    process = _run(data_dir, port, log)
    api = f"http://127.0.0.1:{port}"
    try:
        creds = credentials(data_dir)
        assert creds["api_url"] == api
        assert {p["role"] for p in creds["participants"]} == {"seller", "buyer", "broker", "customs", "operator"}
        assert {(p["role"], p["country"]) for p in creds["participants"]} >= {("seller", "FR"), ("customs", "FR")}
        assert set(creds["chain"]) == {"rpc_url", "chain_id", "registry"} and creds["chain"]["chain_id"] == 31337
        seller = {"Authorization": f"Bearer {api_key(creds, 'seller')}"}
        registered = httpx.post(f"{api}/v1/key-data-sets", json=EXAMPLE, headers=seller, timeout=60)
        assert registered.status_code == 201, registered.text
        gpid = registered.json()["gpid"]
        broker = {"Authorization": f"Bearer {api_key(creds, 'broker', 'DE')}"}
        linked = httpx.post(f"{api}/v1/declarations", headers=broker, timeout=60,
                            json={"reference": "26DE0000000000001", "country": "DE", "direction": "export", "gpids": [gpid]})  # fmt: skip
        assert linked.status_code == 201, linked.text
        customs = {"Authorization": f"Bearer {api_key(creds, 'customs', 'DE')}"}
        line = EXAMPLE["goods"][0]
        declared = {k: line[k] for k in ("hs_code", "value", "currency", "packages", "net_mass_kg", "country_of_origin", "preferential_origin")}
        verdict = httpx.post(f"{api}/v1/verifications", headers=customs, timeout=60, json={"declaration": {
            "reference": "26DE0000000000001", "country": "DE", "direction": "export",
            "filed_at": datetime.now(UTC).isoformat(), "items": [{"gpid": gpid, "goods_sequence": 1, **declared}]}})  # fmt: skip
        assert verdict.status_code == 200, verdict.text
        assert verdict.json()["result"] == "match"
    finally:
        stop(process)
    assert process.returncode is not None
    events = [json.loads(line)["event"] for line in log.read_text().splitlines() if line.startswith("{")]
    assert "dev.deployment" in events and "http.request" in events, "the node logs JSON lines from its first event"
    assert not (data_dir / "chain" / "anvil.pid").exists() or not _alive(data_dir), "anvil left running"

    # Restarted from the folder holding the data folder, named relative to it, as a user would.
    port = free_port()
    process = _run(data_dir, port, log, cwd=tmp_path)
    try:
        again = credentials(data_dir)
        assert again["participants"] == creds["participants"], "keys changed across restart"
        read = httpx.get(f"http://127.0.0.1:{port}/v1/key-data-sets/{gpid}", headers=seller, timeout=30)
        assert read.status_code == 200, read.text
        assert read.json()["integrity"]["verified"] is True
    finally:
        stop(process)
        kill_anvil_of(data_dir)


def _alive(data_dir: Path) -> bool:
    pid = (data_dir / "chain" / "anvil.pid").read_text().strip()
    return Path(f"/proc/{pid}").exists()
