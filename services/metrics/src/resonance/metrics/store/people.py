"""The people projection: ambassadors, memberships, connections, preferences, and erasure.
Queries and writes only; service/people.py decides what to apply."""

import hashlib
from datetime import datetime

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.store.tables import (
    Ambassador,
    AmbassadorPrefs,
    Connection,
    Erasure,
    Membership,
)

# The caller's row: the one whose login_subject is the token's subject, else the one whose
# ambassador_id is and that has no other login subject (a token whose subject merely equals
# someone's id is not that person).
_CALLER_SQL = text(
    "SELECT ambassador_id FROM ambassadors "
    "WHERE tenant = :tenant AND NOT erased AND (login_subject = :subject "
    "OR (ambassador_id = :subject AND login_subject IS NULL)) "
    "ORDER BY login_subject IS NOT DISTINCT FROM :subject DESC, updated_at DESC LIMIT 1"
)


async def ambassador_id_of(session: AsyncSession, tenant: str, subject: str) -> str | None:
    found = (
        await session.execute(_CALLER_SQL, {"tenant": tenant, "subject": subject})
    ).scalar_one_or_none()
    return None if found is None else str(found)


async def person(
    session: AsyncSession, tenant: str, ambassador_id: str, *, for_update: bool = False
) -> Ambassador | None:
    query = select(Ambassador).where(
        Ambassador.tenant == tenant, Ambassador.ambassador_id == ambassador_id
    )
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def membership(
    session: AsyncSession, tenant: str, programme_id: str, ambassador_id: str
) -> Membership | None:
    return (
        await session.execute(
            select(Membership)
            .where(
                Membership.tenant == tenant,
                Membership.programme_id == programme_id,
                Membership.ambassador_id == ambassador_id,
            )
            .with_for_update()
        )
    ).scalar_one_or_none()


async def memberships_of(
    session: AsyncSession, tenant: str, ambassador_id: str
) -> list[Membership]:
    return list(
        (
            await session.execute(
                select(Membership)
                .where(Membership.tenant == tenant, Membership.ambassador_id == ambassador_id)
                .with_for_update()
            )
        ).scalars()
    )


async def connection(session: AsyncSession, tenant: str, connection_id: str) -> Connection | None:
    return (
        await session.execute(
            select(Connection)
            .where(Connection.tenant == tenant, Connection.connection_id == connection_id)
            .with_for_update()
        )
    ).scalar_one_or_none()


async def audience_of(
    session: AsyncSession, tenant: str, ambassador_id: str, network: str
) -> int | None:
    """The largest audience of the person's live connections on `network`, if known."""
    found = await session.execute(
        text(
            "SELECT max(audience_size) FROM connections WHERE tenant = :tenant "
            "AND ambassador_id = :who AND network = :network AND disconnected_at IS NULL"
        ),
        {"tenant": tenant, "who": ambassador_id, "network": network},
    )
    value = found.scalar_one_or_none()
    return None if value is None else int(value)


async def prefs(
    session: AsyncSession, tenant: str, ambassador_id: str, *, for_update: bool = False
) -> AmbassadorPrefs | None:
    query = select(AmbassadorPrefs).where(
        AmbassadorPrefs.tenant == tenant, AmbassadorPrefs.ambassador_id == ambassador_id
    )
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def prefs_by_token(session: AsyncSession, token: str) -> AmbassadorPrefs | None:
    return (
        await session.execute(
            select(AmbassadorPrefs).where(AmbassadorPrefs.unsubscribe_token == token)
        )
    ).scalar_one_or_none()


def person_hash(tenant: str, ambassador_id: str) -> str:
    return hashlib.sha256(f"{tenant}\x00{ambassador_id}".encode()).hexdigest()


async def record_erasure(
    session: AsyncSession, tenant: str, ambassador_id: str, at: datetime
) -> None:
    await session.execute(
        insert(Erasure)
        .values(tenant=tenant, person_hash=person_hash(tenant, ambassador_id), erased_at=at)
        .on_conflict_do_nothing()
    )


async def is_erased(session: AsyncSession, tenant: str, ambassador_id: str) -> bool:
    found = await session.execute(
        select(Erasure.tenant).where(
            Erasure.tenant == tenant, Erasure.person_hash == person_hash(tenant, ambassador_id)
        )
    )
    return found.first() is not None


# Tables whose rows are anonymous aggregates once re-keyed (counts stay right: one anonymous
# id stands for one erased person). The span moves before the activity: the person-months
# the activity's move creates are flagged from the anonymous id's span (member months).
REKEYED = (
    "ambassadors",
    "memberships",
    "population_spans",
    "connections",
    "daily_activity",
    "ambassador_daily",
    "retention_marks",
)
# Tables of personal gamification and choices: deleted outright.
DELETED = (
    "ambassador_prefs",
    "ambassador_counters",
    "points_ledger",
    "point_balances",
    "board_scores",
    "badge_awards",
    "challenge_progress",
    "nudges",
)


async def rekey_person(session: AsyncSession, tenant: str, ambassador_id: str, anon: str) -> None:
    """Moves the person's aggregate rows to the anonymous id `anon`."""
    for table in REKEYED:
        await session.execute(
            text(
                f"UPDATE {table} SET ambassador_id = :anon "  # noqa: S608 - fixed table names
                "WHERE tenant = :tenant AND ambassador_id = :who"
            ),
            {"tenant": tenant, "who": ambassador_id, "anon": anon},
        )
    await session.execute(
        text(
            "UPDATE share_facts SET ambassador_id = :anon "
            "WHERE tenant = :tenant AND ambassador_id = :who"
        ),
        {"tenant": tenant, "who": ambassador_id, "anon": anon},
    )


async def delete_personal(session: AsyncSession, tenant: str, ambassador_id: str) -> None:
    for table in DELETED:
        await session.execute(
            text(
                f"DELETE FROM {table} "  # noqa: S608 - fixed table names
                "WHERE tenant = :tenant AND ambassador_id = :who"
            ),
            {"tenant": tenant, "who": ambassador_id},
        )
    # Caps counted per person-day name the person in their key.
    await session.execute(
        text("DELETE FROM award_counters WHERE tenant = :tenant AND counter_key LIKE :prefix"),
        {"tenant": tenant, "prefix": f"clickday:{ambassador_id}:%"},
    )


async def clear_personal_fields(session: AsyncSession, tenant: str, anon: str) -> None:
    await session.execute(
        update(Ambassador)
        .where(Ambassador.tenant == tenant, Ambassador.ambassador_id == anon)
        .values(
            login_subject=None,
            timezone=None,
            quiet_hours_start=None,
            quiet_hours_end=None,
            working_days=[],
            next_allowed_nudge_at=None,
            worker_type=None,
            stage=None,
            active=False,
            erased=True,
        )
    )
