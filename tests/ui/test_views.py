"""The console's pure helpers: field words, version diffs, reuse, declared-versus-registered lines,
and its session store. No browser, no node."""

from __future__ import annotations

import copy

import pytest

from gpid_node.api.ui import sessions, views
from gpid_node.api.ui.routes import safe_next
from support.builders import key_data_set


def test_path_label_says_the_field_in_words() -> None:
    assert views.path_label("goods[0].net_mass_kg") == "Goods line 1: net mass (kg)"
    assert views.path_label("goods[2]") == "Goods line 3"
    assert views.path_label("seller.address.city") == "Seller: address, city"
    assert views.path_label("invoice.number") == "Invoice: number"


def test_diff_rows_give_before_and_after_of_each_changed_field() -> None:
    before = key_data_set(lines=2)
    after = copy.deepcopy(before)
    after["goods"][0]["net_mass_kg"] = "305.250"
    after["buyer"]["address"]["city"] = "Leeds"
    del after["goods"][1]
    rows = {row.path: row for row in views.diff_rows(before, after)}
    assert set(rows) == {"buyer.address.city", "goods[0].net_mass_kg", "goods[1]"}
    mass = rows["goods[0].net_mass_kg"]
    assert (mass.label, mass.before, mass.after) == ("Goods line 1: net mass (kg)", "310.500", "305.250")
    assert rows["goods[1]"].removed and rows["goods[1]"].after == "(absent)"
    assert "Tool holder set" in rows["goods[1]"].before
    assert views.diff_rows(None, after) == []  # version 1 changes nothing


def test_diff_rows_follow_the_changed_fields_the_index_recorded() -> None:
    before = key_data_set()
    after = copy.deepcopy(before)
    after["goods"][0]["value"] = "18000.00"
    rows = views.diff_rows(before, after, ["goods[0].value"])
    assert [(r.before, r.after) for r in rows] == [("18450.00", "18000.00")]


@pytest.mark.parametrize(
    ("directions", "reused", "flagged"),
    [
        (["export"], False, set()),
        (["export", "import"], False, set()),
        (["export", "import", "import"], True, {"import"}),
        (["export", "export"], True, {"export"}),
        (["import", "import", "export", "export"], True, {"import", "export"}),
    ],
)
def test_reuse_is_more_than_one_declaration_per_direction_or_more_than_two(directions: list[str], reused: bool,
                                                                             flagged: set[str]) -> None:  # fmt: skip
    links = [{"country": "GB", "reference": f"R{i}", "direction": d} for i, d in enumerate(directions)]
    found = views.reuse_of(links)
    assert found.reused is reused and set(found.directions) == flagged
    assert bool(found.reasons) is reused


def test_the_same_declaration_twice_is_not_reuse() -> None:
    link = {"country": "GB", "reference": "R1", "direction": "import"}
    assert not views.reuse_of([link, dict(link), {"country": "DE", "reference": "E1", "direction": "export"}]).reused


def test_line_checks_mark_each_discrepancy_on_its_line_and_field() -> None:
    data = key_data_set(lines=2)
    items = [{"gpid": "x", "goods_sequence": 1, "net_mass_kg": "999.000", "value": "18450.00"},
             {"gpid": "x", "goods_sequence": 3, "value": "1"}]  # fmt: skip
    discrepancies = [{"goods_sequence": 1, "field": "net_mass_kg", "declared": "999.000", "registered": "310.500"},
                     {"goods_sequence": 3, "field": "goods_sequence", "declared": 3, "registered": None}]  # fmt: skip
    first, missing = views.line_checks(items, data, discrepancies)
    by_field = {f.name: f for f in first.fields}
    assert (by_field["net_mass_kg"].status, by_field["net_mass_kg"].declared, by_field["net_mass_kg"].registered) == (
        "differs", "999.000", "310.500")  # fmt: skip
    assert by_field["value"].status == "matches" and by_field["hs_code"].status == "not declared"
    assert first.exists and first.discrepancies == 1
    assert not missing.exists and missing.discrepancies >= 1


def test_times_are_shown_in_utc() -> None:
    assert views.when("2026-11-21T10:30:00+01:00") == "2026-11-21 09:30:00 UTC"
    assert views.when(None) == "(unknown)"


def test_only_console_paths_are_places_to_return_to() -> None:
    assert safe_next("/ui/gpid/GP1?version=2") == "/ui/gpid/GP1?version=2"
    for hostile in ("//evil.example/ui/", "https://evil.example/ui/", "/v1/key-data-sets", "/ui\\..", None, ""):
        assert safe_next(hostile) == "/ui/"


def test_sessions_end_on_sign_out_idle_and_age(monkeypatch: pytest.MonkeyPatch) -> None:
    store = sessions.SessionStore()
    session_id, session = store.create("gpid_key.secret")
    assert store.get(session_id) is session and store.get("guess") is None
    now = session.seen
    monkeypatch.setattr(sessions.time, "monotonic", lambda: now + sessions.IDLE_TIMEOUT_S + 1)
    assert store.get(session_id) is None  # idle too long
    monkeypatch.undo()
    session_id, _ = store.create("gpid_key.secret")
    store.end(session_id)
    assert store.get(session_id) is None


def test_the_session_store_keeps_at_most_its_limit() -> None:
    store = sessions.SessionStore(max_sessions=3)
    ids = [store.create(f"key{i}")[0] for i in range(5)]
    assert len(store) == 3
    assert store.get(ids[0]) is None and store.get(ids[-1]) is not None


def test_tokens_compare_only_when_both_are_there() -> None:
    token = sessions.new_token()
    assert sessions.same_token(token, token)
    assert not sessions.same_token(None, token) and not sessions.same_token(token, "") and not sessions.same_token("a", "b")
