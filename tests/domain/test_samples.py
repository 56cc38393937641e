"""The generated sample key data sets: valid, deterministic, and never shared between calls."""

from __future__ import annotations

from gpid_node.domain.model import parse_key_data_set
from gpid_node.domain.samples import sample_key_data_set


def test_a_sample_is_a_valid_key_data_set_and_the_same_for_the_same_seed() -> None:
    sample = sample_key_data_set("INV-1", lines=3, seed=7)
    parse_key_data_set(sample)
    assert sample == sample_key_data_set("INV-1", lines=3, seed=7)
    assert sample != sample_key_data_set("INV-1", lines=3, seed=8)


def test_changing_one_sample_leaves_the_next_one_as_it_was() -> None:
    first = sample_key_data_set("INV-1")
    first["seller"]["name"] = "Changed GmbH"
    first["buyer"]["address"]["city"] = "Leeds"
    second = sample_key_data_set("INV-2")
    assert second["seller"]["name"] == "Rhein Maschinenbau GmbH"
    assert second["buyer"]["address"]["city"] == "London"
