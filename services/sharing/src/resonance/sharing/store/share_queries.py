"""Queries on shares (the core table) for the shares API, links, caps and erasure. Queries and
writes only: service/ decides."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.sharing.store.share_views import ContentView, ShareReach, SharingPolicy
from resonance.sharing.store.tables import CANCELLED, FAILED, SCHEDULED, Share

# Shares that used (or will use) a slot of the day: everything but cancelled and failed ones.
_COUNTED = (CANCELLED, FAILED)


async def get(
    session: AsyncSession, tenant: str, share_id: str, *, lock: bool = False
) -> Share | None:
    query = select(Share).where(Share.tenant == tenant, Share.id == share_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def page(
    session: AsyncSession,
    tenant: str,
    ambassador_id: str,
    limit: int,
    after: tuple[datetime, str] | None,
) -> list[Share]:
    """One page of a person's shares, newest first, after the (created_at, id) given."""
    query = select(Share).where(Share.tenant == tenant, Share.ambassador_id == ambassador_id)
    if after is not None:
        created_at, share_id = after
        query = query.where(
            or_(
                Share.created_at < created_at,
                and_(Share.created_at == created_at, Share.id < share_id),
            )
        )
    query = query.order_by(Share.created_at.desc(), Share.id.desc())
    return list((await session.execute(query.limit(limit))).scalars())


# Built once (its cache key is memoised; building it costs more CPU than executing it).
_SLOT_TIMES = (
    select(Share.scheduled_for)
    .where(
        Share.tenant == bindparam("tenant"),
        Share.ambassador_id == bindparam("ambassador_id"),
        Share.network == bindparam("network"),
        Share.scheduled_for >= bindparam("since"),
        Share.scheduled_for < bindparam("until"),
        Share.status.not_in(_COUNTED),
    )
    .order_by(Share.scheduled_for)
)


async def slot_times(
    session: AsyncSession,
    tenant: str,
    ambassador_id: str,
    network: str,
    since: datetime,
    until: datetime,
) -> list[datetime]:
    """When a person's shares on a network are (or were) due in [since, until), sorted."""
    params = {
        "tenant": tenant,
        "ambassador_id": ambassador_id,
        "network": network,
        "since": since,
        "until": until,
    }
    return list((await session.execute(_SLOT_TIMES, params)).scalars())


@dataclass(frozen=True)
class LinkTarget:
    """What a tracked link resolves to; immutable once the share exists, hence cacheable."""

    code: str
    tenant: str
    share_id: str
    ambassador_id: str
    network: str
    content_id: str | None
    campaign_id: str | None
    destination: str | None
    utm_medium: str | None
    internal_networks: tuple[str, ...] = ()


async def link_target(session: AsyncSession, code: str) -> LinkTarget | None:
    """One indexed read: the share behind `code` and its item's address."""
    row = (
        await session.execute(
            select(
                Share.link_code,
                Share.tenant,
                Share.id,
                Share.ambassador_id,
                Share.network,
                Share.content_id,
                Share.campaign_id,
                ContentView.url,
                SharingPolicy.utm_medium,
                SharingPolicy.internal_networks,
            )
            .select_from(Share)
            .outerjoin(
                ContentView,
                and_(
                    ContentView.tenant == Share.tenant,
                    ContentView.content_id == Share.content_id,
                ),
            )
            .outerjoin(SharingPolicy, SharingPolicy.tenant == Share.tenant)
            .where(Share.link_code == code)
        )
    ).first()
    if row is None:
        return None
    return LinkTarget(
        code=str(row[0]),
        tenant=row[1],
        share_id=row[2],
        ambassador_id=row[3],
        network=row[4],
        content_id=row[5],
        campaign_id=row[6],
        destination=row[7],
        utm_medium=row[8],
        internal_networks=tuple(row[9] or ()),
    )


async def self_reported(session: AsyncSession, share_ids: list[str]) -> list[Share]:
    """Those of `share_ids` still counted on the person's word alone (locked)."""
    if not share_ids:
        return []
    rows = await session.execute(
        select(Share)
        .where(Share.id.in_(share_ids), Share.self_reported.is_(True))
        .with_for_update()
    )
    return list(rows.scalars())


async def forget_ambassador(
    session: AsyncSession, tenant: str, ambassador_id: str, now: datetime
) -> None:
    """Erasure: shares not posted yet are cancelled; every share of the person loses its text,
    post address and error text; reach polling stops. Ids, networks and counts remain."""
    mine = and_(Share.tenant == tenant, Share.ambassador_id == ambassador_id)
    await session.execute(
        update(Share)
        .where(mine, Share.status == SCHEDULED)
        .values(status=CANCELLED, reason="erased", updated_at=now)
    )
    await session.execute(
        update(Share)
        .where(mine)
        .values(text="", post_url=None, post_id=None, error=None, updated_at=now)
    )
    await session.execute(
        update(ShareReach)
        .where(
            ShareReach.tenant == tenant,
            ShareReach.share_id.in_(select(Share.id).where(mine).scalar_subquery()),
        )
        .values(next_poll_at=None)
    )
