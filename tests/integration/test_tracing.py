"""The W3C trace context survives HTTP → outbox → Kafka → consumer handler."""

from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from resonance.devstack.testing import Infra, eventually, running_service

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


async def test_trace_continues_from_request_to_consumer(infra: Infra) -> None:
    prefix = infra.new_prefix()
    exporter = InMemorySpanExporter()
    async with (
        running_service(infra, "content", prefix) as content,
        running_service(infra, "metrics", prefix) as metrics,
    ):
        for svc in (content, metrics):
            svc.runtime.tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
        headers = infra.auth(roles=["communicator"])
        headers["traceparent"] = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
        r = await content.client.post(
            "/v1/items",
            json={"family": "market", "format": "text", "title": "traced"},
            headers=headers,
        )
        assert r.status_code == 201

        def consumer_spans() -> list:
            return [
                s
                for s in exporter.get_finished_spans()
                if s.kind == SpanKind.CONSUMER
                and s.resource.attributes["service.name"] == "metrics"
            ]

        async def consumed() -> list:
            return consumer_spans()

        spans = await eventually(consumed)
        assert format(spans[0].context.trace_id, "032x") == TRACE_ID
        producer_spans = [s for s in exporter.get_finished_spans() if s.kind == SpanKind.PRODUCER]
        assert producer_spans and format(producer_spans[0].context.trace_id, "032x") == TRACE_ID
        # The consumer span is a child of the publish span, which continued the HTTP request.
        assert spans[0].parent is not None
        assert spans[0].parent.span_id == producer_spans[0].context.span_id
