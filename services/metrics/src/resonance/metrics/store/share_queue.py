"""share.made waiting to be folded into the aggregates (service/fold.py)."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Result, text
from sqlalchemy.ext.asyncio import AsyncSession

# Notified at the commit of every insert (a statement trigger, revision c4e2a8f61d07): the
# folds of every process listen to it.
CHANNEL = "share_queue"

# One statement for a whole poll: the envelopes' JSON, unnested and read server-side (no
# per-row parameters, no JSON work in the consumer). A body that is not an envelope fails the
# statement (a NULL id, or invalid JSON): the runner then parses the events one by one.
_ENQUEUE = text(
    "INSERT INTO share_queue (event_id, tenant, ambassador_id, data) "
    "SELECT e->>'id', e->>'tenant', coalesce(e->'data'->>'ambassador_id', ''), e->>'data' "
    "FROM unnest(CAST(:bodies AS jsonb[])) AS e"
)
# The oldest waiting rows; SKIP LOCKED lets several metrics replicas fold side by side.
_TAKE = text(
    "DELETE FROM share_queue WHERE seq = ANY(ARRAY("
    "SELECT seq FROM share_queue WHERE parked IS NULL ORDER BY seq LIMIT :limit "
    "FOR UPDATE SKIP LOCKED)) RETURNING seq, event_id, tenant, ambassador_id, data"
)
_TAKE_ONE = text(
    "DELETE FROM share_queue WHERE seq = :seq AND parked IS NULL "
    "RETURNING seq, event_id, tenant, ambassador_id, data"
)
# Waits for a fold holding the person's rows: what it applied is committed before we go on.
_TAKE_PERSON = text(
    "DELETE FROM share_queue WHERE tenant = :tenant AND ambassador_id = :who AND parked IS NULL "
    "RETURNING seq, event_id, tenant, ambassador_id, data"
)
_OLDEST = text(
    "SELECT seq FROM share_queue WHERE parked IS NULL ORDER BY seq LIMIT :limit "
    "FOR UPDATE SKIP LOCKED"
)


@dataclass(frozen=True)
class Queued:
    seq: int
    event_id: str
    tenant: str
    ambassador_id: str
    data: str


async def enqueue(session: AsyncSession, envelopes: list[bytes]) -> None:
    """Appends events, each the JSON of its envelope."""
    if not envelopes:
        return
    await session.execute(_ENQUEUE, {"bodies": [body.decode() for body in envelopes]})


def _queued(rows: Result[Any]) -> list[Queued]:
    return sorted((Queued(*row) for row in rows), key=lambda q: q.seq)


async def take(session: AsyncSession, limit: int) -> list[Queued]:
    """Removes and returns the oldest waiting rows (in queue order)."""
    return _queued(await session.execute(_TAKE, {"limit": limit}))


async def take_one(session: AsyncSession, seq: int) -> list[Queued]:
    return _queued(await session.execute(_TAKE_ONE, {"seq": seq}))


async def take_person(session: AsyncSession, tenant: str, who: str) -> list[Queued]:
    return _queued(await session.execute(_TAKE_PERSON, {"tenant": tenant, "who": who}))


async def oldest(session: AsyncSession, limit: int) -> list[int]:
    return [int(seq) for seq in (await session.execute(_OLDEST, {"limit": limit})).scalars()]


async def park_rows(session: AsyncSession, rows: list[tuple[Queued, str]]) -> None:
    """Puts taken rows back, parked with their reasons."""
    if not rows:
        return
    await session.execute(
        text(
            "INSERT INTO share_queue (event_id, tenant, ambassador_id, data, parked) "
            "VALUES (:event_id, :tenant, :who, :data, :reason)"
        ),
        [
            {
                "event_id": q.event_id,
                "tenant": q.tenant,
                "who": q.ambassador_id,
                "data": q.data,
                "reason": reason[:500],
            }
            for q, reason in rows
        ],
    )


async def park(session: AsyncSession, seq: int, reason: str) -> None:
    await session.execute(
        text("UPDATE share_queue SET parked = :reason WHERE seq = :seq"),
        {"seq": seq, "reason": reason[:500]},
    )


_HEALTH = text(
    "SELECT (SELECT extract(epoch FROM now() - queued_at) FROM share_queue "
    "WHERE parked IS NULL ORDER BY seq LIMIT 1), "
    "(SELECT count(*) FROM share_queue WHERE parked IS NOT NULL)"
)


async def health(session: AsyncSession) -> tuple[float, int]:
    """(seconds the oldest waiting row has waited, 0 when none; rows parked)."""
    age, parked = (await session.execute(_HEALTH)).one()
    return float(age or 0.0), int(parked)
