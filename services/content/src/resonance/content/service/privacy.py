"""A person's data export: everything this service holds about one ambassador, for a data
subject request (the ambassadors service's export, and those of sharing and metrics, hold
the rest; docs/architecture.md lists the four). Who may ask, the caps and the audit are the
platform's rules (resonance.common.data_export)."""

from typing import Any

from resonance.common import data_export
from resonance.common.auth import Principal
from resonance.common.data_export import MAX_ROWS
from resonance.content.service import Uow
from resonance.content.store import privacy
from resonance.content.store.callers import ambassador_id_of


async def export(uow: Uow, actor: Principal, ambassador_id: str) -> dict[str, Any]:
    me = await ambassador_id_of(uow.session, actor.tenant, actor.subject)
    asked = data_export.asked_about(actor, ambassador_id, me)
    session, tenant, person_id = uow.session, actor.tenant, asked.person_id
    person = await privacy.projected_person(session, tenant, person_id)
    # Submissions made before the link to the login subject was known carry that subject.
    who = [person_id] + ([person.login_subject] if person and person.login_subject else [])
    lists, truncated = data_export.capped(
        {
            "submissions": await privacy.submissions_by(session, tenant, who, MAX_ROWS + 1),
            "submitted_items": await privacy.items_submitted_by(session, tenant, who, MAX_ROWS + 1),
            "shares": await privacy.shares_by(session, tenant, person_id, MAX_ROWS + 1),
        },
        MAX_ROWS,
    )
    data_export.settle(actor, asked, person is not None or any(lists.values()))
    return {
        "ambassador_id": person_id,
        "profile": data_export.plain(person),
        **lists,
        "truncated": truncated,
        "exported_at": uow.now().isoformat(),
    }
