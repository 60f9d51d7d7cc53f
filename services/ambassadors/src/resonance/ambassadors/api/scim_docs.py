"""OpenAPI documentation of /scim/v2: example resources and the error responses every SCIM
operation shares (SCIM bodies are read as raw JSON, so their schemas are given here)."""

from typing import Any

from resonance.ambassadors.api.scim_support import SCIM_JSON, error_body
from resonance.ambassadors.domain.scim_mapping import CORE_GROUP, CORE_USER, ENTERPRISE

USER_EXAMPLE: dict[str, Any] = {
    "schemas": [CORE_USER, ENTERPRISE],
    "userName": "lea.martin@acme.example",
    "externalId": "00u1a2b3c4",
    "active": True,
    "name": {"givenName": "Léa", "familyName": "Martin"},
    "displayName": "Léa Martin",
    "preferredLanguage": "fr-FR",
    "userType": "office",
    "emails": [{"value": "lea.martin@acme.example", "type": "work", "primary": True}],
    "addresses": [{"type": "work", "locality": "Lyon", "country": "FR"}],
    ENTERPRISE: {
        "employeeNumber": "100234",
        "department": "Engineering",
        "division": "Acme Cloud",
        "organization": "Acme France",
        "costCenter": "CC-4410",
        "manager": {"value": "9b0c6c1e-0d0e-4c55-9d8b-2f1f0e5d7a11"},
    },
}
PATCH_EXAMPLE: dict[str, Any] = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [
        {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Marketing"},
        {"op": "Replace", "path": "active", "value": "False"},
    ],
}
GROUP_EXAMPLE: dict[str, Any] = {
    "schemas": [CORE_GROUP],
    "displayName": "Lyon office",
    "externalId": "grp-lyon",
    "members": [{"value": "5f1c9d6e-7a2b-4c3d-8e9f-0a1b2c3d4e5f"}],
}
GROUP_PATCH_EXAMPLE: dict[str, Any] = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [
        {
            "op": "Add",
            "path": "members",
            "value": [{"value": "5f1c9d6e-7a2b-4c3d-8e9f-0a1b2c3d4e5f"}],
        }
    ],
}
SEARCH_EXAMPLE: dict[str, Any] = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
    "filter": 'userName sw "lea"',
    "attributes": ["userName", "displayName"],
    "startIndex": 1,
    "count": 10,
}
ERROR_EXAMPLE = error_body(400, "invalid syntax at column 10", "invalidFilter")
EXAMPLE_BASE = "https://ambassadors.example/scim/v2"
# What RFC 7643/7644 require of each request body (the OpenAPI document says so too).
USER_REQUIRED = ("schemas", "userName")
GROUP_REQUIRED = ("schemas", "displayName")
PATCH_REQUIRED = ("schemas", "Operations")


def request_body(
    example: dict[str, Any], description: str, required: tuple[str, ...] = ("schemas",)
) -> dict[str, Any]:
    """A SCIM body, read as raw JSON: its schema names at least the attributes it requires."""
    schema = {
        "type": "object",
        "required": list(required),
        "properties": {name: _shape(example[name]) for name in required},
    }
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {
                SCIM_JSON: {"schema": schema, "example": example},
                "application/json": {"schema": schema, "example": example},
            },
        }
    }


def _shape(value: Any) -> dict[str, Any]:
    if isinstance(value, list):
        return {"type": "array", "minItems": 1}
    if isinstance(value, bool):
        return {"type": "boolean"}
    return {"type": "string", "minLength": 1}


def responses(ok: int, example: Any | None) -> dict[int | str, dict[str, Any]]:
    documented: dict[int | str, dict[str, Any]] = {
        400: {"description": "SCIM error", "content": {SCIM_JSON: {"example": ERROR_EXAMPLE}}},
        401: {"description": "Missing or invalid bearer token"},
        403: {"description": "Token lacks the integration role"},
    }
    if example is not None:
        documented[ok] = {"description": "OK", "content": {SCIM_JSON: {"example": example}}}
    return documented
