"""E-invoices from the command line, against a real development chain: ``items import|list``,
``partners import|list``, ``register invoice.xml``, ``import <folder>`` with a report per file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.cli import cli
from support.einvoices import PARTNERS, catalogue, invoice_set, ubl

pytestmark = pytest.mark.slow

ITEM_COLUMNS = ("hs_code", "country_of_origin", "preferential_origin", "net_mass_kg_per_unit", "packages_per_unit")


def master_data_files(folder: Path) -> tuple[Path, Path]:
    items = folder / "items.csv"
    items.write_text("item_id," + ",".join(ITEM_COLUMNS) + "\n"
                     + "".join(f"{k}," + ",".join(str(v[c]) for c in ITEM_COLUMNS) + "\n" for k, v in catalogue().items()))  # fmt: skip
    partners = folder / "partners.csv"
    partners.write_text("partner_id,scheme,value\n" + "".join(f"{k},EORI,{v['trader_id']['value']}\n" for k, v in PARTNERS.items()))
    return items, partners


def test_a_seller_imports_its_master_data_and_registers_an_invoice_file(dev_folder: Any, tmp_path: Path) -> None:
    data_dir, seller = dev_folder
    items, partners = master_data_files(tmp_path)
    options = ("--data-dir", str(data_dir), "--as", seller)

    imported = cli(data_dir, "items", "import", str(items), *options)
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout) == {"read": len(catalogue()), "created": len(catalogue()), "replaced": 0}
    assert cli(data_dir, "partners", "import", str(partners), *options).returncode == 0
    listed = json.loads(cli(data_dir, "items", "list", "--json", *options).stdout)
    assert {i["item_id"] for i in listed["items"]} == set(catalogue())
    table = cli(data_dir, "partners", "list", *options, COLUMNS="200")
    assert "GB123456789" in table.stdout and "EORI:GB123456789000" in table.stdout

    bad = tmp_path / "bad.csv"
    bad.write_text("item_id,hs_code\nX-1,000000\n")
    refused = cli(data_dir, "items", "import", str(bad), *options)
    assert refused.returncode == 2 and "line 2.hs_code" in refused.stderr and "Traceback" not in refused.stderr

    invoice = tmp_path / "invoice.xml"
    generated = invoice_set("CLI-UBL-1", 3)
    invoice.write_bytes(generated.xml)
    registered = cli(data_dir, "register", str(invoice), *options)
    assert registered.returncode == 0, registered.stderr
    gpid = json.loads(registered.stdout)["gpid"]
    shown = json.loads(cli(data_dir, "show", gpid, "--data-dir", str(data_dir)).stdout)
    assert shown["data"]["invoice"]["number"] == "CLI-UBL-1" and shown["source"]["syntax"] == "UBL"


def test_import_of_a_folder_reports_each_file(dev_folder: Any, tmp_path: Path) -> None:
    data_dir, seller = dev_folder
    items, partners = master_data_files(tmp_path)
    options = ("--data-dir", str(data_dir), "--as", seller)
    assert cli(data_dir, "items", "import", str(items), *options).returncode == 0
    assert cli(data_dir, "partners", "import", str(partners), *options).returncode == 0
    folder = tmp_path / "invoices"
    folder.mkdir()
    for i in range(3):
        (folder / f"ok-{i}.xml").write_bytes(invoice_set(f"CLI-FOLDER-{i}", 2, seed=i).xml)
    incomplete = invoice_set("CLI-FOLDER-INCOMPLETE", 1)
    (folder / "incomplete.xml").write_bytes(ubl(incomplete.key_data_set, ["NOT-IN-CATALOGUE"]))
    (folder / "broken.xml").write_bytes(b"<Invoice><unclosed></Invoice>")
    credited = invoice_set("CLI-FOLDER-0", 2, seed=0).key_data_set
    line = {**credited["goods"][0], "value": "1.00"}
    item = next(k for k, v in catalogue().items() if v["hs_code"] == line["hs_code"])
    (folder / "z-credit.xml").write_bytes(ubl({**credited, "goods": [line]}, [item], root="CreditNote", number="CLI-CN-0",
                                              corrects="CLI-FOLDER-0"))  # fmt: skip
    (folder / "notes.txt").write_text("not an invoice file: skipped")
    report = tmp_path / "report.json"

    ran = cli(data_dir, "import", str(folder), *options, "--report", str(report))
    assert ran.returncode == 1, ran.stderr  # some files were left out
    assert json.loads(ran.stdout) == {"read": 6, "registered": 3, "missing": 1, "refused": 1, "amended": 1}
    files = {Path(f["file"]).name: f for f in json.loads(report.read_text())["files"]}
    assert files["incomplete.xml"]["status"] == "missing"
    assert [p["path"] for p in files["incomplete.xml"]["problems"]] == [
        "goods[0].hs_code", "goods[0].packages", "goods[0].net_mass_kg", "goods[0].country_of_origin"]
    assert files["broken.xml"]["status"] == "refused" and files["broken.xml"]["problems"]
    assert files["z-credit.xml"]["status"] == "amended" and files["z-credit.xml"]["version"] == 2
    assert files["z-credit.xml"]["gpid"] == files["ok-0.xml"]["gpid"]
    assert "incomplete.xml" in ran.stderr and "NOT-IN-CATALOGUE" in ran.stderr
    assert "notes.txt" not in files  # only .xml and .pdf files are read
    again = cli(data_dir, "import", str(folder / ".."), *options)  # a folder without invoices is refused
    assert again.returncode == 2 and "no .xml or .pdf" in again.stderr
