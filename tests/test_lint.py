"""ruff and mypy over ``gpid_node/`` as part of the suite: a lint or type error fails the run (and CI)
like any other defect, with the tools' own report as the failure message. Both run from the project's
``.venv`` with the configuration in ``pyproject.toml``."""

from __future__ import annotations

import subprocess
from pathlib import Path

from support.processes import ROOT

TOOLS = ROOT / ".venv" / "bin"


def run_tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    tool = TOOLS / name
    assert tool.is_file(), f"{tool} is missing: ./scripts/test installs it with the test extras of pyproject.toml"
    return subprocess.run([str(tool), *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing_to_fix_in_gpid_node() -> None:
    result = run_tool("ruff", "check", "gpid_node")
    assert result.returncode == 0, f"ruff check gpid_node failed:\n{result.stdout}{result.stderr}"


def test_mypy_finds_no_type_error_in_gpid_node() -> None:
    result = run_tool("mypy")  # files, strictness and the rest come from [tool.mypy] in pyproject.toml
    assert result.returncode == 0, f"mypy failed:\n{result.stdout}{result.stderr}"
