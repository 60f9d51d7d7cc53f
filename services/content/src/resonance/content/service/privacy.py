"""A person's data export: everything this service holds about one ambassador, for a data
subject request (the ambassadors service's export, and those of sharing and metrics, hold
the rest; docs/architecture.md lists the four).

The person themselves may ask (`me`, or their own id); a programme manager (or admin) may
ask about anyone of their tenant, and that is logged for audit. Lists are capped at
MAX_ROWS, newest first; `truncated` names those that were cut."""

import logging
from collections.abc import Sequence
from typing import Any

from pydantic_core import to_jsonable_python

from resonance.common.auth import Principal, Role
from resonance.common.domain_errors import Forbidden, NotFound
from resonance.content.service import Uow
from resonance.content.store import privacy
from resonance.content.store.callers import ambassador_id_of

MAX_ROWS = 500
audit_log = logging.getLogger("resonance.audit")


class NotYourData(Forbidden):
    default_slug = "not-your-data"


def _is_staff(actor: Principal) -> bool:
    return actor.has_any(Role.ADMIN, Role.PROGRAM_MANAGER)


async def export(uow: Uow, actor: Principal, ambassador_id: str) -> dict[str, Any]:
    me = await ambassador_id_of(uow.session, actor.tenant, actor.subject)
    own = ambassador_id in ("me", me)
    if not own and not _is_staff(actor):
        raise NotYourData("you may export only your own data")
    person_id = me if own else ambassador_id
    session, tenant = uow.session, actor.tenant
    person = await privacy.projected_person(session, tenant, person_id)
    # Submissions made before the link to the login subject was known carry that subject.
    who = [person_id] + ([person.login_subject] if person and person.login_subject else [])
    truncated: list[str] = []
    lists = {
        "submissions": await privacy.submissions_by(session, tenant, who, MAX_ROWS + 1),
        "submitted_items": await privacy.items_submitted_by(session, tenant, who, MAX_ROWS + 1),
        "shares": await privacy.shares_by(session, tenant, person_id, MAX_ROWS + 1),
    }
    data = {name: _capped(name, rows, truncated) for name, rows in lists.items()}
    if not own:
        if person is None and not any(data.values()):
            raise NotFound("no such ambassador")
        audit_log.info(
            "personal data export: tenant=%s actor=%s ambassador=%s",
            tenant,
            actor.subject,
            person_id,
        )
    return {
        "ambassador_id": person_id,
        "profile": _plain(person) if person is not None else None,
        **data,
        "truncated": truncated,
        "exported_at": uow.now().isoformat(),
    }


def _capped(name: str, rows: Sequence[Any], truncated: list[str]) -> list[dict[str, Any]]:
    if len(rows) > MAX_ROWS:
        truncated.append(name)
    return [_plain(r) for r in rows[:MAX_ROWS]]


def _plain(row: Any) -> dict[str, Any]:
    if hasattr(row, "model_dump"):
        return dict(row.model_dump(mode="json"))
    return dict(to_jsonable_python(dict(row)))
