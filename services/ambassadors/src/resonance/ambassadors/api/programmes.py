"""Programmes: the customer's own name, a kind, an audience, an optional capacity."""

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from resonance.ambassadors.domain.audience import AudienceRules, matches
from resonance.ambassadors.settings import AmbassadorsSettings
from resonance.ambassadors.store.participation import schedule_invitation
from resonance.ambassadors.store.people import person_of
from resonance.ambassadors.store.tables import Employee, Programme
from resonance.common.auth import Principal, Role, require_roles
from resonance.common.errors import Problem
from resonance.common.service import Runtime, runtime_of

router = APIRouter(prefix="/v1/programmes", tags=["programmes"])

Kind = Literal["sharing_platform", "training_workshop", "individual_coaching", "vip_cohort"]
manage = require_roles(Role.PROGRAM_MANAGER)
read = require_roles(Role.PROGRAM_MANAGER, Role.COMMUNICATOR, Role.AMBASSADOR)

AUDIENCE_EXAMPLE: dict[str, Any] = {
    "countries": ["FR", "BE"],
    "job_families": ["Sales", "Marketing"],
    "worker_types": ["office", "frontline"],
}


class ProgrammeIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "display_name": "Digital Leaders",
                    "kind": "sharing_platform",
                    "description": "Share what we do with your network, in your own words.",
                    "audience": AUDIENCE_EXAMPLE,
                    "capacity": 500,
                    "charter_version": "2026-01",
                    "onboarding_delay_hours": 336,
                }
            ]
        },
    )

    display_name: str = Field(min_length=1, max_length=120)
    kind: Kind
    description: str | None = Field(default=None, max_length=2000)
    audience: AudienceRules = Field(default_factory=AudienceRules)
    capacity: int | None = Field(default=None, ge=1, le=1_000_000)
    charter_version: str = Field(default="1", min_length=1, max_length=40)
    onboarding_delay_hours: float | None = Field(
        default=None, ge=0, le=24 * 365, description="Defaults to the service setting."
    )
    invite_joiners: bool = True


class ProgrammePatch(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"display_name": "Influencers", "charter_version": "2026-06"}]
        },
    )

    display_name: str | None = Field(default=None, min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=2000)
    audience: AudienceRules | None = None
    capacity: int | None = Field(default=None, ge=1, le=1_000_000)
    charter_version: str | None = Field(default=None, min_length=1, max_length=40)
    onboarding_delay_hours: float | None = Field(default=None, ge=0, le=24 * 365)
    invite_joiners: bool | None = None
    archived: bool | None = None


class ProgrammeOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0c3b7a52-1d2e-4f5a-9b8c-7d6e5f4a3b2c",
                    "display_name": "Digital Leaders",
                    "kind": "sharing_platform",
                    "description": None,
                    "audience": {"countries": ["FR"]},
                    "capacity": 500,
                    "charter_version": "2026-01",
                    "onboarding_delay_hours": 336,
                    "invite_joiners": True,
                    "archived": False,
                    "created_at": "2026-05-04T10:00:00Z",
                }
            ]
        }
    )

    id: str
    display_name: str
    kind: str
    description: str | None
    audience: AudienceRules
    capacity: int | None
    charter_version: str
    onboarding_delay_hours: float | None
    invite_joiners: bool
    archived: bool
    created_at: datetime


class AudienceInvited(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "programme_id": "0c3b7a52-1d2e-4f5a-9b8c-7d6e5f4a3b2c",
                    "scheduled": 42,
                    "not_before": "2026-05-04T10:00:00Z",
                }
            ]
        }
    )

    programme_id: str
    scheduled: int
    not_before: datetime


def programme_out(row: Programme) -> ProgrammeOut:
    return ProgrammeOut(
        id=row.id,
        display_name=row.display_name,
        kind=row.kind,
        description=row.description,
        audience=AudienceRules.model_validate(row.audience),
        capacity=row.capacity,
        charter_version=row.charter_version,
        onboarding_delay_hours=row.onboarding_delay_s / 3600
        if row.onboarding_delay_s is not None
        else None,
        invite_joiners=row.invite_joiners,
        archived=row.archived,
        created_at=row.created_at,
    )


