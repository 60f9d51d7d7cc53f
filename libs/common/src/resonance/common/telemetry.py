"""OpenTelemetry setup and W3C trace-context propagation through the outbox and Kafka."""

from collections.abc import Iterable, Mapping
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.propagators.textmap import DefaultGetter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    ConsoleMetricExporter,
    MetricExporter,
    MetricReader,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_propagator = TraceContextTextMapPropagator()

# Server-span attributes the ASGI instrumentation fills with the raw query string (the full
# URL in both the old and the new HTTP conventions, and `url.query` in the new one).
_URL_ATTRIBUTES = ("http.url", "url.full")
_QUERY_ATTRIBUTES = ("url.query",)
REDACTED = "REDACTED"


def scrub_query_string(span: trace.Span, scope: dict[str, Any]) -> None:
    """`server_request_hook` for the FastAPI instrumentation: query strings carry personal
    data (a SCIM filter on an e-mail address), so they never become span attributes.

    The instrumentation has no option to leave them out and sets them before calling the
    hook, so the hook overwrites them: the URL without its query, the query itself as
    REDACTED (OpenTelemetry's own marker for scrubbed values)."""
    if not span.is_recording() or not scope.get("query_string"):
        return
    attributes = getattr(span, "attributes", None) or {}
    for key in _URL_ATTRIBUTES:
        value = attributes.get(key)
        if isinstance(value, str) and "?" in value:
            span.set_attribute(key, value.split("?", 1)[0])
    for key in _QUERY_ATTRIBUTES:
        if key in attributes:
            span.set_attribute(key, REDACTED)


def otlp_url(endpoint: str, signal: str) -> str:
    """The collector's URL for one signal. The setting is the collector's base URL (as
    OTEL_EXPORTER_OTLP_ENDPOINT is), so traces and metrics do not land on one path."""
    base = endpoint.rstrip("/")
    for known in ("/v1/traces", "/v1/metrics"):
        if base.endswith(known):
            base = base[: -len(known)]
    return f"{base}/v1/{signal}"


def make_tracer_provider(
    service_name: str, exporter: str = "none", endpoint: str | None = None
) -> TracerProvider:
    """A provider per app, not the global one: tests run several services in one process."""
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    span_exporter: SpanExporter | None = None
    if exporter == "console":
        span_exporter = ConsoleSpanExporter()
    elif exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        span_exporter = (
            OTLPSpanExporter(endpoint=otlp_url(endpoint, "traces"))
            if endpoint
            else OTLPSpanExporter()
        )
    if span_exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(span_exporter))
    return provider


def make_meter_provider(
    service_name: str, exporter: str = "none", endpoint: str | None = None
) -> MeterProvider:
    readers: list[MetricReader] = []
    metric_exporter: MetricExporter | None = None
    if exporter == "console":
        metric_exporter = ConsoleMetricExporter()
    elif exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        metric_exporter = (
            OTLPMetricExporter(endpoint=otlp_url(endpoint, "metrics"))
            if endpoint
            else OTLPMetricExporter()
        )
    if metric_exporter is not None:
        readers.append(PeriodicExportingMetricReader(metric_exporter))
    return MeterProvider(
        resource=Resource.create({"service.name": service_name}), metric_readers=readers
    )


def current_trace_headers() -> dict[str, str]:
    """The active span's context as W3C headers (traceparent, tracestate)."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier


def context_from_headers(headers: Mapping[str, str]) -> Context:
    return _propagator.extract(carrier=dict(headers), getter=DefaultGetter())


def kafka_headers(headers: Mapping[str, str]) -> list[tuple[str, bytes]]:
    return [(k, v.encode()) for k, v in headers.items()]


def decode_kafka_headers(raw: Iterable[tuple[str, bytes]] | None) -> dict[str, str]:
    return {k: v.decode(errors="replace") for k, v in (raw or [])}


__all__ = [
    "context_from_headers",
    "current_trace_headers",
    "decode_kafka_headers",
    "kafka_headers",
    "make_meter_provider",
    "make_tracer_provider",
    "otel_context",
    "scrub_query_string",
    "trace",
]
