"""Cohorts with a start and an end, nominations by communicators, and yearly renewal."""

from datetime import UTC, date, datetime
from typing import Literal

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select, update

from resonance.ambassadors.api.programmes import load_programme
from resonance.ambassadors.store.participation import end_enrolment, schedule_invitation
from resonance.ambassadors.store.people import get_employee
from resonance.ambassadors.store.tables import Cohort, Enrolment, Invitation, Nomination, Programme
from resonance.common.auth import Principal, Role, require_roles
from resonance.common.errors import Problem
from resonance.common.service import Runtime, runtime_of

router = APIRouter(tags=["cohorts"])
manage = require_roles(Role.PROGRAM_MANAGER)
nominate_role = require_roles(Role.PROGRAM_MANAGER, Role.COMMUNICATOR)


class CohortIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "VIP 2027",
                    "starts_on": "2027-01-01",
                    "ends_on": "2027-12-31",
                    "status": "planned",
                }
            ]
        },
    )

    name: str = Field(min_length=1, max_length=120)
    starts_on: date
    ends_on: date
    status: Literal["planned", "open"] = Field(
        default="open",
        description="A planned cohort gathers nominations; they are invited when it opens.",
    )

    @model_validator(mode="after")
    def _dates(self) -> "CohortIn":
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class CohortOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "c2027...",
                    "programme_id": "0c3b...",
                    "name": "VIP 2027",
                    "starts_on": "2027-01-01",
                    "ends_on": "2027-12-31",
                    "status": "open",
                    "previous_cohort_id": "c2026...",
                    "closed_at": None,
                }
            ]
        }
    )

    id: str
    programme_id: str
    name: str
    starts_on: date
    ends_on: date
    status: str
    previous_cohort_id: str | None
    closed_at: datetime | None


class NominationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "ambassador_id": "5f1c9d6e-7a2b-4c3d-8e9f-0a1b2c3d4e5f",
                    "note": "Great posts on hydrogen",
                }
            ]
        },
    )

    ambassador_id: str = Field(min_length=1, max_length=64)
    note: str | None = Field(default=None, max_length=500)


class NominationOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "n1...",
                    "cohort_id": "c2027...",
                    "ambassador_id": "5f1c...",
                    "nominated_by": "chloe",
                    "note": "Great posts",
                    "invitation_id": None,
                    "created_at": "2026-11-02T10:00:00Z",
                }
            ]
        }
    )

    id: str
    cohort_id: str
    ambassador_id: str
    nominated_by: str
    note: str | None
    invitation_id: str | None
    created_at: datetime


class RenewIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"next_cohort_id": "0c3b..."}]}
    )

    next_cohort_id: str = Field(min_length=1, max_length=64)


class RenewOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "closed": {"id": "c2026...", "status": "closed"},
                    "opened": {"id": "c2027...", "status": "open"},
                    "left": 18,
                    "invited": 20,
                }
            ]
        }
    )

    closed: CohortOut
    opened: CohortOut
    left: int
    invited: int


def cohort_out(row: Cohort) -> CohortOut:
    return CohortOut(**row.model_dump(include=set(CohortOut.model_fields)))


def nomination_out(row: Nomination) -> NominationOut:
    return NominationOut(
        ambassador_id=row.employee_id, **row.model_dump(include=set(NominationOut.model_fields))
    )


async def _cohort(session: object, tenant: str, cohort_id: str, lock: bool = False) -> Cohort:
    row = await session.get(Cohort, cohort_id, with_for_update=lock)  # type: ignore[attr-defined]
    if row is None or row.tenant != tenant:
        raise Problem(404, "Not Found", "no such cohort")
    return row  # type: ignore[no-any-return]


async def _invite_nominee(
    session: object, programme: Programme, cohort: Cohort, nomination: Nomination, reason: str
) -> None:
    invitation = await schedule_invitation(
        session,  # type: ignore[arg-type]
        cohort.tenant,
        programme,
        nomination.employee_id,
        reason,
        datetime.now(UTC),
        cohort_id=cohort.id,
    )
    if invitation is not None:
        nomination.invitation_id = invitation.id


@router.post(
    "/v1/programmes/{programme_id}/cohorts",
    status_code=status.HTTP_201_CREATED,
    response_model=CohortOut,
    summary="Create a cohort of a programme",
)
async def create_cohort(
    programme_id: str,
    body: CohortIn,
    principal: Principal = Depends(manage),
    runtime: Runtime = Depends(runtime_of),
) -> CohortOut:
    async with runtime.db.transaction() as session:
        await load_programme(session, principal.tenant, programme_id)
        row = Cohort(
            tenant=principal.tenant,
            programme_id=programme_id,
            name=body.name,
            starts_on=body.starts_on,
            ends_on=body.ends_on,
            status=body.status,
        )
        session.add(row)
        await session.flush()
        return cohort_out(row)


@router.get(
    "/v1/programmes/{programme_id}/cohorts",
    response_model=list[CohortOut],
    summary="Cohorts of a programme",
)
async def list_cohorts(
    programme_id: str,
    principal: Principal = Depends(nominate_role),
    runtime: Runtime = Depends(runtime_of),
) -> list[CohortOut]:
    async with runtime.db.session() as session:
        await load_programme(session, principal.tenant, programme_id)
        rows = await session.execute(
            select(Cohort)
            .where(Cohort.tenant == principal.tenant, Cohort.programme_id == programme_id)
            .order_by(Cohort.starts_on)
        )
        return [cohort_out(r) for r in rows.scalars().all()]


