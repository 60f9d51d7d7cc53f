"""Background job: publishes scheduled items when due and expires items past their window."""

import asyncio
import logging
from datetime import UTC, datetime

from sqlalchemy import select

from resonance.common.service import Runtime
from resonance.content.domain.workflow import Status
from resonance.content.events.publishing import announce_retired, publish
from resonance.content.store.items import record
from resonance.content.store.tables import ContentItem

log = logging.getLogger(__name__)

SYSTEM = "system:scheduler"
BATCH = 200


async def publish_due(runtime: Runtime, now: datetime | None = None) -> int:
    now = now or datetime.now(UTC)
    async with runtime.db.transaction() as session:
        due = list(
            (
                await session.execute(
                    select(ContentItem)
                    .where(
                        ContentItem.status == Status.SCHEDULED,
                        ContentItem.publish_at <= now,  # type: ignore[operator]
                    )
                    .order_by(ContentItem.publish_at)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            ).scalars()
        )
        for item in due:
            if item.expires_at is not None and item.expires_at <= now:
                item.status = Status.EXPIRED
                item.retired_at = now
                item.retire_reason = "expired"
                record(session, item, SYSTEM, "expire", Status.SCHEDULED, now)
                continue
            await publish(session, runtime.outbox, item, now)
            record(session, item, SYSTEM, "publish", Status.SCHEDULED, now)
    return len(due)


async def expire_past(runtime: Runtime, now: datetime | None = None) -> int:
    now = now or datetime.now(UTC)
    async with runtime.db.transaction() as session:
        past = list(
            (
                await session.execute(
                    select(ContentItem)
                    .where(
                        ContentItem.status == Status.PUBLISHED,
                        ContentItem.expires_at.is_not(None),  # type: ignore[union-attr]
                        ContentItem.expires_at <= now,  # type: ignore[operator]
                    )
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            ).scalars()
        )
        for item in past:
            item.status = Status.EXPIRED
            item.retired_at = now
            item.retire_reason = "expired"
            item.updated_at = now
            await announce_retired(session, runtime.outbox, item, "expired")
            record(session, item, SYSTEM, "expire", Status.PUBLISHED, now)
    return len(past)


async def run_scheduler(runtime: Runtime) -> None:
    interval = float(getattr(runtime.settings, "scheduler_interval_s", 5.0))
    while True:
        try:
            while await publish_due(runtime) == BATCH:
                pass
            while await expire_past(runtime) == BATCH:
                pass
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("scheduler iteration failed; retrying")
        await asyncio.sleep(interval)
