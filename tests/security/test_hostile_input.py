"""Hostile requests, each sent to every write route by a caller allowed to use it: the node answers a
4xx problem, never a 5xx, never crashes, and writes nothing (outbox, index, idempotency store)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from api.harness import CUSTOMS_GB, EXPORT_BROKER, SELLER, Api, fresh_key_data_set
from gpid_node.services.credentials import create_key, revoke_key
from security.helpers import PROBLEM, problem_type, raw_asgi, writes_nothing

DEEP = 100_000  # levels of nesting: 100 KB, far below the body limit; overflowed the C stack before


@pytest.fixture(scope="module")
def gpid(api: Api) -> str:
    """A registered key data set the seller may amend, the broker link and Customs GB verify."""
    registered = api.register()["gpid"]
    api.link(EXPORT_BROKER, f"26DE{registered[2:16]}", "DE", "export", [registered])
    return registered


@pytest.fixture(params=["register", "amend", "link", "verify"])
def route(request: pytest.FixtureRequest, api: Api, gpid: str) -> tuple[str, dict[str, str], dict[str, Any]]:
    """(path, headers of a caller allowed to use it, a valid body) for each write route."""
    valid: dict[str, tuple[str, str, dict[str, Any]]] = {
        "register": ("/v1/key-data-sets", SELLER, fresh_key_data_set()),
        "amend": (f"/v1/key-data-sets/{gpid}/amendments", SELLER,
                  {"changes": {"buyer": {"name": "Thames Tools Limited"}}, "reason": "legal name"}),
        "link": ("/v1/declarations", EXPORT_BROKER,
                 {"reference": "26DE0000HOSTILE", "country": "DE", "direction": "export", "gpids": [gpid]}),
        "verify": ("/v1/verifications", CUSTOMS_GB,
                   {"declaration": {"reference": "26GB0000HOSTILE", "country": "GB", "direction": "import",
                                    "filed_at": "2026-11-21T09:30:00Z", "items": [{"gpid": gpid, "goods_sequence": 1}]}}),
    }  # fmt: skip
    path, who, body = valid[request.param]
    return path, api.auth(who), body


def post(api: Api, path: str, headers: dict[str, str], content: bytes, content_type: str | None = "application/json") -> Any:
    extra = {"Content-Type": content_type} if content_type else {}
    return api.client.post(path, content=content, headers={**headers, **extra})


def assert_problem(response: Any, status: int, slug: str, *words: str) -> dict[str, Any]:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"] == problem_type(slug) and problem["status"] == status
    for word in words:
        assert word in problem["detail"], problem["detail"]
    return problem


def with_duplicate(body: dict[str, Any], nested: bool) -> bytes:
    """The body's JSON with one member written twice (the second value differs), top level or nested."""
    text = json.dumps(body)
    if not nested:
        name = next(iter(body))
        return (text[:-1] + f", {json.dumps(name)}: {json.dumps(body[name])}" + "}").encode()
    inner = next(k for k, v in body.items() if isinstance(v, dict))
    first = next(iter(body[inner]))
    patched = dict(body)
    patched[inner] = "__INNER__"
    inner_text = json.dumps(body[inner])[:-1] + f", {json.dumps(first)}: \"twice\"" + "}"
    return json.dumps(patched).replace('"__INNER__"', inner_text).encode()


# ---------------------------------------------------------------------- bodies that are not JSON the node accepts

