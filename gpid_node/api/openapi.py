"""The published OpenAPI document: FastAPI's, plus the schemas it cannot see by itself.

The register route reads its body as raw JSON (the node validates it and reports every problem at
once), so the key data set's own JSON Schema (from the domain model) is added as ``KeyDataSet``;
every problem answer refers to ``Problem``; every operation rate limited lists its 429.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from gpid_node.api.models import Problem
from gpid_node.api.problems import responses
from gpid_node.api.rate_limit import UNLIMITED_PATHS
from gpid_node.domain.model import KeyDataSet

REF = "#/components/schemas/{model}"
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


def build(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        servers=app.servers,
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    _hoist(KeyDataSet.model_json_schema(ref_template=REF, mode="validation"), schemas, "KeyDataSet")
    _hoist(Problem.model_json_schema(ref_template=REF, mode="serialization"), schemas, "Problem")
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


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
