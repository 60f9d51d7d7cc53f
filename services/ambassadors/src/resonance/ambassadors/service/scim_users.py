"""SCIM Users: the identity provider's door into the HR pipeline (RFC 7643/7644).

A created user is a joiner, a replaced or patched one a mover (or a leaver with
`active=false`), a deleted one leaves and disappears from the provider's view (its consent
history stays until erasure). Someone HR already announced is adopted, not duplicated.
"""

from scim2_models import PatchOp
from sqlalchemy.exc import IntegrityError

from resonance.ambassadors.domain.hr import EmployeeFacts
from resonance.ambassadors.domain.scim_mapping import SCIM_OWNED_FIELDS, ScimUser, facts_from_scim
from resonance.ambassadors.domain.scim_protocol import ScimConflict, apply_patch
from resonance.ambassadors.service.intake import apply_hr_facts
from resonance.ambassadors.service.people import Uow
from resonance.ambassadors.service.scim_resources import stored_user, user_resource
from resonance.ambassadors.store import people, scim
from resonance.ambassadors.store.tables import Employee
from resonance.common.auth import Principal
from resonance.common.domain_errors import NotFound

TAKEN = "a user with this identifier already exists"


async def _live_user(uow: Uow, tenant: str, user_id: str, lock: bool = False) -> Employee:
    row = await scim.live_user(uow.session, tenant, user_id, lock=lock)
    if row is None:
        raise NotFound(f"User {user_id} not found")
    return row


async def _refuse_taken(uow: Uow, tenant: str, facts: EmployeeFacts, own_id: str | None) -> None:
    """RFC 7644 §3.3: an identifier held by another live SCIM user is a uniqueness error."""
    for identifier, value in (
        ("user_name", facts.user_name),
        ("external_id", facts.external_id),
        ("employee_number", facts.employee_number),
    ):
        if not value:
            continue
        other = await scim.identifier_holder(uow.session, tenant, identifier, value)
        if (
            other is not None
            and other.id != own_id
            and other.scim_provisioned
            and not other.scim_deleted
        ):
            raise ScimConflict(TAKEN)


async def _intake(uow: Uow, tenant: str, user: ScimUser, row: Employee | None) -> Employee:
    try:
        result = await apply_hr_facts(
            uow,
            tenant,
            facts_from_scim(user),
            employee=row,
            # A SCIM resource is the full picture: what it leaves out has no value any more.
            clear_absent=SCIM_OWNED_FIELDS if row is not None else frozenset(),
            scim=stored_user(user),
            look_up=False,
        )
        await uow.session.flush()
    except IntegrityError as exc:
        raise ScimConflict("userName, externalId or employeeNumber already in use") from exc
    return result.employee


async def create_user(uow: Uow, actor: Principal, user: ScimUser) -> Employee:
    """Provisions a user (a joiner), adopting someone HR already told us about."""
    facts = facts_from_scim(user)
    await _refuse_taken(uow, actor.tenant, facts, None)
    existing = await people.find_employee(uow.session, actor.tenant, facts, lock=True)
    if existing is not None and existing.erased_at is not None:
        existing = None  # an erased person provisioned again is a new record
    if existing is not None and existing.scim_provisioned and not existing.scim_deleted:
        # Checked again under the row lock: a concurrent create may have just won.
        raise ScimConflict(TAKEN)
    if existing is not None:
        existing.scim_deleted = False
    row = await _intake(uow, actor.tenant, user, existing)
    row.scim_provisioned = True
    return row


async def get_user(uow: Uow, actor: Principal, user_id: str) -> Employee:
    return await _live_user(uow, actor.tenant, user_id)


async def replace_user(uow: Uow, actor: Principal, user_id: str, user: ScimUser) -> Employee:
    row = await _live_user(uow, actor.tenant, user_id, lock=True)
    await _refuse_taken(uow, actor.tenant, facts_from_scim(user), row.id)
    return await _intake(uow, actor.tenant, user, row)


async def patch_user(
    uow: Uow, actor: Principal, user_id: str, operation: PatchOp, base: str
) -> Employee:
    """Applies a PatchOp to the stored User (shown under `base`), then takes it in whole."""
    row = await _live_user(uow, actor.tenant, user_id, lock=True)
    user = user_resource(row, base)
    apply_patch(operation, user)
    await _refuse_taken(uow, actor.tenant, facts_from_scim(user), row.id)
    return await _intake(uow, actor.tenant, user, row)


async def delete_user(uow: Uow, actor: Principal, user_id: str) -> None:
    """Deprovisioning: participation ends; the consent history stays until erasure, the
    identity provider just stops seeing the user."""
    row = await _live_user(uow, actor.tenant, user_id, lock=True)
    await apply_hr_facts(uow, actor.tenant, EmployeeFacts(active=False), employee=row)
    row.scim_deleted = True
