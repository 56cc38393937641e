"""Properties of the key data set model: normalisation is idempotent, refusals are always ValidationFailed."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpid_node.domain.errors import ValidationFailed
from gpid_node.domain.model import parse_key_data_set

TODAY = date(2026, 11, 23)
EXAMPLE = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "examples" / "design-example.json").read_text(encoding="utf-8")
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)

# Every field path of the example, as key paths into the nested dict.
LEAF_PATHS: list[tuple[Any, ...]] = []


def _collect(node: Any, prefix: tuple[Any, ...]) -> None:
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else None
    if items is None:
        LEAF_PATHS.append(prefix)
        return
    LEAF_PATHS.append(prefix)
    for key, child in items:
        _collect(child, (*prefix, key))


_collect(EXAMPLE, ())


def _replace(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    result = copy.deepcopy(document)
    node = result
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return result


def _spaced(text: str) -> st.SearchStrategy[str]:
    """``text`` as a trader might type it: surrounding whitespace, other letter case."""
    return st.tuples(st.sampled_from(["", " ", "\u00a0"]), st.sampled_from([text, text.lower()]), st.sampled_from(["", "  "])).map(
        "".join
    )


@st.composite
def lenient_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Valid key data sets written in the many ways the node accepts and normalises."""
    document = copy.deepcopy(EXAMPLE)
    lines = draw(st.integers(min_value=1, max_value=4))
    currency, places = draw(st.sampled_from([("EUR", 2), ("JPY", 0), ("KWD", 3), ("CLF", 4)]))
    goods = []
    for n in range(1, lines + 1):
        line = copy.deepcopy(EXAMPLE["goods"][0])
        cents = draw(st.integers(min_value=1, max_value=10**12))
        value = Decimal(cents).scaleb(-places)
        grams = draw(st.integers(min_value=1, max_value=10**9))
        mass = Decimal(grams).scaleb(-3)
        line.update(
            sequence=draw(st.sampled_from([n, str(n), float(n)])),
            description=draw(_spaced("Spindle ä")),
            hs_code=draw(st.sampled_from(["84669340", "8466.93.40", " 846693 ", "8466 93 40 00"])),
            value=draw(st.sampled_from([str(value), format(value, "f") + "0", value])),
            currency=draw(_spaced(currency)),
            net_mass_kg=draw(st.sampled_from([str(mass), mass])),
            preferential_origin=draw(st.sampled_from([None, "EU", "eu", " de"])),
            country_of_origin=draw(_spaced("DE")),
        )
        goods.append(line)
    document["goods"] = goods
    document["seller"]["trader_id"]["value"] = draw(st.sampled_from(["DE123456789012345", "de 1234 5678 9012 345"]))
    document["buyer"]["address"]["country"] = draw(_spaced("GB"))
    document["invoice"]["number"] = draw(_spaced("RM-2026-000123"))
    return document


@FAST
@given(lenient_documents())
def test_normalisation_is_idempotent(document: dict[str, Any]) -> None:
    first = parse_key_data_set(document, today=TODAY)
    dumped = first.model_dump(mode="json")
    second = parse_key_data_set(dumped, today=TODAY)
    assert second == first
    assert second.model_dump(mode="json") == dumped


@FAST
@given(st.sampled_from(LEAF_PATHS), json_values)
def test_any_value_in_any_field_is_accepted_or_refused_with_validation_failed(path: tuple[Any, ...], value: Any) -> None:
    document = _replace(EXAMPLE, path, value)
    try:
        parsed = parse_key_data_set(document, today=TODAY)
    except ValidationFailed as refusal:
        assert refusal.problems, "a refusal names at least one problem"
        assert all(isinstance(p.path, str) and p.message for p in refusal.problems)
    else:
        assert parse_key_data_set(parsed.model_dump(mode="json"), today=TODAY) == parsed


@FAST
@given(json_values)
def test_any_document_is_accepted_or_refused_with_validation_failed(document: Any) -> None:
    try:
        parse_key_data_set(document, today=TODAY)
    except ValidationFailed as refusal:
        assert refusal.problems


@FAST
@given(
    st.one_of(
        st.integers(min_value=1, max_value=10**14),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e14"), places=2, allow_nan=False),
    )
)
def test_value_given_as_number_or_text_gives_the_same_decimals(amount: int | Decimal) -> None:
    as_number = float(amount) if isinstance(amount, Decimal) else amount
    outputs = set()
    for given_value in (as_number, str(as_number), str(amount)):
        document = copy.deepcopy(EXAMPLE)
        document["goods"][0]["value"] = given_value
        try:
            outputs.add(parse_key_data_set(document, today=TODAY).goods[0].model_dump(mode="json")["value"])
        except ValidationFailed as refusal:
            outputs.add(refusal.problems[0].message)
    if isinstance(amount, Decimal) and Decimal(str(as_number)) != amount:
        return  # the float cannot spell this amount; only the texts are compared then
    assert len(outputs) == 1, outputs


@FAST
@given(st.integers(min_value=1, max_value=10**8), st.integers(min_value=0, max_value=3))
def test_net_mass_given_as_number_or_text_gives_the_same_decimals(units: int, places: int) -> None:
    mass = Decimal(units).scaleb(-places)
    outputs = set()
    for given_value in (float(mass), str(mass), mass if places else int(mass)):
        document = copy.deepcopy(EXAMPLE)
        document["goods"][0]["net_mass_kg"] = given_value
        outputs.add(parse_key_data_set(document, today=TODAY).goods[0].model_dump(mode="json")["net_mass_kg"])
    assert outputs == {format(mass.quantize(Decimal("0.001")), "f")}
