"""Queries on the local projections (ambassadors, content items, campaigns), the auto-share
opt-ins and the tenant's sharing policy. Queries and writes only: service/ decides."""

from sqlalchemy import String, and_, bindparam, delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from resonance.sharing.store.share_views import (
    AmbassadorView,
    AutoshareConsent,
    CampaignView,
    ContentView,
    SharingPolicy,
)

# The projection row of a token's subject: the one whose login_subject it is, else the one
# whose ambassador_id it is and that has no other login subject (the content service's rule).
_CALLER_SQL = text(
    "SELECT ambassador_id FROM ambassador_views "
    "WHERE tenant = :tenant AND (login_subject = :subject "
    "OR (ambassador_id = :subject AND login_subject IS NULL)) "
    "ORDER BY login_subject IS NOT DISTINCT FROM :subject DESC, updated_at DESC LIMIT 1"
)


async def ambassador_id_for_subject(session: AsyncSession, tenant: str, subject: str) -> str | None:
    found = (
        await session.execute(_CALLER_SQL, {"tenant": tenant, "subject": subject})
    ).scalar_one_or_none()
    return str(found) if found is not None else None


# Statements of the share request's path, built once: building a statement and computing
# its cache key costs about half a millisecond of CPU per execution, more than the rest of
# SQLAlchemy's work; a prebuilt one's key is memoised. Values are bound at execution.
_CALLER_ID = (
    _CALLER_SQL.bindparams(bindparam("tenant"), bindparam("subject"))
    .columns(ambassador_id=String())
    .scalar_subquery()
)
_IS_CALLER = and_(
    col(AmbassadorView.tenant) == bindparam("tenant"),
    col(AmbassadorView.ambassador_id)
    == func.coalesce(_CALLER_ID, bindparam("subject", type_=String())),
)
_CALLER = select(AmbassadorView).where(_IS_CALLER)
_CALLER_LOCKED = _CALLER.with_for_update()
# A share request's context in one round trip: the caller's row (locked: their requests
# count against the caps one after the other), the item and the tenant's policy, each None
# when missing. Driven by the caller's row, so no caller means no row at all.
_SHARE_CONTEXT = (
    select(AmbassadorView, ContentView, SharingPolicy)
    .select_from(AmbassadorView)
    .outerjoin(
        ContentView,
        and_(
            col(ContentView.tenant) == bindparam("tenant"),
            col(ContentView.content_id) == bindparam("content_id"),
        ),
    )
    .outerjoin(SharingPolicy, col(SharingPolicy.tenant) == bindparam("tenant"))
    .where(_IS_CALLER)
    .with_for_update(of=AmbassadorView)
)


async def caller(
    session: AsyncSession, tenant: str, subject: str, *, lock: bool = False
) -> AmbassadorView | None:
    """The projected person behind a token's subject: `ambassador_id_for_subject` (else the
    subject itself), then `ambassador`, in one round trip; `lock` holds their row."""
    query = _CALLER_LOCKED if lock else _CALLER
    params = {"tenant": tenant, "subject": subject}
    return (await session.execute(query, params)).scalar_one_or_none()


async def share_context(
    session: AsyncSession, tenant: str, subject: str, content_id: str
) -> tuple[AmbassadorView | None, ContentView | None, SharingPolicy | None]:
    """The caller behind a token's subject (as `caller`, locked), the item `content_id` and
    the tenant's sharing policy, in one round trip."""
    params = {"tenant": tenant, "subject": subject, "content_id": content_id}
    found = (await session.execute(_SHARE_CONTEXT, params)).one_or_none()
    if found is None:
        return None, None, None
    return found[0], found[1], found[2]


async def ambassador(
    session: AsyncSession, tenant: str, ambassador_id: str, *, lock: bool = False
) -> AmbassadorView | None:
    query = select(AmbassadorView).where(
        AmbassadorView.tenant == tenant, AmbassadorView.ambassador_id == ambassador_id
    )
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def ambassadors(
    session: AsyncSession, tenant: str, ambassador_ids: list[str]
) -> dict[str, AmbassadorView]:
    if not ambassador_ids:
        return {}
    rows = await session.execute(
        select(AmbassadorView).where(
            AmbassadorView.tenant == tenant,
            AmbassadorView.ambassador_id.in_(ambassador_ids),
        )
    )
    return {row.ambassador_id: row for row in rows.scalars()}


_CONTENT = select(ContentView).where(
    col(ContentView.tenant) == bindparam("tenant"),
    col(ContentView.content_id) == bindparam("content_id"),
)
_CONTENT_LOCKED = _CONTENT.with_for_update()


async def content(
    session: AsyncSession, tenant: str, content_id: str, *, lock: bool = False
) -> ContentView | None:
    query = _CONTENT_LOCKED if lock else _CONTENT
    params = {"tenant": tenant, "content_id": content_id}
    return (await session.execute(query, params)).scalar_one_or_none()


async def contents(session: AsyncSession, tenant: str, content_ids: list[str]) -> list[ContentView]:
    if not content_ids:
        return []
    rows = await session.execute(
        select(ContentView).where(
            ContentView.tenant == tenant,
            ContentView.content_id.in_(content_ids),
        )
    )
    return list(rows.scalars())


async def campaign(
    session: AsyncSession, tenant: str, campaign_id: str, *, lock: bool = False
) -> CampaignView | None:
    query = select(CampaignView).where(
        CampaignView.tenant == tenant, CampaignView.campaign_id == campaign_id
    )
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def autoshare_choices(
    session: AsyncSession, tenant: str, ambassador_id: str
) -> list[AutoshareConsent]:
    """The latest opt-in record per network of one person."""
    rows = await session.execute(
        select(AutoshareConsent)
        .where(AutoshareConsent.tenant == tenant, AutoshareConsent.ambassador_id == ambassador_id)
        .order_by(
            AutoshareConsent.network,
            AutoshareConsent.recorded_at.desc(),
        )
        .distinct(AutoshareConsent.network)
    )
    return list(rows.scalars())


async def autoshare_opted_in(session: AsyncSession, tenant: str) -> list[tuple[str, str]]:
    """(ambassador_id, network) of everyone whose latest choice for a network is an opt-in."""
    latest = (
        select(AutoshareConsent)
        .where(AutoshareConsent.tenant == tenant)
        .order_by(
            AutoshareConsent.ambassador_id,
            AutoshareConsent.network,
            AutoshareConsent.recorded_at.desc(),
        )
        .distinct(AutoshareConsent.ambassador_id, AutoshareConsent.network)
        .subquery()
    )
    rows = await session.execute(
        select(latest.c.ambassador_id, latest.c.network)
        .where(latest.c.action == "granted")
        .order_by(latest.c.ambassador_id, latest.c.network)
    )
    return [(str(a), str(n)) for a, n in rows.all()]


async def forget_autoshare(session: AsyncSession, tenant: str, ambassador_id: str) -> None:
    await session.execute(
        delete(AutoshareConsent).where(
            AutoshareConsent.tenant == tenant, AutoshareConsent.ambassador_id == ambassador_id
        )
    )


_POLICY = select(SharingPolicy).where(col(SharingPolicy.tenant) == bindparam("tenant"))
_POLICY_LOCKED = _POLICY.with_for_update()


async def policy(session: AsyncSession, tenant: str, *, lock: bool = False) -> SharingPolicy | None:
    query = _POLICY_LOCKED if lock else _POLICY
    return (await session.execute(query, {"tenant": tenant})).scalar_one_or_none()
