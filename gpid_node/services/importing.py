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

from gpid_node.domain import errors as e
from gpid_node.domain import strict_json

MAX_RECORD_BYTES = 1_048_576  # one JSON line or CSV field at most: what the REST facade takes in one body

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
    source: dict[str, str] | None = None  # the e-invoice it was derived from (services/einvoices.py)


def _party(row: dict[str, str], prefix: str) -> dict[str, Any]:
    return {
        "name": row.get(f"{prefix}_name"),
        "address": {k: row.get(f"{prefix}_{k}") for k in ("street", "postcode", "city", "country")},
        "trader_id": {"scheme": "EORI", "value": row.get(f"{prefix}_eori")},
    }


def _goods(row: dict[str, str]) -> dict[str, Any]:
    line: dict[str, Any] = {c: (row.get(c) if row.get(c) not in ("",) else None) for c in GOODS_COLUMNS}
    return line


def _delimiter_hint(text: str) -> str:
    header = text.split("\n", 1)[0]
    for name, delimiter in (("semicolons", ";"), ("tabs", "\t"), ("vertical bars", "|")):
        if delimiter in header and "," not in header:
            return f"; the header is separated by {name}: save the file with a comma as the delimiter"
    return ""


def _rows(reader: csv.DictReader[str]) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line, row, None), or (line, None, why) for a row that cannot be read; stops after a field
    beyond :data:`MAX_RECORD_BYTES` (an unclosed quote swallows the rest of the file)."""
    previous = csv.field_size_limit(MAX_RECORD_BYTES)
    try:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield reader.line_num, None, f"{exc}: a field holds more than {MAX_RECORD_BYTES} characters (an unclosed quote?); the rest of the file is not read"
                return
            if None in row:  # DictReader's restkey: fields beyond the header
                yield reader.line_num, None, f"this row has {len(row[None])} field(s) more than the header (a delimiter inside an unquoted value?)"
                continue
            yield reader.line_num, row, None
    finally:
        csv.field_size_limit(previous)


def read_csv(text: str) -> Iterator[SourceRecord]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as exc:
        yield SourceRecord(1, None, f"the CSV header cannot be read: {exc}")
        return
    missing = [c for c in CSV_COLUMNS if c not in fieldnames]
    if missing:
        yield SourceRecord(1, None, f"the CSV header lacks the columns {', '.join(missing)}{_delimiter_hint(text)}")
        return
    current: dict[str, Any] | None = None
    key: tuple[str, str] | None = None
    start = 2
    for line, row, problem in _rows(reader):
        if row is None:
            if current is not None:
                yield SourceRecord(start, current)
                current, key = None, None
            yield SourceRecord(line, None, problem)
            continue
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
        if len(line) > MAX_RECORD_BYTES:
            yield SourceRecord(number, None, f"this line holds {len(line)} characters; a key data set holds at most {MAX_RECORD_BYTES} bytes")
            continue
        try:
            yield SourceRecord(number, strict_json.parse(line))
        except strict_json.MalformedJSON as exc:
            yield SourceRecord(number, None, f"not JSON: {exc}")


def read_records(path: Path) -> Iterator[SourceRecord]:
    """Records of a .csv file, else of JSON Lines; ValidationFailed for a file that is not UTF-8."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise e.ValidationFailed([e.FieldProblem("FILE", f"{path.name} is not UTF-8: byte {exc.start} is 0x{raw[exc.start]:02x}; "
                                                 "save it as UTF-8 (in a spreadsheet: CSV UTF-8)")]) from None  # fmt: skip
    return read_csv(text) if path.suffix.lower() == ".csv" else read_jsonl(text)
