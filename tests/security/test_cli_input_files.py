"""Hostile input files for the command line (`gpid-node register FILE`, `gpid-node import FILE`), run
through the real console script against a real development chain: sizes, encodings, CSV delimiters,
quoting, huge fields and extra columns, spreadsheet formulas, deep nesting. Each gets a message per
line with field paths, a non-zero exit code, no traceback, and nothing written for the refused rows.

Spreadsheet formulas: the CLI writes no CSV. Its report (``--report``) is JSON, and every value it
echoes (in the report and on the terminal) is quoted (``'=cmd|...'``), so no string of the report
starts with ``=``, ``+``, ``-`` or ``@``; a formula-looking text in a free-text field that passes
validation is data and is registered as written (what was invoiced is what Customs reads).
"""

from __future__ import annotations

import copy
import csv
import io
import json
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from gpid_node.services.importing import CSV_COLUMNS, GOODS_COLUMNS
from gpid_node.domain.samples import sample_key_data_set as shared_sample
from gpid_node.store.database import Store
from gpid_node.store.tables import OutboxEntry
from support.cli import cli as run_cli

pytestmark = pytest.mark.slow

FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(1+1)", "-2+3", "@SUM(A1)", "=HYPERLINK(\"http://evil.example\")"]


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(data_dir, *args, COLUMNS="200")


def outbox_count(data_dir: Path) -> int:
    store = Store(f"sqlite:///{data_dir / 'index.sqlite3'}")
    store.migrate()
    try:
        with store.session() as session:
            return int(session.scalar(select(func.count()).select_from(OutboxEntry)) or 0)
    finally:
        store.dispose()


def assert_refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode not in (0, -11), output[-2000:]
    assert "Traceback" not in output, output[-3000:]
    for word in words:
        assert word in output, (word, output[-2000:])


def sample_key_data_set(invoice_number: str, lines: int) -> dict[str, Any]:
    """A sample of one's own: the samples module may hand out shared dicts."""
    return copy.deepcopy(shared_sample(invoice_number, lines=lines))


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10].upper()}"


# ---------------------------------------------------------------------- register FILE

REGISTER_FILES: dict[str, tuple[bytes, str]] = {
    "UTF-16 with its BOM": (json.dumps({"schema_version": "1"}).encode("utf-16"), "not UTF-8"),
    "UTF-16 without BOM": (json.dumps({"schema_version": "1"}).encode("utf-16-le"), "not UTF-8"),
    "invalid UTF-8": (b'{"schema_version": "\xff\xfe"}', "not UTF-8"),
    "NUL bytes": (b'{"schema_version": "1"}\x00\x00', "not JSON"),
    "a NUL inside": (b'{"schema_\x00version": "1"}', "not JSON"),
    "duplicate member": (b'{"schema_version": "1", "schema_version": "2"}', "appears twice"),
    "NaN": (b'{"schema_version": NaN}', "NaN is not JSON"),
    "5000-digit number": (b'{"schema_version": ' + b"9" * 5000 + b"}", "4300 digits"),
    "deep objects": (b'{"a":' * 100_000, "nested more than 200 levels deep"),
    "empty": (b"", "empty"),
    "a list": (b"[]", "(document)"),
    "over the size limit": (b'{"schema_version": "1", "pad": "' + b"x" * 2_000_000 + b'"}', "bytes"),
}


@pytest.mark.parametrize("case", list(REGISTER_FILES), ids=list(REGISTER_FILES))
def test_register_refuses_a_hostile_file_with_a_message_and_writes_nothing(dev_folder: tuple[Path, str], tmp_path: Path, case: str) -> None:
    data_dir, seller = dev_folder
    content, words = REGISTER_FILES[case]
    source = tmp_path / "hostile.json"
    source.write_bytes(content)
    before = outbox_count(data_dir)
    assert_refused(cli(data_dir, "register", str(source), "--data-dir", str(data_dir), "--as", seller), words)
    assert outbox_count(data_dir) == before


def test_register_reads_a_file_with_a_utf8_byte_order_mark(dev_folder: tuple[Path, str], tmp_path: Path) -> None:
    """Editors on Windows write a BOM; `import` reads one too (utf-8-sig), so `register` does."""
    data_dir, seller = dev_folder
    source = tmp_path / "bom.json"
    source.write_bytes(b"\xef\xbb\xbf" + json.dumps(sample_key_data_set(unique("BOM"), lines=1)).encode())
    result = cli(data_dir, "register", str(source), "--data-dir", str(data_dir), "--as", seller)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout)["gpid"].startswith("GP")


