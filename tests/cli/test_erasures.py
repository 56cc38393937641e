"""Erasing a GPID's data on a node from the command line, against a real development chain:
``gpid-node erase`` shreds it from the index and records who, when and why; ``show`` then gives the
public facts only, marked as erased; ``erasures`` lists them; bad input is refused naming the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.cli import cli, register_sample

pytestmark = pytest.mark.slow


def test_erase_shreds_a_gpid_on_this_node_and_show_marks_it(dev_folder: Any, tmp_path: Path) -> None:
    data_dir, seller = dev_folder
    gpid = register_sample(data_dir, seller, tmp_path, "CLI-ERASE-1", 2)
    kept = register_sample(data_dir, seller, tmp_path, "CLI-ERASE-2", 1)
    before = json.loads(cli(data_dir, "show", gpid, "--data-dir", str(data_dir)).stdout)
    assert before["data"]["invoice"]["number"] == "CLI-ERASE-1" and before["erasure"] is None

    erased = cli(data_dir, "erase", gpid, "--reason", "the buyer's erasure request of 2026-12-01", "--by", "DPO Jane Roe",
                 "--data-dir", str(data_dir))  # fmt: skip

    assert erased.returncode == 0, erased.stderr
    answer = json.loads(erased.stdout)
    assert (answer["gpid"], answer["erased_by"], answer["reason"], answer["already_erased"], answer["versions_erased"]) == (
        gpid, "DPO Jane Roe", "the buyer's erasure request of 2026-12-01", False, 1)  # fmt: skip
    shown = json.loads(cli(data_dir, "show", gpid, "--data-dir", str(data_dir)).stdout)
    assert (shown["data"], shown["readable"], shown["version"]) == (None, False, 1)
    assert shown["erasure"] == {"erased_at": answer["erased_at"], "reason": "the buyer's erasure request of 2026-12-01"}
    assert "erased" in shown["integrity"]["problem"] and shown["integrity"]["digest"] == before["integrity"]["digest"]
    assert json.loads(cli(data_dir, "show", kept, "--data-dir", str(data_dir)).stdout)["data"] is not None
    listed = json.loads(cli(data_dir, "erasures", "--json", "--data-dir", str(data_dir)).stdout)["erasures"]
    assert [(x["gpid"], x["erased_by"]) for x in listed] == [(gpid, "DPO Jane Roe")]
    table = cli(data_dir, "erasures", "--data-dir", str(data_dir), COLUMNS="250")
    assert table.returncode == 0 and gpid in table.stdout and "DPO Jane Roe" in table.stdout


def test_erase_refuses_a_bad_gpid_or_no_reason_and_records_nothing(dev_folder: Any) -> None:
    data_dir, _ = dev_folder
    before = json.loads(cli(data_dir, "erasures", "--json", "--data-dir", str(data_dir)).stdout)["erasures"]
    refused = cli(data_dir, "erase", "GPID-TYPO", "--reason", " ", "--data-dir", str(data_dir))
    assert refused.returncode == 2
    message = " ".join(refused.stderr.split())
    assert "gpid" in message and "--reason" in message and "give the reason" in message
    assert json.loads(cli(data_dir, "erasures", "--json", "--data-dir", str(data_dir)).stdout)["erasures"] == before
