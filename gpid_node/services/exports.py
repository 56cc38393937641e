"""Downloads of lists and reports, for the API, the console and the command line: CSV (RFC 4180) and JSON,
written as the rows come.

A cell that a spreadsheet would run as a formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return: OWASP's "CSV injection") is written with a leading apostrophe, so an invoice
number a seller chose never runs in a broker's or auditor's spreadsheet.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

__all__ = ["CSV_MEDIA_TYPE", "LIST_COLUMNS", "attachment", "cell", "csv_lines", "json_document"]

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
# The columns of a list of key data sets as CSV: the members of the list's items.
LIST_COLUMNS = ("gpid", "version", "invoice_number", "seller_trader_id", "buyer_trader_id", "registered_at",
                "updated_at", "integrity_ok", "format", "readable")  # fmt: skip
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BATCH = 200  # rows written per chunk of the answer


def cell(value: Any) -> str:
    """One CSV cell: None is empty, booleans are true/false, lists are joined with spaces, and text
    that a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        value = " ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_lines(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """A header line, then one line per row (its ``columns`` in order), in chunks of lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for count, row in enumerate(rows, start=1):
        writer.writerow([cell(row.get(column)) for column in columns])
        if count % _BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_document(items: Iterable[Any], **members: Any) -> Iterator[str]:
    """``{"items": [...], "total": N, **members}``, the items written as they come; ``total`` is the
    number of items written."""
    yield "{" + "".join(f"{json.dumps(k)}:{json.dumps(v)}," for k, v in members.items()) + '"items":['
    total = 0
    chunk: list[str] = []
    for item in items:
        chunk.append(("," if total else "") + json.dumps(item, separators=(",", ":")))
        total += 1
        if len(chunk) >= _BATCH:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk) + f'],"total":{total}}}\n'


def attachment(filename: str) -> dict[str, str]:
    """The header that makes a browser save the answer as ``filename``."""
    return {"Content-Disposition": f'attachment; filename="{filename}"'}
