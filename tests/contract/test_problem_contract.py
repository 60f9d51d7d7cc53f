"""How the shared rewrite of FastAPI's document declares errors (no service needed): the cases
the fuzzer met where a service's true answer was missing from its document."""

from typing import Any

from resonance.common.openapi import problem_contract

PROBLEM = "application/problem+json"
SCIM = "application/scim+json"


def _document(paths: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "paths": paths,
        "components": {"schemas": {"HTTPValidationError": {}, "ValidationError": {}}},
    }


def _fastapi_422() -> dict[str, Any]:
    ref = {"$ref": "#/components/schemas/HTTPValidationError"}
    return {"description": "Validation Error", "content": {"application/json": {"schema": ref}}}


def test_a_422_is_a_problem_and_fastapis_own_shape_is_gone() -> None:
    document = problem_contract(
        _document({"/v1/items": {"post": {"responses": {"422": _fastapi_422()}}}})
    )
    answer = document["paths"]["/v1/items"]["post"]["responses"]["422"]
    assert list(answer["content"]) == [PROBLEM]
    assert answer["description"].startswith("Invalid content")
    assert "HTTPValidationError" not in str(document)


def test_a_route_keeps_its_own_description_of_an_error() -> None:
    own = {"description": "Unknown network (`unknown-network`)"}
    document = problem_contract(_document({"/v1/shares": {"post": {"responses": {"400": own}}}}))
    answer = document["paths"]["/v1/shares"]["post"]["responses"]["400"]
    assert answer["description"] == own["description"]
    assert list(answer["content"]) == [PROBLEM]


def test_scim_operations_declare_scim_errors_besides_problems() -> None:
    # DELETE /scim/v2/Users/{id} declares no body at all, yet answers a 404 as a SCIM error.
    example = {"example": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"]}}
    document = problem_contract(
        _document(
            {
                "/scim/v2/Users/{id}": {
                    "delete": {"responses": {"204": {"description": "Deleted"}}},
                    "get": {"responses": {"400": {"description": "x", "content": {SCIM: example}}}},
                }
            }
        )
    )
    operations = document["paths"]["/scim/v2/Users/{id}"]
    assert set(operations["delete"]["responses"]["404"]["content"]) == {PROBLEM, SCIM}
    # The route's own example is kept, completed by the shared schema.
    scim_400 = operations["get"]["responses"]["400"]["content"][SCIM]
    assert scim_400["schema"] == {"$ref": "#/components/schemas/ScimError"}
    assert scim_400["example"] == example["example"]
    assert "ScimError" in document["components"]["schemas"]


def test_readiness_declares_its_not_ready_answer_as_json() -> None:
    document = problem_contract(
        _document({"/readyz": {"get": {"responses": {"200": {"description": "OK"}}}}})
    )
    responses = document["paths"]["/readyz"]["get"]["responses"]
    assert set(responses) == {"200", "503"}
    assert list(responses["503"]["content"]) == ["application/json"]
    assert responses["503"]["content"]["application/json"]["schema"]["required"] == [
        "status",
        "checks",
    ]
