"""Suggested captions: checked against the tenant's rules, stored as numbered variants."""

from collections.abc import Sequence

from resonance.common.unit_of_work import UnitOfWork
from resonance.content.api.schemas import CaptionIn
from resonance.content.domain.captions import check_captions, number_variants
from resonance.content.settings import ContentSettings
from resonance.content.store.items import replace_captions
from resonance.content.store.tables import Caption, ContentItem, TenantSettings


def _triples(captions: Sequence[CaptionIn]) -> list[tuple[str, str, str]]:
    return [(c.network, c.language, c.text) for c in captions]


def check(tenant: TenantSettings, captions: Sequence[CaptionIn]) -> None:
    """No blocked term, and each within its network's limit with the tenant's disclosure."""
    check_captions(_triples(captions), list(tenant.blocked_terms), tenant.disclosure_text)


async def replace(
    uow: UnitOfWork[ContentSettings], item: ContentItem, captions: Sequence[CaptionIn]
) -> list[Caption]:
    """The item's captions become `captions` (already checked), variants numbered 1, 2..."""
    return await replace_captions(uow.session, item, number_variants(_triples(captions)))
