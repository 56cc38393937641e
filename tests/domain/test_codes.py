"""One table of codes: the node's names and numbers equal the golden vectors the contract is checked
against (tests/contracts/test_agreement.py), and every place that spells the names agrees with it."""

from __future__ import annotations

import json
import typing

from gpid_node.domain import codes
from support.vectors import VECTORS_FILE

VECTORS = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))


def test_the_code_table_equals_the_golden_vectors() -> None:
    assert VECTORS["codes"] == {
        "directions": dict(codes.DIRECTIONS),
        "outcomes": dict(codes.OUTCOMES),
        "reason_codes": dict(codes.REASON_CODES),
    }


def test_each_code_has_one_name_and_back() -> None:
    for table, names in ((codes.DIRECTIONS, codes.DIRECTION_NAMES), (codes.OUTCOMES, codes.OUTCOME_NAMES),
                         (codes.REASON_CODES, codes.REASON_NAMES)):  # fmt: skip
        assert len(set(table.values())) == len(table)
        assert {code: name for name, code in table.items()} == dict(names)


def test_the_api_models_offer_exactly_the_names_of_the_table() -> None:
    from gpid_node.api import models
    from gpid_node.domain import declaration, verification

    def literal(model: type, name: str) -> set[str]:
        return set(typing.get_args(model.model_fields[name].annotation))

    assert literal(models.AmendmentRequest, "reason_code") == set(codes.REASON_CODES)
    assert literal(models.LinkRequest, "direction") == set(codes.DIRECTIONS)
    assert literal(models.Linked, "direction") == set(codes.DIRECTIONS)
    assert literal(declaration.Declaration, "direction") == set(codes.DIRECTIONS)
    assert set(verification.RESULTS) - {"unknown_gpid"} == set(codes.OUTCOMES)
