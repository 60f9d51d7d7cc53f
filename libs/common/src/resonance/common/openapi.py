"""The OpenAPI document as clients are generated from it: every error is a problem document
(RFC 9457) with one shared schema, and every write declares the Idempotency-Key header."""

import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from resonance.common.errors import PROBLEM_JSON

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details. `type` is stable: branch on it, not on `detail`.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference", "maxLength": 300},
        "title": {"type": "string", "maxLength": 300},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "maxLength": 4000},
        "instance": {"type": "string", "maxLength": 2000},
        "errors": {
            "description": "For 422: one entry per invalid field.",
            "type": "array",
            "maxItems": 1000,
            "items": {
                "type": "object",
                "required": ["location", "message", "type"],
                "properties": {
                    "location": {"type": "array", "items": {"type": "string"}},
                    "message": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
        "retry_at": {"type": "string", "format": "date-time"},
    },
    "additionalProperties": True,
}

SCIM_JSON = "application/scim+json"
SCIM_PREFIX = "/scim/"
SCIM_ERROR_SCHEMA: dict[str, Any] = {
    "title": "ScimError",
    "description": "RFC 7644 §3.12 error response.",
    "type": "object",
    "required": ["schemas", "status"],
    "properties": {
        "schemas": {"type": "array", "items": {"type": "string"}, "maxItems": 10},
        "status": {"type": "string", "maxLength": 3},
        "scimType": {"type": "string", "maxLength": 100},
        "detail": {"type": "string", "maxLength": 4000},
    },
}

# What any authenticated operation may answer besides its success.
ERRORS = {
    "400": "Malformed request (for example an invalid Idempotency-Key).",
    "401": "Missing, invalid or expired bearer token.",
    "403": "The caller's role or tenant does not allow this.",
    "404": "No such resource in the caller's tenant.",
    "409": "Conflicts with the current state (or a request with this Idempotency-Key runs).",
    "413": "Request body too large.",
    "422": "Invalid content: `errors[]` lists each invalid field.",
    "429": "A quota or cap was reached; `Retry-After` and `retry_at` say when to retry.",
    "503": "A dependency is unavailable; retry later.",
}
WRITES = {"post", "put", "patch", "delete"}
PROBES = {"/healthz", "/readyz"}
FASTAPI_422 = "Validation Error"
READINESS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["status", "checks"],
    "properties": {
        "status": {"type": "string", "enum": ["ready", "not ready"]},
        "checks": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a retried write safe: the first answer is replayed for the same key "
    "and the same request; the same key with another request is refused (422).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
}


def problem_contract(document: dict[str, Any]) -> dict[str, Any]:
    """Rewrites FastAPI's generated document in place (and returns it)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = PROBLEM_SCHEMA
    ref = {"$ref": "#/components/schemas/Problem"}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in WRITES | {"get", "head", "options"}:
                continue
            responses = operation.setdefault("responses", {})
            error_content: dict[str, Any] = {PROBLEM_JSON: {"schema": ref}}
            if path.startswith(SCIM_PREFIX) or _declares(responses, SCIM_JSON):
                # SCIM operations answer their errors as SCIM documents (RFC 7644 §3.12);
                # the shared plumbing in front of them (body limit, idempotency) as problems.
                error_content[SCIM_JSON] = {"schema": {"$ref": "#/components/schemas/ScimError"}}
                schemas["ScimError"] = SCIM_ERROR_SCHEMA
            for status, description in ERRORS.items():
                declared = responses.get(status, {})
                # Keep what a route documents itself (a SCIM example), not FastAPI's own 422.
                kept = {
                    media: body
                    for media, body in (declared.get("content") or {}).items()
                    if "HTTPValidationError" not in json.dumps(body)
                }
                own = declared.get("description")
                responses[status] = {
                    "description": own if own and own != FASTAPI_422 else description,
                    "content": kept
                    | {media: kept.get(media, {}) | body for media, body in error_content.items()},
                }
            if method in WRITES:
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == "Idempotency-Key" for p in parameters):
                    parameters.append(IDEMPOTENCY_KEY)
            if path in PROBES:
                for status in ("400", "401", "403", "404", "409", "413", "422", "429"):
                    responses.pop(status, None)
            if path == "/readyz":
                # "Not ready" is the probe's own JSON answer, not a problem document.
                responses["200"]["content"] = {"application/json": {"schema": READINESS_SCHEMA}}
                responses["503"] = {
                    "description": "Not ready: a dependency is unreachable (see `checks`).",
                    "content": {"application/json": {"schema": READINESS_SCHEMA}},
                }
    return document


def _declares(responses: dict[str, Any], media_type: str) -> bool:
    return any(media_type in (r.get("content") or {}) for r in responses.values())


def install_problem_contract(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problem_contract(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                    tags=app.openapi_tags,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
