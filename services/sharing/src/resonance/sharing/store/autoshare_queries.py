"""Queries for planning a campaign's auto-shares for thousands of people at once: a few set
queries per launch instead of a few per person (a launch is planned in one transaction)."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from resonance.sharing.store.tables import CANCELLED, CONNECTED, FAILED, Connection, Share

# Enough ids per statement to keep round trips few and bind parameters far below the limit.
_CHUNK = 1000


def _chunks(values: Sequence[str]) -> list[Sequence[str]]:
    return [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]


async def connected(
    session: AsyncSession, tenant: str, ambassador_ids: Sequence[str]
) -> dict[tuple[str, str], Connection]:
    """The working connections of these people, by (ambassador id, network)."""
    found: dict[tuple[str, str], Connection] = {}
    for chunk in _chunks(ambassador_ids):
        rows = await session.execute(
            select(Connection).where(
                col(Connection.tenant) == tenant,
                col(Connection.ambassador_id).in_(chunk),
                col(Connection.status) == CONNECTED,
            )
        )
        for connection in rows.scalars():
            found[(connection.ambassador_id, connection.network)] = connection
    return found


async def slot_times(
    session: AsyncSession,
    tenant: str,
    ambassador_ids: Sequence[str],
    since: datetime,
    until: datetime,
) -> dict[tuple[str, str], list[datetime]]:
    """When these people's shares are (or were) due in [since, until), per (ambassador id,
    network), sorted; cancelled and failed shares use no slot."""
    slots: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for chunk in _chunks(ambassador_ids):
        rows = await session.execute(
            select(Share.ambassador_id, Share.network, Share.scheduled_for)
            .where(
                col(Share.tenant) == tenant,
                col(Share.ambassador_id).in_(chunk),
                col(Share.scheduled_for) >= since,
                col(Share.scheduled_for) < until,
                col(Share.status).not_in((CANCELLED, FAILED)),
            )
            .order_by(col(Share.scheduled_for))
        )
        for ambassador_id, network, at in rows.all():
            slots[(ambassador_id, network)].append(at)
    return slots


async def existing_fingerprints(
    session: AsyncSession, tenant: str, fingerprints: Sequence[str]
) -> set[str]:
    done: set[str] = set()
    for chunk in _chunks(fingerprints):
        rows = await session.execute(
            select(Share.fingerprint).where(
                col(Share.tenant) == tenant, col(Share.fingerprint).in_(chunk)
            )
        )
        done.update(str(f) for f in rows.scalars())
    return done
