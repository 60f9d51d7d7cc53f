"""Segments per programme, the participation funnel: eligible (match the audience), invited,
enrolled, active (enrolled and shared within the window). Only current employees count."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from resonance.ambassadors.domain.audience import AudienceRules, matches
from resonance.ambassadors.service.people import Uow, person_of
from resonance.ambassadors.service.programmes import load_programme
from resonance.ambassadors.store import participation, people
from resonance.ambassadors.store.tables import Employee
from resonance.common.auth import Principal

State = Literal["eligible", "invited", "enrolled", "active"]


@dataclass(frozen=True)
class Funnel:
    segments: dict[State, list[Employee]]
    window_days: int
    computed_at: datetime

    def count(self, state: State) -> int:
        return len(self.segments[state])

    @property
    def participation_rate(self) -> float:
        """Enrolled out of eligible."""
        return _rate(self.count("enrolled"), self.count("eligible"))

    @property
    def active_rate(self) -> float:
        """Active out of enrolled."""
        return _rate(self.count("active"), self.count("enrolled"))


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


async def funnel(uow: Uow, actor: Principal, programme_id: str, window_days: int | None) -> Funnel:
    """`window_days` defaults to the service setting."""
    window = window_days or uow.settings.active_window_days
    programme = await load_programme(uow, actor.tenant, programme_id)
    audience = AudienceRules.model_validate(programme.audience)
    everyone = await people.current_employees(uow.session, actor.tenant)
    invited = await participation.invited_ids(uow.session, actor.tenant, programme.id)
    enrolled = await participation.enrolled_ids(uow.session, actor.tenant, programme.id)
    since = uow.now() - timedelta(days=window)
    segments: dict[State, list[Employee]] = {
        "eligible": [p for p in everyone if matches(audience, person_of(p))],
        "invited": [p for p in everyone if p.id in invited],
        "enrolled": [p for p in everyone if p.id in enrolled],
        "active": [
            p
            for p in everyone
            if p.id in enrolled and p.last_share_at is not None and p.last_share_at >= since
        ],
    }
    return Funnel(segments, window, uow.now())


async def preview(uow: Uow, actor: Principal, audience: AudienceRules) -> list[Employee]:
    """The current employees an audience would reach (before creating a programme)."""
    everyone = await people.current_employees(uow.session, actor.tenant)
    return [p for p in everyone if matches(audience, person_of(p))]
