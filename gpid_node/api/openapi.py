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
KEY_DATA_SET_BODY = {
    "requestBody": {
        "required": True,
        "description": "The key data set (schema version 1) as JSON. The node normalises case, separators and "
        "numbers given as JSON numbers; every problem is reported at once, each with its field path.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/KeyDataSet"}}},
    }
}


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