MALFORMED = {
    "deeply nested arrays": (b"[" * DEEP, "nested more than"),
    "deeply nested objects": (b'{"a":' * DEEP, "nested more than"),
    "deeply nested, balanced": (b"[" * (DEEP // 2) + b"]" * (DEEP // 2), "nested more than"),
    "invalid UTF-8": (b'{"reason": "\xff\xfe"}', "not UTF-8"),
    "overlong UTF-8 encoding of /": (b'{"reason": "\xc0\xaf"}', "not UTF-8"),
    "UTF-16": ('{"reason": "x"}'.encode("utf-16"), "not UTF-8"),
    "byte order mark": (b'\xef\xbb\xbf{"reason": "x"}', "BOM"),
    "NaN": (b'{"reason": NaN}', "NaN is not JSON"),
    "Infinity": (b'{"reason": Infinity}', "Infinity is not JSON"),
    "-Infinity": (b'{"reason": -Infinity}', "-Infinity is not JSON"),
    "a 5000-digit integer": (b'{"reason": ' + b"9" * 5000 + b"}", "4300 digits"),
    "trailing garbage": (b'{"reason": "x"} {"reason": "y"}', "Extra data"),
    "truncated": (b'{"reason": "x', "Unterminated string"),
    "single quotes": (b"{'reason': 'x'}", "double quotes"),
}


@pytest.mark.parametrize("case", list(MALFORMED), ids=list(MALFORMED))
def test_malformed_json_answers_400_naming_the_problem_and_writes_nothing(
    api: Api, route: tuple[str, dict[str, str], dict[str, Any]], case: str
) -> None:
    path, headers, _ = route
    body, words = MALFORMED[case]
    with writes_nothing(api):
        assert_problem(post(api, path, headers, body), 400, "malformed-json", words)
    assert api.client.get("/healthz").status_code == 200  # the node is alive


@pytest.mark.parametrize("nested", [False, True], ids=["top level", "nested"])
def test_a_member_name_given_twice_answers_400_naming_it(
    api: Api, route: tuple[str, dict[str, str], dict[str, Any]], nested: bool
) -> None:
    """Rejected, not last-wins: what a client signed or logged must be what the node registers."""
    path, headers, valid = route
    if nested and not any(isinstance(v, dict) for v in valid.values()):
        pytest.skip("this body has no nested object")
    body = with_duplicate(valid, nested)
    with writes_nothing(api):
        problem = assert_problem(post(api, path, headers, body), 400, "malformed-json", "appears twice")
    duplicated = next(iter(valid[next(k for k, v in valid.items() if isinstance(v, dict))])) if nested else next(iter(valid))
    assert repr(duplicated) in problem["detail"]


def test_deep_nesting_without_an_api_key_is_refused_before_authentication(api: Api) -> None:
    with writes_nothing(api):
        response = api.client.post("/v1/declarations", content=b"[" * DEEP, headers={"Content-Type": "application/json"})
    assert_problem(response, 400, "malformed-json", "nested more than")


def test_json_with_another_media_type_suffix_is_checked_too(api: Api, route: tuple[str, dict[str, str], dict[str, Any]]) -> None:
    path, headers, _ = route
    with writes_nothing(api):
        response = post(api, path, headers, b"[" * DEEP, "application/problem+json; charset=utf-8")
    assert_problem(response, 400, "malformed-json", "nested more than")


# ---------------------------------------------------------------------- JSON that fails validation


def test_numbers_beyond_range_answer_422_with_the_field(api: Api, gpid: str) -> None:
    data = fresh_key_data_set()
    text = json.dumps(data).replace('"18450.00"', "1e400", 1)
    with writes_nothing(api):
        problem = assert_problem(post(api, "/v1/key-data-sets", api.auth(SELLER), text.encode()), 422, "validation-failed")
    assert "goods[0].value" in {e["path"] for e in problem["errors"]}
    for literal in ("1e400", "-1e400", "1e-400", "123456789012345678901234567890.123456789"):
        goods = json.dumps([dict(data["goods"][0], value="__V__")]).replace('"__V__"', literal)
        body = ('{"changes": {"goods": ' + goods + '}, "reason": "x"}').encode()
        with writes_nothing(api):
            response = post(api, f"/v1/key-data-sets/{gpid}/amendments", api.auth(SELLER), body)
        problem = assert_problem(response, 422, "validation-failed")
        assert "changes.goods[0].value" in {e["path"] for e in problem["errors"]}, problem
    declared = ('{"declaration": {"reference": "R1", "country": "GB", "direction": "import", "filed_at": '
                '"2026-11-21T09:30:00Z", "items": [{"gpid": "' + gpid + '", "goods_sequence": 1e400, "value": 1e400}]}}')  # fmt: skip
    with writes_nothing(api):
        assert_problem(post(api, "/v1/verifications", api.auth(CUSTOMS_GB), declared.encode()), 422, "validation-failed")


TEXT_ATTACKS = {
    "a lone surrogate": "\\ud800",
    "a NUL character": "\\u0000",
    "right-to-left override": "\\u202e",
    "10,000 combining marks": "e" + "\\u0301" * 10_000,
    "a path": "../../../../etc/passwd",
    "markup": "<script>alert(1)</script>",
    "SQL": "x'); DROP TABLE outbox; --",
}


@pytest.mark.parametrize("attack", list(TEXT_ATTACKS), ids=list(TEXT_ATTACKS))
def test_hostile_text_in_every_text_field_never_fails_the_node(api: Api, gpid: str, attack: str) -> None:
    """Each text member of each body gets the hostile text: a 4xx problem (or, for text that is
    merely unusual, a normal answer), never a 5xx."""
    escaped = attack  # already JSON-escaped
    data = fresh_key_data_set()
    bodies = []
    for path in (("invoice", "number"), ("seller", "name"), ("buyer", "address", "city"), ("goods", 0, "description"),
                 ("seller", "trader_id", "value"), ("goods", 0, "hs_code")):  # fmt: skip
        copy = json.loads(json.dumps(data))
        node = copy
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = "__X__"
        bodies.append(("/v1/key-data-sets", SELLER, json.dumps(copy).replace("__X__", escaped)))
    bodies += [
        (f"/v1/key-data-sets/{gpid}/amendments", SELLER, '{"changes": {"buyer": {"name": "__X__"}}, "reason": "__X__"}'.replace("__X__", escaped)),
        ("/v1/declarations", EXPORT_BROKER, '{"reference": "__X__", "country": "DE", "direction": "export", "gpids": ["__X__"]}'.replace("__X__", escaped)),
        ("/v1/verifications", CUSTOMS_GB, ('{"declaration": {"reference": "__X__", "country": "GB", "direction": "import", '
                                           '"filed_at": "2026-11-21T09:30:00Z", "items": [{"gpid": "__X__", "goods_sequence": 1, '
                                           '"hs_code": "__X__"}]}}').replace("__X__", escaped)),
    ]  # fmt: skip
    for path, who, body in bodies:
        response = post(api, path, api.auth(who), body.encode())
        assert response.status_code < 500, (path, body[:200], response.text[:300])
        if response.status_code >= 400:
            assert response.headers["content-type"] == PROBLEM


@pytest.mark.parametrize("body", [b"", b"null", b"[]", b'"text"', b"12", b"true", b"{}"])
def test_empty_or_wrongly_shaped_bodies_answer_422(api: Api, route: tuple[str, dict[str, str], dict[str, Any]], body: bytes) -> None:
    path, headers, _ = route
    with writes_nothing(api):
        assert_problem(post(api, path, headers, body), 422, "validation-failed")


def test_batch_limits_answer_422(api: Api, gpid: str) -> None:
    """At most 100 GPIDs per declaration link and 999 goods lines per verification (under the body limit)."""
    link = {"reference": "26DE00000BATCH", "country": "DE", "direction": "export", "gpids": [gpid] * 101}
    items = [{"gpid": gpid, "goods_sequence": 1}] * 1000
    check = {"declaration": {"reference": "26GB00000BATCH", "country": "GB", "direction": "import",
                             "filed_at": "2026-11-21T09:30:00Z", "items": items}}  # fmt: skip
    with writes_nothing(api):
        linked = api.client.post("/v1/declarations", json=link, headers=api.auth(EXPORT_BROKER))
        verified = api.client.post("/v1/verifications", json=check, headers=api.auth(CUSTOMS_GB))
    assert "gpids" in {e["path"] for e in assert_problem(linked, 422, "validation-failed")["errors"]}
    assert "declaration.items" in {e["path"] for e in assert_problem(verified, 422, "validation-failed")["errors"]}


# ---------------------------------------------------------------------- size and media type


def test_a_body_above_the_limit_answers_413_from_its_content_length(api: Api, route: tuple[str, dict[str, str], dict[str, Any]]) -> None:
    path, headers, _ = route
    limit = api.settings.max_body_bytes
    with writes_nothing(api):
        response = post(api, path, headers, b'{"reason": "' + b"x" * limit + b'"}')
    problem = assert_problem(response, 413, "body-too-large")
    assert problem["max_bytes"] == limit


def test_a_streamed_body_above_the_limit_answers_413_while_it_streams(api: Api, route: tuple[str, dict[str, str], dict[str, Any]]) -> None:
    path, headers, _ = route
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(64):  # 4 MiB offered, no Content-Length
            sent += 65536
            yield b"[" * 65536

    with writes_nothing(api):
        response = api.client.post(path, content=chunks(), headers={**headers, "Content-Type": "application/json"})
    assert_problem(response, 413, "body-too-large")


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", None,
     "application/jsonx", "text/json"],
)  # fmt: skip
def test_a_body_sent_as_anything_but_json_answers_415(
    api: Api, route: tuple[str, dict[str, str], dict[str, Any]], content_type: str | None
) -> None:
    path, headers, valid = route
    with writes_nothing(api):
        response = post(api, path, headers, json.dumps(valid).encode(), content_type)
    if path == "/v1/key-data-sets" and content_type == "application/xml":  # registers an e-invoice: JSON is no XML
        assert response.status_code == 422 and response.json()["errors"][0]["path"] == "body"
        return
    assert_problem(response, 415, "unsupported-media-type")


