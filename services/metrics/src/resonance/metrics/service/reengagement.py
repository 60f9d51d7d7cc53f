"""Re-engagement: a person who lapsed (no share for the tenant's lapse time) gets, at most
once a week, a few items their peers share most and they have not shared, by e-mail to the
address they chose, only at a moment allowed by their working days and hours, outside their
quiet hours and not before the next moment ambassador.updated allows (domain/reengagement.py
decides who and when; the week's key makes a second suggestion in a week impossible)."""

from dataclasses import dataclass
from datetime import timedelta

from resonance.metrics.domain.periods import local_day
from resonance.metrics.domain.reengagement import (
    Candidate,
    WorkingTime,
    pick_suggestions,
    plan_suggestion,
    working_time_from_profile,
)
from resonance.metrics.domain.segments import Profile
from resonance.metrics.domain.targeting import offered_to
from resonance.metrics.service import Uow
from resonance.metrics.service.config import tenant_config
from resonance.metrics.store import nudges as store
from resonance.metrics.store.nudges import LiveItem, Reachable

PEER_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Suggestion:
    tenant: str
    ambassador_id: str
    email: str
    unsubscribe_token: str
    key: str
    items: tuple[tuple[str, str], ...]  # (content id, title)


def _profile(person: Reachable) -> Profile:
    a = person.attributes
    return Profile(
        programmes=frozenset(person.programmes),
        brand=a["brand"],
        entity=a["entity"],
        site=a["site"],
        country=a["country"],
        job_family=a["job_family"],
    )


def _rules(person: Reachable, default_zone: str) -> WorkingTime:
    try:
        return working_time_from_profile(
            person.timezone,
            person.quiet_hours_start,
            person.quiet_hours_end,
            person.working_days,
            WorkingTime(timezone=default_zone),
        )
    except ValueError:  # a profile we cannot read (unknown zone...): the tenant's defaults
        return WorkingTime(timezone=default_zone)


async def due(uow: Uow, tenant: str) -> list[Suggestion]:
    """The suggestions to send now: lapsed people at an allowed moment, with items to offer."""
    config = await tenant_config(uow, tenant)
    now = uow.now()
    people = await store.reachable(uow.session, tenant)
    if not people:
        return []
    since = local_day(now - PEER_WINDOW, config.timezone)
    items: list[LiveItem] = await store.live_items_shared_since(uow.session, tenant, since, now)
    result = []
    for person in people:
        plan = plan_suggestion(
            person.ambassador_id,
            person.enrolled_at,
            person.last_share_at,
            person.last_suggested_at,
            now,
            _rules(person, config.timezone),
            not_before=person.next_allowed_nudge_at,
            lapse_after=config.lapse_after,
        )
        if plan is None or plan.send_at > now:
            continue  # not lapsed, or not a moment they may be contacted: a later round
        profile = _profile(person)
        offered = [
            i for i in items if offered_to(i.targeting, profile, person.attributes["worker_type"])
        ]
        picked = pick_suggestions(
            [Candidate(i.content_id, i.peer_shares, i.published_at) for i in offered],
            await store.shared_by(uow.session, tenant, person.ambassador_id),
        )
        if not picked:
            continue  # nothing worth suggesting: silence rather than an empty mail
        titles = {i.content_id: i.title or i.content_id for i in offered}
        result.append(
            Suggestion(
                tenant,
                person.ambassador_id,
                person.email,
                person.token,
                plan.key,
                tuple((c, titles[c]) for c in picked),
            )
        )
    return result


async def claim(uow: Uow, suggestion: Suggestion) -> bool:
    return await store.claim(
        uow.session,
        suggestion.tenant,
        suggestion.key,
        suggestion.ambassador_id,
        [c for c, _ in suggestion.items],
        uow.now(),
    )


async def mark(uow: Uow, suggestion: Suggestion, sent: bool) -> None:
    await store.mark(uow.session, suggestion.tenant, suggestion.key, "sent" if sent else "failed")
