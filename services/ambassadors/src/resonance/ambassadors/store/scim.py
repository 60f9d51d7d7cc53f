"""Queries behind /scim/v2: live SCIM users (not deprovisioned, not erased) and groups."""

from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.ambassadors.store.tables import Employee, ScimGroup

# The identifiers RFC 7644 §3.3 asks to keep unique, as the columns holding them.
IDENTIFIERS: dict[str, Any] = {
    "user_name": func.lower(Employee.user_name),
    "external_id": Employee.external_id,
    "employee_number": Employee.employee_number,
}


def _live_users(tenant: str) -> Select[tuple[Employee]]:
    return select(Employee).where(
        Employee.tenant == tenant,
        Employee.scim_deleted.is_(False),
        Employee.erased_at.is_(None),
    )


async def live_user(
    session: AsyncSession, tenant: str, user_id: str, *, lock: bool = False
) -> Employee | None:
    query = _live_users(tenant).where(Employee.id == user_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def identifier_holder(
    session: AsyncSession, tenant: str, identifier: str, value: str
) -> Any | None:
    """`(id, scim_deleted, scim_provisioned)` of someone holding this identifier, if any.

    `identifier` is a key of IDENTIFIERS; a userName is compared case-insensitively."""
    column = IDENTIFIERS[identifier]
    wanted = value.lower() if identifier == "user_name" else value
    found = await session.execute(
        select(Employee.id, Employee.scim_deleted, Employee.scim_provisioned).where(
            Employee.tenant == tenant, column == wanted
        )
    )
    return found.first()


def _users_query(tenant: str, where: ColumnElement[bool] | None) -> Select[tuple[Employee]]:
    query = _live_users(tenant).order_by(Employee.created_at, Employee.id)
    return query if where is None else query.where(where)


async def live_users(
    session: AsyncSession,
    tenant: str,
    where: ColumnElement[bool] | None = None,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> list[Employee]:
    """Live users, oldest first; `where` is a compiled SCIM filter (store.scim_filter)."""
    query = _users_query(tenant, where)
    if offset or limit is not None:
        query = query.offset(offset).limit(limit)
    return list((await session.execute(query)).scalars().all())


async def count_live_users(
    session: AsyncSession, tenant: str, where: ColumnElement[bool] | None = None
) -> int:
    query = _users_query(tenant, where).order_by(None).with_only_columns(func.count())
    return await session.scalar(query) or 0


async def live_user_ids(session: AsyncSession, tenant: str, ids: set[str]) -> set[str]:
    """Which of `ids` are users of this tenant that the identity provider still sees."""
    found = await session.execute(
        select(Employee.id).where(
            Employee.tenant == tenant,
            Employee.id.in_(ids),
            Employee.scim_deleted.is_(False),
        )
    )
    return set(found.scalars())


async def groups_of(session: AsyncSession, tenant: str) -> list[ScimGroup]:
    rows = await session.execute(
        select(ScimGroup)
        .where(ScimGroup.tenant == tenant)
        .order_by(ScimGroup.created_at, ScimGroup.id)
    )
    return list(rows.scalars().all())


async def get_group(
    session: AsyncSession, tenant: str, group_id: str, *, lock: bool = False
) -> ScimGroup | None:
    query = select(ScimGroup).where(ScimGroup.tenant == tenant, ScimGroup.id == group_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def group_named(session: AsyncSession, tenant: str, name: str) -> str | None:
    """The id of the group with this displayName (case-insensitive), if any."""
    found = await session.execute(
        select(ScimGroup.id).where(
            ScimGroup.tenant == tenant, func.lower(ScimGroup.display_name) == name.lower()
        )
    )
    row = found.first()
    return row.id if row is not None else None
