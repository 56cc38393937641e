"""Hostile values in every form field and query parameter of the audit console (/ui): each gets a 4xx
page that names the problem, never the 500 page, and writes nothing (outbox, index, idempotency
store). The console is driven over HTTP as a browser would (cookies, the CSRF token of each form),
signed in as Customs GB, whose verifications would be recorded on chain if one got through.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from api.harness import API_URL, CUSTOMS_GB, SELLER, Api

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from security.helpers import writes_nothing

FAILURE_PAGE = "The node failed to show this page"
HUGE = "x" * 200_000  # under the 1 MiB body limit, far beyond any field
DEEP = "[" * 300_000


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no hidden field {name} in the page"
    return found.group(1)


@pytest.fixture(scope="module")
def gpid(api: Api) -> str:
    return str(api.register()["gpid"])


@pytest.fixture
def browser(api: Api) -> Iterator[TestClient]:
    """A browser of its own (cookies), not signed in."""
    with TestClient(api.client.app, base_url=API_URL) as client:
        yield client


def sign_in(browser: TestClient, api: Api, name: str = CUSTOMS_GB) -> str:
    """Signs in with ``name``'s API key; returns the CSRF token of the session's forms."""
    form = browser.get("/ui/sign-in")
    signed = browser.post("/ui/sign-in", data={"csrf": hidden(form.text, "csrf"), "api_key": api.keys[name]},
                          follow_redirects=False)  # fmt: skip
    assert signed.status_code == 303, signed.text[:300]
    return hidden(browser.get("/ui/").text, "csrf")


@pytest.fixture
def officer(browser: TestClient, api: Api) -> tuple[TestClient, str]:
    return browser, sign_in(browser, api)


def assert_refused_page(response: Any, *words: str, status: int | tuple[int, ...] = (400, 404, 422)) -> None:
    """A 4xx HTML page of the console (not the 500 page), naming the problem with ``words``."""
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, (response.status_code, response.text[:600])
    assert response.headers["content-type"].startswith("text/html")
    assert FAILURE_PAGE not in response.text
    for word in words:
        assert word in response.text, (word, response.text[-1500:])


# ---------------------------------------------------------------------- query parameters

NOT_A_NUMBER = {
    "negative": "-1",
    "zero": "0",
    "exponent": "1e3",
    "fraction": "1.5",
    "beyond 2**31": "99999999999999999999",
    "5000 digits": "9" * 5000,
    "superscript two": "\u00b2",
    "fullwidth one": "\uff11",
    "Arabic-Indic one": "\u0661",
    "NUL": "1\x00",
    "control characters": "\x1b[31m1",
    "path": "../../etc/passwd",
    "huge": "1" * 100 + "x" * 10_000,
}


@pytest.mark.parametrize("value", list(NOT_A_NUMBER.values()), ids=list(NOT_A_NUMBER))
def test_a_version_that_is_not_a_version_number_gets_the_problems_page(api: Api, officer: tuple[TestClient, str], gpid: str,
                                                                      value: str) -> None:  # fmt: skip
    browser, _ = officer
    with writes_nothing(api):
        response = browser.get(f"/ui/gpid/{gpid}", params={"version": value})
    assert_refused_page(response, "version", "versions count from 1", status=(422, 404))


@pytest.mark.parametrize("value", list(NOT_A_NUMBER.values()), ids=list(NOT_A_NUMBER))
def test_a_page_number_that_is_not_a_number_shows_the_first_page(api: Api, officer: tuple[TestClient, str], value: str) -> None:
    """The list's ``page`` is a convenience: any value that is not a page number shows page 1 (200), never a 500."""
    browser, _ = officer
    with writes_nothing(api):
        response = browser.get("/ui/", params={"page": value})
    assert response.status_code == 200, response.text[:600]
    assert FAILURE_PAGE not in response.text


