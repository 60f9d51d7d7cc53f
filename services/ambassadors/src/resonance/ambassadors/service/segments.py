"""Segments per programme, the participation funnel: eligible (match the audience), invited,
enrolled, active (enrolled and shared within the window). Only current employees count.

Counted and paged by the database (store.segments); a communicator never learns a sensitive
attribute (age band) of named people (domain.audience.disclosure)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement

from resonance.ambassadors.domain.access import is_staff
from resonance.ambassadors.domain.audience import AudienceRules, Disclosure, disclosure
from resonance.ambassadors.service.people import Uow
from resonance.ambassadors.service.programmes import load_programme
from resonance.ambassadors.store import segments
from resonance.ambassadors.store.segments import State
from resonance.ambassadors.store.tables import Employee
from resonance.common.auth import Principal
from resonance.common.paging import BY_TIME_AND_TEXT_ID, after, paged

__all__ = ["Funnel", "Preview", "State", "funnel", "members", "preview"]


@dataclass(frozen=True)
class Funnel:
    counts: dict[State, int]
    window_days: int
    computed_at: datetime

    def count(self, state: State) -> int:
        return self.counts[state]

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
    since = uow.now() - timedelta(days=window)
    counts = await segments.funnel_counts(uow.session, actor.tenant, programme.id, audience, since)
    return Funnel(counts, window, uow.now())


@dataclass(frozen=True)
class Preview:
    """`total` is None and `sample` empty when the group may not be described;
    `next_cursor` asks for the people after `sample` (None: no more)."""

    total: int | None
    sample: list[Employee]
    disclosure: Disclosure
    next_cursor: str | None = None


async def _described(
    uow: Uow,
    actor: Principal,
    audience: AudienceRules,
    where: ColumnElement[bool],
    cursor: str | None,
    limit: int,
) -> Preview:
    session, tenant = uow.session, actor.tenant
    start = after(cursor, *BY_TIME_AND_TEXT_ID)
    total = await segments.count_where(session, tenant, where)
    shown = disclosure(audience, total, may_see_sensitive=is_staff(actor))
    if shown != "full":
        return Preview(total if shown == "count_only" else None, [], shown)
    found = await segments.people_where(session, tenant, where, start, limit + 1)
    page = paged(found, limit, lambda e: (e.created_at, e.id))
    return Preview(total, page.rows, shown, page.next_cursor)


async def preview(
    uow: Uow, actor: Principal, audience: AudienceRules, sample_size: int = 20
) -> Preview:
    """How many current employees an audience would reach (before creating a programme),
    with a sample of them."""
    return await _described(
        uow, actor, audience, segments.audience_clause(audience), None, sample_size
    )


async def members(
    uow: Uow,
    actor: Principal,
    programme_id: str,
    state: State,
    window_days: int | None,
    *,
    cursor: str | None = None,
    limit: int = 50,
) -> Preview:
    """One page of the people of one segment, by (created_at, id) after `cursor` (the
    programme's audience may select on a sensitive attribute: then described as `preview`
    would)."""
    window = window_days or uow.settings.active_window_days
    programme = await load_programme(uow, actor.tenant, programme_id)
    audience = AudienceRules.model_validate(programme.audience)
    since = uow.now() - timedelta(days=window)
    where = segments.state_clause(actor.tenant, programme.id, audience, state, since)
    return await _described(uow, actor, audience, where, cursor, limit)
