"""The published OpenAPI is what the API does: schemathesis drives every operation with the seller's
key and checks that nothing answers 5xx and that every answer conforms to the schema. And it fits
generated clients: stable readable operation ids, kebab-case tags, examples, documented problem
types, the committed ``schemas/openapi.json`` current, Swagger UI from the node's own files."""

from __future__ import annotations

import json
import re
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest
import schemathesis
from api.harness import CUSTOMS_GB, IMPORT_BROKER, OPERATOR, SELLER, Api, fresh_key_data_set, unique_reference
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
from support.einvoices import PARTNERS, catalogue, invoice_set

from gpid_node.api import openapi
from gpid_node.api.document import document
from gpid_node.api.problems import DESCRIPTIONS, HTTP_STATUS_PROBLEMS, PROBLEMS, problem_types
from gpid_node.api.routes import (
    declarations,
    disclosures,
    events,
    grants,
    health,
    key_data_sets,
    mandates,
    master_data,
    proof_bundles,
    submissions,
    verifications,
    webhooks,
)
from gpid_node.api.routes import (
    problem_types as problem_type_routes,
)

EXAMPLES = 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


OPERATIONS = sorted(
    (method, route.path)
    for module in (key_data_sets, proof_bundles, grants, disclosures, mandates, declarations, verifications, submissions, master_data, health,
                   problem_type_routes, events, webhooks)
    for route in module.router.routes
    if isinstance(route, APIRoute)
    for method in route.methods
)


@pytest.fixture(scope="module")
def published(api: Api) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", api.client.app)


def test_openapi_document_describes_problems_and_the_key_data_set(api: Api) -> None:
    document = api.client.get("/openapi.json").json()
    assert document["info"]["title"] == "GPID node"
    assert "Bearer" in document["info"]["description"]
    schemas = document["components"]["schemas"]
    assert {"Problem", "KeyDataSet", "GoodsLine"} <= set(schemas)
    register = document["paths"]["/v1/key-data-sets"]["post"]
    assert register["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/KeyDataSet"}
    assert set(register["responses"]) >= {"201", "202", "400", "401", "403", "409", "413", "415", "422", "503"}
    assert "application/problem+json" in register["responses"]["409"]["content"]
    assert "HTTPValidationError" not in schemas
    assert {(m.upper(), p) for p, ops in document["paths"].items() for m in ops} == set(OPERATIONS)


@pytest.fixture(scope="module")
def built() -> dict:
    return document()


def test_every_operation_id_is_unique_readable_and_never_fastapis_generated_one(built: dict) -> None:
    ids = [op["operationId"] for ops in built["paths"].values() for op in ops.values()]
    assert len(ids) >= len(OPERATIONS)
    assert sorted(i for i in ids if ids.count(i) > 1) == [], "two operations share an id: add one to OPERATION_IDS"
    wrong = [i for i in ids if not openapi.OPERATION_ID.fullmatch(i)]
    assert wrong == [], f"not lowerCamelCase verb + noun (name the route in OPERATION_IDS of api/openapi.py): {wrong}"
    assert "registerKeyDataSet" in ids and "amendKeyDataSet" in ids and "verifyDisclosure" in ids and "verifyDeclaration" in ids


def test_operation_ids_follow_the_function_name_where_the_table_is_silent() -> None:
    assert openapi._camel("list_events") == "listEvents"
    assert openapi._camel("replay_delivery_") == "replayDelivery"
    assert openapi.OPERATION_ID.fullmatch("getKeyDataSetQrCode") and not openapi.OPERATION_ID.fullmatch("create")
    assert not openapi.OPERATION_ID.fullmatch("getGPID") and not openapi.OPERATION_ID.fullmatch("list_items")


