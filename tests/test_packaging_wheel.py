"""The wheel works outside the repository: built from the project's files, it holds every data file
the node reads; installed with the runtime lock file (hashes checked) into a fresh virtual
environment in a temporary folder, its `gpid-node dev` starts (anvil found on PATH), answers
/healthz and /readyz, serves the console's assets and registers a key data set."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.processes import ROOT, api_key, credentials, stop

from gpid_node.chain.devchain import find_anvil, free_port

pytestmark = pytest.mark.slow
EXAMPLE = json.loads((ROOT / "schemas/examples/design-example.json").read_text())


def project_files() -> list[str]:
    """The files of the project as git sees them (committed, changed or new, never ignored ones)."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode()  # fmt: skip
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel pip builds from a copy of the project's files (no build/ or egg-info left in the checkout)."""
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    for name in project_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(source)],
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    [built] = out.glob("gpid_node-*.whl")
    return built


def test_the_wheel_holds_every_file_of_the_package_and_nothing_else(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    package_files = {n for n in project_files() if n.startswith("gpid_node/")}
    missing = sorted(n for n in package_files if n not in names and "/__pycache__/" not in n)
    assert not missing, f"files of gpid_node/ missing from the wheel (add their pattern to package-data): {missing}"
    assert "gpid_node/chain/build.json" in names and "gpid_node/api/ui/static/gate.js" in names
    assert not {n for n in names if n.split("/")[0] in ("tests", "contracts", "benchmarks", "scripts")}
    committed = json.loads((ROOT / "gpid_node/chain/build.json").read_text())
    assert json.loads(zipfile.ZipFile(wheel).read("gpid_node/chain/build.json")) == committed


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment outside the repository: the runtime lock (hashes checked), then the wheel alone."""
    folder = tmp_path_factory.mktemp("installed")
    assert not folder.is_relative_to(ROOT)
    subprocess.run([sys.executable, "-m", "venv", str(folder / "venv")], check=True, timeout=120)
    python = folder / "venv" / "bin" / "python"
    for args in (["--require-hashes", "-r", str(ROOT / "requirements/runtime.txt")], ["--no-deps", str(wheel)]):
        done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", *args], capture_output=True, text=True,
                              timeout=900, cwd=folder)  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
    return folder / "venv"


def clean_env(path: str) -> dict[str, str]:
    """This environment without GPID_ settings or a PYTHONPATH that could reach the checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GPID_", "PYTHON", "VIRTUAL_ENV"))}
    return {**env, "PATH": path}


@pytest.fixture(scope="module")
def installed_node(venv: Path) -> Iterator[tuple[str, Path, Path]]:
    work = venv.parent
    anvil, _ = find_anvil()
    path = os.pathsep.join([str(venv / "bin"), str(anvil.parent), "/usr/bin", "/bin"])
    located = subprocess.run([str(venv / "bin/python"), "-c", "import gpid_node.chain.artifacts as a; print(a.ARTIFACT_FILE)"],
                             cwd=work, env=clean_env(path), capture_output=True, text=True, check=True)  # fmt: skip
    assert Path(located.stdout.strip()).is_relative_to(venv), located.stdout  # the package's own build.json
    port, data_dir, log = free_port(), work / "data", work / "dev.log"
    with open(log, "ab") as handle:
        process = subprocess.Popen([str(venv / "bin/gpid-node"), "dev", "--data-dir", "data", "--port", str(port)], cwd=work,
                                   env=clean_env(path), stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)  # fmt: skip
    api = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            try:
                if httpx.get(f"{api}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        yield api, data_dir, log
    finally:
        stop(process)


def test_the_installed_wheel_runs_gpid_node_dev_outside_the_repository(installed_node: tuple[str, Path, Path]) -> None:
    api, data_dir, log = installed_node
    assert httpx.get(f"{api}/healthz", timeout=10).status_code == 200
    assert httpx.get(f"{api}/readyz", timeout=10).status_code == 200
    said = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert any(e.get("event") == "dev.anvil" and e.get("found_in") == "PATH" for e in said), log.read_text()[-3000:]
    for page in ("/ui/gate", "/ui/static/ui.css", "/ui/static/gate.js"):  # templates and assets from the package
        assert httpx.get(f"{api}{page}", timeout=10).status_code == 200, page
    seller = {"Authorization": f"Bearer {api_key(credentials(data_dir), 'seller')}"}
    invoice = {**EXAMPLE, "invoice": {**EXAMPLE["invoice"], "number": "WHEEL-1"}}
    registered = httpx.post(f"{api}/v1/key-data-sets", json=invoice, headers=seller, timeout=60)
    assert registered.status_code == 201, registered.text
    read = httpx.get(f"{api}/v1/key-data-sets/{registered.json()['gpid']}", headers=seller, timeout=30)
    assert read.status_code == 200 and read.json()["integrity"]["verified"] is True, read.text
