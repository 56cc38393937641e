"""/v1/declarations: linking GPIDs to a declaration and reading it back."""

from __future__ import annotations

from gpid_node.domain.gpid import GPID

from api.harness import CUSTOMS_DE, EXPORT_BROKER, IMPORT_BROKER, SELLER, Api, unique_reference


def test_link_answers_201_with_each_link_and_the_declaration_location(api: Api) -> None:
    first, second = api.register()["gpid"], api.register()["gpid"]
    for gpid in (first, second):  # encrypted key data sets: a broker links with a right only
        api.grant(gpid, EXPORT_BROKER)
    reference = unique_reference("26DE")
    response = api.client.post(
        "/v1/declarations",
        json={"reference": reference.lower(), "country": "de", "direction": "export", "gpids": [first, second]},
        headers=api.auth(EXPORT_BROKER),
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["reference"], body["country"], body["direction"]) == (reference, "DE", "export")
    assert [(link["gpid"], link["status"]) for link in body["links"]] == [(first, "mined"), (second, "mined")]
    assert response.headers["location"] == f"/v1/declarations/DE/{reference}"

    read = api.client.get(response.headers["location"], headers=api.auth(EXPORT_BROKER))
    assert read.status_code == 200
    declaration = read.json()
    assert (declaration["country"], declaration["reference"], declaration["direction"]) == ("DE", reference, "export")
    assert [g["gpid"] for g in declaration["gpids"]] == [first, second]
    assert {g["linker"] for g in declaration["gpids"]} == {api.participants[EXPORT_BROKER]["account"]}
    assert api.client.get(response.headers["location"], headers=api.auth(CUSTOMS_DE)).status_code == 200


def test_link_problems_name_their_fields(api: Api) -> None:
    response = api.client.post(
        "/v1/declarations",
        json={"reference": "R 1", "country": "XX", "direction": "export", "gpids": ["GP123", "GP123"]},
        headers=api.auth(EXPORT_BROKER),
    )
    assert response.status_code == 422
    paths = [error["path"] for error in response.json()["errors"]]
    assert "country" in paths and "gpids[0]" in paths
    direction = api.client.post(
        "/v1/declarations", json={"reference": "R1", "country": "DE", "direction": "sideways", "gpids": ["GP1"]},
        headers=api.auth(EXPORT_BROKER),
    )  # fmt: skip
    assert direction.status_code == 422
    assert [error["path"] for error in direction.json()["errors"]] == ["direction"]


def test_link_to_an_unknown_gpid_answers_404(api: Api) -> None:
    response = api.client.post(
        "/v1/declarations",
        json={"reference": unique_reference(), "country": "GB", "direction": "import", "gpids": [str(GPID(b"\x09" * 16))]},
        headers=api.auth(IMPORT_BROKER),
    )
    assert response.status_code == 404
    assert response.json()["type"] == "https://gpid.dev/problems/unknown-gpid"


def test_unknown_declaration_answers_404(api: Api) -> None:
    response = api.client.get(f"/v1/declarations/GB/{unique_reference()}", headers=api.auth(SELLER))
    assert response.status_code == 404
    assert response.json()["type"] == "https://gpid.dev/problems/unknown-declaration"