async def load_programme(session: object, tenant: str, programme_id: str) -> Programme:
    row = await session.get(Programme, programme_id)  # type: ignore[attr-defined]
    if row is None or row.tenant != tenant:
        raise Problem(404, "Not Found", "no such programme")
    return row  # type: ignore[no-any-return]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ProgrammeOut,
    summary="Create a programme (its name is the customer's choice)",
)
async def create_programme(
    body: ProgrammeIn,
    principal: Principal = Depends(manage),
    runtime: Runtime = Depends(runtime_of),
) -> ProgrammeOut:
    row = Programme(
        tenant=principal.tenant,
        display_name=body.display_name,
        kind=body.kind,
        description=body.description,
        audience=body.audience.model_dump(),
        capacity=body.capacity,
        charter_version=body.charter_version,
        onboarding_delay_s=body.onboarding_delay_hours * 3600
        if body.onboarding_delay_hours is not None
        else None,
        invite_joiners=body.invite_joiners,
    )
    async with runtime.db.transaction() as session:
        session.add(row)
    return programme_out(row)


@router.get("", response_model=list[ProgrammeOut], summary="List the tenant's programmes")
async def list_programmes(
    include_archived: bool = False,
    principal: Principal = Depends(read),
    runtime: Runtime = Depends(runtime_of),
) -> list[ProgrammeOut]:
    query = select(Programme).where(Programme.tenant == principal.tenant)
    if not include_archived:
        query = query.where(Programme.archived.is_(False))  # type: ignore[attr-defined]
    async with runtime.db.session() as session:
        rows = (await session.execute(query.order_by(Programme.created_at))).scalars().all()
    return [programme_out(r) for r in rows]


@router.get("/{programme_id}", response_model=ProgrammeOut, summary="One programme")
async def get_programme(
    programme_id: str,
    principal: Principal = Depends(read),
    runtime: Runtime = Depends(runtime_of),
) -> ProgrammeOut:
    async with runtime.db.session() as session:
        return programme_out(await load_programme(session, principal.tenant, programme_id))


@router.patch("/{programme_id}", response_model=ProgrammeOut, summary="Change a programme")
async def patch_programme(
    programme_id: str,
    body: ProgrammePatch,
    principal: Principal = Depends(manage),
    runtime: Runtime = Depends(runtime_of),
) -> ProgrammeOut:
    async with runtime.db.transaction() as session:
        row = await load_programme(session, principal.tenant, programme_id)
        changes = body.model_dump(exclude_unset=True)
        for name, value in changes.items():
            if name == "audience":
                row.audience = value or {}
            elif name == "onboarding_delay_hours":
                row.onboarding_delay_s = value * 3600 if value is not None else None
            elif value is not None or name in ("description", "capacity"):
                setattr(row, name, value)
        row.updated_at = datetime.now(UTC)
        return programme_out(row)


@router.post(
    "/{programme_id}/invite-audience",
    response_model=AudienceInvited,
    summary="Invite everyone in the audience who was never asked (after the onboarding delay)",
    description="Nobody is enrolled: each person receives `ambassador.invited` and decides. "
    "People who declined or left are not asked again.",
)
async def invite_audience(
    programme_id: str,
    principal: Principal = Depends(manage),
    runtime: Runtime = Depends(runtime_of),
) -> AudienceInvited:
    settings = runtime.settings
    assert isinstance(settings, AmbassadorsSettings)
    async with runtime.db.transaction() as session:
        programme = await load_programme(session, principal.tenant, programme_id)
        if programme.archived:
            raise Problem(409, "Programme archived", "an archived programme invites nobody")
        if programme.kind == "vip_cohort":
            raise Problem(
                409, "Nomination only", "a VIP cohort invites its nominees, not an audience"
            )
        rules = AudienceRules.model_validate(programme.audience)
        people = (
            await session.execute(
                select(Employee).where(
                    Employee.tenant == principal.tenant,
                    Employee.active.is_(True),  # type: ignore[attr-defined]
                    Employee.erased_at.is_(None),  # type: ignore[union-attr]
                )
            )
        ).scalars()
        # People already here are no joiners: no onboarding delay to wait out.
        not_before = datetime.now(UTC)
        scheduled = 0
        for person in people:
            if not matches(rules, person_of(person)):
                continue
            made = await schedule_invitation(
                session, principal.tenant, programme, person.id, "audience_match", not_before
            )
            scheduled += made is not None
    return AudienceInvited(programme_id=programme_id, scheduled=scheduled, not_before=not_before)
