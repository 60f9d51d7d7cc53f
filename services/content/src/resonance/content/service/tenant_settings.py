"""The tenant's content settings: approval per brand, compliance, mix target, link policy."""

from dataclasses import dataclass

from resonance.common.auth import Principal
from resonance.content.api.schemas_settings import SettingsIn
from resonance.content.domain.addresses import private_links_allowed
from resonance.content.domain.compliance import clean_terms
from resonance.content.service import Uow
from resonance.content.store.tables import TenantSettings
from resonance.content.store.tenants import tenant_settings, tenant_settings_for_update


@dataclass(frozen=True)
class SettingsView:
    row: TenantSettings
    private_links_allowed: bool  # the tenant's choice, or the service's default


async def read_settings(uow: Uow, principal: Principal) -> SettingsView:
    return _view(uow, await tenant_settings(uow.session, principal.tenant))


async def replace_settings(uow: Uow, principal: Principal, body: SettingsIn) -> SettingsView:
    row = await tenant_settings_for_update(uow.session, principal.tenant)
    row.approval_required = body.approval_required
    row.approval_required_brands = sorted(
        {b.strip() for b in body.approval_required_brands if b.strip()}
    )
    row.blocked_terms = clean_terms(body.blocked_terms)
    row.disclosure_text = (body.disclosure_text or "").strip() or None
    row.mix_target_company = body.mix_target_company
    row.allow_private_links = body.allow_private_links
    row.updated_by = principal.subject
    row.updated_at = uow.now()
    return _view(uow, row)


def _view(uow: Uow, row: TenantSettings) -> SettingsView:
    allowed = private_links_allowed(
        row.allow_private_links, uow.settings.allow_private_links_default
    )
    return SettingsView(row, allowed)
