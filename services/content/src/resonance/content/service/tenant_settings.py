"""The tenant's content settings: approval per brand, compliance, mix target. Whether
fetches may reach private addresses is shown, but it is the operator's (ContentSettings)."""

from dataclasses import dataclass

from resonance.common.auth import Principal
from resonance.content.api.schemas_settings import SettingsIn
from resonance.content.domain.compliance import clean_terms
from resonance.content.service import Uow
from resonance.content.store.tables import TenantSettings
from resonance.content.store.tenants import tenant_settings, tenant_settings_for_update


@dataclass(frozen=True)
class SettingsView:
    row: TenantSettings
    private_links_allowed: bool  # the operator's setting, read-only here


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
    row.updated_by = principal.subject
    row.updated_at = uow.now()
    return _view(uow, row)


def _view(uow: Uow, row: TenantSettings) -> SettingsView:
    return SettingsView(row, uow.settings.allow_private_links)
