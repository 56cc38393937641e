"""Deep nesting at every door gets a clear refusal, never a crash (issue 17).

py_ecc raises the recursion limit to 100,000 on import; with it, the standard library's C JSON
parser overflowed a thread's stack on ``[[[[...`` and the process died with SIGSEGV. These tests
run the doors in a child process, so that a crash fails the test instead of killing pytest.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gpid_node.domain import strict_json
from gpid_node.services.importing import read_jsonl


def run_child(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).parents[2])  # fmt: skip


def test_the_recursion_limit_is_safe_once_the_ethereum_libraries_are_imported() -> None:
    child = run_child("""
        import sys, gpid_node.cli, gpid_node.api.app, eth_account, web3, py_ecc
        print(sys.getrecursionlimit())
    """)
    assert child.returncode == 0, child.stderr
    assert int(child.stdout) <= 10_000


def test_a_deep_json_text_parsed_in_a_thread_after_the_imports_raises_instead_of_crashing() -> None:
    child = run_child("""
        import json, threading, gpid_node.cli
        outcome = []
        def parse():
            try:
                json.loads("[" * 1_000_000)
            except RecursionError:
                outcome.append("RecursionError")
        worker = threading.Thread(target=parse)
        worker.start(); worker.join()
        print(outcome)
    """)
    assert child.returncode == 0, f"the child died with {child.returncode}: {child.stderr[-300:]}"
    assert "RecursionError" in child.stdout


@pytest.mark.parametrize("text", ["[" * 300_000, '{"a":' * 100_000 + "1" + "}" * 100_000, "[" * 201 + "1" + "]" * 201])
def test_the_strict_parser_refuses_deep_nesting_by_name(text: str) -> None:
    with pytest.raises(strict_json.MalformedJSON, match="nested more than 200 levels deep"):
        strict_json.parse(text)


def test_a_json_lines_file_with_a_deep_line_reports_that_line_and_reads_the_others() -> None:
    records = list(read_jsonl('{"a": 1}\n' + "[" * 300_000 + "\n" + '{"b": 2}\n'))
    assert [(r.line, r.problem is None) for r in records] == [(1, True), (2, False), (3, True)]
    assert "nested more than 200 levels deep" in (records[1].problem or "")


def test_the_cli_refuses_a_deeply_nested_key_data_set_file_with_a_message(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 300_000)
    child = subprocess.run([str(Path(sys.executable).parent / "gpid-node"), "register", str(deep), "--data-dir",
                            str(tmp_path / "data")], capture_output=True, text=True, timeout=120)  # fmt: skip
    assert child.returncode not in (0, -11), child.stderr
    assert "nested more than 200 levels deep" in child.stdout + child.stderr
