"""What frontend teams meet first: docs served by the service itself, CORS for their origins,
errors documented as problem documents, bodies bounded. No infrastructure needed."""

import importlib
import re
from typing import Any

import httpx
import pytest

from resonance.common.idempotency import canonical_body
from resonance.common.settings import settings_class

SERVICES = ["content", "ambassadors", "metrics"]
ORIGIN = "http://localhost:5173"


def _app(service: str, **overrides: Any) -> Any:
    settings = settings_class(service)(configure_logging=False, **overrides)
    return importlib.import_module(f"resonance.{service}.main").create_app(settings)


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc.test")


@pytest.mark.parametrize("service", SERVICES)
async def test_docs_load_nothing_from_another_host(service: str) -> None:
    async with _client(_app(service)) as client:
        for page in ("/docs", "/redoc"):
            html = (await client.get(page)).text
            external = re.findall(r"(?:src|href)=[\"'](https?://[^\"']+)", html)
            assert external == [], f"{page} loads {external}"
            assets = re.findall(r"(?:src|href)=[\"'](/[^\"']+\.(?:js|css))", html)
            assert assets, f"{page} references no script"
            for asset in assets:
                assert (await client.get(asset)).status_code == 200, asset


@pytest.mark.parametrize("service", SERVICES)
async def test_a_preflight_from_an_allowed_origin_succeeds(service: str) -> None:
    app = _app(service, cors_allow_origins=[ORIGIN])
    async with _client(app) as client:
        path = next(p for p in app.openapi()["paths"] if p.startswith("/v1"))
        allowed = await client.options(
            path,
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type,idempotency-key",
            },
        )
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == ORIGIN
        assert "idempotency-key" in allowed.headers["access-control-allow-headers"].lower()
        refused = await client.options(
            path,
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in refused.headers


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_documents_problems_and_writes_the_idempotency_key(service: str) -> None:
    document = _app(service).openapi()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert document["components"]["schemas"]["Problem"]["properties"]["errors"]
    for path, operations in document["paths"].items():
        if path in {"/healthz", "/readyz"}:
            continue
        for method, operation in operations.items():
            expected = {"application/problem+json"}
            if path.startswith("/scim/"):  # SCIM answers its own errors (RFC 7644 §3.12)
                expected.add("application/scim+json")
            for status in ("401", "403", "404", "422"):
                content = operation["responses"][status]["content"]
                assert set(content) == expected, (path, method, status)
            if method in {"post", "put", "patch", "delete"}:
                names = [p["name"] for p in operation.get("parameters", [])]
                assert "Idempotency-Key" in names, (path, method)


async def test_an_oversized_body_is_refused_with_413_before_anything_reads_it() -> None:
    app = _app("content", max_body_bytes=1000)
    async with _client(app) as client:
        response = await client.post(
            "/v1/items",
            content=b"{" + b" " * 5000 + b"}",
            headers={"content-type": "application/json"},
        )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/body-too-large")


def test_the_same_json_with_another_key_order_is_the_same_request() -> None:
    a = canonical_body(b'{"title": "x", "tags": [1, 2]}', "application/json")
    b = canonical_body(b'{"tags":[1,2],"title":"x"}', "application/json; charset=utf-8")
    assert a == b
    assert canonical_body(b'{"tags":[2,1],"title":"x"}', "application/json") != a
    assert canonical_body(b"not json", "application/json") == b"not json"
