"""Link previews: a page's title, description, image and canonical URL, read through the
SSRF-guarded fetcher with the operator's link policy."""

import logging

from resonance.common.auth import Principal
from resonance.common.service import Runtime
from resonance.content.domain.errors import LinkRefused, LinkUnreadable
from resonance.content.preview.fetcher import FetchFailed, FetchPolicy, FetchRefused, fetch
from resonance.content.preview.metadata import Preview, parse_preview
from resonance.content.settings import ContentSettings

log = logging.getLogger(__name__)


def fetch_policy(settings: ContentSettings) -> FetchPolicy:
    """The operator's policy: no tenant may open private addresses to its fetches."""
    return FetchPolicy(
        allow_private=settings.allow_private_links,
        timeout_s=settings.fetch_timeout_s,
        max_bytes=settings.fetch_max_bytes,
        max_redirects=settings.fetch_max_redirects,
    )


async def read_preview(url: str, policy: FetchPolicy) -> Preview:
    try:
        page = await fetch(url, policy)
    except FetchRefused as exc:
        log.info("link preview refused: %s", exc.cause)
        raise LinkRefused(str(exc)) from exc
    except FetchFailed as exc:
        log.info("link preview failed: %s", exc.cause)
        raise LinkUnreadable(str(exc)) from exc
    return parse_preview(page.body, page.url)


async def preview_link(rt: Runtime[ContentSettings], principal: Principal, url: str) -> Preview:
    # No transaction is open while the page answers (it may take seconds).
    return await read_preview(url, fetch_policy(rt.settings))
