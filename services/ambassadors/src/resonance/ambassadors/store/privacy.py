"""Queries behind a person's data export and erasure, tombstones and the audit trail."""

from datetime import datetime
from typing import Any

from sqlalchemy import cast, delete, or_, select, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.ambassadors.store.tables import (
    ConsentRecord,
    ErasureTombstone,
    Nomination,
    PersonalDataAudit,
    ScimGroup,
    plumbing,
)


async def rows_about(session: AsyncSession, model: Any, tenant: str, employee_id: str) -> list[Any]:
    """Every row of `model` (a table with `tenant` and `employee_id`) about one person."""
    found = await session.execute(
        select(model).where(model.tenant == tenant, model.employee_id == employee_id)
    )
    return list(found.scalars().all())


async def clear_nomination_notes(session: AsyncSession, tenant: str, employee_id: str) -> None:
    await session.execute(
        update(Nomination)
        .where(Nomination.tenant == tenant, Nomination.employee_id == employee_id)
        .values(note=None)
    )


async def clear_consent_reasons(session: AsyncSession, tenant: str, employee_id: str) -> None:
    await session.execute(
        update(ConsentRecord)
        .where(ConsentRecord.tenant == tenant, ConsentRecord.employee_id == employee_id)
        .values(reason=None)
    )


def _has_member(employee_id: str) -> Any:
    return ScimGroup.resource["members"].op("@>")(cast([{"value": employee_id}], JSONB))


async def groups_with_member(
    session: AsyncSession, tenant: str, employee_id: str, *, lock: bool = False
) -> list[ScimGroup]:
    query = select(ScimGroup).where(ScimGroup.tenant == tenant, _has_member(employee_id))
    if lock:
        query = query.with_for_update()
    return list((await session.execute(query)).scalars().all())


async def forget_stored_responses(
    session: AsyncSession, tenant: str, employee_id: str, subjects: list[str]
) -> int:
    """Idempotent replays kept of this person's own requests, or mentioning them."""
    table = plumbing.idempotency
    mentions = [table.c.response_body.contains(employee_id)]
    if subjects:
        mentions.append(table.c.principal.in_(subjects))
    done = await session.execute(
        delete(table).where(table.c.tenant == tenant, or_(*mentions)).returning(table.c.key)
    )
    return len(done.all())


async def add_tombstones(
    session: AsyncSession, tenant: str, hashes: set[str], at: datetime
) -> None:
    for identity_hash in sorted(hashes):
        await session.execute(
            insert(ErasureTombstone)
            .values(tenant=tenant, identity_hash=identity_hash, erased_at=at)
            .on_conflict_do_update(
                index_elements=["tenant", "identity_hash"], set_={"erased_at": at}
            )
        )


async def last_erasure(session: AsyncSession, tenant: str, hashes: set[str]) -> datetime | None:
    """When the latest person known by any of these identifier hashes was erased."""
    if not hashes:
        return None
    found = await session.execute(
        select(ErasureTombstone.erased_at)
        .where(ErasureTombstone.tenant == tenant, ErasureTombstone.identity_hash.in_(hashes))
        .order_by(ErasureTombstone.erased_at.desc())
        .limit(1)
    )
    return found.scalar_one_or_none()


async def audit_page(
    session: AsyncSession, tenant: str, after: tuple[datetime, str] | None, limit: int
) -> list[PersonalDataAudit]:
    """The tenant's audit trail, oldest first, `limit` rows after the cursor."""
    query = select(PersonalDataAudit).where(PersonalDataAudit.tenant == tenant)
    if after is not None:
        at, last_id = after
        query = query.where(
            or_(
                PersonalDataAudit.at > at,
                (PersonalDataAudit.at == at) & (PersonalDataAudit.id > last_id),
            )
        )
    rows = await session.execute(
        query.order_by(PersonalDataAudit.at, PersonalDataAudit.id).limit(limit)
    )
    return list(rows.scalars().all())


async def audit_about(session: AsyncSession, tenant: str, employee_id: str) -> list[Any]:
    return await rows_about(session, PersonalDataAudit, tenant, employee_id)
