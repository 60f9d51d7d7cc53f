"""Reach, engagement and echo chambers (pure).

- **Measured and estimated reach are never added together.** A post's impressions are
  *measured* when the network's API gave them (reach.measured); otherwise they may be
  *estimated* as audience x a per-network reach rate and are labelled so. Totals keep both apart.
- **Latest measurement wins.** reach.measured carries cumulative figures for a post; the
  aggregates move by the difference with the previous measurement of the same post, and an
  older measurement arriving late is ignored (`measurement_delta`).
- **Employee vs company reach**: employee reach in the period / the company page's reach in
  the same period (entered by the tenant or read from the network's organisation statistics).
- **Engagement rate** = (reactions + comments + reshares + clicks) / impressions.
- **Echo chamber**: the share of clicks coming from inside the company (tenant-configured IP
  networks), and per item shared by several colleagues, unique visitors / clicks (close to 1:
  new people each time; low: colleagues' posts keep reaching the same visitors).
"""

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from resonance.metrics.domain.kpis import ratio
from resonance.metrics.domain.periods import require_aware

# Employees' posts reach about 3.5 % of their audience (a French programme, measured in 2019);
# no network publishes a figure, so this is the default for every network. [unconfirmed]
DEFAULT_REACH_RATE = 0.035


class ReachBasis(StrEnum):
    MEASURED = "measured"
    ESTIMATED = "estimated"


@dataclass(frozen=True)
class ReachRates:
    """Tenant setting: the share of an audience a post is assumed to reach, per network."""

    default: float = DEFAULT_REACH_RATE
    by_network: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if any(not 0 <= rate <= 1 for rate in (self.default, *self.by_network.values())):
            raise ValueError("reach rates are fractions between 0 and 1")

    def rate(self, network: str) -> float:
        return self.by_network.get(network, self.default)


@dataclass(frozen=True)
class PostReach:
    impressions: int
    basis: ReachBasis


def post_reach(
    network: str,
    measured_impressions: int | None,
    audience: int | None,
    rates: ReachRates = ReachRates(),
) -> PostReach | None:
    """Measured impressions when there are any, else an estimate from the audience, else None."""
    if measured_impressions is not None:
        return PostReach(measured_impressions, ReachBasis.MEASURED)
    if audience is None:
        return None
    return PostReach(round(audience * rates.rate(network)), ReachBasis.ESTIMATED)


@dataclass(frozen=True)
class ReachTotals:
    measured: int = 0
    estimated: int = 0
    measured_posts: int = 0
    estimated_posts: int = 0


def add_reach(totals: ReachTotals, post: PostReach) -> ReachTotals:
    if post.basis is ReachBasis.MEASURED:
        return ReachTotals(
            totals.measured + post.impressions,
            totals.estimated,
            totals.measured_posts + 1,
            totals.estimated_posts,
        )
    return ReachTotals(
        totals.measured,
        totals.estimated + post.impressions,
        totals.measured_posts,
        totals.estimated_posts + 1,
    )


@dataclass(frozen=True)
class Engagement:
    """Cumulative figures of one post (reach.measured), or sums of them."""

    impressions: int = 0
    reactions: int = 0
    comments: int = 0
    reshares: int = 0
    clicks: int = 0

    @property
    def engagements(self) -> int:
        return self.reactions + self.comments + self.reshares + self.clicks

    def minus(self, other: "Engagement") -> "Engagement":
        return Engagement(
            self.impressions - other.impressions,
            self.reactions - other.reactions,
            self.comments - other.comments,
            self.reshares - other.reshares,
            self.clicks - other.clicks,
        )


def engagement_rate(figures: Engagement) -> float | None:
    """Engagements / impressions; None without impressions."""
    return ratio(figures.engagements, figures.impressions)


@dataclass(frozen=True)
class Measurement:
    measured_at: datetime
    figures: Engagement

    def __post_init__(self) -> None:
        require_aware(self.measured_at)


def measurement_delta(previous: Measurement | None, incoming: Measurement) -> Engagement | None:
    """What to add to the aggregates for `incoming`, the post's previous measurement known.

    None when `incoming` is not newer (a late or repeated event changes nothing). The delta
    may be negative: a network may revise a count down, and the latest figure wins.
    """
    if previous is None:
        return incoming.figures
    if incoming.measured_at <= previous.measured_at:
        return None
    return incoming.figures.minus(previous.figures)


def employee_vs_company_reach(employee_reach: int, company_reach: int) -> float | None:
    """How many times the company page's reach the ambassadors' posts reached."""
    return ratio(employee_reach, company_reach)


def reach_rate(reach: int, audience: int) -> float | None:
    return ratio(reach, audience)


def reach_rate_ratio(
    employee_reach: int, employee_audience: int, company_reach: int, company_audience: int
) -> float | None:
    """Reach rates compared (the practitioners' 3.5 % vs 0.9 %, about 3.9 times)."""
    employee = reach_rate(employee_reach, employee_audience)
    company = reach_rate(company_reach, company_audience)
    if employee is None or company is None:
        return None
    return ratio(employee, company)


def is_internal_address(address: str, networks: Iterable[str]) -> bool:
    """Whether a visitor address is inside one of the tenant's networks (CIDR strings).

    Meant for the place that sees the address (link redirection); only the verdict is kept.
    """
    ip = ipaddress.ip_address(address)
    return any(ip in ipaddress.ip_network(network, strict=False) for network in networks)


def internal_click_share(internal_clicks: int, clicks: int) -> float | None:
    return ratio(internal_clicks, clicks)


@dataclass(frozen=True)
class ItemEcho:
    content_id: str
    sharers: int
    clicks: int
    unique_visitors: int
    unique_per_click: float | None  # 1.0: every click a new visitor; low: the same audience


def item_echo(content_id: str, sharers: int, clicks: int, unique_visitors: int) -> ItemEcho:
    """Echo of one item across the colleagues who shared it."""
    if unique_visitors > clicks:
        raise ValueError("there cannot be more unique visitors than clicks")
    return ItemEcho(
        content_id=content_id,
        sharers=sharers,
        clicks=clicks,
        unique_visitors=unique_visitors,
        unique_per_click=ratio(unique_visitors, clicks),
    )
