"""The published OpenAPI driven by schemathesis with EVERY role's key (seller, buyer, broker, Customs,
operator), valid and invalid data: no answer is a 5xx and every answer conforms to the schema.
(tests/api/test_openapi.py does the same with the seller's key and more examples.)"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
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

from api.harness import BUYER, CUSTOMS_GB, EXPORT_BROKER, OPERATOR, SELLER, Api
from gpid_node.api.routes import declarations, key_data_sets, submissions, verifications

EXAMPLES = 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]  # fmt: skip
ROLES = {"seller": SELLER, "buyer": BUYER, "broker": EXPORT_BROKER, "customs": CUSTOMS_GB, "operator": OPERATOR}
OPERATIONS = sorted(
    (method, route.path)
    for module in (key_data_sets, declarations, verifications, submissions)
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