def test_tags_are_kebab_case_and_each_is_described(built: dict) -> None:
    used = {tag for ops in built["paths"].values() for op in ops.values() for tag in op["tags"]}
    assert all(op["tags"] for ops in built["paths"].values() for op in ops.values()), "an operation without a tag"
    assert [t for t in used if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", t)] == []
    described = {tag["name"]: tag.get("description") for tag in built["tags"]}
    assert set(described) == used
    assert [name for name, text in described.items() if not text] == [], "describe the new tag in api/openapi.py TAGS"
    assert {"key-data-sets", "declarations", "access", "disclosures", "e-invoices", "master-data", "health"} <= used


def test_the_register_body_carries_every_example_of_schemas_examples(built: dict) -> None:
    folder = Path(openapi.EXAMPLES_FOLDER)
    files = {path.stem: json.loads(path.read_text()) for path in folder.glob("*.json")}
    assert len(files) >= 3
    body = built["paths"]["/v1/key-data-sets"]["post"]["requestBody"]["content"]["application/json"]
    assert {name: example["value"] for name, example in body["examples"].items()} == files
    assert body["examples"]["design-example"]["summary"] == "1 goods line(s), DE to GB, EUR"


def test_the_committed_document_is_the_one_the_node_publishes(built: dict, api: Api) -> None:
    committed = openapi.DOCUMENT_PATH.read_text(encoding="utf-8")
    assert committed == openapi.render(built), f"schemas/openapi.json is stale: run {openapi.REGENERATE}"
    served = api.client.get("/openapi.json").json()
    assert served["paths"] == built["paths"] and served["tags"] == built["tags"]


def test_every_problem_type_the_node_can_emit_is_documented_at_its_type_uri(api: Api) -> None:
    emitted = {kind.uri for kind in [*PROBLEMS.values(), *HTTP_STATUS_PROBLEMS.values()]}
    documented = {doc.uri: doc for doc in problem_types()}
    assert emitted <= set(documented)
    assert set(DESCRIPTIONS) == {doc.slug for doc in documented.values()}, "describe each problem type in DESCRIPTIONS"
    listed = api.client.get("/problems", headers={"Accept": "application/json"}).json()["items"]
    assert {item["type"] for item in listed} == set(documented)
    for uri, doc in documented.items():
        path = uri.removeprefix("https://gpid.dev")
        page = api.client.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), uri
        assert doc.title.replace("'", "&#x27;") in page.text and uri in page.text
        data = api.client.get(path, headers={"Accept": "application/json"}).json()
        assert data["type"] == uri and data["statuses"] == list(doc.statuses) and data["description"] == DESCRIPTIONS[doc.slug]
    index = api.client.get("/problems").text
    assert all(f'href="/problems/{doc.slug}"' in index for doc in documented.values())


def test_a_problem_answer_names_a_type_whose_page_exists(api: Api) -> None:
    for answer in (api.client.get("/v1/key-data-sets"), api.client.get("/no/such/route"),
                   api.client.get("/v1/key-data-sets/GP-NOT-A-GPID", headers=api.auth(SELLER))):  # fmt: skip
        kind = answer.json()["type"]
        assert api.client.get(kind.removeprefix("https://gpid.dev")).status_code == 200, kind
    unknown = api.client.get("/problems/no-such-type", headers={"Accept": "application/json"})
    assert unknown.status_code == 404 and unknown.json()["type"].endswith("/not-found")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.urls += [v for k, v in values.items() if k in ("src", "href") and v]
        self._script = tag == "script" and "src" not in values

    def handle_data(self, data: str) -> None:
        if getattr(self, "_script", False) and data.strip():
            self.inline_scripts += 1


