"""What this service consumes: HR facts (the third door) and activity that moves stages."""

from sqlalchemy.ext.asyncio import AsyncSession

from resonance.ambassadors.domain.hr import as_utc, facts_from_hr_event
from resonance.ambassadors.domain.stages import Contributions, advance, record_share
from resonance.ambassadors.settings import AmbassadorsSettings
from resonance.ambassadors.store.intake import apply_hr_facts
from resonance.ambassadors.store.people import get_employee
from resonance.ambassadors.store.tables import Employee
from resonance.common.consumer import ConsumerSpec
from resonance.common.events.catalogue import (
    AmbassadorStageChanged,
    ContentPublished,
    HrEmployee,
    ShareMade,
)
from resonance.common.events.envelope import Envelope
from resonance.common.outbox import Outbox
from resonance.common.service import Runtime

CONSUMER_NAME = "ambassadors"


async def _move_stage(
    session: AsyncSession, outbox: Outbox, employee: Employee, contributions: Contributions
) -> None:
    employee.shared_company = contributions.shared_company
    employee.shared_market = contributions.shared_market
    employee.created_own = contributions.created_own
    previous = employee.stage
    stage = advance(previous, contributions)  # type: ignore[arg-type]
    if stage != previous:
        employee.stage = stage
        await outbox.add(
            session,
            employee.tenant,
            AmbassadorStageChanged(
                ambassador_id=employee.id,
                previous_stage=previous,  # type: ignore[arg-type]
                stage=stage,
            ),
        )


def _contributions(employee: Employee) -> Contributions:
    return Contributions(employee.shared_company, employee.shared_market, employee.created_own)


def build_consumers(runtime: Runtime[AmbassadorsSettings]) -> list[ConsumerSpec]:
    settings = runtime.settings

    def outbox() -> Outbox:
        return runtime.outbox

    async def on_hr_employee(session: AsyncSession, event: HrEmployee, envelope: Envelope) -> None:
        await apply_hr_facts(
            session,
            outbox(),
            envelope.tenant,
            facts_from_hr_event(event),
            change=event.change,
            onboarding_delay_s=settings.onboarding_delay_s,
            hired_at=as_utc(event.hired_at),
            effective_at=as_utc(event.effective_at),
        )

    async def on_share_made(session: AsyncSession, event: ShareMade, envelope: Envelope) -> None:
        employee = await get_employee(session, envelope.tenant, event.ambassador_id, lock=True)
        if employee is None or employee.erased_at is not None:
            return  # a share by someone we do not know (or erased): nothing to move
        if employee.last_share_at is None or event.shared_at > employee.last_share_at:
            employee.last_share_at = event.shared_at
        await _move_stage(
            session,
            outbox(),
            employee,
            record_share(_contributions(employee), event.content_family),
        )

    async def on_content_published(
        session: AsyncSession, event: ContentPublished, envelope: Envelope
    ) -> None:
        if event.family != "submission" or not event.submitted_by:
            return
        employee = await get_employee(session, envelope.tenant, event.submitted_by, lock=True)
        if employee is None or employee.erased_at is not None:
            return
        await _move_stage(
            session, outbox(), employee, record_share(_contributions(employee), "submission")
        )

    return [
        ConsumerSpec(
            CONSUMER_NAME,
            {
                HrEmployee: on_hr_employee,
                ShareMade: on_share_made,
                ContentPublished: on_content_published,
            },
        )
    ]
