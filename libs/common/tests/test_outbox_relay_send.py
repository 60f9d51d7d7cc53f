"""The relay's send loop, without Kafka or PostgreSQL: a big batch hands the event loop back
while it is being sent (the relay shares its loop with the API's requests), records still go
to the producer in row order, and a record Kafka refuses for good is reported for parking."""

import asyncio
import time
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

from aiokafka.errors import MessageSizeTooLargeError

from resonance.common.outbox import SEND_SLICE_S, OutboxRelay

# What one record costs the relay's loop in the producer (partitioner, accumulator); busy,
# like the real thing, so nothing else runs unless the relay yields.
COST_PER_SEND_S = 0.0005
ROWS = 60


class BusyProducer:
    def __init__(self, refuse: frozenset[str] = frozenset()) -> None:
        self.refuse = refuse
        self.sent: list[str] = []

    async def send(
        self, topic: str, value: bytes, key: bytes, headers: Any
    ) -> "asyncio.Future[None]":
        deadline = time.perf_counter() + COST_PER_SEND_S
        while time.perf_counter() < deadline:
            pass
        if key.decode() in self.refuse:
            raise MessageSizeTooLargeError("too large")
        self.sent.append(key.decode())
        acknowledged: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        acknowledged.set_result(None)
        return acknowledged


def _rows(count: int) -> list[Any]:
    return [
        SimpleNamespace(
            seq=i,
            event_id=f"event-{i}",
            topic="link",
            key=f"key-{i}",
            payload="{}",
            headers={"ce_id": f"event-{i}"},
            created_at=datetime.now(UTC),
        )
        for i in range(count)
    ]


def _relay(producer: BusyProducer) -> OutboxRelay:
    # _send touches neither the database nor the table.
    return OutboxRelay(cast(Any, None), cast(Any, None), cast(Any, producer))


async def test_a_big_batch_lets_other_work_run_while_it_is_sent() -> None:
    producer = BusyProducer()
    relay = _relay(producer)
    turns = 0
    sending = True

    async def other_work() -> None:  # a request waiting for its turn on the loop
        nonlocal turns
        while sending:
            turns += 1
            await asyncio.sleep(0)

    other = asyncio.create_task(other_work())
    await asyncio.sleep(0)  # started: it has its first turn before the batch
    before = turns
    refused = await relay._send(_rows(ROWS))
    sending = False
    await other
    # 60 sends of 0.5 ms are at least 30 ms of work: cut into slices of SEND_SLICE_S (1 ms),
    # the other task gets about 30 turns. Without slicing it would get one or two (around
    # the acknowledgements), so ten cannot happen by accident, even on a loaded machine,
    # where each slice is shorter in work but never longer in time.
    assert SEND_SLICE_S <= 0.001
    assert turns - before >= 10
    assert refused == {}
    # One producer, one loop: the records reach it in the rows' order.
    assert producer.sent == [f"key-{i}" for i in range(ROWS)]


async def test_a_record_kafka_refuses_is_reported_and_the_rest_go_in_order() -> None:
    producer = BusyProducer(refuse=frozenset({"key-1"}))
    refused = await _relay(producer)._send(_rows(3))
    assert list(refused) == [1]
    assert refused[1].startswith("MessageSizeTooLargeError")
    assert producer.sent == ["key-0", "key-2"]