@pytest.mark.parametrize("text", ["[/]", "[bold red]x[/]", "[link=http://evil.example]click[/link]", "\x1b[2J\x1b]0;owned\x07"],
                         ids=["closing tag", "style", "link", "terminal escapes"])  # fmt: skip
def test_values_that_look_like_terminal_markup_are_echoed_as_text(dev_folder: tuple[Path, str], tmp_path: Path, text: str) -> None:
    """The CLI prints with rich: a value echoed in a message must not be read as rich markup (a
    stray ``[/]`` made rich raise MarkupError) nor reach the terminal as escape sequences."""
    data_dir, seller = dev_folder
    data = sample_key_data_set(unique("MARKUP"), lines=1)
    data["goods"][0]["hs_code"] = text
    data["seller"]["address"]["country"] = text
    source = tmp_path / "markup.json"
    source.write_text(json.dumps(data))
    result = cli(data_dir, "register", str(source), "--data-dir", str(data_dir), "--as", seller)
    assert_refused(result, "goods[0].hs_code", "seller.address.country")
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


# ---------------------------------------------------------------------- import FILE


def csv_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The CSV rows of one key data set (one row per goods line), as `import` reads them."""
    rows = []
    for line in data["goods"]:
        row: dict[str, Any] = {}
        for side in ("seller", "buyer"):
            party = data[side]
            row.update({f"{side}_name": party["name"], f"{side}_eori": party["trader_id"]["value"],
                        **{f"{side}_{k}": party["address"][k] for k in ("street", "postcode", "city", "country")}})  # fmt: skip
        row.update(invoice_number=data["invoice"]["number"], invoice_date=data["invoice"]["date"])
        row.update({c: "" if line.get(c) is None else line[c] for c in GOODS_COLUMNS})
        rows.append(row)
    return rows


def csv_text(rows: list[dict[str, Any]], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(CSV_COLUMNS), delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def run_import(dev_folder: tuple[Path, str], tmp_path: Path, name: str, content: bytes) -> tuple[subprocess.CompletedProcess[str], dict[str, Any] | None, int]:
    """Runs `import`; returns the result, the report (None if not written) and the outbox entries it added."""
    data_dir, seller = dev_folder
    source, report = tmp_path / name, tmp_path / "report.json"
    source.write_bytes(content)
    before = outbox_count(data_dir)
    result = cli(data_dir, "import", str(source), "--data-dir", str(data_dir), "--as", seller, "--report", str(report))
    written = json.loads(report.read_text()) if report.exists() else None
    return result, written, outbox_count(data_dir) - before


def good_row() -> dict[str, Any]:
    return csv_rows(sample_key_data_set(unique("CSV"), lines=1))[0]


WHOLE_FILE_REFUSALS: dict[str, tuple[str, bytes, str]] = {
    "UTF-16": ("utf16.csv", csv_text([good_row()]).encode("utf-16"), "not UTF-8"),
    "invalid UTF-8": ("latin1.csv", csv_text([good_row()]).replace("Rhein", "R\u00e9hein").encode("latin-1"), "not UTF-8"),
    "JSON Lines in UTF-16": ("rows.jsonl", json.dumps(sample_key_data_set(unique("J"), lines=1)).encode("utf-16"), "not UTF-8"),
    "semicolons": ("semicolons.csv", csv_text([good_row()], delimiter=";").encode(), "delimiter"),
    "tabs": ("tabs.csv", csv_text([good_row()], delimiter="\t").encode(), "delimiter"),
    "no header": ("empty.csv", b"", "the CSV header lacks the columns"),
}


@pytest.mark.parametrize("case", list(WHOLE_FILE_REFUSALS), ids=list(WHOLE_FILE_REFUSALS))
def test_import_refuses_a_file_it_cannot_read_with_a_message_and_writes_nothing(dev_folder: tuple[Path, str], tmp_path: Path,
                                                                              case: str) -> None:  # fmt: skip
    name, content, words = WHOLE_FILE_REFUSALS[case]
    result, _, added = run_import(dev_folder, tmp_path, name, content)
    assert_refused(result, words)
    assert added == 0


def test_import_reports_each_hostile_csv_row_by_line_and_registers_the_good_ones(dev_folder: tuple[Path, str], tmp_path: Path) -> None:
    good = [good_row(), good_row()]
    huge = good_row() | {"seller_name": "x" * 200_000}  # beyond the csv module's field limit of 131,072
    extra = good_row()
    nul = good_row() | {"description": "spindle\x00"}
    formula = good_row() | {"hs_code": FORMULAS[0], "currency": FORMULAS[1]}
    deep = good_row() | {"description": "[" * 100_000}
    unbalanced = good_row() | {"invoice_number": 'A"B'}
    header = ",".join(CSV_COLUMNS) + "\n"
    body = csv_text([good[0]]).split("\n", 1)[1]  # line 2
    body += csv_text([huge]).split("\n", 1)[1]  # line 3
    body += csv_text([extra]).split("\n", 1)[1].rstrip("\n") + ",surplus,columns\n"  # line 4
    body += csv_text([nul]).split("\n", 1)[1]  # line 5
    body += csv_text([formula]).split("\n", 1)[1]  # line 6
    body += csv_text([deep]).split("\n", 1)[1]  # line 7
    body += csv_text([unbalanced]).split("\n", 1)[1]  # line 8
    body += csv_text([good[1]]).split("\n", 1)[1]  # line 9
    result, report, added = run_import(dev_folder, tmp_path, "hostile.csv", (header + body).encode())
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert report is not None, result.stderr[-2000:]
    rejected = {line: problems for line, problems in report["rejected"]}
    assert set(rejected) == {3, 4, 5, 6, 7}, rejected
    assert any("seller.name" == p["path"] for p in rejected[3])
    assert "2 field(s) more than the header" in json.dumps(rejected[4])
    assert {"goods[0].hs_code", "goods[0].currency"} <= {p["path"] for p in rejected[6]}
    assert added == 3  # the two good rows, and the one whose quote is data (line 8)
    assert "line 3" in result.stderr and "line 6" in result.stderr


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def test_formulas_in_an_import_never_reach_the_report_as_formulas(dev_folder: tuple[Path, str], tmp_path: Path) -> None:
    rows = []
    for i, formula in enumerate(FORMULAS):
        bad = good_row() | {"hs_code": formula, "country_of_origin": formula, "buyer_country": formula}
        name = good_row() | {"seller_name": f"{formula} GmbH" if i else formula}  # valid text: data, registered as written
        rows += [bad, name]
    result, report, added = run_import(dev_folder, tmp_path, "formulas.csv", csv_text(rows).encode())
    assert report is not None and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert len(report["rejected"]) == len(FORMULAS)
    cells = list(_strings(report))
    assert cells and not [c for c in cells if c[:1] in ("=", "+", "-", "@")], [c for c in cells if c[:1] in "=+-@"]
    for line in result.stderr.splitlines():
        assert line.strip()[:1] not in ("=", "+", "-", "@"), line
    assert added == len(report["registered"])


JSONL_CASES = {
    "deep": ("[" * 300_000, "nested more than 200 levels deep"),
    "duplicate member": ('{"schema_version": "1", "schema_version": "1"}', "appears twice"),
    "NaN": ('{"schema_version": NaN}', "NaN is not JSON"),
    "a list": ("[1, 2]", "expected an object"),
    "a string": ('"text"', "expected an object"),
    "huge line": ('{"pad": "' + "x" * 3_000_000 + '"}', "bytes"),
    "NUL": ('{"schema_version": "1\\u0000"}', "schema_version"),
}


def test_import_reports_each_hostile_json_line_by_number_and_goes_on(dev_folder: tuple[Path, str], tmp_path: Path) -> None:
    lines = [json.dumps(sample_key_data_set(unique("JL"), lines=1))]
    lines += [text for text, _ in JSONL_CASES.values()]
    lines.append(json.dumps(sample_key_data_set(unique("JL"), lines=1)))
    result, report, added = run_import(dev_folder, tmp_path, "hostile.jsonl", "\n".join(lines).encode())
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert report is not None
    rejected = {line: json.dumps(problems) for line, problems in report["rejected"]}
    for number, (_, words) in enumerate(JSONL_CASES.values(), start=2):
        assert number in rejected and words in rejected[number], (number, words, rejected.get(number))
    assert added == 2


def test_an_unclosed_quote_that_swallows_the_file_is_reported_and_reading_stops() -> None:
    """Pure: the reader's answer for a field beyond 1 MiB (the csv module raised at 131,072 characters)."""
    from gpid_node.services.importing import MAX_RECORD_BYTES, read_csv

    good = csv_text([good_row()])
    hostile = good + '"' + "x" * (MAX_RECORD_BYTES + 10) + "\n" + good.split("\n", 1)[1]
    records = list(read_csv(hostile))
    assert [r.line for r in records if r.problem is None] == [2]
    assert len(records) == 2 and "the rest of the file is not read" in (records[1].problem or "")
