"""The rule of tests/support/requirements.py, proven on a tiny suite run by a child pytest: a missing
Chromium, docker-compose or PostgreSQL skips with the hint (and the run's last lines say what was
not tested) outside CI, and fails the run with the same hint under ``CI=true``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.processes import ROOT

TINY_SUITE = '''
from support.requirements import require_chromium, require_docker_compose, require_postgres

def test_needs_chromium():
    print("CHROMIUM=" + str(require_chromium()))

def test_needs_docker_compose():
    require_docker_compose()

def test_needs_postgres():
    require_postgres()
'''


def run_tiny_suite(tmp_path: Path, test: str, ci: bool, path: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A child pytest over TINY_SUITE with only the environment given (no CI variable unless ``ci``)."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_tiny.py").write_text(TINY_SUITE)
    child_env = {"PATH": path, "HOME": str(tmp_path), "PYTHONPATH": f"{ROOT / 'tests'}{os.pathsep}{ROOT}",
                 "GPID_TEST_POSTGRES_URL": "postgresql+psycopg://postgres@127.0.0.1:1/test", **env}  # fmt: skip
    if ci:
        child_env["CI"] = "true"
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "support.requirements", "-p", "no:cacheprovider", "-rs", "-s",
                           f"test_tiny.py::{test}"], cwd=tmp_path, env=child_env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


@pytest.fixture
def empty_path(tmp_path: Path) -> str:
    folder = tmp_path / "bin"
    folder.mkdir()
    return str(folder)


def fake_executable(folder: Path, name: str) -> Path:
    program = folder / name
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(0o755)
    return program


def test_without_chromium_outside_ci_the_run_is_green_and_says_what_it_skipped(tmp_path: Path, empty_path: str) -> None:
    child = run_tiny_suite(tmp_path, "test_needs_chromium", ci=False, path=empty_path)
    assert child.returncode == 0, child.stdout[-2000:]
    assert "1 skipped" in child.stdout
    summary = child.stdout[child.stdout.index("not tested on this machine"):]
    assert "Chromium" in summary and "apt-get install chromium" in summary and "GPID_CHROMIUM" in summary
    assert "none of chromium, chromium-browser, google-chrome" in summary


def test_without_chromium_under_ci_the_run_fails_with_the_install_hint(tmp_path: Path, empty_path: str) -> None:
    child = run_tiny_suite(tmp_path, "test_needs_chromium", ci=True, path=empty_path)
    assert child.returncode == 1, child.stdout[-2000:]
    assert "1 failed" in child.stdout
    assert "apt-get install chromium" in child.stdout and "CI=true" in child.stdout
    assert "not tested on this machine" not in child.stdout


def test_gpid_chromium_pointing_nowhere_is_named_in_the_skip(tmp_path: Path, empty_path: str) -> None:
    fake_executable(Path(empty_path), "chromium")  # on PATH, but GPID_CHROMIUM decides when it is set
    child = run_tiny_suite(tmp_path, "test_needs_chromium", ci=False, path=empty_path, GPID_CHROMIUM="/nowhere/chrome")
    assert child.returncode == 0, child.stdout[-2000:]
    assert "GPID_CHROMIUM='/nowhere/chrome' is not an executable" in child.stdout


def test_chromium_is_found_through_gpid_chromium_or_any_usual_name_on_path(tmp_path: Path, empty_path: str) -> None:
    own = fake_executable(tmp_path, "my-chrome")
    child = run_tiny_suite(tmp_path, "test_needs_chromium", ci=True, path=empty_path, GPID_CHROMIUM=str(own))
    assert child.returncode == 0 and f"CHROMIUM={own}" in child.stdout, child.stdout[-2000:]
    for name in ("chromium-browser", "google-chrome"):
        folder = tmp_path / name
        folder.mkdir()
        program = fake_executable(folder, name)
        child = run_tiny_suite(tmp_path, "test_needs_chromium", ci=True, path=str(folder))
        assert child.returncode == 0 and f"CHROMIUM={program}" in child.stdout, child.stdout[-2000:]


@pytest.mark.parametrize("ci", [False, True], ids=["outside CI", "CI=true"])
def test_without_docker_compose_the_run_skips_or_fails_with_the_install_hint(tmp_path: Path, empty_path: str, ci: bool) -> None:
    child = run_tiny_suite(tmp_path, "test_needs_docker_compose", ci=ci, path=empty_path)
    assert child.returncode == (1 if ci else 0), child.stdout[-2000:]
    assert ("1 failed" if ci else "1 skipped") in child.stdout
    assert "apt-get install docker-compose" in child.stdout


@pytest.mark.parametrize("ci", [False, True], ids=["outside CI", "CI=true"])
def test_without_postgresql_the_run_skips_or_fails_saying_what_to_start(tmp_path: Path, empty_path: str, ci: bool) -> None:
    child = run_tiny_suite(tmp_path, "test_needs_postgres", ci=ci, path=empty_path)
    assert child.returncode == (1 if ci else 0), child.stdout[-2000:]
    assert ("1 failed" if ci else "1 skipped") in child.stdout
    assert "127.0.0.1:1" in child.stdout and "GPID_TEST_POSTGRES_URL" in child.stdout and "start it" in child.stdout
