"""SCIM Groups: kept as the identity provider sends them; members must be our users."""

from scim2_models import Group, PatchOp

from resonance.ambassadors.domain.scim_protocol import ScimConflict, ScimRefused, apply_patch
from resonance.ambassadors.service.people import Uow
from resonance.ambassadors.service.scim_resources import group_resource, stored_group
from resonance.ambassadors.store import scim
from resonance.ambassadors.store.tables import ScimGroup
from resonance.common.auth import Principal
from resonance.common.domain_errors import NotFound


async def _group(uow: Uow, tenant: str, group_id: str, lock: bool = False) -> ScimGroup:
    row = await scim.get_group(uow.session, tenant, group_id, lock=lock)
    if row is None:
        raise NotFound(f"Group {group_id} not found")
    return row


async def _refuse_taken_name(uow: Uow, tenant: str, name: str, own_id: str | None) -> None:
    other = await scim.group_named(uow.session, tenant, name)
    if other is not None and other != own_id:
        raise ScimConflict("a group with this displayName already exists")


async def _refuse_strangers(uow: Uow, tenant: str, group: Group) -> None:
    """Members must be users of this tenant (RFC 7643 §4.2: references to resources)."""
    wanted = {m.value for m in group.members or [] if m.value}
    if not wanted:
        return
    unknown = wanted - await scim.live_user_ids(uow.session, tenant, wanted)
    if unknown:
        raise ScimRefused(f"{len(unknown)} member(s) are not users of this service")


async def _save(uow: Uow, row: ScimGroup, group: Group, tenant: str) -> ScimGroup:
    await _refuse_taken_name(uow, tenant, group.display_name or "", row.id)
    await _refuse_strangers(uow, tenant, group)
    row.display_name = group.display_name or row.display_name
    row.external_id = group.external_id
    row.resource = stored_group(group)
    row.version += 1
    row.updated_at = uow.now()
    return row


async def create_group(uow: Uow, actor: Principal, group: Group) -> ScimGroup:
    await _refuse_taken_name(uow, actor.tenant, group.display_name or "", None)
    await _refuse_strangers(uow, actor.tenant, group)
    row = ScimGroup(
        tenant=actor.tenant,
        display_name=group.display_name or "",
        external_id=group.external_id,
        resource=stored_group(group),
    )
    uow.session.add(row)
    await uow.session.flush()
    return row


async def get_group(uow: Uow, actor: Principal, group_id: str) -> ScimGroup:
    return await _group(uow, actor.tenant, group_id)


async def replace_group(uow: Uow, actor: Principal, group_id: str, group: Group) -> ScimGroup:
    row = await _group(uow, actor.tenant, group_id, lock=True)
    return await _save(uow, row, group, actor.tenant)


async def patch_group(
    uow: Uow, actor: Principal, group_id: str, operation: PatchOp, base: str
) -> ScimGroup:
    row = await _group(uow, actor.tenant, group_id, lock=True)
    group = group_resource(row, base)
    apply_patch(operation, group)
    return await _save(uow, row, group, actor.tenant)


async def delete_group(uow: Uow, actor: Principal, group_id: str) -> None:
    row = await _group(uow, actor.tenant, group_id, lock=True)
    await uow.session.delete(row)
