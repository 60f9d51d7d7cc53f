"""The tenant's content settings: approval per brand, compliance, mix target, link policy."""

from datetime import UTC, datetime

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import select

from resonance.common.auth import Principal, Role, require_roles
from resonance.common.service import Runtime, runtime_of
from resonance.content.api.checks import NO_NUL
from resonance.content.domain.compliance import clean_terms
from resonance.content.settings import ContentSettings
from resonance.content.store.tables import TenantSettings
from resonance.content.store.tenants import allows_private_links, tenant_settings

router = APIRouter(prefix="/v1/settings", tags=["settings"], dependencies=NO_NUL)


class SettingsIn(BaseModel):
    approval_required: bool = Field(
        default=False, description="Every brand's items need a programme manager's approval."
    )
    approval_required_brands: list[str] = Field(default_factory=list, max_length=200)
    blocked_terms: list[str] = Field(
        default_factory=list,
        max_length=2000,
        description="Words or phrases refused in captions and submissions (case-insensitive).",
    )
    disclosure_text: str | None = Field(
        default=None, max_length=100, description="Appended by the sharing service, e.g. #employee"
    )
    mix_target_company: float = Field(default=0.2, ge=0, le=1)
    allow_private_links: bool | None = Field(
        default=None,
        description="Let link previews and feeds reach private/loopback addresses (local stacks "
        "only). Null: the service's default.",
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "approval_required": False,
                    "approval_required_brands": ["acme-bank"],
                    "blocked_terms": ["guaranteed returns", "insider"],
                    "disclosure_text": "#employee",
                    "mix_target_company": 0.2,
                }
            ]
        }
    }


class SettingsOut(SettingsIn):
    tenant: str
    private_links_allowed: bool


def _out(row: TenantSettings, default_private: bool) -> SettingsOut:
    return SettingsOut(
        tenant=row.tenant,
        approval_required=row.approval_required,
        approval_required_brands=list(row.approval_required_brands),
        blocked_terms=list(row.blocked_terms),
        disclosure_text=row.disclosure_text,
        mix_target_company=row.mix_target_company,
        allow_private_links=row.allow_private_links,
        private_links_allowed=allows_private_links(row, default_private),
    )


def _default_private(runtime: Runtime) -> bool:
    settings = runtime.settings
    return isinstance(settings, ContentSettings) and settings.allow_private_links_default


@router.get("", response_model=SettingsOut, summary="Read the tenant's content settings")
async def read_settings(
    principal: Principal = Depends(require_roles(Role.COMMUNICATOR, Role.PROGRAM_MANAGER)),
    runtime: Runtime = Depends(runtime_of),
) -> SettingsOut:
    async with runtime.db.session() as session:
        row = await tenant_settings(session, principal.tenant)
    return _out(row, _default_private(runtime))


@router.put("", response_model=SettingsOut, summary="Replace the tenant's content settings")
async def put_settings(
    body: SettingsIn,
    principal: Principal = Depends(require_roles(Role.PROGRAM_MANAGER)),
    runtime: Runtime = Depends(runtime_of),
) -> SettingsOut:
    async with runtime.db.transaction() as session:
        row = (
            await session.execute(
                select(TenantSettings)
                .where(TenantSettings.tenant == principal.tenant)
                .with_for_update()
            )
        ).scalar_one_or_none()
        if row is None:
            row = TenantSettings(tenant=principal.tenant)
            session.add(row)
        row.approval_required = body.approval_required
        row.approval_required_brands = sorted(
            {b.strip() for b in body.approval_required_brands if b.strip()}
        )
        row.blocked_terms = clean_terms(body.blocked_terms)
        row.disclosure_text = (body.disclosure_text or "").strip() or None
        row.mix_target_company = body.mix_target_company
        row.allow_private_links = body.allow_private_links
        row.updated_by = principal.subject
        row.updated_at = datetime.now(UTC)
    return _out(row, _default_private(runtime))
