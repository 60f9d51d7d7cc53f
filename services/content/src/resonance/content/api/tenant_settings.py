"""The tenant's content settings: approval per brand, compliance, mix target, link policy."""

from fastapi import APIRouter

from resonance.content.api.deps import NO_NUL, Editor, ProgrammeManager, Rt
from resonance.content.api.schemas_settings import SettingsIn, SettingsOut
from resonance.content.service import tenant_settings
from resonance.content.service.tenant_settings import SettingsView

router = APIRouter(prefix="/v1/settings", tags=["settings"], dependencies=NO_NUL)


def _out(view: SettingsView) -> SettingsOut:
    row = view.row
    return SettingsOut(
        tenant=row.tenant,
        approval_required=row.approval_required,
        approval_required_brands=list(row.approval_required_brands),
        blocked_terms=list(row.blocked_terms),
        disclosure_text=row.disclosure_text,
        mix_target_company=row.mix_target_company,
        private_links_allowed=view.private_links_allowed,
    )


@router.get("", response_model=SettingsOut, summary="Read the tenant's content settings")
async def read_settings(principal: Editor, rt: Rt) -> SettingsOut:
    async with rt.unit_of_work() as uow:
        view = await tenant_settings.read_settings(uow, principal)
    return _out(view)


@router.put("", response_model=SettingsOut, summary="Replace the tenant's content settings")
async def put_settings(body: SettingsIn, principal: ProgrammeManager, rt: Rt) -> SettingsOut:
    async with rt.unit_of_work() as uow:
        view = await tenant_settings.replace_settings(uow, principal, body)
    return _out(view)