# ---------------------------------------------------------------------- API keys


@pytest.fixture(scope="module")
def revoked_key(api: Api) -> str:
    with api.node.store.session() as session:
        key = create_key(session, "seller", api.participants[SELLER]["account"], trader_id="EORI:DE123456789012345")
    with api.node.store.session() as session:
        revoke_key(session, key)
    return key


def forged_tokens(api: Api, revoked: str) -> dict[str, str]:
    real = api.keys[SELLER]
    key_id, _, secret = real.removeprefix("gpid_").partition(".")
    return {
        "revoked": f"Bearer {revoked}",
        "right key id, wrong secret": f"Bearer gpid_{key_id}.{'A' * len(secret)}",
        "right key id, no secret": f"Bearer gpid_{key_id}.",
        "right key id only": f"Bearer gpid_{key_id}",
        "secret with a byte more": f"Bearer {real}x",
        "secret with a byte less": f"Bearer {real[:-1]}",
        "another prefix": f"Bearer gpix_{key_id}.{secret}",
        "SQL in the key id": f"Bearer gpid_' OR '1'='1.{secret}",
        "10,000 characters": "Bearer gpid_" + "a" * 10_000,
        "empty bearer": "Bearer ",
        "basic": "Basic c2VsbGVyOnNlY3JldA==",
        "the key without a scheme": real,
    }


