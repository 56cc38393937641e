"""What the suite needs from the machine (PostgreSQL, Chromium, docker-compose), and one rule for
when it is missing: outside CI the tests that need it SKIP with a message saying what to start or
install; under ``CI=true`` they FAIL with that message, so that a CI run never passes by skipping
what it was meant to test (issue 17: "a suite that does not pretend").

Every skip made through :func:`missing` starts with :data:`MARK`, so that the run ends with one
notice listing what was not tested and how to test it (:func:`pytest_terminal_summary`, a hook that
``tests/conftest.py`` imports; it reads the skip reports, which also reach the controller of a
``pytest -n`` run).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from typing import Any

import pytest

POSTGRES_URL = os.environ.get("GPID_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Names Chromium goes by on the usual systems, looked up on PATH after $GPID_CHROMIUM.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
CHROMIUM_HINT = ("install Chromium (Debian/Ubuntu: `apt-get install chromium`; .ci/run does this) or point "
                 "GPID_CHROMIUM at a Chromium or Chrome executable")  # fmt: skip
COMPOSE_HINT = "install docker-compose (Debian/Ubuntu: `apt-get install docker-compose`; .ci/run does this)"
MARK = "missing requirement: "


def in_ci() -> bool:
    """``CI=true`` (or 1, yes), as GitHub Actions, GitLab CI and .ci/run set it."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def missing(what: str, hint: str) -> None:
    """The test cannot run without ``what``: fail under CI, else skip; the message says ``hint``."""
    message = f"{MARK}{what}: {hint}"
    if in_ci():
        pytest.fail(f"{message} (CI=true: a missing requirement fails the run instead of skipping)", pytrace=False)
    pytest.skip(message)


def chromium() -> Path | None:
    """Chromium's executable: ``$GPID_CHROMIUM`` when set (and nothing else then), else the first usual name on PATH."""
    named = os.environ.get("GPID_CHROMIUM")
    if named:
        found = shutil.which(named)
        return Path(found) if found else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def require_chromium() -> Path:
    found = chromium()
    if found is None:
        where = f"GPID_CHROMIUM={os.environ['GPID_CHROMIUM']!r} is not an executable" if os.environ.get("GPID_CHROMIUM") \
            else f"none of {', '.join(CHROMIUM_NAMES)} is on PATH"  # fmt: skip
        missing("Chromium (for the console's browser tests)", f"{where}; {CHROMIUM_HINT}")
    assert found is not None
    return found


def require_docker_compose() -> str:
    found = shutil.which("docker-compose")
    if found is None:
        missing("docker-compose (to validate docker-compose.yml)", COMPOSE_HINT)
    assert found is not None
    return found


def require_postgres(url: str = POSTGRES_URL) -> None:
    """Connects once to the server (``select 1``); the hint names the address tried."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means the same to the tests
        parsed = make_url(url)
        missing("PostgreSQL", f"no server answers at {parsed.host}:{parsed.port} ({exc.__class__.__name__}); start it "
                "(`pg_ctlcluster <version> main start`; .ci/run does this) or point GPID_TEST_POSTGRES_URL at a "
                "server where the user may create databases")  # fmt: skip
    finally:
        engine.dispose()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Ends the run with what it did not test for want of a requirement, and how to provide it."""
    counts: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = getattr(report, "longrepr", None)
        reason = str(longrepr[2]) if isinstance(longrepr, tuple) and len(longrepr) == 3 else ""
        reason = reason.removeprefix("Skipped: ")
        if reason.startswith(MARK):
            counts[reason] = counts.get(reason, 0) + 1
    if not counts:
        return
    terminalreporter.section("not tested on this machine", sep="=", yellow=True, bold=True)
    for reason, count in sorted(counts.items()):
        terminalreporter.line(f"{count} test(s) skipped for a {reason}")
    terminalreporter.line("(under CI=true these tests fail the run instead of skipping)")
