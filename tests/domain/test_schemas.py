"""The generated JSON Schemas are current, and the example documents pass or fail as labelled."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gpid_node import schemas
from gpid_node.domain.errors import ValidationFailed
from gpid_node.domain.model import parse_key_data_set

TODAY = date(2026, 11, 23)
SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
EXAMPLES = sorted((SCHEMAS / "examples").glob("*.json"))
INVALID_EXAMPLES = sorted((SCHEMAS / "examples" / "invalid").glob("*.json"))


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(schemas.generate()))
def test_schema_on_disk_equals_the_generated_one(name: str) -> None:
    path = SCHEMAS / name
    generated = schemas.generate()[name]
    stale = f"{path} is stale or missing: run `python -m gpid_node.schemas` and commit the result"
    assert path.exists(), stale
    assert path.read_text(encoding="utf-8") == schemas.render(generated), stale


def test_no_schema_file_on_disk_is_left_over() -> None:
    assert {p.name for p in SCHEMAS.glob("*.schema.json")} == set(schemas.generate())


def test_key_data_set_schema_fixes_the_field_names() -> None:
    schema = schemas.generate()["key-data-set.v1.schema.json"]
    assert list(schema["properties"]) == ["schema_version", "seller", "buyer", "invoice", "goods"]
    assert schema["additionalProperties"] is False
    assert list(schema["$defs"]["GoodsLine"]["properties"]) == [
        "sequence", "description", "hs_code", "binding_tariff_reference", "value", "currency", "packages",
        "net_mass_kg", "preferential_origin", "country_of_origin",
    ]


def test_write_puts_every_schema_in_the_folder(tmp_path: Path) -> None:
    written = schemas.write(tmp_path)
    assert sorted(p.name for p in written) == sorted(schemas.generate())
    assert all(p.read_text(encoding="utf-8").endswith("}\n") for p in written)


def test_there_are_valid_and_invalid_examples() -> None:
    assert len(EXAMPLES) >= 3 and len(INVALID_EXAMPLES) >= 2


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_validates_and_is_already_normalised(path: Path) -> None:
    document = load(path)
    assert parse_key_data_set(document, today=TODAY).model_dump(mode="json") == document


@pytest.mark.parametrize("path", INVALID_EXAMPLES, ids=lambda p: p.name)
def test_invalid_example_fails_with_the_problems_its_readme_names(path: Path) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_key_data_set(load(path), today=TODAY)
    readme = (SCHEMAS / "examples" / "README.md").read_text(encoding="utf-8")
    entry = readme.split(f"`invalid/{path.name}`", 1)[1].split("\n- ", 1)[0]
    for problem in caught.value.problems:
        assert f"`{problem.path}`" in entry, f"README does not explain {problem.path} of {path.name}"
