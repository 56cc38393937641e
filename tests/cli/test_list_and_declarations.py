"""``gpid-node list`` (the API's filters, JSON or CSV) and ``gpid-node declarations GPID`` (with the
Customs outcomes), against a real development chain."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from support.cli import cli, register_sample

pytestmark = pytest.mark.slow


def test_list_filters_and_writes_json_or_csv_and_declarations_reads_the_links(dev_folder: Any, tmp_path: Path) -> None:
    data_dir, seller = dev_folder
    gpid = register_sample(data_dir, seller, tmp_path, "CLI-LIST-1", 1)
    other = register_sample(data_dir, seller, tmp_path, "CLI-LIST-2", 1)
    found = cli(data_dir, "list", "--invoice-number", "cli-list-1", "--data-dir", str(data_dir))
    assert found.returncode == 0, found.stderr
    body = json.loads(found.stdout)
    assert [item["gpid"] for item in body["items"]] == [gpid] and body["total"] == 1

    out = tmp_path / "all.csv"
    written = cli(data_dir, "list", "--format", "csv", "-o", str(out), "--registered-from", "2000-01-01", "--data-dir", str(data_dir))
    assert written.returncode == 0, written.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [row["gpid"] for row in rows][:2] == [other, gpid]
    assert rows[1]["invoice_number"] == "CLI-LIST-1"

    bad = cli(data_dir, "list", "--registered-to", "tomorrow", "--data-dir", str(data_dir))
    assert bad.returncode != 0 and "registered_to" in bad.stderr

    linked = cli(data_dir, "link", gpid, "--reference", "26DECLILIST0001", "--country", "DE", "--direction", "export",
                 "--role", "seller", "--as", seller, "--data-dir", str(data_dir))  # fmt: skip
    assert linked.returncode == 0, linked.stderr
    shown = cli(data_dir, "declarations", gpid, "--data-dir", str(data_dir))
    assert shown.returncode == 0, shown.stderr
    declarations = json.loads(shown.stdout)
    assert [(d["reference"], d["country"], d["direction"], d["verifications"]) for d in declarations["items"]] == [
        ("26DECLILIST0001", "DE", "export", [])]
