"""Link previews: a page's title, description, image and canonical URL, read through the
SSRF-guarded fetcher with the tenant's link policy."""

from resonance.common.auth import Principal
from resonance.common.service import Runtime
from resonance.content.domain.addresses import private_links_allowed
from resonance.content.domain.errors import LinkRefused, LinkUnreadable
from resonance.content.preview.fetcher import FetchFailed, FetchPolicy, FetchRefused, fetch
from resonance.content.preview.metadata import Preview, parse_preview
from resonance.content.settings import ContentSettings
from resonance.content.store.tables import TenantSettings
from resonance.content.store.tenants import tenant_settings


def fetch_policy(settings: ContentSettings, tenant: TenantSettings) -> FetchPolicy:
    return FetchPolicy(
        allow_private=private_links_allowed(
            tenant.allow_private_links, settings.allow_private_links_default
        ),
        timeout_s=settings.fetch_timeout_s,
        max_bytes=settings.fetch_max_bytes,
        max_redirects=settings.fetch_max_redirects,
    )


async def read_preview(url: str, policy: FetchPolicy) -> Preview:
    try:
        page = await fetch(url, policy)
    except FetchRefused as exc:
        raise LinkRefused(str(exc)) from exc
    except FetchFailed as exc:
        raise LinkUnreadable(str(exc)) from exc
    return parse_preview(page.body, page.url)


async def preview_link(rt: Runtime[ContentSettings], principal: Principal, url: str) -> Preview:
    async with rt.unit_of_work() as uow:
        tenant = await tenant_settings(uow.session, principal.tenant)
    # The page may take seconds to answer: no transaction stays open meanwhile.
    return await read_preview(url, fetch_policy(rt.settings, tenant))
