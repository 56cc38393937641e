"""Properties of the pure code every hostile input goes through: JSON merge patches (amendments),
verification requests, the canonical form, payloads, GPIDs and the API's JSON check. Whatever the
input, the answer is a result or the one documented refusal, never another exception."""

from __future__ import annotations

import copy
import json
import zlib
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from gpid_node.domain import strict_json
from gpid_node.api.models import AmendmentRequest, LinkRequest
from gpid_node.domain import canonical, declaration, verification
from gpid_node.domain.errors import InvalidGPID, ValidationFailed
from gpid_node.domain.gpid import GPID
from gpid_node.domain.merge_patch import apply_merge_patch, patched_paths
from gpid_node.domain.model import parse_key_data_set
from gpid_node.domain.samples import sample_key_data_set

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TODAY = date(2026, 11, 23)
DOCUMENT = sample_key_data_set("PROP-1", lines=2)

scalars = st.none() | st.booleans() | st.integers(min_value=-(2**53), max_value=2**53) | st.text(max_size=12)
json_values = st.recursive(
    scalars | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=16,
)
float_free = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8), inner, max_size=4),
    max_leaves=16,
)  # fmt: skip
patches = st.recursive(
    scalars,
    lambda inner: st.dictionaries(st.sampled_from(["seller", "buyer", "goods", "invoice", "name", "address", "city", "x"])
                                  | st.text(max_size=6), inner, max_size=4) | st.lists(inner, max_size=3),
    max_leaves=12,
)  # fmt: skip


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value


# ---------------------------------------------------------------------- merge patches (RFC 7396)

RFC_7396_EXAMPLES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("target", "patch", "result"), RFC_7396_EXAMPLES)
def test_merge_patch_gives_the_results_of_rfc_7396_appendix_a(target: Any, patch: Any, result: Any) -> None:
    assert apply_merge_patch(target, patch) == result


@FAST
@given(json_values, patches)
def test_merge_patch_is_idempotent_and_leaves_its_inputs_alone(target: Any, patch: Any) -> None:
    target_before, patch_before = copy.deepcopy(target), copy.deepcopy(patch)
    once = apply_merge_patch(target, patch)
    assert apply_merge_patch(once, patch) == once
    assert (target, patch) == (target_before, patch_before)


@FAST
@given(json_values, patches)
def test_merge_patch_removes_what_it_nulls_and_sets_what_it_gives(target: Any, patch: Any) -> None:
    result = apply_merge_patch(target, patch)
    if not isinstance(patch, dict):
        assert result == patch
        return
    for key, value in patch.items():
        if value is None:
            assert key not in result
        elif not isinstance(value, dict):
            assert result[key] == value
    for key in set(target if isinstance(target, dict) else {}) - set(patch):
        assert result[key] == target[key]


@FAST
@given(patches)
def test_a_patch_without_nulls_applied_to_nothing_is_itself(patch: Any) -> None:
    assert apply_merge_patch(None, patch) == _without_nulls(patch)
    assert all(isinstance(p, str) for p in patched_paths(patch))


@FAST
@given(patches)
def test_any_amendment_patch_gives_a_valid_key_data_set_or_validation_failed(patch: Any) -> None:
    """What Node.amend does before anything reaches the chain: patch the current version, validate."""
    try:
        data = parse_key_data_set(apply_merge_patch(DOCUMENT, patch), today=TODAY).model_dump(mode="json")
    except ValidationFailed as refusal:
        assert refusal.problems and all(p.message for p in refusal.problems)
        return
    canonical.commitments(data, b"\x01" * 32)  # a valid result always has its commitments


@FAST
@given(st.sampled_from(["seller", "buyer", "goods"]), json_values)
def test_a_patch_that_leaves_the_identity_alone_never_changes_its_commitment(section: str, value: Any) -> None:
    try:
        data = parse_key_data_set(apply_merge_patch(DOCUMENT, {section: value}), today=TODAY).model_dump(mode="json")
    except ValidationFailed:
        return
    before = canonical.commitments(parse_key_data_set(DOCUMENT, today=TODAY).model_dump(mode="json"), b"\x02" * 32)
    after = canonical.commitments(data, b"\x02" * 32)
    assert after.identity == before.identity


