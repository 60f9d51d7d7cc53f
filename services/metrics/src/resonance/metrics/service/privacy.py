"""A person's data export: everything this service holds about one ambassador, for a data
subject request (the ambassadors, content and sharing services' exports hold the rest;
docs/architecture.md lists the four).

Profile as projected (segment attributes, working time, quiet hours), memberships,
connections, preferences (rank privacy, digest address; never the unsubscribe token),
share facts, daily roll-ups, points ledger and balance, board scores, badges, challenge
progress, redemptions, re-engagement mails and digests naming them. The person themselves
may ask (`me`, or their own id); a programme manager (or admin) may ask about anyone of
their tenant. Who may ask, the caps and the audit are the platform's rules
(resonance.common.data_export)."""

from typing import Any

from resonance.common import data_export
from resonance.common.auth import Principal
from resonance.common.data_export import MAX_ROWS
from resonance.metrics.service import Uow
from resonance.metrics.service.callers import me as caller_id
from resonance.metrics.store import privacy


async def export(uow: Uow, actor: Principal, ambassador_id: str) -> dict[str, Any]:
    asked = data_export.asked_about(actor, ambassador_id, await caller_id(uow, actor))
    who = asked.person_id
    session, tenant, limit = uow.session, actor.tenant, MAX_ROWS + 1
    person = await privacy.person(session, tenant, who)
    preferences = await privacy.preferences(session, tenant, who)
    address = preferences["email"] if preferences else None
    singles = {
        "profile": person,
        "preferences": preferences,
        "balance": await privacy.balance(session, tenant, who),
        "counters": await privacy.counters(session, tenant, who),
    }
    lists: dict[str, list[Any]] = {
        "memberships": await privacy.memberships(session, tenant, who, limit),
        "connections": await privacy.connections(session, tenant, who, limit),
        "shares": await privacy.shares(session, tenant, who, limit),
        "daily_activity": await privacy.daily_activity(session, tenant, who, limit),
        "points_ledger": await privacy.ledger(session, tenant, who, limit),
        "board_scores": await privacy.board_scores(session, tenant, who, limit),
        "badges": await privacy.badges(session, tenant, who, limit),
        "challenge_progress": await privacy.challenge_progress(session, tenant, who, limit),
        "redemptions": await privacy.redemptions(session, tenant, who, limit),
        "reengagement_mails": await privacy.nudges(session, tenant, who, limit),
        "digests": await privacy.digests_about(session, tenant, who, address, limit),
    }
    data_export.settle(actor, asked, any(singles.values()) or any(lists.values()))
    capped, truncated = data_export.capped(lists, MAX_ROWS)
    return {
        "ambassador_id": who,
        **{name: data_export.plain(value) for name, value in singles.items()},
        **capped,
        "truncated": truncated,
        "exported_at": uow.now().isoformat(),
    }
