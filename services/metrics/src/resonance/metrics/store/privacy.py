"""Queries behind a person's data export: what this service keeps about one ambassador.

The preferences are selected column by column: the unsubscribe token is a secret (it
unsubscribes without signing in) and never reaches an export. Each list is newest first and
at most `limit` rows."""

from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.store.tables import Ambassador, AmbassadorPrefs, Connection, Membership
from resonance.metrics.store.tables_activity import AmbassadorCounters, AmbassadorDaily, ShareFact
from resonance.metrics.store.tables_gamification import (
    BadgeAward,
    BoardScore,
    ChallengeProgressRow,
    ChallengeRow,
    LedgerRow,
    PointBalance,
    RedemptionRow,
    RewardRow,
)
from resonance.metrics.store.tables_reports import DigestRow, NudgeRow

PREFERENCE_COLUMNS = (
    AmbassadorPrefs.hidden,
    AmbassadorPrefs.email,
    AmbassadorPrefs.suggestions,
    AmbassadorPrefs.updated_at,
)


async def _rows(session: AsyncSession, query: Select[Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in (await session.execute(query)).mappings()]


async def _models(session: AsyncSession, query: Select[Any]) -> list[Any]:
    return list((await session.execute(query)).scalars())


async def person(session: AsyncSession, tenant: str, ambassador_id: str) -> Ambassador | None:
    return await session.get(Ambassador, (tenant, ambassador_id))


async def preferences(
    session: AsyncSession, tenant: str, ambassador_id: str
) -> dict[str, Any] | None:
    """Whether they hide from public boards (rank privacy), their digest address, nudges."""
    found = await _rows(
        session,
        select(*PREFERENCE_COLUMNS).where(
            AmbassadorPrefs.tenant == tenant, AmbassadorPrefs.ambassador_id == ambassador_id
        ),
    )
    return found[0] if found else None


async def balance(session: AsyncSession, tenant: str, ambassador_id: str) -> PointBalance | None:
    return await session.get(PointBalance, (tenant, ambassador_id))


async def counters(
    session: AsyncSession, tenant: str, ambassador_id: str
) -> AmbassadorCounters | None:
    return await session.get(AmbassadorCounters, (tenant, ambassador_id))


async def memberships(
    session: AsyncSession, tenant: str, ambassador_id: str, limit: int
) -> list[Membership]:
    return await _models(
        session,
        select(Membership)
        .where(Membership.tenant == tenant, Membership.ambassador_id == ambassador_id)
        .order_by(Membership.programme_id)
        .limit(limit),
    )


async def connections(
    session: AsyncSession, tenant: str, ambassador_id: str, limit: int
) -> list[Connection]:
    return await _models(
        session,
        select(Connection)
        .where(Connection.tenant == tenant, Connection.ambassador_id == ambassador_id)
        .order_by(Connection.connected_at.desc(), Connection.connection_id)
        .limit(limit),
    )


async def shares(
    session: AsyncSession, tenant: str, ambassador_id: str, limit: int
) -> list[ShareFact]:
    return await _models(
        session,
        select(ShareFact)
        .where(ShareFact.tenant == tenant, ShareFact.ambassador_id == ambassador_id)
        .order_by(ShareFact.day.desc(), ShareFact.share_id)
        .limit(limit),
    )


async def daily_activity(
    session: AsyncSession, tenant: str, ambassador_id: str, limit: int
) -> list[AmbassadorDaily]:
    return await _models(
        session,
        select(AmbassadorDaily)
        .where(AmbassadorDaily.tenant == tenant, AmbassadorDaily.ambassador_id == ambassador_id)
        .order_by(AmbassadorDaily.day.desc())
        .limit(limit),
    )


async def ledger(
    session: AsyncSession, tenant: str, ambassador_id: str, limit: int
) -> list[dict[str, Any]]:
    """Every point given or taken, and why."""
    return await _rows(
        session,
        select(
            LedgerRow.id,
            LedgerRow.amount,
            LedgerRow.reason,
            LedgerRow.source_id,
            LedgerRow.occurred_at,
            LedgerRow.recorded_at,
        )
        .where(LedgerRow.tenant == tenant, LedgerRow.ambassador_id == ambassador_id)
        .order_by(LedgerRow.id.desc())
        .limit(limit),
    )


async def board_scores(
    session: AsyncSession, tenant: str, ambassador_id: str, limit: int
) -> list[BoardScore]:
    return await _models(
        session,
        select(BoardScore)
        .where(BoardScore.tenant == tenant, BoardScore.ambassador_id == ambassador_id)
        .order_by(BoardScore.reached_at.desc(), BoardScore.kind, BoardScore.label)
        .limit(limit),
    )


async def badges(
    session: AsyncSession, tenant: str, ambassador_id: str, limit: int
) -> list[BadgeAward]:
    return await _models(
        session,
        select(BadgeAward)
        .where(BadgeAward.tenant == tenant, BadgeAward.ambassador_id == ambassador_id)
        .order_by(BadgeAward.awarded_at.desc(), BadgeAward.code)
        .limit(limit),
    )


async def challenge_progress(
    session: AsyncSession, tenant: str, ambassador_id: str, limit: int
) -> list[dict[str, Any]]:
    return await _rows(
        session,
        select(
            ChallengeProgressRow.challenge_id,
            ChallengeRow.title,
            ChallengeRow.metric,
            ChallengeRow.target,
            ChallengeProgressRow.value,
            ChallengeProgressRow.completed_at,
        )
        .join(ChallengeRow, ChallengeRow.id == ChallengeProgressRow.challenge_id)
        .where(
            ChallengeProgressRow.tenant == tenant,
            ChallengeProgressRow.ambassador_id == ambassador_id,
        )
        .order_by(ChallengeRow.starts_at.desc(), ChallengeRow.id)
        .limit(limit),
    )


async def redemptions(
    session: AsyncSession, tenant: str, ambassador_id: str, limit: int
) -> list[dict[str, Any]]:
    return await _rows(
        session,
        select(
            RedemptionRow.id,
            RedemptionRow.reward_id,
            RewardRow.title.label("reward_title"),
            RedemptionRow.status,
            RedemptionRow.cost,
            RedemptionRow.note,
            RedemptionRow.requested_at,
            RedemptionRow.updated_at,
        )
        .join(RewardRow, RewardRow.id == RedemptionRow.reward_id, isouter=True)
        .where(RedemptionRow.tenant == tenant, RedemptionRow.ambassador_id == ambassador_id)
        .order_by(RedemptionRow.requested_at.desc(), RedemptionRow.id)
        .limit(limit),
    )


async def nudges(
    session: AsyncSession, tenant: str, ambassador_id: str, limit: int
) -> list[dict[str, Any]]:
    """Re-engagement mails: when, with which suggested items, and how the sending went."""
    return await _rows(
        session,
        select(NudgeRow.content_ids, NudgeRow.status, NudgeRow.sent_at)
        .where(NudgeRow.tenant == tenant, NudgeRow.ambassador_id == ambassador_id)
        .order_by(NudgeRow.sent_at.desc(), NudgeRow.key)
        .limit(limit),
    )


async def digests_about(
    session: AsyncSession, tenant: str, ambassador_id: str, address: str | None, limit: int
) -> list[dict[str, Any]]:
    """The digests that name the person (a top-sharers list) or were mailed to their address
    (the figures in them are the programme's, not theirs)."""
    about = [DigestRow.html.contains(ambassador_id)]
    if address:
        about.append(DigestRow.recipients.any(address))
    return await _rows(
        session,
        select(DigestRow.id, DigestRow.label, DigestRow.month, DigestRow.status, DigestRow.sent_at)
        .where(DigestRow.tenant == tenant, or_(*about))
        .order_by(DigestRow.created_at.desc(), DigestRow.id)
        .limit(limit),
    )
