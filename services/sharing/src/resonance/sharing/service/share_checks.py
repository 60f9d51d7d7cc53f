"""The checks a share goes through before it exists, shared by the shares API and auto-share:
the item is live and meant for the person, the network is consented, the text fits and says
nothing blocked, the caps leave a slot. Each refusal is a domain error with a stable slug."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeAlias

from resonance.common.domain_errors import Conflict, Forbidden, Invalid, LimitReached, NotFound
from resonance.common.unit_of_work import UnitOfWork
from resonance.sharing.domain import links
from resonance.sharing.domain.caps import CapReached, check_caps
from resonance.sharing.domain.captions import (
    CaptionVariant,
    blocked_terms_found,
    check_length,
    choose_caption,
    compose_post_text,
)
from resonance.sharing.domain.local_time import valid_timezone
from resonance.sharing.domain.networks import Network, NetworkProfile, parse_network, profile
from resonance.sharing.service import projection_rules as rules
from resonance.sharing.service.policy import Policy
from resonance.sharing.settings import SharingSettings
from resonance.sharing.store import share_queries
from resonance.sharing.store.share_views import AmbassadorView, ContentView

Uow: TypeAlias = UnitOfWork[SharingSettings]


class ContentNotLive(Conflict):
    default_slug = "content-not-live"


class NotTargeted(Forbidden):
    default_slug = "content-not-targeted"


class NetworkNotConsented(Forbidden):
    default_slug = "network-not-consented"


class CaptionRefused(Invalid):
    default_slug = "caption-too-long"


def networks_of(names: Sequence[str]) -> list[NetworkProfile]:
    """The networks asked for, each once, in the order given; Invalid for an unknown one."""
    found: dict[Network, NetworkProfile] = {}
    for name in names:
        network = parse_network(name)
        if network is None:
            raise Invalid(f"unknown network {name[:40]!r}", slug="unknown-network")
        found.setdefault(network, profile(network))
    return list(found.values())


def require_shareable(
    item: ContentView | None, person: AmbassadorView, at: datetime
) -> ContentView:
    """`item` if it exists, is live at `at` and its audience includes `person`."""
    if item is None or not item.title:
        raise NotFound("no such content item", slug="content-not-found")
    if not rules.live(
        retired=not item.live, publish_at=item.publish_at, expires_at=item.expires_at, now=at
    ):
        raise ContentNotLive("this item cannot be shared (not published, retired or expired)")
    if not rules.targeted(item.targeting, person.profile):
        raise NotTargeted("this item is not meant for you")
    return item


def require_consent(person: AmbassadorView, network: NetworkProfile) -> None:
    if network.network.value not in rules.consented_networks(person.memberships):
        raise NetworkNotConsented(
            f"you have not agreed to share on {network.label}", network=network.network.value
        )


def languages_of(person: AmbassadorView, item: ContentView) -> list[str]:
    preferred = [str(lang) for lang in person.profile.get("languages") or []]
    return preferred + ([item.language] if item.language else [])


def suggested_caption(person: AmbassadorView, item: ContentView, network: NetworkProfile) -> str:
    """The item's caption variant for this person (spread over colleagues), else its title."""
    variants = [
        CaptionVariant(c.get("network", ""), c.get("language", ""), c.get("text", ""))
        for c in item.captions
    ]
    choice = choose_caption(
        variants,
        network.network,
        languages_of(person, item),
        ambassador_id=person.ambassador_id,
        item_id=item.content_id,
    )
    return choice.variant.text if choice is not None else item.title


@dataclass(frozen=True)
class Composed:
    text: str
    code: str
    tracked_link: str


def compose(
    uow: Uow, item: ContentView, network: NetworkProfile, caption: str, policy: Policy
) -> Composed:
    """Caption + disclosure + a new tracked link, refused when too long or blocked."""
    code = links.new_short_code()
    tracked = f"{uow.settings.link_base_url.rstrip('/')}/{code}" if item.url else None
    text = compose_post_text(
        caption, disclosure=item.disclosure, tracked_link=tracked, item_url=item.url
    )
    too_long = check_length(network.network, text)
    if too_long is not None:
        raise CaptionRefused(
            too_long.describe(),
            network=network.network.value,
            length=too_long.length,
            limit=too_long.limit,
            over=too_long.over,
        )
    blocked = blocked_terms_found(text, policy.blocked_terms)
    if blocked:
        raise Invalid(
            "the post contains a term your organisation does not allow",
            slug="blocked-term",
            network=network.network.value,
            terms=blocked,
        )
    return Composed(text, code, tracked or "")


def cap_window(at: datetime, until: datetime | None = None) -> tuple[datetime, datetime]:
    """The span of existing shares the caps need to see around [at, until]."""
    return at - timedelta(days=2), (until or at) + timedelta(days=2)


async def existing_slots(
    uow: Uow, tenant: str, ambassador_id: str, network: str, since: datetime, until: datetime
) -> list[datetime]:
    return await share_queries.slot_times(uow.session, tenant, ambassador_id, network, since, until)


async def require_slot(
    uow: Uow,
    person: AmbassadorView,
    network: NetworkProfile,
    at: datetime,
    policy: Policy,
) -> None:
    """LimitReached (429, with when the next slot opens) if a cap leaves no room at `at`."""
    since, until = cap_window(at)
    existing = await existing_slots(
        uow, person.tenant, person.ambassador_id, network.network.value, since, until
    )
    decision = check_caps(
        network.network,
        at,
        timezone=timezone_of(person),
        existing=existing,
        tenant_cap=policy.caps.for_network(network.network),
    )
    if isinstance(decision, CapReached):
        whose = "your organisation's" if decision.kind == "tenant" else f"{network.label}'s"
        raise LimitReached(
            f"{whose} limit of {decision.limit} posts a day on {network.label} is reached",
            retry_at=decision.next_slot_at,
            slug="daily-cap-reached",
            network=network.network.value,
            limit=decision.limit,
            limit_kind=decision.kind,
        )


def timezone_of(person: AmbassadorView) -> str:
    """The person's IANA time zone; UTC when none (or an unknown one) was projected."""
    timezone = str(person.profile.get("timezone") or "UTC")
    return timezone if valid_timezone(timezone) else "UTC"
