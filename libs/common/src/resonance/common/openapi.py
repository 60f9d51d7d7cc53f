"""The OpenAPI document as clients are generated from it: every error is a problem document
(RFC 9457) with one shared schema, and every write declares the Idempotency-Key header."""

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
            for status, description in ERRORS.items():
                responses[status] = {
                    "description": description,
                    "content": {PROBLEM_JSON: {"schema": ref}},
                }
            if method in WRITES:
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == "Idempotency-Key" for p in parameters):
                    parameters.append(IDEMPOTENCY_KEY)
            if path in {"/healthz", "/readyz"}:
                for status in ("400", "401", "403", "404", "409", "413", "422", "429"):
                    responses.pop(status, None)
    return document


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
