"""Waiting for dead-letter topics before consuming (no Kafka: the cluster is a set)."""

import asyncio
import logging

import pytest

from resonance.common.consumer_topics import DeadLetterTopics, missing, next_delay


class Cluster:
    """Topics that exist, and who may create them."""

    def __init__(self, topics: set[str], may_create: bool) -> None:
        self.topics = topics
        self.may_create = may_create
        self.create_calls: list[list[str]] = []
        self.looks = 0

    async def list_topics(self) -> set[str]:
        self.looks += 1
        return set(self.topics)

    async def create(self, names: list[str]) -> bool:
        self.create_calls.append(names)
        if self.may_create:
            self.topics |= set(names)
        return self.may_create


def test_missing_keeps_the_wanted_order() -> None:
    assert missing(["a.dlq", "b.dlq", "c.dlq"], {"b.dlq", "x"}) == ["a.dlq", "c.dlq"]


def test_backoff_doubles_up_to_the_cap() -> None:
    delays = [0.5]
    for _ in range(6):
        delays.append(next_delay(delays[-1], 10.0))
    # 0.5, 1, 2, 4, 8, then capped at 10.
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


async def test_creates_missing_topics_when_allowed() -> None:
    cluster = Cluster({"content.dlq"}, may_create=True)
    gate = DeadLetterTopics(["content.dlq", "share.dlq"], cluster.list_topics, cluster.create)
    assert await asyncio.wait_for(gate.wait(asyncio.Event()), 1)
    assert cluster.create_calls == [["share.dlq"]]
    assert gate.missing_now == []


async def test_waits_without_creating_again_when_refused(caplog: pytest.LogCaptureFixture) -> None:
    cluster = Cluster({"content"}, may_create=False)
    clock = [0.0]
    gate = DeadLetterTopics(
        ["content.dlq"],
        cluster.list_topics,
        cluster.create,
        first_delay_s=0.01,
        max_delay_s=0.02,
        log_every_s=60.0,
        monotonic=lambda: clock[0],
    )
    caplog.set_level(logging.ERROR, logger="resonance.common.consumer_topics")
    waiting = asyncio.create_task(gate.wait(asyncio.Event()))
    while cluster.looks < 8:
        await asyncio.sleep(0.01)
    assert not waiting.done()
    assert gate.missing_now == ["content.dlq"]  # what /readyz reports
    # Asked once; a refusal is not asked again.
    assert cluster.create_calls == [["content.dlq"]]
    # Many looks within one log interval: logged once.
    assert len(caplog.records) == 1 and "content.dlq" in caplog.records[0].getMessage()
    clock[0] = 61.0
    looks = cluster.looks
    while cluster.looks < looks + 2:
        await asyncio.sleep(0.01)
    assert len(caplog.records) == 2
    cluster.topics.add("content.dlq")  # an operator creates it
    assert await asyncio.wait_for(waiting, 1)
    assert gate.missing_now == []


async def test_stopping_ends_the_wait() -> None:
    cluster = Cluster(set(), may_create=False)
    gate = DeadLetterTopics(["content.dlq"], cluster.list_topics, None, first_delay_s=10)
    stopping = asyncio.Event()
    waiting = asyncio.create_task(gate.wait(stopping))
    await asyncio.sleep(0.05)
    stopping.set()
    assert await asyncio.wait_for(waiting, 1) is False
    assert cluster.create_calls == []
