"""Stages move forward with what an ambassador does: shares (`share.made`) and their own
submissions once published (`content.published`)."""

from resonance.ambassadors.domain.stages import Contributions, advance, record_share
from resonance.ambassadors.service.people import Uow
from resonance.ambassadors.store import people
from resonance.ambassadors.store.tables import Employee
from resonance.common.events.catalogue import AmbassadorStageChanged, ContentPublished, ShareMade


def _contributions(employee: Employee) -> Contributions:
    return Contributions(employee.shared_company, employee.shared_market, employee.created_own)


async def _move_stage(uow: Uow, employee: Employee, contributions: Contributions) -> None:
    employee.shared_company = contributions.shared_company
    employee.shared_market = contributions.shared_market
    employee.created_own = contributions.created_own
    previous = employee.stage
    stage = advance(previous, contributions)
    if stage != previous:
        employee.stage = stage
        await uow.emit(
            employee.tenant,
            AmbassadorStageChanged(
                ambassador_id=employee.id,
                previous_stage=previous,
                stage=stage,
            ),
        )


async def record_share_made(uow: Uow, tenant: str, event: ShareMade) -> None:
    employee = await people.get_employee(uow.session, tenant, event.ambassador_id, lock=True)
    if employee is None or employee.erased_at is not None:
        return  # a share by someone we do not know (or erased): nothing to move
    if employee.last_share_at is None or event.shared_at > employee.last_share_at:
        employee.last_share_at = event.shared_at
    await _move_stage(uow, employee, record_share(_contributions(employee), event.content_family))


async def record_publication(uow: Uow, tenant: str, event: ContentPublished) -> None:
    """An ambassador's own submission, once published, makes them a creator."""
    if event.family != "submission" or not event.submitted_by:
        return
    employee = await people.get_employee(uow.session, tenant, event.submitted_by, lock=True)
    if employee is None or employee.erased_at is not None:
        return
    await _move_stage(uow, employee, record_share(_contributions(employee), "submission"))