@FAST
@given(json_values | patches)
def test_any_amendment_or_link_body_is_a_request_or_a_validation_error(body: Any) -> None:
    for model in (AmendmentRequest, LinkRequest):
        try:
            model.model_validate(body)
        except ValidationError:
            pass


# ---------------------------------------------------------------------- verification requests

ITEM_FIELDS = ("hs_code", "value", "currency", "packages", "net_mass_kg", "country_of_origin", "preferential_origin")


@st.composite
def verification_requests(draw: st.DrawFn) -> Any:
    """Requests near the valid shape, with any value in any field (or the field left out)."""
    item: dict[str, Any] = {"gpid": draw(st.sampled_from(["GP19JH9P1H251KHX5E6AQH1APYCJG", "gp19-jh9p", "", "X" * 40])),
                            "goods_sequence": draw(st.sampled_from([1, 2, 0, -1, "1", 1.0, 1.5, 10**30, None, True]))}  # fmt: skip
    for name in ITEM_FIELDS:
        if draw(st.booleans()):
            item[name] = draw(json_values | st.sampled_from(["18450.00", "1e400", "NaN", "-0", "84669340", "EUR", "DE"]))
    declaration = {
        "reference": draw(st.sampled_from(["26GB00000000000123", "", " x ", "R" * 71]) | st.text(max_size=8)),
        "country": draw(st.sampled_from(["GB", "gb", "XX", "", None])),
        "direction": draw(st.sampled_from(["export", "import", "sideways", None])),
        "filed_at": draw(st.sampled_from(["2026-11-21T09:30:00Z", "2026-11-21T09:30:00", "yesterday", 0, None,
                                          "2026-11-21T09:30:00+14:00", "9999-12-31T23:59:59Z"])),  # fmt: skip
        "items": draw(st.sampled_from([[item], [item, item], [], None, item])),
    }
    if draw(st.booleans()):
        declaration[draw(st.text(max_size=5))] = draw(json_values)
    return draw(st.sampled_from([{"declaration": declaration}, declaration, {"declaration": None}, [declaration]]))


@FAST
@given(verification_requests())
def test_any_verification_request_is_parsed_or_refused_with_validation_failed(body: Any) -> None:
    try:
        request = declaration.parse_request(body)
    except ValidationFailed as refusal:
        assert refusal.problems
        return
    assert request.declaration.filed_at.tzinfo is not None


@st.composite
def valid_requests(draw: st.DrawFn) -> dict[str, Any]:
    """Well-formed requests declaring anything plausible about 1 to 3 goods lines (some not registered)."""
    items = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        item: dict[str, Any] = {"gpid": draw(st.sampled_from(["GP19JH9P1H251KHX5E6AQH1APYCJG", "gp19-jh9p1h251khx5e6aqh1apycjg"])),
                                "goods_sequence": draw(st.integers(min_value=1, max_value=4))}  # fmt: skip
        options = {
            "hs_code": st.from_regex(r"\A[0-9]{6,10}\Z"),
            "value": st.decimals(min_value=0, max_value=10**12, places=2).map(str),
            "currency": st.sampled_from(["EUR", "GBP", "JPY", "KWD"]),
            "packages": st.integers(min_value=0, max_value=10**6),
            "net_mass_kg": st.decimals(min_value=0, max_value=10**9, places=3).map(str),
            "country_of_origin": st.sampled_from(["DE", "GB", "CN"]),
            "preferential_origin": st.sampled_from(["EU", "DE", None]),
        }
        for name, strategy in options.items():
            if draw(st.booleans()):
                item[name] = draw(strategy)
        items.append(item)
    filed_at = draw(st.sampled_from(["2026-11-19T09:30:00Z", "2026-11-21T09:30:00Z", "2026-11-21T10:30:00+01:00"]))
    return {"declaration": {"reference": "26GB00000000000123", "country": "GB", "direction": "import",
                            "filed_at": filed_at, "items": items}}  # fmt: skip