GPID_ATTACKS = {
    "path traversal": "../../../../etc/passwd",
    "encoded traversal": "..%2F..%2Fetc%2Fpasswd",
    "NUL": "GP\x00",
    "control characters": "GP\x1b[2J",
    "huge": "G" * 30_000,
    "markup": "<script>alert(1)</script>",
    "template": "{{7*7}}",
    "SQL": "' OR 1=1 --",
    "right-to-left override": "GP\u202e123",
    "empty": " ",
}


@pytest.mark.parametrize("value", list(GPID_ATTACKS.values()), ids=list(GPID_ATTACKS))
def test_hostile_text_in_the_gpid_search_gets_the_invalid_gpid_page(api: Api, officer: tuple[TestClient, str], value: str) -> None:
    browser, _ = officer
    with writes_nothing(api):
        response = browser.get("/ui/search", params={"gpid": value}, follow_redirects=False)
    assert_refused_page(response, "This is not a valid GPID", status=400)
    assert "<script>alert" not in response.text


@pytest.mark.parametrize("raw", ["%ed%a0%80", "%ff%fe", "%c0%af", "%00"], ids=["lone surrogate", "invalid UTF-8", "overlong /", "NUL"])
def test_bytes_that_are_not_utf8_in_the_gpid_search_get_the_invalid_gpid_page(api: Api, officer: tuple[TestClient, str], raw: str) -> None:
    browser, _ = officer
    with writes_nothing(api):
        response = browser.get(f"/ui/search?gpid=GP{raw}", follow_redirects=False)
    assert_refused_page(response, "This is not a valid GPID", status=400)


PATH_ATTACKS = ["%2e%2e%2f%2e%2e%2fetc%2fpasswd", "GP%00", "%ff%fe", "%ed%a0%80", "GP" + "0" * 5000, "%0d%0aX-Injected:%20yes",
                "{{7*7}}", "%3Cscript%3E"]  # fmt: skip


@pytest.mark.parametrize("value", PATH_ATTACKS)
@pytest.mark.parametrize("page", ["", "/history", "/declarations", "/verify", "/report"])
def test_hostile_gpids_in_the_page_paths_get_a_4xx_page(api: Api, officer: tuple[TestClient, str], value: str, page: str) -> None:
    browser, _ = officer
    with writes_nothing(api):
        response = browser.get(f"/ui/gpid/{value}{page}")
    assert_refused_page(response)
    assert "x-injected" not in response.headers


# ---------------------------------------------------------------------- sign-in and sign-out

SIGN_IN_ATTACKS = {
    "huge key": HUGE,
    "NUL": "gpid_\x00",
    "control characters": "gpid_\x1b[2J\r\n",
    "invalid UTF-8": "\udcff",  # sent as %FF below
    "lone surrogate": "\ud800",
    "SQL": "gpid_' OR '1'='1.x",
    "deep JSON": DEEP[:100_000],
}


def _raw_form(fields: list[tuple[str, str]]) -> bytes:
    """The urlencoded body, with ``\\udcff`` written as the invalid UTF-8 byte %FF and ``\\ud800`` as its CESU bytes."""
    from urllib.parse import quote_plus

    def enc(text: str) -> str:
        return quote_plus(text.encode("utf-8", "surrogateescape" if "\udcff" in text else "surrogatepass"))

    return "&".join(f"{enc(k)}={enc(v)}" for k, v in fields).encode()


@pytest.mark.parametrize("value", list(SIGN_IN_ATTACKS.values()), ids=list(SIGN_IN_ATTACKS))
def test_a_hostile_api_key_at_sign_in_gets_the_401_form_and_no_session(api: Api, browser: TestClient, value: str) -> None:
    form = browser.get("/ui/sign-in")
    body = _raw_form([("csrf", hidden(form.text, "csrf")), ("next", "/ui/"), ("api_key", value)])
    response = browser.post("/ui/sign-in", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"},
                            follow_redirects=False)  # fmt: skip
    assert_refused_page(response, "This API key is unknown or revoked", status=401)
    assert "gpid_session" not in response.headers.get("set-cookie", "")
    assert browser.get("/ui/", follow_redirects=False).status_code == 303  # still signed out


