"""API keys as bearer tokens: 401 without a valid key, 403 for a role that may not act."""

from __future__ import annotations

import pytest

from gpid_node.services.credentials import create_key, revoke_key

from api.harness import EXPORT_BROKER, IMPORT_BROKER, SELLER, Api, fresh_key_data_set

UNAUTHENTICATED = "https://gpid.dev/problems/unauthenticated"


def assert_unauthenticated(response) -> None:  # noqa: ANN001
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == UNAUTHENTICATED


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/key-data-sets"),
        ("POST", "/v1/key-data-sets"),
        ("GET", "/v1/key-data-sets/GP0000000000000000000000000000/history"),
        ("POST", "/v1/declarations"),
        ("POST", "/v1/verifications"),
        ("GET", "/v1/submissions/1"),
    ],
)
def test_no_api_key_answers_401_with_www_authenticate(api: Api, method: str, path: str) -> None:
    response = api.client.request(method, path, json={})
    assert_unauthenticated(response)
    assert "Authorization: Bearer" in response.json()["detail"]


def test_unknown_or_malformed_key_answers_401(api: Api) -> None:
    for token in ("gpid_000000000000.nope", "not-a-key", api.keys[SELLER] + "x"):
        assert_unauthenticated(api.client.get("/v1/key-data-sets", headers={"Authorization": f"Bearer {token}"}))
    basic = api.client.get("/v1/key-data-sets", headers={"Authorization": "Basic c2VsbGVyOnNlY3JldA=="})
    assert_unauthenticated(basic)


def test_revoked_key_answers_401(api: Api) -> None:
    with api.node.store.session() as session:
        key = create_key(session, "seller", api.participants[SELLER]["account"], trader_id="EORI:DE123456789012345")
    headers = {"Authorization": f"Bearer {key}"}
    assert api.client.get("/v1/key-data-sets", headers=headers).status_code == 200
    with api.node.store.session() as session:
        revoke_key(session, key)
    response = api.client.get("/v1/key-data-sets", headers=headers)
    assert_unauthenticated(response)
    assert "revoked" in response.json()["detail"]


def test_broker_registering_answers_403_naming_the_role_needed(api: Api) -> None:
    response = api.client.post("/v1/key-data-sets", json=fresh_key_data_set(), headers=api.auth(EXPORT_BROKER))
    assert response.status_code == 403
    problem = response.json()
    assert problem["type"] == "https://gpid.dev/problems/permission-denied"
    assert problem["detail"] == "the broker role may not register; this needs the seller role"


def test_broker_amending_answers_403(api: Api) -> None:
    gpid = api.register()["gpid"]
    response = api.client.post(
        f"/v1/key-data-sets/{gpid}/amendments", json={"changes": {"buyer": {"name": "X"}}, "reason": "x"},
        headers=api.auth(IMPORT_BROKER),
    )  # fmt: skip
    assert response.status_code == 403
    assert response.json()["type"] == "https://gpid.dev/problems/permission-denied"
