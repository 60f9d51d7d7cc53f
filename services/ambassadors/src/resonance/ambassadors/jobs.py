"""Background jobs: send invitations when due, erase long-gone people, forget old signatures."""

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from resonance.ambassadors.domain.hr import EmployeeFacts
from resonance.ambassadors.settings import AmbassadorsSettings
from resonance.ambassadors.store.intake import apply_hr_facts
from resonance.ambassadors.store.participation import dispatch_due_invitations
from resonance.ambassadors.store.privacy import erase_employee
from resonance.ambassadors.store.tables import Employee, WebhookDelivery
from resonance.common.service import Runtime

log = logging.getLogger(__name__)


def _settings(runtime: Runtime) -> AmbassadorsSettings:
    assert isinstance(runtime.settings, AmbassadorsSettings)
    return runtime.settings


async def invitation_dispatcher(runtime: Runtime) -> None:
    """Invitations wait out the onboarding delay, then go out through the outbox."""
    settings = _settings(runtime)
    while True:
        async with runtime.db.transaction() as session:
            sent = await dispatch_due_invitations(session, runtime.outbox)
        if sent:
            log.info("sent %d invitations", sent)
        await asyncio.sleep(settings.invitation_poll_interval_s)


async def scheduled_leavers(runtime: Runtime) -> None:
    """Leavers announced ahead of time stop taking part on their last day."""
    settings = _settings(runtime)
    while True:
        async with runtime.db.transaction() as session:
            due = (
                (
                    await session.execute(
                        select(Employee)
                        .where(
                            Employee.leaves_at.is_not(None),  # type: ignore[union-attr]
                            Employee.leaves_at <= func.now(),  # type: ignore[operator]
                        )
                        .limit(100)
                        .with_for_update(skip_locked=True)
                    )
                )
                .scalars()
                .all()
            )
            for employee in due:
                employee.leaves_at = None
                await apply_hr_facts(
                    session,
                    runtime.outbox,
                    employee.tenant,
                    EmployeeFacts(),
                    change="leaver",
                    employee=employee,
                    onboarding_delay_s=settings.onboarding_delay_s,
                )
        await asyncio.sleep(settings.invitation_poll_interval_s)


async def erasure_scheduler(runtime: Runtime) -> None:
    """People who left long ago are anonymised without anyone having to ask."""
    settings = _settings(runtime)
    while True:
        cutoff = datetime.now(UTC) - timedelta(days=settings.erase_after_leaving_days)
        async with runtime.db.transaction() as session:
            due = (
                (
                    await session.execute(
                        select(Employee)
                        .where(
                            Employee.active.is_(False),  # type: ignore[attr-defined]
                            Employee.erased_at.is_(None),  # type: ignore[union-attr]
                            Employee.left_at.is_not(None),  # type: ignore[union-attr]
                            Employee.left_at <= cutoff,  # type: ignore[operator]
                        )
                        .limit(100)
                        .with_for_update(skip_locked=True)
                    )
                )
                .scalars()
                .all()
            )
            for employee in due:
                await erase_employee(session, runtime.outbox, employee)
        if due:
            log.info("erased %d people after their retention period", len(due))
        await asyncio.sleep(settings.erasure_poll_interval_s)


async def webhook_replay_purge(runtime: Runtime) -> None:
    """A signature older than the window is refused as stale anyway: no need to keep it."""
    settings = _settings(runtime)
    while True:
        cutoff = datetime.now(UTC) - timedelta(seconds=2 * settings.webhook_replay_window_s)
        async with runtime.db.transaction() as session:
            await session.execute(
                delete(WebhookDelivery).where(WebhookDelivery.received_at < cutoff)
            )  # type: ignore[arg-type]
        await asyncio.sleep(max(settings.webhook_replay_window_s, 60))