NEXT_ATTACKS = ["//evil.example/", "https://evil.example/ui/", "/\\evil.example", "javascript:alert(1)", "/ui/\r\nX-Injected: yes",
                "/ui/" + "x" * 20_000, "\x00/ui/", "/ui/%0d%0aX-Injected:%20yes"]  # fmt: skip


@pytest.mark.parametrize("target", NEXT_ATTACKS)
def test_a_hostile_next_address_after_sign_in_goes_back_inside_the_console(api: Api, browser: TestClient, target: str) -> None:
    form = browser.get("/ui/sign-in", params={"next": target})
    assert form.status_code == 200
    signed = browser.post("/ui/sign-in", data={"csrf": hidden(form.text, "csrf"), "api_key": api.keys[CUSTOMS_GB], "next": target},
                          follow_redirects=False)  # fmt: skip
    assert signed.status_code == 303
    location = signed.headers["location"]
    assert location.startswith("/ui/") and "\r" not in location and "\n" not in location and "evil" not in location
    assert "x-injected" not in signed.headers


def test_sign_in_with_duplicate_fields_takes_one_value_and_never_fails(api: Api, browser: TestClient) -> None:
    form = browser.get("/ui/sign-in")
    token = hidden(form.text, "csrf")
    body = _raw_form([("csrf", token), ("api_key", "gpid_wrong.key"), ("api_key", api.keys[CUSTOMS_GB]), ("csrf", "forged")])
    response = browser.post("/ui/sign-in", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"},
                            follow_redirects=False)  # fmt: skip
    assert response.status_code in (303, 401, 403), response.text[:300]
    assert FAILURE_PAGE not in response.text


@pytest.mark.parametrize("fields", [1_500, 5_000], ids=["1,500 fields", "5,000 fields"])
@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_form_with_too_many_fields_gets_a_400_page_naming_the_limit(api: Api, officer: tuple[TestClient, str], gpid: str,
                                                                     fields: int, encoding: str) -> None:  # fmt: skip
    browser, token = officer
    pairs = [("csrf", token), *((f"f{i}", "x") for i in range(fields))]
    with writes_nothing(api):
        for path in ("/ui/verify", f"/ui/gpid/{gpid}/verify", "/ui/sign-out", "/ui/sign-in"):
            if encoding == "urlencoded":
                response = browser.post(path, content=_raw_form(pairs), headers={"Content-Type": "application/x-www-form-urlencoded"},
                                        follow_redirects=False)  # fmt: skip
            else:
                response = browser.post(path, files=[(k, (None, v)) for k, v in pairs], follow_redirects=False)
            assert_refused_page(response, "1000", status=400)


def test_sign_out_with_hostile_fields_never_fails(api: Api, officer: tuple[TestClient, str]) -> None:
    browser, token = officer
    for body in (_raw_form([("csrf", "\ud800")]), _raw_form([("csrf", HUGE)]), b"csrf=%ff%fe", b"\x00\x01=\x02"):
        response = browser.post("/ui/sign-out", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"},
                                follow_redirects=False)  # fmt: skip
        assert_refused_page(response, "This form has expired", status=403)
    assert browser.get("/ui/", follow_redirects=False).status_code == 200  # still signed in
    done = browser.post("/ui/sign-out", data={"csrf": token}, follow_redirects=False)
    assert done.status_code == 303


# ---------------------------------------------------------------------- the verify forms

