"""Faults mid-stream: Kafka or a consuming service restarting loses no event and counts
nothing twice."""

from sqlalchemy import text

from resonance.devstack.testing import Infra, RunningService, eventually, running_service


async def _publish(content: RunningService, headers: dict[str, str], n: int, tag: str) -> None:
    for i in range(n):
        r = await content.client.post(
            "/v1/items",
            json={"family": "market", "format": "text", "title": f"{tag} {i}"},
            headers=headers,
        )
        assert r.status_code == 201, r.text


async def _count(metrics: RunningService, headers: dict[str, str]) -> int:
    r = await metrics.client.get("/v1/kpis/published", headers=headers)
    return int(r.json()["published_items"])


async def _applied_events(metrics: RunningService) -> int:
    async with metrics.runtime.db.session() as s:
        q = text("select count(*) from inbox where consumer = 'metrics.facts'")
        return int((await s.execute(q)).scalar_one())


async def test_kafka_killed_and_restarted_mid_stream(infra: Infra) -> None:
    prefix = infra.new_prefix()
    writer = infra.auth(roles=["communicator"])
    reader = infra.auth(roles=["program_manager"])
    async with (
        running_service(infra, "content", prefix) as content,
        running_service(infra, "metrics", prefix) as metrics,
    ):
        await _publish(content, writer, 10, "before")
        assert await eventually(lambda: _count(metrics, reader)) >= 1
        infra.kafka.kill()
        try:
            # The API keeps accepting writes: they wait in the outbox.
            await _publish(content, writer, 10, "during")
        finally:
            infra.kafka.restart()
        await _publish(content, writer, 10, "after")

        async def all_counted() -> bool:
            return await _count(metrics, reader) == 30

        await eventually(all_counted, timeout=90)
        assert await _applied_events(metrics) == 30
        async with content.runtime.db.session() as s:
            unsent = await s.execute(text("select count(*) from outbox where sent_at is null"))
            assert unsent.scalar_one() == 0


async def test_consumer_service_restarted_mid_stream(infra: Infra) -> None:
    prefix = infra.new_prefix()
    writer = infra.auth(roles=["communicator"])
    reader = infra.auth(roles=["program_manager"])
    async with running_service(infra, "content", prefix) as content:
        async with running_service(infra, "metrics", prefix) as metrics:
            settings = metrics.settings
            await _publish(content, writer, 15, "first")
            await eventually(lambda: _count(metrics, reader))
        # metrics is down: events pile up in Kafka
        await _publish(content, writer, 15, "while down")
        async with running_service(infra, "metrics", prefix, settings=settings) as metrics:

            async def all_counted() -> bool:
                return await _count(metrics, reader) == 30

            await eventually(all_counted, timeout=60)
            assert await _applied_events(metrics) == 30


async def test_two_replicas_of_a_service_share_the_work_without_double_counting(
    infra: Infra,
) -> None:
    """Operations scale a service out during campaigns: replicas join one consumer group and
    each run a relay; every event is still applied exactly once."""
    prefix = infra.new_prefix()
    writer = infra.auth(roles=["communicator"])
    reader = infra.auth(roles=["program_manager"])
    async with (
        running_service(infra, "content", prefix) as content_a,
        running_service(infra, "content", prefix, settings=content_a.settings) as content_b,
        running_service(infra, "metrics", prefix) as metrics_a,
        running_service(infra, "metrics", prefix, settings=metrics_a.settings) as metrics_b,
    ):

        async def group_balanced() -> bool:
            return all(m.runtime.consumers[0].consumer.assignment() for m in (metrics_a, metrics_b))

        await eventually(group_balanced, timeout=30)
        for content in (content_a, content_b):
            await _publish(content, writer, 20, "burst")

        async def all_counted() -> bool:
            return await _count(metrics_b, reader) == 40

        await eventually(all_counted, timeout=60)
        assert await _applied_events(metrics_a) == 40
        # Both replicas took part: the group spread the partitions over them.
        assert metrics_a.runtime.consumers[0].processed > 0
        assert metrics_b.runtime.consumers[0].processed > 0
        assert (
            metrics_a.runtime.consumers[0].processed + metrics_b.runtime.consumers[0].processed
            == 40
        )


async def test_services_started_while_kafka_is_down_serve_and_catch_up(infra: Infra) -> None:
    prefix = infra.new_prefix()
    writer = infra.auth(roles=["communicator"])
    reader = infra.auth(roles=["program_manager"])
    infra.kafka.kill()
    try:
        async with (
            running_service(infra, "content", prefix, kafka_connect_timeout_s=2) as content,
            running_service(infra, "metrics", prefix, kafka_connect_timeout_s=2) as metrics,
        ):
            await _publish(content, writer, 5, "offline")  # accepted, waiting in the outbox
            ready = await content.client.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["checks"]["kafka"] == "unavailable"
            infra.kafka.restart()

            async def all_counted() -> bool:
                return await _count(metrics, reader) == 5

            await eventually(all_counted, timeout=90)
            assert (await content.client.get("/readyz")).status_code == 200
    finally:
        if not infra.kafka.is_running():
            infra.kafka.restart()
