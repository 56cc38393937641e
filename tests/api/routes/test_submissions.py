"""202 for a write not yet mined, and /v1/submissions to follow it."""

from __future__ import annotations

import time

import pytest

from api.harness import EXPORT_BROKER, OPERATOR, SELLER, Api, fresh_key_data_set


def test_write_not_mined_in_time_answers_202_and_the_submission_shows_it_mined(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api.node.context, "write_timeout_s", 0.0)  # answer before the outbox had a chance to send
    response = api.client.post("/v1/key-data-sets", json=fresh_key_data_set(), headers=api.auth(SELLER))
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending" and body["version"] == 1 and body["gpid"].startswith("GP")
    assert response.headers["location"] == f"/v1/submissions/{body['submission']}"

    deadline = time.monotonic() + 10
    while True:
        submission = api.client.get(response.headers["location"], headers=api.auth(SELLER))
        assert submission.status_code == 200
        if submission.json()["status"] == "mined" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    mined = submission.json()
    assert (mined["status"], mined["gpid"], mined["submission"]) == ("mined", body["gpid"], body["submission"])
    assert mined["transaction"].startswith("0x") and mined["block"] > 0


def test_submission_of_another_account_answers_404(api: Api) -> None:
    submission = api.register()["submission"]
    assert api.client.get(f"/v1/submissions/{submission}", headers=api.auth(SELLER)).status_code == 200
    assert api.client.get(f"/v1/submissions/{submission}", headers=api.auth(OPERATOR)).status_code == 200
    other = api.client.get(f"/v1/submissions/{submission}", headers=api.auth(EXPORT_BROKER))
    assert other.status_code == 404
    assert other.json()["type"] == "https://gpid.dev/problems/not-found"
