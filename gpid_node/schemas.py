"""JSON Schemas of the documents the node exchanges, generated from the Pydantic models.

The files under ``schemas/`` are generated, never edited: ``python -m gpid_node.schemas`` rewrites
them, and a test fails when they are stale. The schemas (validation mode) describe the JSON form
of DESIGN.md as it should be exchanged: codes upper-case, HS codes digits only. The node is more
lenient on input (it normalises case, separators and decimals given as numbers) and checks what a
JSON Schema cannot: HS subheadings that exist, ISO code lists, decimals per currency, sequence
numbers in order, dates not in the future.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from gpid_node.domain.model import KeyDataSet

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
DEFAULT_FOLDER = Path(__file__).resolve().parent.parent / "schemas"


def _schema_of(model: type[KeyDataSet], schema_id: str) -> dict[str, Any]:
    """The validation-mode JSON Schema of ``model`` with its dialect and id."""
    schema = model.model_json_schema(mode="validation")
    return {"$schema": SCHEMA_DIALECT, "$id": schema_id, **schema}


def generate() -> dict[str, dict[str, Any]]:
    """Every schema, by file name."""
    name = "key-data-set.v1.schema.json"
    return {name: _schema_of(KeyDataSet, name)}


def render(schema: dict[str, Any]) -> str:
    """The exact text a schema file holds."""
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write(folder: Path | str = DEFAULT_FOLDER) -> list[Path]:
    """Write every schema into ``folder``; returns the paths written."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in generate().items():
        path = target / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    """``python -m gpid_node.schemas [folder]``."""
    args = sys.argv[1:] if argv is None else argv
    for path in write(args[0] if args else DEFAULT_FOLDER):
        print(path)


if __name__ == "__main__":
    main()
