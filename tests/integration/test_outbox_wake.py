"""The relay sends what its own process commits at once, not at its next poll: a commit that
wrote outbox rows wakes it (Outbox.committed). Rows another process writes wait for the poll;
a transaction rolled back wakes nothing."""

import asyncio
import time

from sqlalchemy import text

from resonance.common.events.catalogue import ContentPublished
from resonance.devstack.testing import Infra, RunningService, eventually, running_service

POLL_S = 30.0  # far longer than the test: only a wake-up can send in time


async def _sent(svc: RunningService, event_id: str) -> bool:
    async with svc.runtime.db.session() as session:
        sent = await session.execute(
            text("SELECT sent_at IS NOT NULL FROM outbox WHERE event_id = :id"), {"id": event_id}
        )
        return bool(sent.scalar())


async def test_a_commit_wakes_the_relay_of_its_process(infra: Infra) -> None:
    async with running_service(infra, "content", relay_poll_interval_s=POLL_S) as svc:
        await asyncio.sleep(1)  # the relay's first round is over: it waits for its poll
        event = ContentPublished(content_id="k1", family="market", format="text", title="t")
        started = time.monotonic()
        async with svc.runtime.unit_of_work() as uow:
            envelope = await uow.emit("acme", event)
        await eventually(lambda: _sent(svc, envelope.id), timeout=10)
        assert time.monotonic() - started < 3  # at its poll it would have taken 30 s

        # Written in the database by someone else (another process): no wake-up, it waits.
        async with svc.runtime.db.transaction() as session:
            await session.execute(
                text(
                    "INSERT INTO outbox (event_id, topic, key, shard, event_type, tenant, "
                    "payload, headers) SELECT 'elsewhere', topic, key, shard, event_type, "
                    "tenant, payload, headers FROM outbox WHERE event_id = :id"
                ),
                {"id": envelope.id},
            )
        rolled_back = None
        try:
            async with svc.runtime.unit_of_work() as uow:
                rolled_back = await uow.emit("acme", event)
                raise RuntimeError("the change fails: nothing is committed")
        except RuntimeError:
            pass
        await asyncio.sleep(2)
        assert not await _sent(svc, "elsewhere")
        assert rolled_back is not None and not await _sent(svc, rolled_back.id)
