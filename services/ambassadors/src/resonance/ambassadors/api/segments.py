"""Segments per programme: eligible, invited, enrolled, active — the participation funnel."""

from datetime import UTC, datetime, timedelta
from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.ambassadors.api.programmes import load_programme
from resonance.ambassadors.domain.audience import AudienceRules, matches
from resonance.ambassadors.settings import AmbassadorsSettings
from resonance.ambassadors.store.people import person_of
from resonance.ambassadors.store.tables import Employee, Enrolment, Invitation
from resonance.common.auth import Principal, Role, require_roles
from resonance.common.service import Runtime, runtime_of

router = APIRouter(tags=["segments"])
read = require_roles(Role.PROGRAM_MANAGER, Role.COMMUNICATOR)
State = Literal["eligible", "invited", "enrolled", "active"]


class SegmentCounts(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "programme_id": "0c3b...",
                    "eligible": 1200,
                    "invited": 900,
                    "enrolled": 240,
                    "active": 130,
                    "participation_rate": 0.2,
                    "active_rate": 0.5417,
                    "active_window_days": 30,
                    "computed_at": "2026-05-04T10:00:00Z",
                }
            ]
        }
    )

    programme_id: str
    eligible: int
    invited: int
    enrolled: int
    active: int
    participation_rate: float
    active_rate: float
    active_window_days: int
    computed_at: datetime


class Member(BaseModel):
    ambassador_id: str
    display_name: str | None
    job_family: str | None
    site: str | None
    country: str | None
    worker_type: str | None
    stage: str
    last_share_at: datetime | None


class MemberPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "programme_id": "0c3b...",
                    "state": "enrolled",
                    "total": 1,
                    "items": [
                        {
                            "ambassador_id": "5f1c...",
                            "display_name": "Léa Martin",
                            "job_family": "Engineering",
                            "site": "Lyon",
                            "country": "FR",
                            "worker_type": "office",
                            "stage": "sharer",
                            "last_share_at": "2026-05-03T08:00:00Z",
                        }
                    ],
                }
            ]
        }
    )

    programme_id: str
    state: State
    total: int
    items: list[Member]


class PreviewIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"audience": {"countries": ["FR"], "worker_types": ["frontline"]}}]
        },
    )

    audience: AudienceRules


class PreviewOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"eligible": 1200, "sample": []}]})

    eligible: int
    sample: list[Member]


def _member(row: Employee) -> Member:
    return Member(
        ambassador_id=row.id, **row.model_dump(include=set(Member.model_fields) - {"ambassador_id"})
    )


async def _people(session: AsyncSession, tenant: str) -> list[Employee]:
    rows = await session.execute(
        select(Employee)
        .where(
            Employee.tenant == tenant,
            Employee.active.is_(True),  # type: ignore[attr-defined]
            Employee.erased_at.is_(None),  # type: ignore[union-attr]
        )
        .order_by(Employee.created_at, Employee.id)
    )
    return list(rows.scalars().all())


async def _segments(
    session: AsyncSession, tenant: str, programme_id: str, audience: AudienceRules, window_days: int
) -> dict[str, list[Employee]]:
    people = await _people(session, tenant)
    invited_ids = set(
        (
            await session.execute(
                select(Invitation.employee_id).where(
                    Invitation.tenant == tenant,
                    Invitation.programme_id == programme_id,
                    Invitation.sent_at.is_not(None),  # type: ignore[union-attr]
                )
            )
        ).scalars()
    )
    enrolled_ids = set(
        (
            await session.execute(
                select(Enrolment.employee_id).where(
                    Enrolment.tenant == tenant,
                    Enrolment.programme_id == programme_id,
                    Enrolment.status == "active",
                )
            )
        ).scalars()
    )
    since = datetime.now(UTC) - timedelta(days=window_days)
    return {
        "eligible": [p for p in people if matches(audience, person_of(p))],
        "invited": [p for p in people if p.id in invited_ids],
        "enrolled": [p for p in people if p.id in enrolled_ids],
        "active": [
            p
            for p in people
            if p.id in enrolled_ids and p.last_share_at is not None and p.last_share_at >= since
        ],
    }


def _window(runtime: Runtime, override: int | None) -> int:
    settings = runtime.settings
    assert isinstance(settings, AmbassadorsSettings)
    return override or settings.active_window_days


@router.get(
    "/v1/programmes/{programme_id}/segments",
    response_model=SegmentCounts,
    summary="Eligible / invited / enrolled / active counts and participation rate",
    description="`participation_rate` = enrolled / eligible; `active_rate` = active / enrolled, active "
    "meaning a share within the window. Only current employees are counted.",
)
async def segment_counts(
    programme_id: str,
    active_window_days: int | None = Query(default=None, ge=1, le=365),
    principal: Principal = Depends(read),
    runtime: Runtime = Depends(runtime_of),
) -> SegmentCounts:
    window = _window(runtime, active_window_days)
    async with runtime.db.session() as session:
        programme = await load_programme(session, principal.tenant, programme_id)
        seg = await _segments(
            session,
            principal.tenant,
            programme.id,
            AudienceRules.model_validate(programme.audience),
            window,
        )
    eligible, enrolled, active = len(seg["eligible"]), len(seg["enrolled"]), len(seg["active"])
    return SegmentCounts(
        programme_id=programme_id,
        eligible=eligible,
        invited=len(seg["invited"]),
        enrolled=enrolled,
        active=active,
        participation_rate=round(enrolled / eligible, 4) if eligible else 0.0,
        active_rate=round(active / enrolled, 4) if enrolled else 0.0,
        active_window_days=window,
        computed_at=datetime.now(UTC),
    )


@router.get(
    "/v1/programmes/{programme_id}/segments/{state}",
    response_model=MemberPage,
    summary="The people in one segment (paged)",
)
async def segment_members(
    programme_id: str,
    state: State,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
    active_window_days: int | None = Query(default=None, ge=1, le=365),
    principal: Principal = Depends(read),
    runtime: Runtime = Depends(runtime_of),
) -> MemberPage:
    window = _window(runtime, active_window_days)
    async with runtime.db.session() as session:
        programme = await load_programme(session, principal.tenant, programme_id)
        seg = await _segments(
            session,
            principal.tenant,
            programme.id,
            AudienceRules.model_validate(programme.audience),
            window,
        )
    people = seg[state]
    return MemberPage(
        programme_id=programme_id,
        state=state,
        total=len(people),
        items=[_member(p) for p in people[offset : offset + limit]],
    )


@router.post(
    "/v1/segments/preview",
    response_model=PreviewOut,
    summary="How many current employees an audience would reach (before creating a programme)",
)
async def preview(
    body: PreviewIn,
    principal: Principal = Depends(read),
    runtime: Runtime = Depends(runtime_of),
) -> PreviewOut:
    async with runtime.db.session() as session:
        people = [
            p
            for p in await _people(session, principal.tenant)
            if matches(body.audience, person_of(p))
        ]
    return PreviewOut(eligible=len(people), sample=[_member(p) for p in people[:20]])
