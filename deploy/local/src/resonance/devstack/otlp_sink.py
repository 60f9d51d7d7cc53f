"""A local OpenTelemetry collector stand-in: accepts OTLP/HTTP (protobuf) traces and metrics on
the real paths and keeps the spans in memory, so a test can assert what the services exported."""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass

from fastapi import FastAPI, Request, Response
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

PROTOBUF = "application/x-protobuf"
KINDS = {0: "UNSPECIFIED", 1: "INTERNAL", 2: "SERVER", 3: "CLIENT", 4: "PRODUCER", 5: "CONSUMER"}


@dataclass(frozen=True)
class ReceivedSpan:
    trace_id: str
    span_id: str
    parent_span_id: str
    name: str
    kind: str
    service: str


class SpanStore:
    def __init__(self, keep: int = 100_000) -> None:
        self._spans: list[ReceivedSpan] = []
        self._lock = threading.Lock()
        self.keep = keep

    def add(self, spans: list[ReceivedSpan]) -> None:
        with self._lock:
            self._spans.extend(spans)
            del self._spans[: max(0, len(self._spans) - self.keep)]

    def of_trace(self, trace_id: str) -> list[ReceivedSpan]:
        with self._lock:
            return [s for s in self._spans if s.trace_id == trace_id]


def _spans(request: ExportTraceServiceRequest) -> list[ReceivedSpan]:
    found = []
    for resource_spans in request.resource_spans:
        service = next(
            (
                a.value.string_value
                for a in resource_spans.resource.attributes
                if a.key == "service.name"
            ),
            "",
        )
        for scope in resource_spans.scope_spans:
            for span in scope.spans:
                found.append(
                    ReceivedSpan(
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex(),
                        name=span.name,
                        kind=KINDS.get(span.kind, str(span.kind)),
                        service=service,
                    )
                )
    return found


def create_otlp_sink(store: SpanStore | None = None) -> FastAPI:
    app = FastAPI(title="OTLP sink", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.spans = store or SpanStore()

    async def body(request: Request) -> bytes:
        raw = await request.body()
        if request.headers.get("content-encoding") == "gzip":
            raw = gzip.decompress(raw)
        return raw

    @app.post("/v1/traces")
    async def traces(request: Request) -> Response:
        if request.headers.get("content-type") != PROTOBUF:
            return Response(status_code=415)
        app.state.spans.add(_spans(ExportTraceServiceRequest.FromString(await body(request))))
        return Response(ExportTraceServiceResponse().SerializeToString(), media_type=PROTOBUF)

    @app.post("/v1/metrics")
    async def metrics(request: Request) -> Response:
        await body(request)
        return Response(ExportMetricsServiceResponse().SerializeToString(), media_type=PROTOBUF)

    return app
