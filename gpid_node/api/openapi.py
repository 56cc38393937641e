"""The published OpenAPI document: FastAPI's, plus what it cannot see by itself, fit for generated clients.

The register route reads its body as raw JSON (the node validates it and reports every problem at
once), so the key data set's own JSON Schema (from the domain model) is added as ``KeyDataSet``,
with the example key data sets of ``schemas/examples``; every problem answer refers to ``Problem``;
every operation rate limited lists its 429.

Operation ids are the names generated clients give their functions, so they are chosen here, in
one rule (:func:`operation_id`): lowerCamelCase, from :data:`OPERATION_IDS` for the routes whose
function name says too little (``verify`` is in two modules), else the route function's own name
(``list_items`` → ``listItems``). A new route gets a readable, stable id without touching this
file; ``tests/api/test_openapi.py`` fails when two ids collide or one breaks the convention.
Tags are kebab-case (``key-data-sets``), each described in :data:`TAGS`.

The document is committed as ``schemas/openapi.json``: ``scripts/generate-client`` (or
``python -m gpid_node.api.openapi``) rewrites it, and a test fails when it is stale.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from gpid_node.api.models import Problem
from gpid_node.api.problems import responses
from gpid_node.api.rate_limit import UNLIMITED_PATHS
from gpid_node.domain.model import KeyDataSet

REF = "#/components/schemas/{model}"
REPOSITORY = Path(__file__).resolve().parent.parent.parent
EXAMPLES_FOLDER = REPOSITORY / "schemas" / "examples"
DOCUMENT_PATH = REPOSITORY / "schemas" / "openapi.json"
REGENERATE = "scripts/generate-client (or: python -m gpid_node.api.openapi schemas/openapi.json)"

# ---------------------------------------------------------------------- operation ids and tags

# lowerCamelCase of a verb and what it acts on (acronyms as words: getKeyDataSetQrCode), never a bare verb.
OPERATION_ID = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]+)+$")

# The routes whose function name alone would make a poor or ambiguous id, by module and function. An entry
# whose route is renamed stops applying: the id then changes, which the committed document's test shows.
OPERATION_IDS: dict[str, str] = {
    "key_data_sets.register": "registerKeyDataSet",
    "key_data_sets.derive": "deriveKeyDataSet",
    "key_data_sets.list_key_data_sets": "listKeyDataSets",
    "key_data_sets.read_key_data_set": "getKeyDataSet",
    "key_data_sets.amend": "amendKeyDataSet",
    "key_data_sets.history": "getKeyDataSetHistory",
    "key_data_sets.qr_code": "getKeyDataSetQrCode",
    "proof_bundles.proof_bundle": "getProofBundle",
    "grants.grant": "grantAccess",
    "grants.grants": "listGrants",
    "grants.revoke": "revokeGrant",
    "disclosures.disclose": "createDisclosure",
    "disclosures.verify": "verifyDisclosure",
    "mandates.set_mandate": "setMandate",
    "mandates.mandates": "listMandates",
    "mandates.end_mandate": "endMandate",
    "declarations.link": "linkDeclaration",
    "declarations.declaration": "getDeclaration",
    "verifications.verify": "verifyDeclaration",
    "submissions.submission": "getSubmission",
    "health.healthz": "checkHealth",
    "health.readyz": "checkReadiness",
    "health.metrics": "getMetrics",
    # routes of issue 22 being written beside this (events, webhooks, declarations of a GPID, exports)
    "key_data_sets.declarations_of": "listKeyDataSetDeclarations",
    "key_data_sets.export_key_data_sets": "exportKeyDataSets",
    "events.events": "listEvents",
    "webhooks.create": "createWebhook",
    "webhooks.list_webhooks": "listWebhooks",
    "webhooks.delete": "deleteWebhook",
    "webhooks.deliveries": "listWebhookDeliveries",
    "webhooks.replay": "replayWebhookEvent",
}


def _camel(name: str) -> str:
    head, *rest = [part for part in re.split(r"[^A-Za-z0-9]+", name) if part]
    return head[:1].lower() + head[1:] + "".join(part[:1].upper() + part[1:] for part in rest)


def operation_id(route: APIRoute) -> str:
    """The operation id of ``route`` (FastAPI's ``generate_unique_id_function``): see the module's docstring."""
    endpoint = route.endpoint
    key = f"{endpoint.__module__.rsplit('.', 1)[-1]}.{endpoint.__name__}"
    return OPERATION_IDS.get(key) or _camel(endpoint.__name__)


TAGS = [
    {"name": "key-data-sets", "description": "register, read, amend and trace key data sets; their proof bundles"},
    {"name": "e-invoices", "description": "derive a key data set from an e-invoice (UBL, CII, Factur-X) without writing"},
    {"name": "master-data", "description": "the seller's item catalogue and partner directory that complete its e-invoices"},
    {"name": "access", "description": "grants of one GPID to one account, and standing mandates of a trader for its agents"},
    {"name": "disclosures", "description": "reveal chosen fields with their proof; verify anyone's disclosure"},
    {"name": "declarations", "description": "link GPIDs to Customs declarations and read what Customs recorded"},
    {"name": "verifications", "description": "check a declaration against its key data sets"},
    {"name": "events", "description": "the feed of what happened to the key data sets you may read"},
    {"name": "webhooks", "description": "subscriptions that push events to your system, signed per Standard Webhooks"},
    {"name": "exports", "description": "lists and audit reports as CSV or JSON"},
    {"name": "submissions", "description": "follow writes answered 202"},
    {"name": "problem-types", "description": "what each problem `type` means and what to do about it"},
    {"name": "health", "description": "liveness, readiness and metrics"},
]
_DOCUMENT = {"schema": {"type": "string", "format": "binary"}}
EINVOICE_CONTENT = {"application/xml": _DOCUMENT, "text/xml": _DOCUMENT, "application/pdf": _DOCUMENT}
KEY_DATA_SET_BODY = {
    "requestBody": {
        "required": True,
        "description": "The key data set (schema version 1) as JSON. The node normalises case, separators and "
        "numbers given as JSON numbers; every problem is reported at once, each with its field path. Or an "
        "e-invoice (UBL 2.1 Invoice or CreditNote, UN/CEFACT CII, Factur-X/ZUGFeRD PDF): its key data set is derived "
        "with your catalogue and partner directory and registered when nothing is missing (else 422 listing every "
        "missing path); a credit note or corrective invoice amends the invoice it corrects.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/KeyDataSet"}}, **EINVOICE_CONTENT},
    }
}
EINVOICE_BODY = {
    "requestBody": {
        "required": True,
        "description": "The e-invoice document as sent by your ERP: UBL 2.1 or CII XML, or a Factur-X/ZUGFeRD PDF.",
        "content": EINVOICE_CONTENT,
    }
}
CSV_BODY = {
    "requestBody": {"required": True, "description": "A UTF-8 CSV file with a header row.",
                    "content": {"text/csv": {"schema": {"type": "string"}}}},
}  # fmt: skip
ITEM_BODY = {
    "requestBody": {
        "required": True,
        "description": "A catalogue entry; every member optional, an absent one is no value. Checked as the key data set's "
        "fields are (HS subheadings that exist, ISO 3166-1 countries, exact decimals).",
        "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "hs_code": {"type": ["string", "null"], "description": "6, 8 or 10 digits, an existing HS subheading"},
                "country_of_origin": {"type": ["string", "null"], "description": "ISO 3166-1 alpha-2"},
                "preferential_origin": {"type": ["string", "null"], "description": "ISO 3166-1 alpha-2 or an origin group (EU)"},
                "net_mass_kg_per_unit": {"type": ["string", "number", "null"], "description": "kg per invoiced unit, > 0, at most 6 decimals"},
                "packages_per_unit": {"type": ["string", "number", "null"], "description": "packages per invoiced unit, > 0, at most 6 decimals"},
            },
        }}},
    }
}  # fmt: skip
PARTNER_BODY = {
    "requestBody": {
        "required": True,
        "description": "The customer's trader ID (EORI).",
        "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": False, "required": ["trader_id"],
            "properties": {"trader_id": {"type": "object", "additionalProperties": False, "required": ["value"],
                                         "properties": {"scheme": {"type": "string", "enum": ["EORI"]}, "value": {"type": "string"}}}},
        }}},
    }
}  # fmt: skip


def _hoist(schema: dict[str, Any], into: dict[str, Any], name: str) -> None:
    defs = schema.pop("$defs", {})
    for def_name, definition in defs.items():
        into.setdefault(def_name, definition)
    into.setdefault(name, schema)


def key_data_set_examples(folder: Path = EXAMPLES_FOLDER) -> dict[str, dict[str, Any]]:
    """The example key data sets of ``schemas/examples`` as OpenAPI examples, by file stem; none when
    the folder is absent (a node installed from a wheel without the repository)."""
    examples: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        value = json.loads(path.read_text(encoding="utf-8"))
        seller, buyer = value["seller"]["address"]["country"], value["buyer"]["address"]["country"]
        summary = f"{len(value['goods'])} goods line(s), {seller} to {buyer}, {value['goods'][0]['currency']}"
        examples[path.stem] = {"summary": summary, "value": value}
    return examples


def _add_examples(document: dict[str, Any]) -> None:
    examples = key_data_set_examples()
    if not examples:
        return
    for operations in document["paths"].values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            if content.get("schema") == {"$ref": REF.format(model="KeyDataSet")}:
                content["examples"] = examples


def _kebab(tag: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", tag.lower()).strip("-")


def _tags(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The tags the operations use, in :data:`TAGS`' order, each described (a new one by its name until it is added there)."""
    used: list[str] = []
    for operations in document["paths"].values():
        for operation in operations.values():
            operation["tags"] = list(dict.fromkeys(_kebab(tag) for tag in operation.get("tags", [])))
            used += [tag for tag in operation["tags"] if tag not in used]
    known = [tag for tag in TAGS if tag["name"] in used]
    return known + [{"name": name} for name in used if name not in {tag["name"] for tag in TAGS}]


def build(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        servers=app.servers,
    )
    document["tags"] = _tags(document)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    _hoist(KeyDataSet.model_json_schema(ref_template=REF, mode="validation"), schemas, "KeyDataSet")
    _hoist(Problem.model_json_schema(ref_template=REF, mode="serialization"), schemas, "Problem")
    schemas["Problem"]["properties"]["type"]["description"] = (
        "a URI naming the kind of problem, e.g. https://gpid.dev/problems/unknown-gpid; every node documents each "
        "type at the URI's path (GET /problems/unknown-gpid), and lists them all at GET /problems"
    )
    _add_examples(document)
    # A read's `data` is the key data set (the answer model keeps it a mapping: it is stored normalised, not
    # re-parsed); said here so that generated clients type it as the KeyDataSet model.
    for model, member in (("KeyDataSetView", "data"), ("ProofBundle", "data")):
        field = schemas.get(model, {}).get("properties", {}).get(member)
        if field is not None:
            nullable = "anyOf" in field
            ref = {"$ref": REF.format(model="KeyDataSet")}
            field.pop("additionalProperties", None)
            field.pop("type", None)
            field["anyOf"] = [ref, {"type": "null"}] if nullable else [ref]
    # Every route but the operations probes may answer 429 (the rate limit sits in front of them all).
    rate_limited = responses(429)[429]
    for path, operations in document["paths"].items():
        if path not in UNLIMITED_PATHS:
            for operation in operations.values():
                operation.setdefault("responses", {}).setdefault("429", rate_limited)
    # FastAPI's own validation error shape is never answered (every 422 is a Problem): drop it if unused.
    if "#/components/schemas/HTTPValidationError" not in json.dumps(document["paths"]):
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
    return document


def render(document: dict[str, Any]) -> str:
    """The exact text of ``schemas/openapi.json``."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
