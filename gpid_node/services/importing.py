"""Reading many key data sets from a file: JSON Lines, or CSV with one row per goods line.

Pure parsing (no chain, no database): each record comes with the line it starts on, so a bad row is
reported by line number and field paths while the good rows go on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpid_node.domain import strict_json

# CSV columns; consecutive rows with the same seller_eori and invoice_number form one key data set.
PARTY_COLUMNS = ("name", "street", "postcode", "city", "country", "eori")
GOODS_COLUMNS = (
    "sequence", "description", "hs_code", "binding_tariff_reference", "value", "currency", "packages",
    "net_mass_kg", "preferential_origin", "country_of_origin",
)  # fmt: skip
CSV_COLUMNS = (
    *(f"seller_{c}" for c in PARTY_COLUMNS), *(f"buyer_{c}" for c in PARTY_COLUMNS),
    "invoice_number", "invoice_date", *GOODS_COLUMNS,
)  # fmt: skip


@dataclass(frozen=True)
class SourceRecord:
    """One key data set as read from the file, or why it could not be read."""

    line: int
    data: Any
    problem: str | None = None


def _party(row: dict[str, str], prefix: str) -> dict[str, Any]:
    return {
        "name": row.get(f"{prefix}_name"),
        "address": {k: row.get(f"{prefix}_{k}") for k in ("street", "postcode", "city", "country")},
        "trader_id": {"scheme": "EORI", "value": row.get(f"{prefix}_eori")},
    }


def _goods(row: dict[str, str]) -> dict[str, Any]:
    line: dict[str, Any] = {c: (row.get(c) if row.get(c) not in ("",) else None) for c in GOODS_COLUMNS}
    return line


def read_csv(text: str) -> Iterator[SourceRecord]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        yield SourceRecord(1, None, f"the CSV header lacks the columns {', '.join(missing)}")
        return
    current: dict[str, Any] | None = None
    key: tuple[str, str] | None = None
    start = 2
    for row in reader:
        line = reader.line_num
        row_key = (row.get("seller_eori") or "", row.get("invoice_number") or "")
        if current is not None and row_key == key:
            current["goods"].append(_goods(row))
            continue
        if current is not None:
            yield SourceRecord(start, current)
        key, start = row_key, line
        current = {
            "schema_version": "1",
            "seller": _party(row, "seller"),
            "buyer": _party(row, "buyer"),
            "invoice": {"number": row.get("invoice_number"), "date": row.get("invoice_date")},
            "goods": [_goods(row)],
        }
    if current is not None:
        yield SourceRecord(start, current)


def read_jsonl(text: str) -> Iterator[SourceRecord]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield SourceRecord(number, strict_json.parse(line))
        except strict_json.MalformedJSON as exc:
            yield SourceRecord(number, None, f"not JSON: {exc}")


def read_records(path: Path) -> Iterator[SourceRecord]:
    """Records of a .csv file, else of JSON Lines."""
    text = path.read_text(encoding="utf-8-sig")
    return read_csv(text) if path.suffix.lower() == ".csv" else read_jsonl(text)