@FAST
@given(valid_requests())
def test_any_valid_verification_request_gets_a_verdict(body: dict[str, Any]) -> None:
    from datetime import UTC, datetime

    request = declaration.parse_request(body)
    data = parse_key_data_set(DOCUMENT, today=TODAY).model_dump(mode="json")
    facts = verification.KeyDataSetFacts(
        gpid="GP19JH9P1H251KHX5E6AQH1APYCJG", integrity_verified=True, other_declarations=[],
        versions=[verification.VersionRecord(version=1, time=datetime(2026, 11, 20, tzinfo=UTC), author="0x0",
                                             reason=None, changed_fields=[], data=data)],
    )  # fmt: skip
    answer = verification.verify(request.declaration, {"GP19JH9P1H251KHX5E6AQH1APYCJG": facts})
    assert answer["result"] in ("match", "discrepancies", "integrity_failure", "unknown_gpid")
    json.dumps(answer)  # the answer is plain JSON


# ---------------------------------------------------------------------- canonical form and payloads


@FAST
@given(float_free)
def test_canonical_form_round_trips_and_is_a_fixed_point(value: Any) -> None:
    text = canonical.canonical_json(value)
    assert json.loads(text) == value
    assert canonical.canonical_json(json.loads(text)) == text


@FAST
@given(st.dictionaries(st.text(max_size=6), float_free, max_size=6))
def test_canonical_form_does_not_depend_on_member_order(value: dict[str, Any]) -> None:
    reordered = dict(reversed(list(value.items())))
    assert canonical.canonical_json(reordered) == canonical.canonical_json(value)


@FAST
@given(st.binary(max_size=200), st.integers(min_value=0, max_value=255))
def test_any_payload_bytes_are_read_or_refused_with_payload_error(body: bytes, tag: int) -> None:
    for payload in (bytes([tag]) + body, b"\x01" + b"\0" * 32 + body):
        try:
            canonical.decode_payload(payload)
        except canonical.PayloadError:
            pass


@FAST
@given(json_values)
def test_any_deflated_json_payload_is_read_or_refused_with_payload_error(value: Any) -> None:
    deflate = zlib.compressobj(wbits=-15)
    payload = b"\x01" + b"\0" * 32 + deflate.compress(json.dumps(value).encode()) + deflate.flush()
    try:
        data, salt = canonical.decode_payload(payload)
    except canonical.PayloadError:
        assert not isinstance(value, dict)
        return
    assert data == value and salt == b"\0" * 32


@FAST
@given(st.text(max_size=60))
def test_any_text_is_a_gpid_or_invalid_gpid(text: str) -> None:
    try:
        gpid = GPID.parse(text)
    except InvalidGPID as refusal:
        assert refusal.reason
        return
    assert GPID.parse(str(gpid)) == gpid and len(str(gpid)) <= 35


# ---------------------------------------------------------------------- the API's JSON check


@FAST
@given(st.binary(max_size=300))
def test_the_json_check_answers_any_bytes_with_a_reason_or_none(body: bytes) -> None:
    reason = strict_json.refusal(body)
    assert reason is None or isinstance(reason, str)


@FAST
@given(json_values)
def test_the_json_check_accepts_what_a_json_encoder_writes(value: Any) -> None:
    assert strict_json.refusal(json.dumps(value).encode()) is None


@FAST
@given(st.integers(min_value=1, max_value=5000), st.sampled_from([b"[", b'{"a":']))
def test_the_json_check_bounds_nesting_whatever_the_depth(depth: int, opener: bytes) -> None:
    closer = b"]" if opener == b"[" else b"}"
    reason = strict_json.refusal(opener * depth + b"1" + closer * depth)
    assert (reason is None) == (depth <= strict_json.MAX_DEPTH), (depth, reason)
