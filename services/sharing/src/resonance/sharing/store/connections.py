"""Queries on connections and OAuth states. Queries and writes only: service/ decides."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, exists, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from resonance.sharing.store.tables import CONNECTED, DISCONNECTED, Connection, OAuthState


async def state(session: AsyncSession, state_hash: str) -> OAuthState | None:
    """The OAuth state row, locked: one callback at a time may consume it."""
    query = select(OAuthState).where(col(OAuthState.state_hash) == state_hash).with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def purge_states(session: AsyncSession, before: datetime) -> None:
    await session.execute(delete(OAuthState).where(col(OAuthState.expires_at) < before))


async def owned(
    session: AsyncSession,
    tenant: str,
    ambassador_id: str,
    connection_id: str,
    *,
    lock: bool = False,
) -> Connection | None:
    query = select(Connection).where(
        col(Connection.id) == connection_id,
        col(Connection.tenant) == tenant,
        col(Connection.ambassador_id) == ambassador_id,
    )
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


# Statements of the share and posting paths, built once (their cache keys are memoised;
# building one costs more CPU than executing it); values are bound at execution.
_OF_OWNER = select(Connection).where(
    col(Connection.tenant) == bindparam("tenant"),
    col(Connection.ambassador_id) == bindparam("ambassador_id"),
    col(Connection.network) == bindparam("network"),
)
_OF_OWNER_LOCKED = _OF_OWNER.with_for_update()
_BY_ID = select(Connection).where(col(Connection.id) == bindparam("id"))
_BY_ID_LOCKED = _BY_ID.with_for_update()


async def of_owner(
    session: AsyncSession, tenant: str, ambassador_id: str, network: str, *, lock: bool = False
) -> Connection | None:
    query = _OF_OWNER_LOCKED if lock else _OF_OWNER
    params = {"tenant": tenant, "ambassador_id": ambassador_id, "network": network}
    return (await session.execute(query, params)).scalar_one_or_none()


async def listed(
    session: AsyncSession,
    tenant: str,
    ambassador_id: str,
    after: tuple[str, str] | None,
    limit: int,
) -> Sequence[Connection]:
    """By network, then id (uq_connections_owner covers the order), strictly after `after`."""
    query = select(Connection).where(
        col(Connection.tenant) == tenant,
        col(Connection.ambassador_id) == ambassador_id,
        col(Connection.status) != DISCONNECTED,
    )
    if after is not None:
        query = query.where(tuple_(col(Connection.network), col(Connection.id)) > after)
    query = query.order_by(col(Connection.network), col(Connection.id)).limit(limit)
    return (await session.execute(query)).scalars().all()


async def of_ambassador(
    session: AsyncSession, tenant: str, ambassador_id: str
) -> Sequence[Connection]:
    """Every connection of one person, whatever its status, locked (erasure)."""
    query = (
        select(Connection)
        .where(col(Connection.tenant) == tenant, col(Connection.ambassador_id) == ambassador_id)
        .with_for_update()
    )
    return (await session.execute(query)).scalars().all()


async def by_id(
    session: AsyncSession, connection_id: str, *, lock: bool = False
) -> Connection | None:
    query = _BY_ID_LOCKED if lock else _BY_ID
    return (await session.execute(query, {"id": connection_id})).scalar_one_or_none()


async def expiring(
    session: AsyncSession, until: datetime, limit: int = 500
) -> Sequence[Connection]:
    """Connected accounts whose token ends before `until` and cannot be refreshed; locked,
    skipping rows another announcer holds."""
    query = (
        select(Connection)
        .where(
            col(Connection.status) == CONNECTED,
            col(Connection.expires_at).is_not(None),
            col(Connection.expires_at) <= until,
            col(Connection.refresh_token_sealed).is_(None),
        )
        .order_by(col(Connection.expires_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(query)).scalars().all()


async def lock_owner(session: AsyncSession, tenant: str, owner: str) -> None:
    """Serialises storing a connection under `owner` (a login subject, when the person's
    enrolment had not arrived) with adopting that subject's connections: each then sees the
    other's committed rows, so neither leaves a connection under a subject."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"connection-owner:{tenant}:{owner}"},
    )


async def adopt(session: AsyncSession, tenant: str, subject: str, ambassador_id: str) -> int:
    """Moves what a person started under their login subject (before their enrolment reached
    this service) to their ambassador id: the connections, except on a network the ambassador
    id already has one for, and the OAuth states still in flight. Returns connections moved."""
    await lock_owner(session, tenant, subject)
    mine = Connection.__table__.alias("mine")
    moved = await session.execute(
        update(Connection)
        .where(
            col(Connection.tenant) == tenant,
            col(Connection.ambassador_id) == subject,
            ~exists().where(
                mine.c.tenant == tenant,
                mine.c.ambassador_id == ambassador_id,
                mine.c.network == col(Connection.network),
            ),
        )
        .values(ambassador_id=ambassador_id)
    )
    await session.execute(
        update(OAuthState)
        .where(col(OAuthState.tenant) == tenant, col(OAuthState.ambassador_id) == subject)
        .values(ambassador_id=ambassador_id)
    )
    return int(getattr(moved, "rowcount", 0) or 0)
