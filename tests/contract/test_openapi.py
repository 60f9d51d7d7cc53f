"""The OpenAPI documents frontend teams build against: every operation says how it is
authenticated, and the error responses are problem documents."""

import importlib

import pytest

from resonance.common.settings import settings_class

# Authenticated otherwise than by a bearer token, on purpose.
NOT_BEARER = {
    ("ambassadors", "/v1/hr/webhooks/{tenant}", "post"),  # HMAC signature of the HR system
}
PROBES = {"/healthz", "/readyz"}


@pytest.mark.parametrize("service", ["content", "ambassadors", "metrics"])
def test_every_operation_requires_a_bearer_token(service: str) -> None:
    settings_cls = settings_class(service)
    app = importlib.import_module(f"resonance.{service}.main").create_app(
        settings_cls(configure_logging=False)
    )
    document = app.openapi()
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    missing = [
        (path, method)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if path not in PROBES
        and (service, path, method) not in NOT_BEARER
        and {"bearer": []} not in operation.get("security", [])
    ]
    assert missing == []
