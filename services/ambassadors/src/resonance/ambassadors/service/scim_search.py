"""SCIM searches (RFC 7644 §3.4): users, groups or both, filtered and paged."""

from dataclasses import dataclass
from typing import Any

from scim2_models import ScimFilter

from resonance.ambassadors.domain.scim_protocol import matching
from resonance.ambassadors.service.people import Uow
from resonance.ambassadors.service.scim_resources import group_resource, user_resource
from resonance.ambassadors.store import scim
from resonance.ambassadors.store.scim_filter import compile_user_filter
from resonance.common.auth import Principal


@dataclass(frozen=True)
class Page:
    """`start` is 1-based, as in SCIM; `count` may be 0 (only the total is wanted)."""

    start: int
    count: int

    @property
    def window(self) -> slice:
        return slice(self.start - 1, self.start - 1 + self.count)


@dataclass(frozen=True)
class Found:
    resources: list[Any]
    total: int


async def _users(uow: Uow, tenant: str, expression: ScimFilter[Any] | None, base: str) -> list[Any]:
    """Every user the filter selects: narrowed in SQL, decided by the library where SQL is
    only a superset."""
    compiled = compile_user_filter(expression.ast) if expression is not None else None
    rows = await scim.live_users(uow.session, tenant, compiled.clause if compiled else None)
    resources = [user_resource(row, base) for row in rows]
    return resources if compiled is None or compiled.exact else matching(resources, expression)


async def search_users(
    uow: Uow, actor: Principal, expression: ScimFilter[Any] | None, page: Page, base: str
) -> Found:
    """Filtered, counted and paged by the database when the filter translates to SQL (every
    comparison on the attributes we store); else narrowed by SQL, then filtered and paged."""
    compiled = compile_user_filter(expression.ast) if expression is not None else None
    if compiled is None or compiled.exact:
        where = compiled.clause if compiled is not None else None
        total = await scim.count_live_users(uow.session, actor.tenant, where)
        rows = await scim.live_users(
            uow.session, actor.tenant, where, offset=page.start - 1, limit=page.count
        )
        return Found([user_resource(row, base) for row in rows], total)
    users = await _users(uow, actor.tenant, expression, base)
    return Found(users[page.window], len(users))


async def search_groups(
    uow: Uow, actor: Principal, expression: ScimFilter[Any] | None, page: Page, base: str
) -> Found:
    rows = await scim.groups_of(uow.session, actor.tenant)
    groups = matching([group_resource(row, base) for row in rows], expression)
    return Found(groups[page.window], len(groups))


async def search_all(
    uow: Uow,
    actor: Principal,
    user_filter: ScimFilter[Any] | None,
    group_filter: ScimFilter[Any] | None,
    page: Page,
    base: str,
) -> Found:
    """Users then groups, one list paged as a whole."""
    everything = await _users(uow, actor.tenant, user_filter, base)
    rows = await scim.groups_of(uow.session, actor.tenant)
    everything += matching([group_resource(row, base) for row in rows], group_filter)
    return Found(everything[page.window], len(everything))
