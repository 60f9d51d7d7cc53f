"""A person's data export: everything this service holds about one ambassador, for a data
subject request (the ambassadors, content and sharing services' exports hold the rest;
docs/architecture.md lists the four).

Profile as projected (segment attributes, working time, quiet hours), memberships,
connections, preferences (rank privacy, digest address; never the unsubscribe token),
share facts, daily roll-ups, points ledger and balance, board scores, badges, challenge
progress, redemptions, re-engagement mails and digests naming them. The person themselves
may ask (`me`, or their own id); a programme manager (or admin) may ask about anyone of
their tenant, and that is logged for audit. Lists are capped at MAX_ROWS, newest first;
`truncated` names those that were cut."""

import logging
from typing import Any

from pydantic_core import to_jsonable_python

from resonance.common.auth import Principal, Role
from resonance.common.domain_errors import Forbidden, NotFound
from resonance.metrics.service import Uow
from resonance.metrics.service.callers import me as caller_id
from resonance.metrics.store import privacy

MAX_ROWS = 500
audit_log = logging.getLogger("resonance.audit")


class NotYourData(Forbidden):
    default_slug = "not-your-data"


def _is_staff(actor: Principal) -> bool:
    return actor.has_any(Role.ADMIN, Role.PROGRAM_MANAGER)


def _plain(row: Any) -> Any:
    if row is None:
        return None
    return to_jsonable_python(row.model_dump() if hasattr(row, "model_dump") else row)


async def export(uow: Uow, actor: Principal, ambassador_id: str) -> dict[str, Any]:
    me = await caller_id(uow, actor)
    own = ambassador_id in ("me", me)
    if not own and not _is_staff(actor):
        raise NotYourData("you may export only your own data")
    who = me if own else ambassador_id
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
    if not own:
        if not any(singles.values()) and not any(lists.values()):
            raise NotFound("no such ambassador")
        audit_log.info(
            "personal data export: tenant=%s actor=%s ambassador=%s", tenant, actor.subject, who
        )
    return {
        "ambassador_id": who,
        **{name: _plain(value) for name, value in singles.items()},
        **{name: [_plain(r) for r in rows[:MAX_ROWS]] for name, rows in lists.items()},
        "truncated": [name for name, rows in lists.items() if len(rows) > MAX_ROWS],
        "exported_at": uow.now().isoformat(),
    }
