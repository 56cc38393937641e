"""./scripts/run as a newcomer runs it: a real process serving the README's walk-through of the
export/import flow (its shell block run as written: mandate, registration, grant, links,
verifications, and the 404s of those without a right), and a restart with the same data folder that
keeps every GPID and every key."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from gpid_node.chain.devchain import free_port
from support.processes import ROOT, api_key, credentials, env_for, kill_anvil_of, start, stop, wait_http
from support.chains import anvil_only

pytestmark = [pytest.mark.slow, anvil_only("the development mode's embedded anvil (gpid-node dev starts its own chain)")]


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


def readme_walkthrough(api: str, data_dir: Path, scratch: Path) -> str:
    """The README's "Walk through the export/import flow" shell block, pointed at this node and this data
    folder, writing its files to ``scratch`` (each replaced text must be there: the README is run as written)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Walk through the export/import flow"):]
    block = section[section.index("```sh\n") + len("```sh\n"):]
    block = block[: block.index("\n```")]
    for written, here in {"data/dev-credentials.json": str(data_dir / "dev-credentials.json"),
                          "API=http://127.0.0.1:8080": f"API={api}",
                          "/tmp/registered.json": str(scratch / "registered.json"),
                          "-o gpid.svg": f"-o {scratch / 'gpid.svg'}",
                          "/tmp/events.json": str(scratch / "events.json"),
                          "/tmp/webhook.json": str(scratch / "webhook.json"),
                          "disclosure.json": str(scratch / "disclosure.json"),
                          "-o key-data-sets.csv": f"-o {scratch / 'key-data-sets.csv'}"}.items():  # fmt: skip
        assert written in block, f"the README's walk-through no longer says {written!r}"
        block = block.replace(written, here)
    return block


def test_scripts_run_serves_the_readme_walkthrough_and_keeps_state_across_restarts(tmp_path: Path) -> None:
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

        # The README's walk-through, command by command as a newcomer pastes it.
        walked = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", readme_walkthrough(api, data_dir, tmp_path)], cwd=ROOT,
                                capture_output=True, text=True, timeout=300, env=env_for(data_dir, GPID_DATA_DIR=None))  # fmt: skip
        output = walked.stdout
        assert walked.returncode == 0, f"{output[-3000:]}\n{walked.stderr[-3000:]}"
        assert "gpid.dev/problems/" not in output, f"a step was refused:\n{output[-4000:]}"
        gpid = json.loads((tmp_path / "registered.json").read_text())["gpid"]
        assert (tmp_path / "gpid.svg").read_text().startswith("<?xml") or "<svg" in (tmp_path / "gpid.svg").read_text()
        assert re.findall(r"^(\d{3})$", output, re.MULTILINE) == ["404", "404", "404"]  # broker before its grant, FR seller, Customs FR
        assert re.search(r'"result":\s*"match"', output) and re.search(r'"result":\s*"discrepancies"', output)
        import_broker = next(p["account"] for p in creds["participants"] if p["name"] == "Import broker (GB)")
        grants = httpx.get(f"{api}/v1/key-data-sets/{gpid}/grants", headers=seller, timeout=30).json()["items"]
        assert [(g["grantee"], g["active"]) for g in grants] == [(import_broker, True)]
        customs_gb = {"Authorization": f"Bearer {api_key(creds, 'customs', 'GB')}"}
        imported = httpx.get(f"{api}/v1/declarations/GB/26GB00000000000123", headers=customs_gb, timeout=30)
        assert imported.status_code == 200, imported.text
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
        assert read.json()["data"]["goods"][0]["value"] == "18000.00"  # the encryption keys survived the restart
    finally:
        stop(process)
        kill_anvil_of(data_dir)


def _alive(data_dir: Path) -> bool:
    pid = (data_dir / "chain" / "anvil.pid").read_text().strip()
    return Path(f"/proc/{pid}").exists()
