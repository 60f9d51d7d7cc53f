"""A person's data export: everything this service holds about one ambassador, for a data
subject request (the ambassadors, content and metrics services' exports hold the rest;
docs/architecture.md lists the four).

Connections are described (network, account, status, dates) without their tokens; shares
with the text as composed, their reach and the conversions attributed to them; the
auto-share opt-in history. Who may ask, the caps and the audit are the platform's rules
(resonance.common.data_export)."""

from typing import Any

from resonance.common import data_export
from resonance.common.auth import Principal
from resonance.common.data_export import MAX_ROWS
from resonance.common.unit_of_work import UnitOfWork
from resonance.sharing.service.callers import ambassador_id_of
from resonance.sharing.settings import SharingSettings
from resonance.sharing.store import privacy, views


async def export(
    uow: UnitOfWork[SharingSettings], actor: Principal, ambassador_id: str
) -> dict[str, Any]:
    asked = data_export.asked_about(actor, ambassador_id, await ambassador_id_of(uow, actor))
    session, tenant, limit = uow.session, actor.tenant, MAX_ROWS + 1
    person_id = asked.person_id
    person = await views.ambassador(session, tenant, person_id)
    erased = person is not None and person.erased_at is not None
    lists, truncated = data_export.capped(
        {
            "connections": await privacy.connections_of(session, tenant, person_id, limit),
            "pending_authorizations": await privacy.authorizations_of(
                session, tenant, person_id, limit
            ),
            "shares": await privacy.shares_of(session, tenant, person_id, limit),
            "reach": await privacy.reach_of(session, tenant, person_id, limit),
            "conversions": await privacy.conversions_of(session, tenant, person_id, limit),
            "autoshare_choices": await privacy.autoshare_choices_of(
                session, tenant, person_id, limit
            ),
        },
        MAX_ROWS,
    )
    # An erased person's rows are anonymised remains (ids and counts), nobody's data.
    data_export.settle(actor, asked, not erased and (person is not None or any(lists.values())))
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
        "profile": data_export.plain(profile),
        **lists,
        "truncated": truncated,
        "exported_at": uow.now().isoformat(),
    }
