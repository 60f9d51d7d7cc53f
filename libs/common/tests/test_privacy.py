"""No personal data in dead-letter headers, span attributes or SQL error texts (unit level;
tests/integration/test_security_privacy.py checks the same against PostgreSQL and Kafka)."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry.instrumentation import _semconv
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import BaseModel, ValidationError

from resonance.common.db import Database, session_limits
from resonance.common.dlq import describe_failure
from resonance.common.telemetry import REDACTED, scrub_query_string

EMAIL = "jane.doe@example.com"


class Person(BaseModel):
    age: int
    email: str


def test_a_validation_failure_is_described_by_place_and_kind_only() -> None:
    try:
        Person.model_validate({"age": EMAIL})
    except ValidationError as exc:
        text = describe_failure(exc)
    # Pydantic's own text quotes the input (`input_value='jane.doe@...'`); ours does not.
    assert EMAIL not in text
    assert text == "ValidationError: 2 error(s): age: int_parsing; email: missing"


def test_values_quoted_in_a_message_are_left_out() -> None:
    assert describe_failure(KeyError(EMAIL)) == "KeyError: <value>"
    assert describe_failure(ValueError(f"no ambassador {EMAIL} in 0612345678")) == (
        "ValueError: no ambassador <email> in #"
    )
    assert describe_failure(RuntimeError('title "Secret plan" too long')) == (
        "RuntimeError: title <value> too long"
    )
    # Words the code wrote are kept: they say what went wrong.
    assert describe_failure(RuntimeError("handler keeps failing")) == (
        "RuntimeError: handler keeps failing"
    )
    assert describe_failure(RuntimeError()) == "RuntimeError"
    assert len(describe_failure(RuntimeError("x " * 5000))) == 500


def _traced_app() -> tuple[FastAPI, InMemorySpanExporter]:
    app = FastAPI()

    @app.get("/scim/v2/Users")
    async def users(filter: str = "") -> dict[str, int]:
        return {"totalResults": 0}

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, server_request_hook=scrub_query_string
    )
    return app, exporter


def test_query_strings_never_become_span_attributes() -> None:
    app, exporter = _traced_app()
    r = TestClient(app).get("/scim/v2/Users", params={"filter": f'userName eq "{EMAIL}"'})
    assert r.status_code == 200
    [server] = [s for s in exporter.get_finished_spans() if s.kind.name == "SERVER"]
    attributes = dict(server.attributes or {})
    assert "jane.doe" not in repr(attributes)
    assert attributes["http.url"] == "http://testserver/scim/v2/Users"
    assert attributes["http.target"] == "/scim/v2/Users"
    for span in exporter.get_finished_spans():
        assert "jane.doe" not in repr(dict(span.attributes or {})), span.name


@pytest.fixture
def new_http_conventions(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Both the old and the new HTTP semantic conventions (url.full, url.query), as an
    operator opts in with OTEL_SEMCONV_STABILITY_OPT_IN; restored afterwards."""
    stability = _semconv._OpenTelemetrySemanticConventionStability
    monkeypatch.setenv("OTEL_SEMCONV_STABILITY_OPT_IN", "http/dup")
    stability._initialized = False
    stability._initialize()
    yield
    monkeypatch.delenv("OTEL_SEMCONV_STABILITY_OPT_IN")
    stability._initialized = False
    stability._initialize()


@pytest.mark.usefixtures("new_http_conventions")
def test_new_http_conventions_have_their_query_redacted() -> None:
    app, exporter = _traced_app()
    TestClient(app).get("/scim/v2/Users", params={"filter": f'emails eq "{EMAIL}"'})
    [server] = [s for s in exporter.get_finished_spans() if s.kind.name == "SERVER"]
    attributes = dict(server.attributes or {})
    assert "jane.doe" not in repr(attributes)
    assert attributes.get("url.query") == REDACTED


def test_every_pool_sets_timeouts_and_hides_parameters() -> None:
    # 30 s and 60 s, in the milliseconds PostgreSQL reads.
    assert session_limits(30, 60) == {
        "statement_timeout": "30000",
        "idle_in_transaction_session_timeout": "60000",
    }
    db = Database("postgresql+asyncpg://u@127.0.0.1:1/x")  # no connection is made
    assert db.engine.sync_engine.hide_parameters is True
