"""How the click recorder takes clicks off the redirect's queue, without PostgreSQL or Kafka:
a batch gathers what arrives while it lingers, never more than its maximum, and a click taken
when the service stops goes back for the final flush."""

import asyncio
from datetime import UTC, datetime

from resonance.sharing.service.links import Click, LinkCache, LinkState, next_batch
from resonance.sharing.store.share_queries import LinkTarget

TARGET = LinkTarget(
    code="Xc8_k2LmQw0a",
    tenant="acme",
    share_id="share-1",
    ambassador_id="amb-1",
    network="x",
    content_id="item-1",
    campaign_id=None,
    destination="https://example.com/news",
    utm_medium=None,
)


def _click(n: int) -> Click:
    return Click(TARGET, f"198.18.0.{n}", "Mozilla/5.0", datetime(2026, 12, 1, tzinfo=UTC))


def _state() -> LinkState:
    return LinkState(LinkCache(10), asyncio.Queue(100), b"secret")


async def test_a_batch_takes_what_arrives_while_it_lingers() -> None:
    state = _state()
    state.queue.put_nowait(_click(1))

    async def late_clicks() -> None:
        await asyncio.sleep(0.01)  # well within the 0.2 s the batch lingers
        state.queue.put_nowait(_click(2))
        state.queue.put_nowait(_click(3))

    arriving = asyncio.create_task(late_clicks())
    batch = await next_batch(state, max_size=10, linger_s=0.2)
    await arriving
    assert [c.ip for c in batch] == ["198.18.0.1", "198.18.0.2", "198.18.0.3"]
    assert state.queue.empty()


async def test_a_full_batch_goes_at_once_and_the_rest_waits_for_the_next() -> None:
    state = _state()
    for n in range(1, 6):
        state.queue.put_nowait(_click(n))
    # Five waiting, batches of two: no lingering (a minute would fail the test by timeout),
    # two, two, then the last one after its linger.
    first = await asyncio.wait_for(next_batch(state, max_size=2, linger_s=60), timeout=5)
    second = await asyncio.wait_for(next_batch(state, max_size=2, linger_s=60), timeout=5)
    third = await next_batch(state, max_size=2, linger_s=0.01)
    assert [[c.ip[-1] for c in b] for b in (first, second, third)] == [
        ["1", "2"],
        ["3", "4"],
        ["5"],
    ]


async def test_a_click_taken_when_the_service_stops_goes_back_for_the_final_flush() -> None:
    state = _state()
    state.queue.put_nowait(_click(1))
    lingering = asyncio.create_task(next_batch(state, max_size=10, linger_s=60))
    await asyncio.sleep(0.01)
    assert state.queue.empty()  # taken, lingering for more
    lingering.cancel()
    await asyncio.gather(lingering, return_exceptions=True)
    assert [c.ip for c in [state.queue.get_nowait()]] == ["198.18.0.1"]