JSON_ATTACKS = {
    "deep arrays": (DEEP, "nested more than 200 levels deep"),
    "deep objects": ('{"a":' * 50_000, "nested more than 200 levels deep"),
    "duplicate member": ('{"declaration": {}, "declaration": {}}', "appears twice"),
    "NaN": ('{"declaration": NaN}', "NaN is not JSON"),
    "5000-digit number": ('{"declaration": ' + "9" * 5000 + "}", "4300 digits"),
    "not JSON": ("declaration=x", "this is not JSON"),
    "empty": ("", "this is not JSON"),
    "a list": ("[]", "declaration"),
    "null": ("null", "declaration"),
    "a string": ('"text"', "declaration"),
    "a number": ("12", "declaration"),
    "declaration is a list": ('{"declaration": []}', "declaration"),
    "items is an object": ('{"declaration": {"reference": "R", "country": "GB", "direction": "import", '
                           '"filed_at": "2026-11-21T09:30:00Z", "items": {"gpid": "x"}}}', "declaration.items"),
    "1e400": ('{"declaration": {"reference": "R", "country": "GB", "direction": "import", "filed_at": '
              '"2026-11-21T09:30:00Z", "items": [{"gpid": "GP", "goods_sequence": 1e400, "packages": 1e400}]}}',
              "declaration.items[0].goods_sequence"),
}


@pytest.mark.parametrize("case", list(JSON_ATTACKS), ids=list(JSON_ATTACKS))
def test_hostile_json_in_the_verify_form_gets_the_422_page_naming_the_problem(api: Api, officer: tuple[TestClient, str], case: str) -> None:
    browser, token = officer
    text, words = JSON_ATTACKS[case]
    with writes_nothing(api):
        response = browser.post("/ui/verify", data={"csrf": token, "declaration_json": text})
    assert_refused_page(response, words, status=422)


def _declaration(gpid: str, reference: str, hs_code: str = "84669340") -> str:
    return ('{"declaration": {"reference": "__R__", "country": "GB", "direction": "import", "filed_at": '
            '"2026-11-21T09:30:00Z", "items": [{"gpid": "' + gpid + '", "goods_sequence": 1, "hs_code": "__H__"}]}}'
            ).replace("__R__", reference).replace("__H__", hs_code)  # fmt: skip


# A declaration reference is any printable text of 1 to 70 bytes without spaces once in normal
# form (docs/protocol.md), as the contract checks it: markup is data there, escaped on every page.
TEXT_ATTACKS = {
    "lone surrogate": "26GB\\ud800",
    "NUL": "26GB\\u0000",
    "control characters": "26GB\\u001b[2J",
    "DEL": "26GB\\u007f",
    "10,000 combining marks": "e" + "\\u0301" * 10_000,
    "huge": "x" * 100_000,
    "71 bytes": "X" * 71,
}


@pytest.mark.parametrize("case", list(TEXT_ATTACKS), ids=list(TEXT_ATTACKS))
def test_hostile_text_inside_the_pasted_declaration_is_refused_by_field_path(api: Api, officer: tuple[TestClient, str], gpid: str,
                                                                           case: str) -> None:  # fmt: skip
    browser, token = officer
    with writes_nothing(api):
        response = browser.post("/ui/verify", data={"csrf": token, "declaration_json": _declaration(gpid, TEXT_ATTACKS[case])})
    assert_refused_page(response, "declaration.reference", status=422)


@pytest.mark.parametrize("case", list(TEXT_ATTACKS), ids=list(TEXT_ATTACKS))
def test_hostile_text_in_a_declared_hs_code_is_refused_by_field_path(api: Api, officer: tuple[TestClient, str], gpid: str, case: str) -> None:
    browser, token = officer
    with writes_nothing(api):
        response = browser.post("/ui/verify", data={"csrf": token, "declaration_json": _declaration(gpid, "26GB0000HOSTILE1",
                                                                                                         TEXT_ATTACKS[case])})  # fmt: skip
    assert_refused_page(response, "declaration.items[0].hs_code", status=422)


KEYED_ATTACKS = {
    "1e400": "1e400",
    "beyond range": "9" * 400,
    "negative": "-5",
    "NaN": "NaN",
    "Infinity": "Infinity",
    "NUL": "1\x00",
    "control characters": "\x1b[2J",
    "lone surrogate": "\ud800",
    "invalid UTF-8": "\udcff",
    "huge": HUGE,
    "deep JSON": "[" * 100_000,
    "path": "../../etc/passwd",
    "markup": "<script>alert(1)</script>",
}
KEYED_FIELDS = ["country", "direction", "filed_at", "line-1-value", "line-1-packages", "line-1-net_mass_kg",
                "line-1-hs_code", "line-1-currency", "line-1-country_of_origin", "line-1-preferential_origin",
                "line-1-include"]  # fmt: skip


