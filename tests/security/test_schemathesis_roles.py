"""The published OpenAPI driven by schemathesis with EVERY role's key (seller, buyer, broker, Customs,
operator), valid and invalid data: no answer is a 5xx and every answer conforms to the schema.
(tests/api/test_openapi.py does the same with the seller's key and more examples.)"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from api.harness import BUYER, CUSTOMS_GB, EXPORT_BROKER, IMPORT_BROKER, OPERATOR, SELLER, Api, fresh_key_data_set
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gpid_node.api.routes import (
    declarations,
    disclosures,
    events,
    grants,
    key_data_sets,
    mandates,
    master_data,
    proof_bundles,
    submissions,
    verifications,
    webhooks,
)

EXAMPLES = 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]  # fmt: skip
CUSTOMS_FR = "Customs FR"
ROLES = {"seller": SELLER, "buyer": BUYER, "broker": EXPORT_BROKER, "customs": CUSTOMS_GB, "operator": OPERATOR}
OPERATIONS = sorted(
    (method, route.path)
    for module in (key_data_sets, proof_bundles, grants, disclosures, mandates, declarations, verifications, submissions, master_data,
                   events, webhooks)
    for route in module.router.routes
    if isinstance(route, APIRoute)
    for method in route.methods
)
CASES = [
    pytest.param(method, path, mode, id=f"{method} {path} {mode.value}")
    for method, path in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
]
STATUSES: Counter[int] = Counter()


@pytest.fixture(scope="module")
def published(api: Api) -> Iterator[schemathesis.BaseSchema]:
    yield schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    server_errors = sum(n for status, n in STATUSES.items() if status >= 500)
    print(json.dumps({"schemathesis_calls": sum(STATUSES.values()), "server_errors": server_errors,
                      "statuses": dict(sorted(STATUSES.items()))}))  # fmt: skip


def test_every_published_operation_is_covered(published: schemathesis.BaseSchema) -> None:
    document = published.raw_schema
    v1 = {(m.upper(), p) for p, ops in document["paths"].items() if p.startswith("/v1/") for m in ops}
    assert v1 == set(OPERATIONS)


def test_grants_and_mandates_answer_each_role_as_its_rights_say(api: Api) -> None:
    """Valid requests on a real key data set (generated ones rarely name one): only its seller and its
    buyer give, list and end grants; only a trader (seller or buyer) gives, lists and ends the mandates
    of its own trader; a broker without a right does not see the GPID; Customs of the buyer's country
    reads the GPID but not its grants (403); nobody else writes. Every answer conforms to the published schema."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    gpid = api.register(fresh_key_data_set())["gpid"]
    grants_path, mandates_path = f"/v1/key-data-sets/{gpid}/grants", "/v1/mandates"
    writers, others = (SELLER, BUYER), (EXPORT_BROKER, CUSTOMS_GB, OPERATOR)

    def call(name: str, method: str, path: str, template: str, expected: int, body: Any = None) -> Any:
        response = api.client.request(method, path, json=body, headers={**api.auth(name), "Idempotency-Key": uuid.uuid4().hex})
        assert response.status_code == expected, (name, method, path, response.text)
        schema[template][method].validate_response(response)
        return response.json()

    grant_of = {SELLER: IMPORT_BROKER, BUYER: CUSTOMS_FR}  # each writer grants another account
    mandate_of = {SELLER: (EXPORT_BROKER, "export"), BUYER: (IMPORT_BROKER, "import")}
    for name in others:
        body = {"grantee": api.account(IMPORT_BROKER), "reason": "declares it"}
        call(name, "POST", grants_path, "/v1/key-data-sets/{gpid}/grants", 403, body)
        call(name, "POST", mandates_path, "/v1/mandates", 403, {"agent": api.account(IMPORT_BROKER), "direction": "import"})
        call(name, "GET", mandates_path, "/v1/mandates", 403)
    for name in writers:
        body = {"grantee": api.account(grant_of[name]), "reason": "declares it"}
        assert call(name, "POST", grants_path, "/v1/key-data-sets/{gpid}/grants", 201, body)["grantee"] == api.account(grant_of[name])
        agent, direction = mandate_of[name]
        call(name, "POST", mandates_path, "/v1/mandates", 201, {"agent": api.account(agent), "direction": direction})
    try:
        granted = {(item["grantee"], item["granter"]) for item in
                   call(SELLER, "GET", grants_path, "/v1/key-data-sets/{gpid}/grants", 200)["items"]}  # fmt: skip
        assert granted == {(api.account(IMPORT_BROKER), api.account(SELLER)), (api.account(CUSTOMS_FR), api.account(BUYER))}
        assert {tuple(item.values()) for item in call(BUYER, "GET", grants_path, "/v1/key-data-sets/{gpid}/grants", 200)["items"]} \
            == {tuple(item.values()) for item in call(SELLER, "GET", grants_path, "/v1/key-data-sets/{gpid}/grants", 200)["items"]}
        # Customs of the buyer's country reads the GPID, but its grants are the seller's and buyer's business.
        call(CUSTOMS_GB, "GET", grants_path, "/v1/key-data-sets/{gpid}/grants", 403)
        call(OPERATOR, "GET", grants_path, "/v1/key-data-sets/{gpid}/grants", 403)
        call(EXPORT_BROKER, "GET", grants_path, "/v1/key-data-sets/{gpid}/grants", 404)
        for name in writers:
            agent, direction = mandate_of[name]
            listed = call(name, "GET", mandates_path, "/v1/mandates", 200)["items"]
            assert [(m["agent"], m["direction"]) for m in listed] == [(api.account(agent), direction)], name
        for name in others:
            revoke = f"{grants_path}/{api.account(IMPORT_BROKER)}"
            call(name, "DELETE", revoke, "/v1/key-data-sets/{gpid}/grants/{account}", 403)
            end = f"{mandates_path}/{api.account(EXPORT_BROKER)}/export"
            call(name, "DELETE", end, "/v1/mandates/{agent}/{direction}", 403)
    finally:
        for name in writers:
            agent, direction = mandate_of[name]
            call(name, "DELETE", f"{mandates_path}/{api.account(agent)}/{direction}", "/v1/mandates/{agent}/{direction}", 200)
            revoked = call(name, "DELETE", f"{grants_path}/{api.account(grant_of[name])}",
                           "/v1/key-data-sets/{gpid}/grants/{account}", 200)  # fmt: skip
            assert revoked["revoked"] is True and "stays shared" in revoked["note"]
    for name in writers:
        assert call(name, "GET", mandates_path, "/v1/mandates", 200)["items"] == []
    assert all(not item["active"] for item in call(SELLER, "GET", grants_path, "/v1/key-data-sets/{gpid}/grants", 200)["items"])


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_every_role_gets_conforming_answers_and_never_a_5xx(
    published: schemathesis.BaseSchema, api: Api, method: str, path: str, mode: GenerationMode
) -> None:
    """Each generated case is sent once with each role's key (generation is the slow part)."""
    operation = published[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def call(case: schemathesis.Case) -> None:
        for name in ROLES.values():
            headers = {**api.auth(name), "Idempotency-Key": uuid.uuid4().hex}
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            STATUSES[response.status_code] += 1

    call()