@router.post(
    "/v1/cohorts/{cohort_id}/nominations",
    status_code=status.HTTP_201_CREATED,
    response_model=NominationOut,
    summary="Nominate someone for a cohort (invited at once if the cohort is open)",
)
async def nominate(
    cohort_id: str,
    body: NominationIn,
    principal: Principal = Depends(nominate_role),
    runtime: Runtime = Depends(runtime_of),
) -> NominationOut:
    async with runtime.db.transaction() as session:
        cohort = await _cohort(session, principal.tenant, cohort_id, lock=True)
        if cohort.status == "closed":
            raise Problem(409, "Cohort closed", "nominate for the next cohort instead")
        employee = await get_employee(session, principal.tenant, body.ambassador_id)
        if employee is None or employee.erased_at is not None:
            raise Problem(404, "Not Found", "no such person")
        if not employee.active:
            raise Problem(409, "Not an active employee", "only active employees can be nominated")
        taken = await session.execute(
            select(Nomination.id).where(
                Nomination.cohort_id == cohort.id, Nomination.employee_id == employee.id
            )
        )
        if taken.first() is not None:
            raise Problem(
                409, "Already nominated", "this person is already nominated for this cohort"
            )
        nomination = Nomination(
            tenant=principal.tenant,
            cohort_id=cohort.id,
            employee_id=employee.id,
            nominated_by=principal.subject,
            note=body.note,
        )
        session.add(nomination)
        if cohort.status == "open":
            programme = await load_programme(session, principal.tenant, cohort.programme_id)
            await _invite_nominee(session, programme, cohort, nomination, "nomination")
        await session.flush()
        return nomination_out(nomination)


@router.get(
    "/v1/cohorts/{cohort_id}/nominations",
    response_model=list[NominationOut],
    summary="Nominations of a cohort",
)
async def list_nominations(
    cohort_id: str,
    principal: Principal = Depends(nominate_role),
    runtime: Runtime = Depends(runtime_of),
) -> list[NominationOut]:
    async with runtime.db.session() as session:
        await _cohort(session, principal.tenant, cohort_id)
        rows = await session.execute(
            select(Nomination)
            .where(Nomination.tenant == principal.tenant, Nomination.cohort_id == cohort_id)
            .order_by(Nomination.created_at)
        )
        return [nomination_out(r) for r in rows.scalars().all()]


@router.post(
    "/v1/cohorts/{cohort_id}/renew",
    response_model=RenewOut,
    summary="Renew: close this cohort (its members leave) and open the next, inviting its nominees",
    description="Members of the closed cohort get `ambassador.left` (reason `cohort_closed`); "
    "nominees of the next cohort get `ambassador.invited` (reason `cohort_renewal`) and decide.",
)
async def renew(
    cohort_id: str,
    body: RenewIn,
    principal: Principal = Depends(manage),
    runtime: Runtime = Depends(runtime_of),
) -> RenewOut:
    async with runtime.db.transaction() as session:
        old = await _cohort(session, principal.tenant, cohort_id, lock=True)
        new = await _cohort(session, principal.tenant, body.next_cohort_id, lock=True)
        if old.id == new.id or new.programme_id != old.programme_id:
            raise Problem(
                422,
                "Invalid next cohort",
                "the next cohort must be another cohort of the same programme",
            )
        if old.status == "closed":
            raise Problem(409, "Cohort closed", "this cohort was already closed")
        if new.status == "closed":
            raise Problem(409, "Cohort closed", "the next cohort is closed")
        programme = await load_programme(session, principal.tenant, old.programme_id)
        now = datetime.now(UTC)
        old.status = "closed"
        old.closed_at = now
        members = (
            (
                await session.execute(
                    select(Enrolment)
                    .where(
                        Enrolment.tenant == principal.tenant,
                        Enrolment.cohort_id == old.id,
                        Enrolment.status == "active",
                    )
                    .with_for_update()
                )
            )
            .scalars()
            .all()
        )
        for enrolment in members:
            employee = await get_employee(session, principal.tenant, enrolment.employee_id)
            if employee is not None:
                await end_enrolment(session, runtime.outbox, employee, enrolment, "cohort_closed")
        await session.execute(
            update(Invitation)
            .where(
                Invitation.tenant == principal.tenant,  # type: ignore[arg-type]
                Invitation.cohort_id == old.id,  # type: ignore[arg-type]
                Invitation.status.in_(["scheduled", "sent"]),  # type: ignore[attr-defined]
            )
            .values(status="cancelled", responded_at=now)
        )
        new.status = "open"
        new.previous_cohort_id = old.id
        nominees = (
            (
                await session.execute(
                    select(Nomination).where(
                        Nomination.tenant == principal.tenant, Nomination.cohort_id == new.id
                    )
                )
            )
            .scalars()
            .all()
        )
        invited = 0
        for nomination in nominees:
            if nomination.invitation_id is None:
                await _invite_nominee(session, programme, new, nomination, "cohort_renewal")
                invited += nomination.invitation_id is not None
        await session.flush()
        return RenewOut(
            closed=cohort_out(old), opened=cohort_out(new), left=len(members), invited=invited
        )