@pytest.mark.parametrize("case", list(KEYED_ATTACKS), ids=list(KEYED_ATTACKS))
def test_hostile_values_in_each_field_of_the_keyed_verify_form_get_the_422_form(api: Api, officer: tuple[TestClient, str], gpid: str,
                                                                              case: str) -> None:  # fmt: skip
    """Each field in turn gets the hostile value, the others stay valid: a 422 form naming a field, or
    (for the tick box, where any value but "on" leaves the line out) the form asking for a line."""
    browser, token = officer
    valid = {"csrf": token, "reference": "26GB0000HOSTILE2", "country": "GB", "direction": "import", "filed_at": "2026-11-21T09:30:00Z",
             "line-1-include": "on", "line-1-value": "18450.00", "line-1-packages": "2"}  # fmt: skip
    for name in KEYED_FIELDS:
        fields = [*((k, v) for k, v in valid.items() if k != name), (name, KEYED_ATTACKS[case])]
        with writes_nothing(api):
            response = browser.post(f"/ui/gpid/{gpid}/verify", content=_raw_form(fields),
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert_refused_page(response, "declaration.", status=422)
        assert "<script>alert" not in response.text, name


# Invalid UTF-8 and CESU-encoded surrogates in a form are read as U+FFFD (printable): the other
# fields' tests show them refused where the field's rule refuses that character.
@pytest.mark.parametrize("value", ["26GB\x00", "26GB\x1b[2J", "26GB\x7f", "26GB\x9b", "X" * 71, HUGE, " "],
                         ids=["NUL", "control characters", "DEL", "C1 control", "71 bytes", "huge", "blank"])
def test_a_hostile_reference_in_the_keyed_verify_form_gets_the_422_form(api: Api, officer: tuple[TestClient, str], gpid: str,
                                                                       value: str) -> None:  # fmt: skip
    browser, token = officer
    fields = [("csrf", token), ("reference", value), ("country", "GB"), ("direction", "import"), ("filed_at", "2026-11-21T09:30:00Z"),
              ("line-1-include", "on")]  # fmt: skip
    with writes_nothing(api):
        response = browser.post(f"/ui/gpid/{gpid}/verify", content=_raw_form(fields),
                                headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert_refused_page(response, "declaration.reference", status=422)


def test_the_keyed_form_with_a_line_of_the_wrong_number_or_duplicates_never_fails(api: Api, officer: tuple[TestClient, str], gpid: str) -> None:
    browser, token = officer
    fields = [("csrf", token), ("reference", ""), ("country", "GB"), ("direction", "import"), ("filed_at", "2026-11-21T09:30:00Z"),
              ("line-999-include", "on"), ("line--1-include", "on"), ("line-1-include", "on"), ("line-1-include", "off"),
              ("line-1-value", "1"), ("line-1-value", "\x00")]  # fmt: skip
    with writes_nothing(api):
        response = browser.post(f"/ui/gpid/{gpid}/verify", content=_raw_form(fields),
                                headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert_refused_page(response, "declaration.", status=422)


def test_a_seller_posting_the_verify_forms_gets_403_and_nothing_is_written(api: Api, browser: TestClient, gpid: str) -> None:
    token = sign_in(browser, api, SELLER)
    with writes_nothing(api):
        keyed = browser.post(f"/ui/gpid/{gpid}/verify", data={"csrf": token, "reference": "R", "line-1-include": "on"})
        pasted = browser.post("/ui/verify", data={"csrf": token, "declaration_json": _declaration(gpid, "R")})
    for response in (keyed, pasted):
        assert response.status_code == 403, response.text[:300]
        assert FAILURE_PAGE not in response.text