def test_forged_and_revoked_keys_answer_401_on_every_route_and_write_nothing(
    api: Api, route: tuple[str, dict[str, str], dict[str, Any]], revoked_key: str
) -> None:
    path, _, valid = route
    for name, token in forged_tokens(api, revoked_key).items():
        with writes_nothing(api):
            response = api.client.post(path, json=valid, headers={"Authorization": token, "Idempotency-Key": "forged-1"})
        problem = assert_problem(response, 401, "unauthenticated")
        assert response.headers["www-authenticate"].startswith("Bearer"), name
        assert token.split(" ")[-1] not in problem["detail"] or len(token) < 20, name  # the token is not echoed


# ---------------------------------------------------------------------- path parameters

TRAVERSALS = [
    "..", "../..", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "....//....//etc//passwd",
    "%252e%252e%252f", "..%5c..%5cwindows", "%00", "GP%00", "%0d%0aX-Injected:%20yes", "GP" + "0" * 500,
    "%ef%bc%8e%ef%bc%8e", "GP\u0661\u0662\u0663", "' OR 1=1 --", "%ff%fe", "${jndi:ldap://x}", "{{7*7}}",
]  # fmt: skip


@pytest.mark.parametrize("value", TRAVERSALS)
def test_path_traversal_and_junk_in_path_parameters_answer_4xx(api: Api, value: str) -> None:
    seller, customs = api.auth(SELLER), api.auth(CUSTOMS_GB)
    requests = [
        ("GET", f"/v1/key-data-sets/{value}", seller),
        ("GET", f"/v1/key-data-sets/{value}/history", seller),
        ("GET", f"/v1/key-data-sets/{value}/qr.svg", seller),
        ("GET", f"/v1/declarations/{value}/{value}", customs),
        ("GET", f"/v1/declarations/GB/{value}", customs),
        ("GET", f"/v1/submissions/{value}", seller),
    ]
    with writes_nothing(api):
        for method, path, headers in requests:
            response = api.client.request(method, path, headers=headers)
            assert 400 <= response.status_code < 500, (path, response.status_code, response.text[:300])
            assert response.headers["content-type"] == PROBLEM, path
            assert "x-injected" not in response.headers
        amend = api.client.post(f"/v1/key-data-sets/{value}/amendments", json={"changes": {"buyer": {"name": "X"}}, "reason": "x"},
                                headers=seller)  # fmt: skip
        assert 400 <= amend.status_code < 500, amend.text[:300]


# ---------------------------------------------------------------------- Idempotency-Key


@pytest.mark.parametrize(
    "key",
    [b"k\r\nX-Injected: yes", b"k\nSet-Cookie: a=b", b"k\rX-Injected: yes", b"with space", b"tab\tkey", b"\x7fdel",
     b"caf\xc3\xa9", b"\xff\xfe", b"", b"k" * 256, b"k\x00nul"],
    ids=["CRLF header", "LF Set-Cookie", "CR", "space", "tab", "DEL", "UTF-8", "not UTF-8", "empty", "256 chars", "NUL"],
)  # fmt: skip
def test_an_idempotency_key_with_control_characters_is_refused_and_never_echoed(api: Api, key: bytes) -> None:
    """Raw ASGI (no client library sends CR/LF in a header): 422 naming the header, nothing kept."""
    headers = [(b"authorization", api.auth(SELLER)["Authorization"].encode()), (b"content-type", b"application/json"),
               (b"idempotency-key", key)]  # fmt: skip
    with writes_nothing(api):
        status, answer_headers, body = raw_asgi(api.client.app, "POST", "/v1/key-data-sets", headers, b"{}")
    assert status == 422, body[:300]
    names = {name.lower() for name, _ in answer_headers}
    assert b"x-injected" not in names and b"set-cookie" not in names
    assert all(b"\r" not in value and b"\n" not in value for _, value in answer_headers)
    problem = json.loads(body)
    assert any(e["path"] == "Idempotency-Key" for e in problem["errors"]), problem
