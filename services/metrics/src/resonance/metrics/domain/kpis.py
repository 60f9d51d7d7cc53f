"""Programme KPIs computed from aggregate counts (pure).

Conventions for every KPI in this package:

- Rates are **fractions** (0.2, not 20): multiply by 100 to display a percentage.
- A rate over an empty population is **None** ("no data"), never 0 and never an error: a
  programme with nobody enrolled has no participation rate, not a participation of 0 %.
- Inputs are counts the store keeps per tenant, day, ambassador, item, campaign, network and
  segment; the caller filters them by period and segment before calling.

Population rates (all over the same period and segment):

- participation = ambassadors who shared at least once / ambassadors enrolled in the period;
- activation = enrolled ambassadors with at least one connected network / enrolled;
- targeted engagement = enrolled / invited (the practitioners' "about 20 %");
- active rate = ambassadors with any contribution (a share, an approved submission, an event
  attended) / enrolled; wider than participation, which counts shares only.

Here "enrolled in the period" means enrolled at some moment of it, so everybody who shared in
the period is in the denominator even if they left before its end.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from resonance.metrics.domain.periods import require_aware

DEFAULT_COMPANY_SHARE_TARGET = 0.2  # practitioners' 20 % company / 80 % market
DEFAULT_ATTRIBUTION_WINDOW = timedelta(days=30)


def ratio(numerator: float, denominator: float) -> float | None:
    """`numerator / denominator`, None when the denominator is 0."""
    if numerator < 0 or denominator < 0:
        raise ValueError("counts cannot be negative")
    return None if denominator == 0 else numerator / denominator


def participation_rate(sharers: int, enrolled: int) -> float | None:
    return ratio(sharers, enrolled)


def activation_rate(connected: int, enrolled: int) -> float | None:
    return ratio(connected, enrolled)


def targeted_engagement_rate(enrolled: int, invited: int) -> float | None:
    return ratio(enrolled, invited)


def active_rate(active: int, enrolled: int) -> float | None:
    return ratio(active, enrolled)


@dataclass(frozen=True)
class Change:
    """A figure against the previous period: `relative` is None when the previous was 0."""

    current: float
    previous: float
    delta: float
    relative: float | None


def change(current: float, previous: float) -> Change:
    relative = None if previous == 0 else (current - previous) / abs(previous)
    return Change(current=current, previous=previous, delta=current - previous, relative=relative)


@dataclass(frozen=True)
class ContentMix:
    """Company vs market content, against the tenant's target share of company content.

    Submissions and own posts are neither and are left out of the mix (they are counted as
    creation, see badges and stages). `gap` is company_share - target: positive means too much
    company content.
    """

    company: int
    market: int
    company_share: float | None
    market_share: float | None
    target_company_share: float
    gap: float | None


def content_mix(
    company: int, market: int, target_company_share: float = DEFAULT_COMPANY_SHARE_TARGET
) -> ContentMix:
    """Apply to published items or to shares alike (the caller picks which counts)."""
    if not 0 <= target_company_share <= 1:
        raise ValueError("the target is a fraction between 0 and 1")
    company_share = ratio(company, company + market)
    return ContentMix(
        company=company,
        market=market,
        company_share=company_share,
        market_share=None if company_share is None else 1 - company_share,
        target_company_share=target_company_share,
        gap=None if company_share is None else company_share - target_company_share,
    )


def is_attributed(
    clicked_at: datetime,
    converted_at: datetime,
    window: timedelta = DEFAULT_ATTRIBUTION_WINDOW,
) -> bool:
    """A conversion (application, lead) is credited to the share whose tracked link the
    visitor followed, when it happens within `window` after that click (last click wins)."""
    elapsed = require_aware(converted_at) - require_aware(clicked_at)
    return timedelta(0) <= elapsed <= window


def conversion_rate(conversions: int, clicks: int) -> float | None:
    return ratio(conversions, clicks)


GoalMetric = Literal["shares", "reach", "clicks"]


@dataclass(frozen=True)
class CampaignTotals:
    shares: int = 0
    reach: int = 0  # measured impressions; counting estimated ones too is the tenant's choice
    clicks: int = 0

    def value(self, metric: GoalMetric) -> int:
        return {"shares": self.shares, "reach": self.reach, "clicks": self.clicks}[metric]


@dataclass(frozen=True)
class CampaignProgress:
    metric: GoalMetric
    value: int
    target: int
    fraction: float | None  # value / target, uncapped; None without a positive target
    reached: bool
    elapsed: float | None  # share of the campaign's time gone, 0..1; None if open-ended
    on_track: bool | None  # fraction >= elapsed: at least at the pace needed


def campaign_progress(
    metric: GoalMetric,
    target: int,
    totals: CampaignTotals,
    starts_at: datetime,
    ends_at: datetime | None,
    now: datetime,
) -> CampaignProgress:
    """A campaign's progress against its goal (campaign.launched's goal_metric/goal_value)."""
    value = totals.value(metric)
    fraction = value / target if target > 0 else None
    elapsed: float | None = None
    if ends_at is not None and ends_at > starts_at:
        gone = (require_aware(now) - require_aware(starts_at)) / (ends_at - starts_at)
        elapsed = min(1.0, max(0.0, gone))
    on_track = None if fraction is None or elapsed is None else fraction >= elapsed
    return CampaignProgress(
        metric=metric,
        value=value,
        target=target,
        fraction=fraction,
        reached=fraction is not None and value >= target,
        elapsed=elapsed,
        on_track=on_track,
    )
