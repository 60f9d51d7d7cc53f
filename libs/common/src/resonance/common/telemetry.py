"""OpenTelemetry setup and W3C trace-context propagation through the outbox and Kafka."""

from collections.abc import Iterable, Mapping

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

        span_exporter = OTLPSpanExporter(endpoint=endpoint) if endpoint else OTLPSpanExporter()
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
            OTLPMetricExporter(endpoint=endpoint) if endpoint else OTLPMetricExporter()
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
    "trace",
]