def test_swagger_ui_is_served_from_the_nodes_own_files(api: Api) -> None:
    page = api.client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    links = _Links()
    links.feed(page.text)
    assert links.urls and all(url.startswith("/docs/") for url in links.urls), links.urls
    assert links.inline_scripts == 0 and "http" not in page.text
    csp = page.headers["content-security-policy"]
    assert "http" not in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    for url in links.urls:
        asset = api.client.get(url)
        assert asset.status_code == 200 and len(asset.content) > 500, url
    bundle = api.client.get("/docs/swagger-ui/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith("text/javascript") and b"SwaggerUIBundle" in bundle.content
    init = api.client.get("/docs/swagger-ui/swagger-initializer.js").text
    assert '"/openapi.json"' in init and "validatorUrl: null" in init
    assert api.client.get("/docs/swagger-ui/LICENSE").status_code == 200
    assert api.client.get("/docs/swagger-ui/..%2Fsettings.py").status_code == 404
    assert api.client.get("/docs/swagger-ui/swagger-ui-bundle.js.map").status_code == 404


# Positive data for every operation; negative data too where there is an input to get wrong.
CASES = [
    pytest.param(method, path, mode, id=f"{method} {path} {mode.value}")
    for method, path in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or path.startswith("/v1/")
]


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_operation_conforms_to_the_schema_and_never_fails(
    published: schemathesis.BaseSchema, api: Api, method: str, path: str, mode: GenerationMode
) -> None:
    operation = published[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def call(case: schemathesis.Case) -> None:
        # A fresh Idempotency-Key each time, so that every case reaches its route (not the replay store).
        case.call_and_validate(headers={**api.auth(SELLER), "Idempotency-Key": uuid.uuid4().hex}, checks=CHECKS)

    call()


def test_real_answers_of_every_operation_conform_to_the_schema(published: schemathesis.BaseSchema, api: Api) -> None:
    """Generated data rarely names a real GPID: here each operation is called with real data, and its
    success answer is validated against the published schema as well."""
    data = fresh_key_data_set()
    invoice = invoice_set(f"OPENAPI-{uuid.uuid4().hex[:8]}", 2)  # the catalogue entries it needs go in below
    for item_id, entry in catalogue().items():
        api.client.put(f"/v1/items/{item_id}", json=entry, headers=api.auth(SELLER))
    for partner_id, entry in PARTNERS.items():
        api.client.put(f"/v1/partners/{partner_id}", json=entry, headers=api.auth(SELLER))
    registered = published["/v1/key-data-sets"]["POST"].Case(body=data, media_type="application/json")
    gpid = call(api, registered, 201).json()["gpid"]
    reference = unique_reference("26GB")
    amendment = {"changes": {"buyer": {"name": "Thames Tools Limited"}}, "reason": "legal name"}
    broker = api.account(IMPORT_BROKER)
    grant = {"grantee": broker, "reason": "declares the import"}
    mandate = {"agent": broker, "direction": "import"}
    link = {"reference": reference, "country": "GB", "direction": "import", "gpids": [gpid]}
    fields = {"fields": ["goods[*].packages", "invoice.number"]}
    document = api.client.post(f"/v1/key-data-sets/{gpid}/disclosures", json=fields, headers=api.auth(SELLER)).json()
    check = {"declaration": {"reference": reference, "country": "GB", "direction": "import",
                             "filed_at": "2026-11-21T09:30:00Z", "items": [{"gpid": gpid, "goods_sequence": 1}]}}  # fmt: skip
    cases = [
        (published["/v1/key-data-sets"]["GET"].Case(query={"limit": 5}), 200, SELLER),
        (published["/v1/key-data-sets/{gpid}"]["GET"].Case(path_parameters={"gpid": gpid}), 200, SELLER),
        (published["/v1/key-data-sets/{gpid}/amendments"]["POST"].Case(
            path_parameters={"gpid": gpid}, body=amendment, media_type="application/json"), 201, SELLER),
        (published["/v1/key-data-sets/{gpid}"]["GET"].Case(path_parameters={"gpid": gpid}, query={"version": 1}), 200, SELLER),
        (published["/v1/key-data-sets/{gpid}/history"]["GET"].Case(path_parameters={"gpid": gpid}), 200, SELLER),
        (published["/v1/key-data-sets/{gpid}/qr.svg"]["GET"].Case(path_parameters={"gpid": gpid}), 200, SELLER),
        (published["/v1/key-data-sets/{gpid}/proof"]["GET"].Case(path_parameters={"gpid": gpid}, query={"version": 1}), 200, SELLER),
        (published["/v1/key-data-sets/{gpid}/disclosures"]["POST"].Case(
            path_parameters={"gpid": gpid}, body=fields, media_type="application/json"), 201, SELLER),
        (published["/v1/disclosures/verify"]["POST"].Case(body=document, media_type="application/json"), 200, SELLER),
        (published["/v1/key-data-sets/{gpid}/grants"]["POST"].Case(
            path_parameters={"gpid": gpid}, body=grant, media_type="application/json"), 201, SELLER),
        (published["/v1/key-data-sets/{gpid}/grants"]["GET"].Case(path_parameters={"gpid": gpid}), 200, SELLER),
        (published["/v1/declarations"]["POST"].Case(body=link, media_type="application/json"), 201, IMPORT_BROKER),
        (published["/v1/key-data-sets/{gpid}/grants/{account}"]["DELETE"].Case(
            path_parameters={"gpid": gpid, "account": broker}), 200, SELLER),
        (published["/v1/mandates"]["POST"].Case(body=mandate, media_type="application/json"), 201, SELLER),
        (published["/v1/mandates"]["GET"].Case(), 200, SELLER),
        (published["/v1/mandates/{agent}/{direction}"]["DELETE"].Case(
            path_parameters={"agent": broker, "direction": "import"}), 200, SELLER),
        (published["/v1/declarations/{country}/{reference}"]["GET"].Case(
            path_parameters={"country": "GB", "reference": reference}), 200, IMPORT_BROKER),
        (published["/v1/verifications"]["POST"].Case(body=check, media_type="application/json"), 200, CUSTOMS_GB),
        (published["/v1/submissions/{submission}"]["GET"].Case(path_parameters={"submission": 1}), 200, OPERATOR),
        (published["/v1/items/{item_id}"]["PUT"].Case(
            path_parameters={"item_id": "OPENAPI-1"}, body={"hs_code": "84669340", "net_mass_kg_per_unit": "2.5"},
            media_type="application/json"), 201, SELLER),
        (published["/v1/items"]["PUT"].Case(body="item_id,hs_code\nOPENAPI-2,090121\n", media_type="text/csv"), 200, SELLER),
        (published["/v1/items"]["GET"].Case(query={"limit": 5}), 200, SELLER),
        (published["/v1/items/{item_id}"]["DELETE"].Case(path_parameters={"item_id": "OPENAPI-1"}), 204, SELLER),
        (published["/v1/partners/{partner_id}"]["PUT"].Case(
            path_parameters={"partner_id": "OPENAPI-P"}, body={"trader_id": {"value": "GB123456789000"}},
            media_type="application/json"), 201, SELLER),
        (published["/v1/partners"]["PUT"].Case(body="partner_id,value\nOPENAPI-Q,GB123456789000\n", media_type="text/csv"), 200, SELLER),
        (published["/v1/partners"]["GET"].Case(), 200, SELLER),
        (published["/v1/partners/{partner_id}"]["DELETE"].Case(path_parameters={"partner_id": "OPENAPI-P"}), 204, SELLER),
        (published["/v1/key-data-sets/derive"]["POST"].Case(body=invoice.xml, media_type="application/xml"), 200, SELLER),
        (published["/v1/key-data-sets"]["POST"].Case(body=invoice.xml, media_type="application/xml"), 201, SELLER),
        (published["/v1/events"]["GET"].Case(query={"limit": 5}), 200, SELLER),
        (published["/v1/webhooks"]["POST"].Case(  # this node's operator allows no receivers
            body={"url": "https://erp.example.com/gpid", "events": ["key_data_set.amended"]}, media_type="application/json"), 422, SELLER),
        (published["/v1/webhooks"]["GET"].Case(), 200, SELLER),
        (published["/v1/webhooks/{webhook_id}/deliveries"]["GET"].Case(path_parameters={"webhook_id": "wh_none"}), 404, SELLER),
        (published["/readyz"]["GET"].Case(), 200, SELLER),
        (published["/metrics"]["GET"].Case(), 200, SELLER),
    ]  # fmt: skip
    for case, status, name in cases:
        api.node.indexer.wait_for(api.node.client.block_number(), 10.0)  # each write's events indexed
        call(api, case, status, name)


def call(api: Api, case: schemathesis.Case, status: int, name: str = SELLER) -> schemathesis.Response:
    response = case.call_and_validate(headers=api.auth(name), checks=CHECKS)
    assert response.status_code == status, f"{case.operation.label}: {response.status_code} {response.text}"
    return response
