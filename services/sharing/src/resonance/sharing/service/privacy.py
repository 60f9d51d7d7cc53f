"""A person's data export: everything this service holds about one ambassador, for a data
subject request (the ambassadors, content and metrics services' exports hold the rest;
docs/architecture.md lists the four).

Connections are described (network, account, status, dates) without their tokens; shares
with the text as composed, their reach and the conversions attributed to them; the
auto-share opt-in history. The person themselves may ask (`me`, or their own id); a
programme manager (or admin) may ask about anyone of their tenant, and that is logged for
audit. Lists are capped at MAX_ROWS, newest first; `truncated` names those that were cut."""

import logging
from typing import Any

from pydantic_core import to_jsonable_python

from resonance.common.auth import Principal, Role
from resonance.common.domain_errors import Forbidden, NotFound
from resonance.common.unit_of_work import UnitOfWork
from resonance.sharing.service.callers import ambassador_id_of
from resonance.sharing.settings import SharingSettings
from resonance.sharing.store import privacy, views

MAX_ROWS = 500
audit_log = logging.getLogger("resonance.audit")


class NotYourData(Forbidden):
    default_slug = "not-your-data"


def _is_staff(actor: Principal) -> bool:
    return actor.has_any(Role.ADMIN, Role.PROGRAM_MANAGER)


async def export(
    uow: UnitOfWork[SharingSettings], actor: Principal, ambassador_id: str
) -> dict[str, Any]:
    me = await ambassador_id_of(uow, actor)
    own = ambassador_id in ("me", me)
    if not own and not _is_staff(actor):
        raise NotYourData("you may export only your own data")
    person_id = me if own else ambassador_id
    session, tenant, limit = uow.session, actor.tenant, MAX_ROWS + 1
    person = await views.ambassador(session, tenant, person_id)
    erased = person is not None and person.erased_at is not None
    lists = {
        "connections": await privacy.connections_of(session, tenant, person_id, limit),
        "pending_authorizations": await privacy.authorizations_of(
            session, tenant, person_id, limit
        ),
        "shares": await privacy.shares_of(session, tenant, person_id, limit),
        "reach": await privacy.reach_of(session, tenant, person_id, limit),
        "conversions": await privacy.conversions_of(session, tenant, person_id, limit),
        "autoshare_choices": await privacy.autoshare_choices_of(session, tenant, person_id, limit),
    }
    if not own:
        # An erased person's rows are anonymised remains (ids and counts), nobody's data.
        if erased or (person is None and not any(lists.values())):
            raise NotFound("no such ambassador")
        audit_log.info(
            "personal data export: tenant=%s actor=%s ambassador=%s",
            tenant,
            actor.subject,
            person_id,
        )
    truncated = [name for name, rows in lists.items() if len(rows) > MAX_ROWS]
    profile = None
    if person is not None and not erased:
        profile = {
            "login_subject": person.login_subject,
            "employee_active": person.employee_active,
            "profile": person.profile,
            "memberships": person.memberships,
            "updated_at": person.updated_at,
        }
    return {
        "ambassador_id": person_id,
        "profile": to_jsonable_python(profile),
        **{name: to_jsonable_python(rows[:MAX_ROWS]) for name, rows in lists.items()},
        "truncated": truncated,
        "exported_at": uow.now().isoformat(),
    }
