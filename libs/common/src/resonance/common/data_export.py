"""What every service's part of a data subject request shares (docs/architecture.md,
"Privacy"): who may ask about whom, lists capped newest first, and staff exports audited.

The person themselves may ask (`me`, or their own id); a programme manager (or admin) may ask
about anyone of their tenant, and that is logged for audit. Lists hold at most MAX_ROWS rows;
`truncated` names those that were cut."""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic_core import to_jsonable_python

from resonance.common.auth import Principal, Role
from resonance.common.domain_errors import Forbidden, NotFound

MAX_ROWS = 500

audit_log = logging.getLogger("resonance.audit")


class NotYourData(Forbidden):
    default_slug = "not-your-data"


@dataclass(frozen=True)
class Asked:
    """Whose data an export is about, and whether the caller asked about themselves."""

    person_id: str
    own: bool


def asked_about(actor: Principal, asked: str, me: str) -> Asked:
    """`asked` is `me` or an ambassador id; `me` is the caller's own id in this service."""
    own = asked in ("me", me)
    if not own and not actor.has_any(Role.ADMIN, Role.PROGRAM_MANAGER):
        raise NotYourData("you may export only your own data")
    return Asked(me if own else asked, own)


def settle(actor: Principal, asked: Asked, holds_anything: bool) -> None:
    """A staff export about someone this service holds nothing of is a 404; any other staff
    export is audited (by ids only). A person asking about themselves always gets an answer,
    empty lists included."""
    if asked.own:
        return
    if not holds_anything:
        raise NotFound("no such ambassador")
    audit_log.info(
        "personal data export: tenant=%s actor=%s ambassador=%s",
        actor.tenant,
        actor.subject,
        asked.person_id,
    )


def capped(
    lists: Mapping[str, Sequence[Any]], limit: int = MAX_ROWS
) -> tuple[dict[str, list[Any]], list[str]]:
    """Each list as JSON-ready rows, cut at `limit` (they are read with limit + 1 rows, so one
    more says the list was cut), and the names of the cut ones."""
    rows = {name: [plain(r) for r in found[:limit]] for name, found in lists.items()}
    return rows, [name for name, found in lists.items() if len(found) > limit]


def plain(row: Any) -> Any:
    """A row (an ORM/pydantic model, a mapping or a plain value) as JSON-ready data."""
    if row is None:
        return None
    if hasattr(row, "model_dump"):
        return to_jsonable_python(row.model_dump(mode="json"))
    if isinstance(row, Mapping):
        return to_jsonable_python(dict(row))
    if hasattr(row, "_mapping"):  # a result Row
        return to_jsonable_python(dict(row._mapping))
    return to_jsonable_python(row)
